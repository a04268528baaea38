#!/usr/bin/env python3
"""Signs in to Custos as a person, the way they would in a browser, and makes them an API token.

    tools/web-token.py URL USER [--scope ROLE] [--days N] [--name NAME]

The password is read from the environment (CUSTOS_PASSWORD) or standard input; it never goes on the command
line. A person who must use two factors and has not enrolled is enrolled now: the authenticator key is printed
on standard error so that it can be kept (a demo or a test installation). A person already enrolled gives a
current code in CUSTOS_TOTP_CODE. The token's secret is printed on standard output, once.

Tokens act as their person (docs/adr/0011): the command line makes tokens for IT administrators only, so this
is how a check such as tools/sqlmap-check.sh gets a department head's or an auditor's token on a demo
installation. Only the Python standard library is used.
"""
import argparse
import base64
import hashlib
import hmac
import html
import http.cookiejar
import json
import os
import re
import struct
import sys
import time
import urllib.parse
import urllib.request


def totp(key: str, at: float) -> str:
    secret = base64.b32decode(key.upper() + "=" * (-len(key) % 8))
    digest = hmac.new(secret, struct.pack(">Q", int(at) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


class Browser:
    def __init__(self, base: str):
        self.base = base.rstrip("/")
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str):
        with self.opener.open(self.base + path) as response:
            return response.geturl(), response.read().decode("utf-8")

    def submit(self, page: str, form_id: str, fields: dict):
        """Loads the page, fills the form's hidden inputs and the given fields, posts it; returns where it ended and the page."""
        _, body = self.get(page)
        form = re.search(r'<form[^>]*id="' + re.escape(form_id) + r'"[^>]*>(.*?)</form>', body, re.S)
        if not form:
            raise SystemExit(f"no form #{form_id} on {page}")
        values = {}
        for tag in re.findall(r"<input[^>]*>", form.group(1)):
            if 'type="hidden"' in tag:
                name = re.search(r'name="([^"]*)"', tag)
                value = re.search(r'value="([^"]*)"', tag)
                if name:
                    values[html.unescape(name.group(1))] = html.unescape(value.group(1)) if value else ""
        values.update(fields)
        data = urllib.parse.urlencode(values).encode()
        request = urllib.request.Request(self.base + page, data=data, headers={"Origin": self.base})
        with self.opener.open(request) as response:
            return response.geturl(), response.read().decode("utf-8")

    def post_json(self, path: str, payload: dict):
        request = urllib.request.Request(self.base + path, data=json.dumps(payload).encode(),
                                         headers={"Content-Type": "application/json", "Origin": self.base})
        try:
            with self.opener.open(request) as response:
                return response.status, json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read().decode("utf-8") or "{}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("url")
    parser.add_argument("user")
    parser.add_argument("--scope", action="append", required=True, help="a role the person holds (repeatable)")
    parser.add_argument("--days", type=int, default=1)
    parser.add_argument("--name", default="script")
    args = parser.parse_args()
    password = os.environ.get("CUSTOS_PASSWORD") or sys.stdin.readline().rstrip("\n")

    browser = Browser(args.url)
    where, body = browser.submit("/account/login", "login-form", {"Form.UserName": args.user, "Form.Password": password})
    if "/account/login" in urllib.parse.urlparse(where).path and "login-form" in body:
        raise SystemExit("sign-in refused: " + html.unescape(re.sub(r"<[^>]+>", "", (re.search(r'id="login-error"[^>]*>(.*?)</', body, re.S) or [None, "?"])[1])).strip())
    if urllib.parse.urlparse(where).path == "/account/mfa":
        key = re.search(r'data-key="([A-Z2-7]+)"', body).group(1)
        print(f"authenticator key of {args.user}: {key}", file=sys.stderr)
        where, body = browser.submit("/account/mfa", "mfa-form", {"Form.Code": totp(key, time.time())})
    elif urllib.parse.urlparse(where).path == "/account/login/2fa":
        code = os.environ.get("CUSTOS_TOTP_CODE") or raise_missing_code()
        where, body = browser.submit("/account/login/2fa", "login2fa-form", {"Form.Code": code})

    status, created = browser.post_json("/api/v1/tokens", {"name": args.name, "scopes": args.scope, "days": args.days})
    if status != 201:
        raise SystemExit(f"token refused ({status}): {created.get('title', created)}")
    print(created["secret"])
    return 0


def raise_missing_code():
    raise SystemExit("this person uses an authenticator: give a current code in CUSTOS_TOTP_CODE")


if __name__ == "__main__":
    sys.exit(main())
