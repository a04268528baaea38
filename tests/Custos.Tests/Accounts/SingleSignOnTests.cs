using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json;
using Custos.Features.People;
using Custos.Security;
using Custos.Tests.Infrastructure;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Custos.Tests.Accounts;

/// <summary>
/// A real OpenID provider for the tests (OpenIddict's server, code flow with PKCE, on a loopback port): it signs in
/// whoever <see cref="Subject"/> names, and with <see cref="Forge"/> answers the token request with an identity token
/// of another issuer, signed with another key.
/// </summary>
public sealed class TestOpenIdProvider : IAsyncDisposable
{
    public const string ClientId = "custos";
    public const string ClientSecret = "custos-test-secret-2026";

    private readonly RSA signing = RSA.Create(2048);

    private WebApplication? host;

    /// <summary>The nonce of the last authorization request, so a forged token can carry it and fail on its issuer alone.</summary>
    private string? lastNonce;

    public string Url { get; private set; } = "";

    public string Subject { get; set; } = "nobody";

    public bool Forge { get; set; }

    public async Task StartAsync()
    {
        var port = ServerProcess.FreePort();
        Url = $"http://127.0.0.1:{port}";
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(Url);
        builder.Logging.ClearProviders();
        builder.Services.AddRouting();
        builder.Services.AddAuthentication();
        builder.Services.AddOpenIddict().AddServer(o =>
        {
            o.SetAuthorizationEndpointUris("connect/authorize").SetTokenEndpointUris("connect/token");
            o.AllowAuthorizationCodeFlow().RequireProofKeyForCodeExchange();
            o.RegisterScopes(OpenIddictConstants.Scopes.OpenId, OpenIddictConstants.Scopes.Profile);
            o.AddEphemeralEncryptionKey().AddSigningKey(new RsaSecurityKey(signing) { KeyId = "custos-test" }).DisableAccessTokenEncryption();
            o.EnableDegradedMode();
            o.UseAspNetCore().EnableAuthorizationEndpointPassthrough().DisableTransportSecurityRequirement();
            // Degraded mode keeps no client store: the one client, its redirect address and its secret are checked here.
            o.AddEventHandler<ValidateAuthorizationRequestContext>(h => h.UseInlineHandler(context =>
            {
                if (context.ClientId != ClientId || context.RedirectUri?.EndsWith("/signin-oidc", StringComparison.Ordinal) != true)
                {
                    context.Reject(OpenIddictConstants.Errors.InvalidClient, "Unknown client or redirect address.");
                }

                return default;
            }));
            o.AddEventHandler<ValidateTokenRequestContext>(h => h.UseInlineHandler(context =>
            {
                if (context.ClientId != ClientId || context.ClientSecret != ClientSecret)
                {
                    context.Reject(OpenIddictConstants.Errors.InvalidClient, "Wrong client credentials.");
                }

                return default;
            }));
        });
        var app = builder.Build();
        app.Use(async (context, next) =>
        {
            if (Forge && context.Request.Path == "/connect/token")
            {
                await context.Response.WriteAsJsonAsync(new { access_token = "forged", token_type = "Bearer", expires_in = 3600, id_token = ForgedIdentityToken() });
                return;
            }

            await next(context);
        });
        app.UseRouting();
        app.UseAuthentication();
        app.MapGet("/connect/authorize", (HttpContext context) =>
        {
            var request = context.GetOpenIddictServerRequest()!;
            lastNonce = request.Nonce;
            var identity = new ClaimsIdentity(TokenValidationParameters.DefaultAuthenticationType, OpenIddictConstants.Claims.Name, OpenIddictConstants.Claims.Role);
            identity.SetClaim(OpenIddictConstants.Claims.Subject, Subject).SetClaim(OpenIddictConstants.Claims.Name, "统一身份用户");
            identity.SetScopes(request.GetScopes());
            identity.SetDestinations(_ => [OpenIddictConstants.Destinations.AccessToken, OpenIddictConstants.Destinations.IdentityToken]);
            return Results.SignIn(new ClaimsPrincipal(identity), null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        });
        host = app;
        await app.StartAsync();
    }

    /// <summary>
    /// An identity token right in everything — the provider's own signing key, audience, subject, nonce, access-token
    /// hash — but its issuer: only issuer validation stands between it and a sign-in.
    /// </summary>
    private string ForgedIdentityToken()
    {
        var hash = SHA256.HashData("forged"u8);
        var atHash = Base64UrlEncoder.Encode(hash.AsSpan(0, hash.Length / 2).ToArray());
        var now = TimeProvider.System.GetUtcNow().UtcDateTime;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "http://evil.example/",
            Audience = ClientId,
            Subject = new ClaimsIdentity([new Claim("sub", Subject), new Claim("nonce", lastNonce ?? ""), new Claim("at_hash", atHash)]),
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddMinutes(5),
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(signing) { KeyId = "custos-test" }, SecurityAlgorithms.RsaSha256),
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (host is not null)
        {
            await host.DisposeAsync();
        }

        signing.Dispose();
    }
}

/// <summary>Custos with single sign-on pointed at <see cref="TestOpenIdProvider"/>.</summary>
public sealed class SsoApp : CustosApp
{
    private readonly string dataDir = TestPaths.NewDataDir("sso");

    public TestOpenIdProvider OpenId { get; } = new();

    public override string Provider => "sqlite";

    protected override async Task<Dictionary<string, string?>> SettingsAsync()
    {
        await OpenId.StartAsync();
        return new Dictionary<string, string?>
        {
            ["Custos:DataDir"] = dataDir,
            ["Custos:Sso:Authority"] = OpenId.Url,
            ["Custos:Sso:ClientId"] = TestOpenIdProvider.ClientId,
            ["Custos:Sso:ClientSecret"] = TestOpenIdProvider.ClientSecret,
            ["Custos:Sso:DisplayName"] = "统一身份",
            ["Custos:Sso:AllowHttpMetadata"] = "true",
        };
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await OpenId.DisposeAsync();
        TestPaths.Delete(dataDir);
    }
}

/// <summary>
/// Single sign-on (PPL-1, ACC-7) against a real OpenID provider: the provider's subject maps to the person an
/// administrator linked it to, with no role coming from it; an unlinked identity, a forged state, a token from
/// another issuer and a person who has left are refused, recorded, and sent back to the sign-in page.
/// </summary>
public sealed class SingleSignOnTests(SsoApp app) : IClassFixture<SsoApp>
{
    /// <summary>Goes through the provider as a browser would: Custos's challenge, the provider's answer, Custos's callback; returns where Custos sends the browser last.</summary>
    private static async Task<string> SignInThroughProviderAsync(WebSession web)
    {
        var challenge = await web.Client.GetAsync("/account/sso?returnUrl=%2F");
        Assert.Equal(HttpStatusCode.Redirect, challenge.StatusCode);
        var authorize = challenge.Headers.Location!;
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        var answered = await browser.GetAsync(authorize);
        Assert.True(answered.StatusCode == HttpStatusCode.Redirect, $"{answered.StatusCode}: {await answered.Content.ReadAsStringAsync()}");
        var callback = answered.Headers.Location!;
        Assert.EndsWith("/signin-oidc", callback.AbsolutePath, StringComparison.Ordinal);
        var back = await web.Client.GetAsync(callback.PathAndQuery);
        var next = WebSession.Location(back);
        return next.StartsWith("/account/sso/done", StringComparison.Ordinal) ? WebSession.Location(await web.Client.GetAsync(next)) : next;
    }

    private Task<int> RefusalsAsync(string reason) =>
        app.WithDbAsync(db => db.AuditRecords.CountAsync(a => a.Action == AuditActions.SessionSignin && a.Outcome == AuditOutcome.Denied && a.Detail!.Contains(reason)));

    [Fact]
    public async Task A_linked_person_signs_in_through_the_provider_with_no_role_from_it()
    {
        var person = await app.CreatePersonAsync(Roles.Staff);
        using var admin = await app.AdminSessionAsync();
        var subject = "sso-" + Guid.NewGuid().ToString("N");
        Assert.Equal(HttpStatusCode.NoContent, (await admin.Client.PutAsJsonAsync($"/api/v1/people/{person.Id}/sso", new { subject })).StatusCode);

        using var web = app.Session();
        var (_, login) = await web.GetPageAsync("/account/login");
        Assert.Contains("统一身份", login.QuerySelector("#sso")!.TextContent, StringComparison.Ordinal);
        app.OpenId.Subject = subject;
        Assert.Equal("/", await SignInThroughProviderAsync(web));
        var me = await web.Client.GetFromJsonAsync<JsonElement>("/api/v1/me");
        Assert.Equal(person.Id.ToString(), me.GetProperty("id").GetString());
        Assert.Equal([Roles.Staff], await app.WithDbAsync(db => (from ur in db.UserRoles join r in db.Roles on ur.RoleId equals r.Id where ur.UserId == person.Id select r.Name!).ToListAsync()));
        Assert.Equal(1, await app.WithDbAsync(db => db.UserSessions.CountAsync(s => s.PersonId == person.Id && s.EndedAt == null)));

        // Unlinked: the way in is gone, and the session that came through it ends.
        Assert.Equal(HttpStatusCode.NoContent, (await admin.Client.PutAsJsonAsync($"/api/v1/people/{person.Id}/sso", new { subject = (string?)null })).StatusCode);
        Assert.NotEqual(HttpStatusCode.OK, (await web.Client.GetAsync("/api/v1/me")).StatusCode);
        Assert.Equal(0, await app.WithDbAsync(db => db.UserSessions.CountAsync(s => s.PersonId == person.Id && s.EndedAt == null)));
        Assert.Equal(HttpStatusCode.NoContent, (await admin.Client.PutAsJsonAsync($"/api/v1/people/{person.Id}/sso", new { subject })).StatusCode);

        // An id another system keeps for a person — a SCIM client's externalId — is never a way in, whatever it says.
        var provisioned = await app.CreatePersonAsync(Roles.Staff);
        var scimId = "sso-scim-" + Guid.NewGuid().ToString("N");
        using (var scope = app.Factory.Services.CreateScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<Person>>();
            Assert.True((await users.AddLoginAsync((await users.FindByIdAsync(provisioned.Id.ToString()))!, new(Custos.Features.Accounts.ExternalLogins.Scim, scimId, "SCIM"))).Succeeded);
        }

        using var viaScim = app.Session();
        app.OpenId.Subject = scimId;
        Assert.Equal("/account/login?sso=unlinked", await SignInThroughProviderAsync(viaScim));

        // Nobody's privileged sign-in can be taken over this way: an administrator cannot link another administrator.
        var otherAdmin = await app.CreatePersonAsync(Roles.ItAdministrator);
        var privileged = await admin.Client.PutAsJsonAsync($"/api/v1/people/{otherAdmin.Id}/sso", new { subject = "sso-" + Guid.NewGuid().ToString("N") });
        Assert.Equal(HttpStatusCode.BadRequest, privileged.StatusCode);
        Assert.Equal("SsoPrivileged", (await privileged.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());

        // One person per subject; an unlinked identity signs no one in.
        var other = await app.CreatePersonAsync(Roles.Staff);
        Assert.Equal(HttpStatusCode.Conflict, (await admin.Client.PutAsJsonAsync($"/api/v1/people/{other.Id}/sso", new { subject })).StatusCode);
        using var stranger = app.Session();
        app.OpenId.Subject = "sso-unknown-" + Guid.NewGuid().ToString("N");
        Assert.Equal("/account/login?sso=unlinked", await SignInThroughProviderAsync(stranger));
        Assert.True(await RefusalsAsync("sso-unlinked") >= 1);
        Assert.NotEqual(HttpStatusCode.OK, (await stranger.Client.GetAsync("/api/v1/me")).StatusCode);
    }

    [Fact]
    public async Task A_forged_state_a_token_from_another_issuer_and_a_person_who_left_are_refused()
    {
        var person = await app.CreatePersonAsync(Roles.Staff);
        using var admin = await app.AdminSessionAsync();
        var subject = "sso-" + Guid.NewGuid().ToString("N");
        Assert.Equal(HttpStatusCode.NoContent, (await admin.Client.PutAsJsonAsync($"/api/v1/people/{person.Id}/sso", new { subject })).StatusCode);
        app.OpenId.Subject = subject;

        // A callback nobody started.
        using var forged = app.Session();
        var before = await RefusalsAsync("sso-failure");
        Assert.Equal("/account/login?sso=failed", WebSession.Location(await forged.Client.GetAsync("/signin-oidc?code=abc&state=forged")));
        Assert.Equal(before + 1, await RefusalsAsync("sso-failure"));

        // The provider's token endpoint answers with another issuer's token.
        using var evil = app.Session();
        app.OpenId.Forge = true;
        try
        {
            Assert.Equal("/account/login?sso=failed", await SignInThroughProviderAsync(evil));
        }
        finally
        {
            app.OpenId.Forge = false;
        }

        Assert.NotEqual(HttpStatusCode.OK, (await evil.Client.GetAsync("/api/v1/me")).StatusCode);

        // Dismissed: the provider still knows them, Custos does not let them in.
        Assert.Equal(HttpStatusCode.Created, (await admin.Client.PostAsJsonAsync("/api/v1/leaving", new { person = person.UserName, kind = "Dismissal", reason = "辞退" })).StatusCode);
        using var gone = app.Session();
        Assert.Equal("/account/login?sso=refused", await SignInThroughProviderAsync(gone));
        Assert.NotEqual(HttpStatusCode.OK, (await gone.Client.GetAsync("/api/v1/me")).StatusCode);
    }
}
