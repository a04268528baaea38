using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Custos.Data;
using Custos.Features.People;
using Custos.Features.Provisioning;
using Custos.Security;
using Custos.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Custos.Tests.Provisioning;

/// <summary>
/// SCIM 2.0 (RFC 7643/7644) for HR systems and identity providers (PPL-1, PPL-3): people created without rights,
/// updated, and deactivated as a leaving at once; a token that reaches SCIM and nothing else; errors in the RFC's format.
/// </summary>
public abstract class ScimTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : CustosApp
{
    private const string UserSchema = "urn:ietf:params:scim:schemas:core:2.0:User";
    private const string PatchSchema = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

    /// <summary>A client registered as the command line does, and an HTTP client that presents its token.</summary>
    private async Task<HttpClient> ClientAsync()
    {
        var secret = ScimTokenHandler.NewSecret();
        await app.WithDbAsync(async db =>
        {
            db.Set<ScimClient>().Add(new ScimClient { Id = Guid.NewGuid(), Name = app.UniqueName("idp"), SecretHash = ScimTokenHandler.Hash(secret), CreatedAt = app.Factory.Time.GetUtcNow(), CreatedByName = "test" });
            return await db.SaveChangesAsync();
        });
        var client = app.ApiClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        return client;
    }

    private static StringContent Scim(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/scim+json");

    private static async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpClient client, HttpMethod method, string url, object? body = null)
    {
        using var request = new HttpRequestMessage(method, url) { Content = body is null ? null : Scim(body) };
        var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    private static void AssertScimError(JsonElement body, int status, string? scimType)
    {
        Assert.Equal("urn:ietf:params:scim:api:messages:2.0:Error", body.GetProperty("schemas")[0].GetString());
        Assert.Equal(status.ToString(System.Globalization.CultureInfo.InvariantCulture), body.GetProperty("status").GetString());
        if (scimType is not null)
        {
            Assert.Equal(scimType, body.GetProperty("scimType").GetString());
        }
    }

    [Fact]
    public async Task A_client_creates_a_person_with_no_rights_updates_them_and_a_deactivation_is_a_leaving_at_once()
    {
        using var scim = await ClientAsync();
        var userName = app.UniqueName("li.lei");
        var external = Guid.NewGuid().ToString();
        // Azure AD and others send the enterprise extension: accepted, its department taken from no one.
        var (status, created) = await SendAsync(scim, HttpMethod.Post, "/scim/v2/Users", new Dictionary<string, object>
        {
            ["schemas"] = new[] { UserSchema, "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User" },
            ["userName"] = userName, ["externalId"] = external, ["name"] = new { familyName = "李", givenName = "雷" },
            ["emails"] = new[] { new { value = "li.lei@example.com", type = "work", primary = true } }, ["active"] = true,
            ["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"] = new { department = "SALES" },
        });
        Assert.Equal(HttpStatusCode.Created, status);
        var id = Guid.Parse(created.GetProperty("id").GetString()!);
        Assert.Equal("李雷", created.GetProperty("displayName").GetString());
        Assert.True(created.GetProperty("active").GetBoolean());
        Assert.Equal(external, created.GetProperty("externalId").GetString());

        // No roles, no department, the least clearance: the agreement, training and approvals are still ahead.
        var (roles, departments, clearance) = await app.WithDbAsync(async db => (
            await db.UserRoles.CountAsync(r => r.UserId == id), await db.DepartmentMemberships.CountAsync(m => m.PersonId == id), (await db.Users.SingleAsync(u => u.Id == id)).Clearance));
        Assert.Equal((0, 0, Clearance.Secret), (roles, departments, clearance));

        // Found by userName and by externalId; a duplicate userName is a uniqueness error.
        var (_, found) = await SendAsync(scim, HttpMethod.Get, $"/scim/v2/Users?filter={Uri.EscapeDataString($"externalId eq \"{external}\"")}");
        Assert.Equal(1, found.GetProperty("totalResults").GetInt32());
        var (duplicate, duplicateBody) = await SendAsync(scim, HttpMethod.Post, "/scim/v2/Users", new { schemas = new[] { UserSchema }, userName });
        Assert.Equal(HttpStatusCode.Conflict, duplicate);
        AssertScimError(duplicateBody, 409, "uniqueness");

        // PATCH the name (as Azure AD words it) and the e-mail by path.
        var (patched, patchedBody) = await SendAsync(scim, HttpMethod.Patch, $"/scim/v2/Users/{id}", new
        {
            schemas = new[] { PatchSchema },
            Operations = new object[]
            {
                new { op = "Replace", path = "displayName", value = "李雷（销售）" },
                new { op = "replace", path = "emails[type eq \"work\"].value", value = "lilei@example.com" },
            },
        });
        Assert.Equal(HttpStatusCode.OK, patched);
        Assert.Equal("李雷（销售）", patchedBody.GetProperty("displayName").GetString());
        Assert.Equal("lilei@example.com", patchedBody.GetProperty("emails")[0].GetProperty("value").GetString());

        // The person signs in; the deactivation ends the session on the next request (tokens too: the two-node test).
        var person = await app.WithDbAsync(db => db.Users.SingleAsync(u => u.Id == id));
        using (var system = app.AsSystem())
        {
            await system.ServiceProvider.GetRequiredService<PeopleService>().SetPasswordAsync(id, CustosApp.Password, default);
        }

        using var web = app.Session();
        await web.SignInAsync(person.UserName!);
        Assert.Equal(HttpStatusCode.OK, (await web.Client.GetAsync("/api/v1/me")).StatusCode);

        var (deactivated, deactivatedBody) = await SendAsync(scim, HttpMethod.Patch, $"/scim/v2/Users/{id}", new
        {
            schemas = new[] { PatchSchema }, Operations = new[] { new { op = "replace", path = "active", value = (object)"False" } },
        });
        Assert.Equal(HttpStatusCode.OK, deactivated);
        Assert.False(deactivatedBody.GetProperty("active").GetBoolean());
        Assert.NotEqual(HttpStatusCode.OK, (await web.Client.GetAsync("/api/v1/me")).StatusCode);
        Assert.Equal(0, await app.WithDbAsync(db => db.UserSessions.CountAsync(s => s.PersonId == id && s.EndedAt == null)));
        var file = await app.WithDbAsync(db => db.Set<Features.Leaving.Departure>().SingleAsync(d => d.PersonId == id));
        Assert.NotNull(file.AccessEndedAt);
        Assert.Equal(Features.Leaving.DepartureKind.Dismissal, file.Kind);

        // Not reactivated: a return is a new account. DELETE of someone gone is quiet; of no one, a 404.
        var (again, againBody) = await SendAsync(scim, HttpMethod.Patch, $"/scim/v2/Users/{id}", new { schemas = new[] { PatchSchema }, Operations = new[] { new { op = "replace", path = "active", value = (object)true } } });
        Assert.Equal(HttpStatusCode.BadRequest, again);
        AssertScimError(againBody, 400, "mutability");
        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(scim, HttpMethod.Delete, $"/scim/v2/Users/{id}")).Status);
        var (missing, missingBody) = await SendAsync(scim, HttpMethod.Patch, $"/scim/v2/Users/{Guid.NewGuid()}", new { schemas = new[] { PatchSchema }, Operations = new[] { new { op = "replace", path = "active", value = (object)false } } });
        Assert.Equal(HttpStatusCode.NotFound, missing);
        AssertScimError(missingBody, 404, null);
        Assert.Equal(1, await app.WithDbAsync(db => db.AuditRecords.CountAsync(a => a.TargetId == id.ToString() && a.Action == AuditActions.ScimUserDeactivate)));
    }

    [Fact]
    public async Task Bad_requests_are_refused_whole_in_the_rfc_format_and_recorded()
    {
        using var scim = await ClientAsync();
        var refusedBefore = await app.WithDbAsync(db => db.AuditRecords.CountAsync(a => a.Action == AuditActions.ScimRefused && a.Outcome == AuditOutcome.Denied));
        var userName = app.UniqueName("wang");
        var (unknown, unknownBody) = await SendAsync(scim, HttpMethod.Post, "/scim/v2/Users", new { schemas = new[] { UserSchema }, userName, nickName = "小王" });
        Assert.Equal(HttpStatusCode.BadRequest, unknown);
        AssertScimError(unknownBody, 400, "invalidSyntax");
        Assert.Contains("nickName", unknownBody.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.False(await app.WithDbAsync(db => db.Users.AnyAsync(u => u.UserName == userName)));
        Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync(scim, HttpMethod.Post, "/scim/v2/Users", new { userName })).Status); // no schemas
        Assert.Equal("invalidFilter", (await SendAsync(scim, HttpMethod.Get, "/scim/v2/Users?filter=" + Uri.EscapeDataString("title sw \"x\""))).Body.GetProperty("scimType").GetString());

        var (_, created) = await SendAsync(scim, HttpMethod.Post, "/scim/v2/Users", new { schemas = new[] { UserSchema }, userName, displayName = "王五" });
        var id = created.GetProperty("id").GetString();
        // A patch with one bad operation changes nothing, not even the good one before it.
        var (bad, badBody) = await SendAsync(scim, HttpMethod.Patch, $"/scim/v2/Users/{id}", new
        {
            schemas = new[] { PatchSchema },
            Operations = new object[] { new { op = "replace", path = "displayName", value = "王六" }, new { op = "replace", path = "title", value = "经理" } },
        });
        Assert.Equal(HttpStatusCode.BadRequest, bad);
        AssertScimError(badBody, 400, "invalidPath");
        Assert.Equal("王五", (await SendAsync(scim, HttpMethod.Get, $"/scim/v2/Users/{id}")).Body.GetProperty("displayName").GetString());
        Assert.Equal("mutability", (await SendAsync(scim, HttpMethod.Patch, $"/scim/v2/Users/{id}", new { schemas = new[] { PatchSchema }, Operations = new[] { new { op = "replace", path = "userName", value = "other" } } })).Body.GetProperty("scimType").GetString());
        Assert.Equal("mutability", (await SendAsync(scim, HttpMethod.Post, "/scim/v2/Groups", new { schemas = new[] { "urn:ietf:params:scim:schemas:core:2.0:Group" }, displayName = "x" })).Body.GetProperty("scimType").GetString());
        Assert.Equal(refusedBefore + 6, await app.WithDbAsync(db => db.AuditRecords.CountAsync(a => a.Action == AuditActions.ScimRefused && a.Outcome == AuditOutcome.Denied)));

        // PUT replaces name and externalId together (as identity providers send them) in one go.
        var (replaced, replacedBody) = await SendAsync(scim, HttpMethod.Put, $"/scim/v2/Users/{id}", new
        {
            schemas = new[] { UserSchema }, userName, displayName = "王五（客服）", externalId = "ext-" + Guid.NewGuid().ToString("N"), active = true,
        });
        Assert.True(replaced == HttpStatusCode.OK, replacedBody.ToString());
        Assert.Equal("王五（客服）", replacedBody.GetProperty("displayName").GetString());

        // Attribute names in any case (RFC 7643): "Active": false is a deactivation, not a no-op.
        var (shouted, shoutedBody) = await SendAsync(scim, HttpMethod.Put, $"/scim/v2/Users/{id}", new Dictionary<string, object>
        {
            ["schemas"] = new[] { UserSchema }, ["UserName"] = userName, ["Active"] = false,
        });
        Assert.True(shouted == HttpStatusCode.OK, shoutedBody.ToString());
        Assert.False(shoutedBody.GetProperty("active").GetBoolean());

        // People created in Custos — the built-in administrator, an IT administrator — do not exist for a client.
        var admin = await app.CreatePersonAsync(Roles.ItAdministrator);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(scim, HttpMethod.Get, $"/scim/v2/Users/{admin.Id}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(scim, HttpMethod.Patch, $"/scim/v2/Users/{admin.Id}", new
        {
            schemas = new[] { PatchSchema }, Operations = new[] { new { op = "replace", path = "externalId", value = (object)"attacker-subject" } },
        })).Status);
        Assert.Equal(0, (await SendAsync(scim, HttpMethod.Get, "/scim/v2/Users?filter=" + Uri.EscapeDataString("userName eq \"admin\""))).Body.GetProperty("totalResults").GetInt32());
        Assert.False(await app.WithDbAsync(db => db.UserLogins.AnyAsync(l => l.UserId == admin.Id)));

        // Groups are the departments, to read.
        var (groups, groupsBody) = await SendAsync(scim, HttpMethod.Get, "/scim/v2/Groups");
        Assert.Equal(HttpStatusCode.OK, groups);
        Assert.Contains(groupsBody.GetProperty("Resources").EnumerateArray(), g => g.GetProperty("externalId").GetString() == DatabaseInitialiser.DefaultDepartmentCode);
    }

    [Fact]
    public async Task The_scim_token_reaches_scim_only_and_nothing_else_reaches_scim()
    {
        using var scim = await ClientAsync();
        Assert.Equal(HttpStatusCode.OK, (await scim.GetAsync("/scim/v2/ServiceProviderConfig")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await scim.GetAsync("/api/v1/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await scim.GetAsync("/api/v1/customers")).StatusCode);

        // A wrong token, a person's API token, a signed-in administrator: 401 in the RFC's format, recorded.
        using var wrong = app.ApiClient();
        wrong.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ScimTokenHandler.NewSecret());
        var refused = await wrong.GetAsync("/scim/v2/Users");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("application/scim+json", refused.Content.Headers.ContentType?.MediaType);
        AssertScimError(await refused.Content.ReadFromJsonAsync<JsonElement>(), 401, null);
        Assert.True(await app.WithDbAsync(db => db.AuditRecords.AnyAsync(a => a.Action == AuditActions.ScimRefused && a.Outcome == AuditOutcome.Denied)));

        var admin = await app.CreatePersonAsync(Roles.ItAdministrator);
        var (_, apiSecret) = await app.AsAsync(admin, s => s.GetRequiredService<Features.ApiTokens.ApiTokenService>().CreateAsync("脚本", [Roles.ItAdministrator], 7, default));
        using var api = app.ApiClient(apiSecret);
        Assert.Equal(HttpStatusCode.Forbidden, (await api.GetAsync("/scim/v2/Users")).StatusCode); // a person's token reaches /api only
        using var web = await app.AdminSessionAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, (await web.Client.GetAsync("/scim/v2/Users")).StatusCode);

        // Revoked: refused on the next request.
        await app.WithDbAsync(async db =>
        {
            foreach (var c in await db.Set<ScimClient>().ToListAsync())
            {
                c.RevokedAt = app.Factory.Time.GetUtcNow();
            }

            return await db.SaveChangesAsync();
        });
        Assert.Equal(HttpStatusCode.Unauthorized, (await scim.GetAsync("/scim/v2/Users")).StatusCode);
    }

    [Fact]
    public async Task An_administrator_makes_and_revokes_a_client_on_its_page_and_the_token_is_shown_once()
    {
        using var admin = await app.AdminSessionAsync();
        var name = app.UniqueName("hr");
        var made = await WebSession.ParseAsync(await admin.SubmitAsync("/admin/scim", "#scim-create-form", new Dictionary<string, string> { ["Input.Name"] = name }));
        var secret = made.QuerySelector("#scim-token")!.TextContent.Trim();
        Assert.StartsWith(ScimTokenHandler.Prefix, secret, StringComparison.Ordinal);
        using var client = app.ApiClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/scim/v2/Users")).StatusCode);

        // Shown once: the page lists the client, never its token again.
        var (_, page) = await admin.GetPageAsync("/admin/scim");
        Assert.NotNull(page.QuerySelector($"#scim-clients tr[data-client='{name}']"));
        Assert.DoesNotContain(secret, page.Body!.InnerHtml, StringComparison.Ordinal);
        var other = await app.CreatePersonAsync(Roles.ItAdministrator);
        Assert.Equal("ScimClientExists", (await Assert.ThrowsAsync<Custos.Hosting.CustosException>(() => app.AsAsync(other, s => s.GetRequiredService<ScimClients>().CreateAsync(name, default)))).Code);

        await admin.SubmitAsync("/admin/scim", $"#scim-clients tr[data-client='{name}'] form", new Dictionary<string, string>());
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/scim/v2/Users")).StatusCode);

        // Not for anyone else.
        using var staff = app.Session();
        await staff.SignInAsync((await app.CreatePersonAsync(Roles.Staff)).UserName!);
        Assert.StartsWith("/error/403", WebSession.Location(await staff.Client.GetAsync("/admin/scim")), StringComparison.Ordinal);
    }
}

public sealed class ScimTestsOnSqlite(SqliteApp app) : ScimTests<SqliteApp>(app);

public sealed class ScimTestsOnPostgres(PostgresApp app) : ScimTests<PostgresApp>(app);
