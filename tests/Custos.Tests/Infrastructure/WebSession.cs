using System.Net;
using AngleSharp;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using OtpNet;

namespace Custos.Tests.Infrastructure;

/// <summary>
/// A browser-like client for the server-rendered UI: cookies, forms with their anti-forgery tokens, redirects,
/// and an authenticator app on <paramref name="clock"/> (the server's clock: the test server's is a fake one).
/// </summary>
public sealed class WebSession(HttpClient client, TimeProvider? clock = null) : IDisposable
{
    /// <summary>The last time step used per authenticator key: each code signs in once, so the next sign-in takes the next step.</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> LastStep = new();

    public HttpClient Client => client;

    /// <summary>A code the server has not seen yet: the current step, or the one after the last used (Identity accepts two steps ahead).</summary>
    public string FreshCode(string key)
    {
        var now = (clock ?? TimeProvider.System).GetUtcNow();
        var current = now.ToUnixTimeSeconds() / 30;
        var step = LastStep.AddOrUpdate(key, current, (_, last) => Math.Max(current, last + 1));
        if (step > current + 2)
        {
            throw new InvalidOperationException("More than three sign-ins of one person within 30 seconds: the test should advance its clock.");
        }

        return new Totp(Base32Encoding.ToBytes(key)).ComputeTotp(DateTimeOffset.FromUnixTimeSeconds(step * 30).UtcDateTime);
    }

    public static async Task<IDocument> ParseAsync(HttpResponseMessage response)
    {
        var html = await response.Content.ReadAsStringAsync();
        return await BrowsingContext.New(Configuration.Default).OpenAsync(r => r.Content(html));
    }

    public async Task<(HttpResponseMessage Response, IDocument Page)> GetPageAsync(string url)
    {
        var response = await FollowAsync(await client.GetAsync(url));
        return (response, await ParseAsync(response));
    }

    /// <summary>Follows redirects (GET), returning the last response; its request URI tells where it ended.</summary>
    public async Task<HttpResponseMessage> FollowAsync(HttpResponseMessage response)
    {
        for (var hops = 0; hops < 10 && response.StatusCode is HttpStatusCode.Redirect or HttpStatusCode.Found or HttpStatusCode.SeeOther; hops++)
        {
            var location = response.Headers.Location!;
            var target = location.IsAbsoluteUri ? location : new Uri(response.RequestMessage!.RequestUri!, location);
            response = await client.GetAsync(target);
        }

        return response;
    }

    /// <summary>Loads <paramref name="pageUrl"/>, fills the form matched by <paramref name="formSelector"/> and posts it (no redirect following).</summary>
    public async Task<HttpResponseMessage> SubmitAsync(string pageUrl, string formSelector, IDictionary<string, string> fields, IEnumerable<KeyValuePair<string, string>>? extra = null)
    {
        var (_, page) = await GetPageAsync(pageUrl);
        var form = page.QuerySelector(formSelector) as IHtmlFormElement
            ?? throw new InvalidOperationException($"No form '{formSelector}' on {pageUrl}: {page.Title}");
        var values = new List<KeyValuePair<string, string>>();
        foreach (var input in form.QuerySelectorAll("input[type=hidden]").OfType<IHtmlInputElement>())
        {
            if (!fields.ContainsKey(input.Name!))
            {
                values.Add(new(input.Name!, input.Value));
            }
        }

        values.AddRange(fields);
        if (extra is not null)
        {
            values.AddRange(extra);
        }

        var action = form.GetAttribute("action") is { Length: > 0 } a ? a : pageUrl;
        return await client.PostAsync(action, new FormUrlEncodedContent(values));
    }

    /// <summary>Signs in with a password; returns the response after following redirects.</summary>
    public async Task<HttpResponseMessage> SignInAsync(string userName, string password = CustosApp.Password) =>
        await FollowAsync(await SubmitAsync("/account/login", "#login-form", new Dictionary<string, string>
        {
            ["Form.UserName"] = userName,
            ["Form.Password"] = password,
        }));

    /// <summary>Completes enrolment on /account/mfa with a correct code; returns the key for later sign-ins.</summary>
    public async Task<string> EnrolMfaAsync()
    {
        var (_, page) = await GetPageAsync("/account/mfa");
        var key = page.QuerySelector("#mfa-key")?.GetAttribute("data-key") ?? throw new InvalidOperationException("No authenticator key on the page.");
        var response = await SubmitAsync("/account/mfa", "#mfa-form", new Dictionary<string, string> { ["Form.Code"] = FreshCode(key) });
        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        return key;
    }

    public async Task<HttpResponseMessage> SubmitTotpAsync(string key, string? code = null) =>
        await FollowAsync(await SubmitAsync("/account/login/2fa", "#login2fa-form", new Dictionary<string, string> { ["Form.Code"] = code ?? FreshCode(key) }));

    /// <summary>The redirect target as path and query, whether the server sent it absolute or relative.</summary>
    public static string Location(HttpResponseMessage response)
    {
        var location = response.Headers.Location ?? throw new InvalidOperationException($"No redirect: {response.StatusCode}");
        return location.IsAbsoluteUri ? location.PathAndQuery : location.OriginalString;
    }

    public void Dispose() => client.Dispose();
}
