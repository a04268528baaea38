#!/usr/bin/env bash
# A documented injection check (docs/threat-model.md): sqlmap against the endpoints that take free search input —
# the customer list and its filters, the exact search, the audit log search — on a demo installation, on SQLite,
# and on PostgreSQL when a connection string is given.
#
#   tools/sqlmap-check.sh                       # SQLite
#   tools/sqlmap-check.sh "Host=…;Database=…"   # PostgreSQL (an empty database)
#
# Needs sqlmap (apt-get install -y sqlmap) and python3. Prints one line per target and exits 1 if sqlmap reports an injection.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v sqlmap >/dev/null || { echo "sqlmap is missing: apt-get install -y sqlmap" >&2; exit 2; }

work=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
port=$((20000 + RANDOM % 20000))
url="http://127.0.0.1:$port"
dotnet build src/Custos -c Release -v quiet -nologo >/dev/null
custos=(dotnet src/Custos/bin/Release/net10.0/custos.dll --data-dir "$work/data")
if [ $# -gt 0 ]; then custos+=(--database "$1"); dbms=postgresql; else dbms=sqlite; fi

export Custos__DemoCustomers=300 CUSTOS_LANG=en
"${custos[@]}" serve --demo --urls "$url" >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 300); do curl -sf "$url/healthz" >/dev/null && break; sleep 0.2; done

# Tokens act as their person, who makes them signed in (tools/web-token.py enrols the demo accounts' authenticators):
# the department head lists and searches, the auditor searches the log.
export CUSTOS_PASSWORD=Custos-Demo-2026
head=$(tools/web-token.py "$url" demo.head --scope department-head --name sqlmap 2>/dev/null)
auditor=$(tools/web-token.py "$url" demo.auditor --scope auditor --name sqlmap 2>/dev/null)

# A refused token would make every target look safe: check that each one is let in first.
let_in() { # token, path
  local code
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $1" "$url$2")
  [ "$code" = 200 ] || { echo "the token for $2 got $code, not 200; nothing was checked" >&2; exit 2; }
}
let_in "$head" /api/v1/customers
let_in "$auditor" /api/v1/audit/entries

found=0
check() { # name, headers, sqlmap arguments…
  local name=$1 headers=$2; shift 2
  local out="$work/$name.txt"
  sqlmap --batch --flush-session --output-dir="$work/sqlmap" --dbms="$dbms" --level=3 --risk=2 --threads=2 \
    --headers="$headers" "$@" >"$out" 2>&1 || true
  if grep -qiE "is vulnerable|sqlmap identified the following injection" "$out"; then
    echo "INJECTABLE  $name"; found=1
  elif grep -qiE "do not appear to be injectable|not injectable" "$out"; then
    echo "not injectable  $name ($(grep -c "testing '" "$out") techniques tried)"
  else
    echo "inconclusive  $name"; tail -5 "$out"; found=1
  fi
}

check customer-list "Authorization: Bearer $head" -u "$url/api/v1/customers?department=SALES&project=EAST-EXPANSION&tag=vip&grade=Secret&page=1&pageSize=10" -p "department,project,tag,page,pageSize"
check customer-search $'Authorization: Bearer '"$head"$'\nContent-Type: application/json' -u "$url/api/v1/customers/search" --data '{"query":"13800138000","department":"SALES","tag":"vip","page":1}' -p "query,department,tag"
check audit-search "Authorization: Bearer $auditor" -u "$url/api/v1/audit/entries?person=demo.staff&action=customer.&page=1&pageSize=10" -p "person,action,page,pageSize"
exit "$found"
