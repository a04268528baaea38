using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Custos.Features.People;
using Custos.Kernel.Secrets;
using Custos.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Custos.Tests.Api;

/// <summary>The REST API with bearer tokens (ACC-7) and the people endpoints with their change records (ACC-2).</summary>
public abstract class ApiTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : CustosApp
{

    private async Task<string> CreateTokenAsync(WebSession admin, string[] scopes, int days = 30)
    {
        var response = await admin.Client.PostAsJsonAsync("/api/v1/tokens", new { name = app.UniqueName("token"), scopes, days });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("secret").GetString()!;
    }

    [Fact]
    public async Task A_token_authenticates_with_its_scopes_until_revoked()
    {
        using var admin = await app.AdminSessionAsync();
        var secret = await CreateTokenAsync(admin, [Roles.ItAdministrator]);
        var client = app.ApiClient(secret);

        var me = await client.GetFromJsonAsync<JsonElement>("/api/v1/me");
        Assert.True(me.GetProperty("isApiToken").GetBoolean());
        Assert.Equal([Roles.ItAdministrator], me.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/people")).StatusCode);

        // Only the hash is stored.
        var stored = await app.WithDbAsync(db => db.ApiTokens.Select(t => t.SecretHash).ToListAsync());
        Assert.Contains(ApiTokenSecret.Hash(secret), stored);
        Assert.DoesNotContain(secret, stored);

        var id = (await admin.Client.GetFromJsonAsync<JsonElement>("/api/v1/tokens")).EnumerateArray()
            .First(t => t.GetProperty("active").GetBoolean() && t.GetProperty("scopes").EnumerateArray().Any()).GetProperty("id").GetString();
        var tokens = await app.WithDbAsync(db => db.ApiTokens.Where(t => t.RevokedAt == null).ToListAsync());
        var mine = tokens.Single(t => t.SecretHash == ApiTokenSecret.Hash(secret));
        Assert.Equal(HttpStatusCode.NoContent, (await admin.Client.DeleteAsync($"/api/v1/tokens/{mine.Id}")).StatusCode);
        Assert.NotNull(id);

        var after = await client.GetAsync("/api/v1/me");
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        Assert.Equal("Bearer", after.Headers.WwwAuthenticate.Single().Scheme);
    }

    [Fact]
    public async Task A_token_stops_working_when_it_expires()
    {
        using var admin = await app.AdminSessionAsync();
        var secret = await CreateTokenAsync(admin, [Roles.ItAdministrator], days: 1);
        var client = app.ApiClient(secret);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/me")).StatusCode);

        app.Factory.Time.Advance(TimeSpan.FromDays(1) + TimeSpan.FromSeconds(1));

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/me")).StatusCode);
    }

    [Fact]
    public async Task Metrics_need_a_metrics_or_administrator_token()
    {
        using var admin = await app.AdminSessionAsync();
        var client = app.ApiClient(await CreateTokenAsync(admin, [Roles.MetricsReader]));

        var metrics = await client.GetStringAsync("/metrics");

        Assert.Contains("http_requests_received_total", metrics, StringComparison.Ordinal);
        // A metrics token reads /metrics and nothing else: not even the directory every signed-in person may read.
        foreach (var url in new[] { "/api/v1/people", "/api/v1/departments", "/api/v1/projects", "/api/v1/me", "/api/v1/customers", "/customers", "/" })
        {
            Assert.True((await client.GetAsync(url)).StatusCode == HttpStatusCode.Forbidden, url);
        }
    }

    [Theory]
    [InlineData("Bearer cst_notarealtoken")]
    [InlineData("Bearer cst_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("Basic YWRtaW46YWRtaW4=")]
    public async Task A_bad_token_is_a_401_problem(string header)
    {
        var client = app.ApiClient();
        client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", header);

        var response = await client.GetAsync("/api/v1/me");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task Creating_a_person_gives_no_rights_until_approved_and_records_who_did_what_before_and_after_ACC_4()
    {
        using var admin = await app.AdminSessionAsync();
        var department = app.UniqueName("H").ToUpperInvariant();
        Assert.Equal(HttpStatusCode.Created, (await admin.Client.PostAsJsonAsync("/api/v1/departments", new { code = department, name = "华东销售部" })).StatusCode);
        await app.CreatePersonAsync(Roles.DepartmentHead, departments: [department]);
        await app.CreatePersonAsync(Roles.ComplianceOfficer);
        var userName = app.UniqueName("clerk");
        var created = await admin.Client.PostAsJsonAsync("/api/v1/people", new
        {
            userName, displayName = "张三", roles = new[] { Roles.Staff }, departments = new[] { department }, reason = "新入职客服",
        });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        var id = body.GetProperty("person").GetProperty("id").GetGuid();
        var password = body.GetProperty("initialPassword").GetString()!;
        Assert.True(password.Length >= 16);
        Assert.Empty(body.GetProperty("person").GetProperty("roles").EnumerateArray());
        Assert.Empty(body.GetProperty("person").GetProperty("departments").EnumerateArray());
        var pending = body.GetProperty("pending").EnumerateArray().Single();
        Assert.Equal("RoleChange", pending.GetProperty("kind").GetString());
        Assert.Equal([Roles.DepartmentHead, Roles.ComplianceOfficer], pending.GetProperty("chain").EnumerateArray().Select(c => c.GetString()));
        Assert.Contains("华东销售部", pending.GetProperty("rights").GetProperty("departments")[0].GetString(), StringComparison.Ordinal);

        // The administrator cannot approve it; the department head and the compliance officer do.
        var refused = await admin.Client.PostAsJsonAsync($"/api/v1/requests/{pending.GetProperty("id").GetGuid()}/approve", new { note = "ok" });
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(Features.Access.RequestStatus.Approved, (await app.ApproveAsync(pending.GetProperty("id").GetGuid())).Status);

        var person = await admin.Client.GetFromJsonAsync<JsonElement>($"/api/v1/people/{id}");
        Assert.Equal([Roles.Staff], person.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal([department], person.GetProperty("departments").EnumerateArray().Select(r => r.GetString()));

        // Taking a role away is done at once, with its before and after.
        var change = await admin.Client.PutAsJsonAsync($"/api/v1/people/{id}/roles", new { roles = Array.Empty<string>() });
        Assert.Equal(HttpStatusCode.NoContent, change.StatusCode);
        var record = await app.WithDbAsync(db => db.AuditRecords.OrderByDescending(a => a.Id).FirstAsync(a => a.Action == "person.roles.change" && a.TargetId == id.ToString()));
        Assert.Contains("\"before\":[\"staff\"]", record.Detail, StringComparison.Ordinal);
        Assert.Contains("\"after\":[]", record.Detail, StringComparison.Ordinal);
        Assert.NotEqual("anonymous", record.ActorId);
        Assert.DoesNotContain(password, record.Detail ?? "", StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_requests_get_localised_problem_details_and_change_nothing()
    {
        using var admin = await app.AdminSessionAsync();
        var before = await app.WithDbAsync(db => db.Users.CountAsync());

        var unknownRole = await admin.Client.PostAsJsonAsync("/api/v1/people", new { userName = app.UniqueName("x"), displayName = "李四", roles = new[] { "king" } });
        var unknownDepartment = await admin.Client.PostAsJsonAsync("/api/v1/people", new { userName = app.UniqueName("x"), displayName = "李四", departments = new[] { "NOPE" } });
        var weakPassword = await admin.Client.PostAsJsonAsync("/api/v1/people", new { userName = app.UniqueName("x"), displayName = "李四", password = "Password123" });
        var missing = await admin.Client.GetAsync($"/api/v1/people/{Guid.NewGuid()}");

        Assert.Equal(HttpStatusCode.BadRequest, unknownRole.StatusCode);
        Assert.Contains("角色 king 不存在", await unknownRole.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, unknownDepartment.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, weakPassword.StatusCode);
        Assert.Contains("Identity.PasswordTooCommon", await weakPassword.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal(before, await app.WithDbAsync(db => db.Users.CountAsync()));
    }

    [Fact]
    public async Task A_person_with_an_overlong_name_a_second_mail_header_or_an_empty_membership_is_refused_naming_it()
    {
        using var admin = await app.AdminSessionAsync();
        async Task<string?> RefusedAsync(object person)
        {
            var response = await admin.Client.PostAsJsonAsync("/api/v1/people", person);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode); // never a 500 from the column's length, never stored
            return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString();
        }

        var name = app.UniqueName("len");
        Assert.Equal("FieldTooLong", await RefusedAsync(new { userName = name, displayName = new string('名', 101) }));
        Assert.Equal("FieldTooLong", await RefusedAsync(new { userName = new string('u', 65), displayName = "张三" }));
        Assert.Equal("InvalidEmail", await RefusedAsync(new { userName = name, displayName = "张三", email = "a@b.cn\r\nBcc: evil@example.cn" }));
        Assert.Equal("InvalidEmail", await RefusedAsync(new { userName = name, displayName = "张三", email = "张三 <a@b.cn>" }));
        Assert.Equal("EmptyListItem", await RefusedAsync(new { userName = name, displayName = "张三", departments = new string?[] { null } }));
        Assert.False(await app.WithDbAsync(db => db.Users.AnyAsync(u => u.UserName == name)));

        var created = await admin.Client.PostAsJsonAsync("/api/v1/people", new { userName = name, displayName = new string('名', 100), email = "zhang.san@example.cn" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("person").GetProperty("id").GetGuid();
        var membership = await admin.Client.PutAsJsonAsync($"/api/v1/people/{id}/memberships", new { departments = new string?[] { null }, projects = Array.Empty<string>() });
        Assert.Equal(HttpStatusCode.BadRequest, membership.StatusCode);
    }

    [Fact]
    public async Task The_built_in_administrator_cannot_be_disabled()
    {
        using var admin = await app.AdminSessionAsync();
        var builtIn = await app.WithDbAsync(db => db.Users.SingleAsync(u => u.IsBuiltIn));

        var response = await admin.Client.PostAsync($"/api/v1/people/{builtIn.Id}/disable", null);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(EmploymentStatus.Active, (await app.WithDbAsync(db => db.Users.SingleAsync(u => u.IsBuiltIn))).EmploymentStatus);
    }
}

public sealed class ApiTestsOnSqlite(SqliteApp app) : ApiTests<SqliteApp>(app);

public sealed class ApiTestsOnPostgres(PostgresApp app) : ApiTests<PostgresApp>(app);
