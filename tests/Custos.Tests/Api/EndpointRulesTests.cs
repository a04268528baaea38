using System.Net;
using System.Text.RegularExpressions;
using Custos.Security;
using Custos.Tests.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;

namespace Custos.Tests.Api;

/// <summary>
/// Rules as tests: every endpoint requires authentication except sign-in, health, the error pages and the
/// OpenAPI document; every API endpoint is in the OpenAPI document, which is valid.
/// </summary>
public sealed partial class EndpointRulesTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    /// <summary>The only endpoints a stranger may reach, and why.</summary>
    private static readonly HashSet<string> Anonymous =
    [
        "GET /account/login",          // sign-in
        "POST /account/login",
        "GET /account/login/2fa",      // second sign-in step
        "POST /account/login/2fa",
        "GET /healthz",                // liveness and database
        "GET /openapi/{documentName}.json", // the API document
        "GET /error", "POST /error",   // error pages must render for anyone
        "GET /error/{Code:int}", "POST /error/{Code:int}",
        "POST /culture",               // language switch on the sign-in page
        "POST /account/logout",        // signing out needs no session
        "GET /whistle", "POST /whistle", // anonymous reports (INC-4): nobody is known there, by design
        "POST /api/v1/whistle/challenge", "POST /api/v1/whistle/reports", "POST /api/v1/whistle/follow", "POST /api/v1/whistle/follow/reply",
    ];

    private IReadOnlyList<(string Method, string Pattern, Endpoint Endpoint)> Endpoints()
    {
        var source = app.Factory.Services.GetRequiredService<EndpointDataSource>();
        return [.. source.Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText is { } raw && !IsStaticAsset(raw))
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                .Select(m => (m, "/" + e.RoutePattern.RawText!.TrimStart('/'), (Endpoint)e)))];
    }

    private static bool IsStaticAsset(string raw) =>
        raw.StartsWith("_framework/", StringComparison.Ordinal) || raw.StartsWith("{**path:file}", StringComparison.Ordinal) || raw.StartsWith("css/", StringComparison.Ordinal)
        || raw.StartsWith("img/", StringComparison.Ordinal) || raw.StartsWith("js/", StringComparison.Ordinal) || raw.StartsWith("custos.", StringComparison.Ordinal)
        || raw.StartsWith("/_framework/", StringComparison.Ordinal) || raw.StartsWith("/css/", StringComparison.Ordinal) || raw.StartsWith("/img/", StringComparison.Ordinal)
        || raw.StartsWith("/js/", StringComparison.Ordinal);

    [Fact]
    public void Only_the_listed_endpoints_allow_anonymous_callers()
    {
        var anonymous = Endpoints()
            .Where(e => e.Endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null)
            .Select(e => $"{e.Method} {e.Pattern}")
            .ToHashSet();

        Assert.Equal(Anonymous.Order(), anonymous.Order());
    }

    /// <summary>
    /// ACC-1..6 as a rule: every endpoint a signed-in person can reach either carries an authorization policy
    /// or names its gate (the policy engine, the caller's own account, or the organisation directory). An
    /// endpoint added without either fails here.
    /// </summary>
    [Fact]
    public void Every_endpoint_says_how_access_is_decided()
    {
        var undecided = Endpoints()
            .Where(e => e.Endpoint.Metadata.GetMetadata<IAllowAnonymous>() is null)
            .Where(e => !e.Endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Any(a => !string.IsNullOrEmpty(a.Policy)))
            .Where(e => e.Endpoint.Metadata.GetMetadata<Custos.Hosting.GateAttribute>() is null)
            .Select(e => $"{e.Method} {e.Pattern}")
            .ToList();
        Assert.True(undecided.Count == 0, "No policy and no gate: " + string.Join(", ", undecided));

        var gated = Endpoints().Count(e => e.Endpoint.Metadata.GetMetadata<Custos.Hosting.GateAttribute>()?.Gate == Custos.Hosting.Gate.PolicyEngine);
        Assert.True(gated >= 25, $"only {gated} endpoints decided by the policy engine");
    }

    [Fact]
    public async Task Every_other_endpoint_turns_an_anonymous_caller_away()
    {
        var client = app.ApiClient();
        var walked = 0;
        foreach (var (method, pattern, endpoint) in Endpoints())
        {
            if (Anonymous.Contains($"{method} {pattern}"))
            {
                continue;
            }

            var url = RouteParameter().Replace(pattern, m => m.Value.Contains(":int", StringComparison.Ordinal) ? "1" : Guid.NewGuid().ToString());
            using var request = new HttpRequestMessage(new HttpMethod(method), url);
            if (method is "POST" or "PUT")
            {
                request.Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
            }

            var response = await client.SendAsync(request);
            // SCIM, like the API, answers a machine: 401 (in the SCIM error format), never a sign-in page.
            if (url.StartsWith("/api/", StringComparison.Ordinal) || url.StartsWith("/scim/", StringComparison.Ordinal) || url == "/metrics")
            {
                Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{method} {url}: {response.StatusCode}");
            }
            else
            {
                Assert.True(response.StatusCode == HttpStatusCode.Found, $"{method} {url}: {response.StatusCode}");
                Assert.StartsWith("/account/login", WebSession.Location(response), StringComparison.Ordinal);
            }

            walked++;
        }

        Assert.True(walked >= 20, $"only {walked} endpoints walked");
    }

    /// <summary>
    /// AUD-1 as a rule: every API endpoint, called by an IT administrator and by a clerk — allowed or refused,
    /// with sensible or nonsensical input — leaves at least one audit entry under that person.
    /// </summary>
    [Fact]
    public async Task Every_api_call_by_a_signed_in_person_leaves_an_audit_entry()
    {
        var admin = await app.CreatePersonAsync(Features.People.Roles.ItAdministrator);
        var adminWeb = app.Session();
        await adminWeb.SignInAsync(admin.UserName!);
        await adminWeb.EnrolMfaAsync();
        var clerk = await app.CreatePersonAsync(Features.People.Roles.Staff);
        var clerkWeb = app.Session();
        await clerkWeb.SignInAsync(clerk.UserName!);

        Task<int> EntriesOf(Guid person) => app.WithDbAsync(db => db.AuditRecords.CountAsync(a => a.ActorId == person.ToString()));
        var walked = 0;
        // Anonymous reports are the one place where nobody is known, by design (INC-4): their entries name no person.
        foreach (var (method, pattern, _) in Endpoints().Where(e => e.Pattern.StartsWith("/api/", StringComparison.Ordinal) && !e.Pattern.StartsWith("/api/v1/whistle", StringComparison.Ordinal)))
        {
            foreach (var (person, web) in new[] { (admin, adminWeb), (clerk, clerkWeb) })
            {
                var url = RouteParameter().Replace(pattern, Guid.NewGuid().ToString());
                using var request = new HttpRequestMessage(new HttpMethod(method), url);
                if (method is "POST" or "PUT" or "PATCH")
                {
                    request.Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
                }

                var before = await EntriesOf(person.Id);
                var response = await web.Client.SendAsync(request);
                Assert.True(await EntriesOf(person.Id) > before, $"{method} {url} by {person.UserName}: {(int)response.StatusCode} left no audit entry");
                walked++;
            }
        }

        Assert.True(walked >= 40, $"only {walked} calls walked");

        // A refusal by policy is recorded as such.
        var refused = await clerkWeb.Client.GetAsync("/api/v1/people");
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        var entry = await app.WithDbAsync(db => db.AuditRecords.Where(a => a.ActorId == clerk.Id.ToString()).OrderByDescending(a => a.Id).FirstAsync());
        Assert.Equal("access.denied", entry.Action);
        Assert.Equal(Custos.Security.AuditOutcome.Denied, entry.Outcome);
    }

    [Fact]
    public async Task The_openapi_document_is_valid_and_lists_every_api_endpoint()
    {
        var response = await app.ApiClient().GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = await response.Content.ReadAsStringAsync();

        var result = OpenApiDocument.Parse(json, "json");
        Assert.Empty(result.Diagnostic!.Errors);
        var document = result.Document!;
        Assert.Equal("Custos API", document.Info.Title);
        Assert.Contains("bearer", document.Components!.SecuritySchemes!.Keys);

        var documented = document.Paths.SelectMany(p => p.Value.Operations!.Keys.Select(m => $"{m.Method} {p.Key}")).ToHashSet();
        var api = Endpoints().Where(e => e.Pattern.StartsWith("/api/", StringComparison.Ordinal))
            .Select(e => $"{e.Method} {TypeConstraint().Replace(e.Pattern.TrimEnd('/'), "")}").ToList();
        Assert.NotEmpty(api);
        foreach (var endpoint in api)
        {
            Assert.Contains(endpoint, documented);
        }
    }

    [Fact]
    public async Task Security_headers_forbid_inline_script_framing_and_caching()
    {
        var response = await app.ApiClient().GetAsync("/account/login");

        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.True(response.Headers.CacheControl!.NoStore);
        var page = await WebSession.ParseAsync(response);
        Assert.Empty(page.QuerySelectorAll("script:not([src])"));
        Assert.Empty(page.QuerySelectorAll("[style]"));
    }

    [Fact]
    public async Task Health_reports_the_database()
    {
        var body = await app.ApiClient().GetStringAsync("/healthz");
        Assert.Contains("\"status\":\"healthy\"", body, StringComparison.Ordinal);
        Assert.Contains("\"database\"", body, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex RouteParameter();

    [GeneratedRegex(@":[a-z]+(?=\})")]
    private static partial Regex TypeConstraint();
}
