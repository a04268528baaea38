using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Custos.Features.Customers;
using Custos.Features.Organisation;
using Custos.Features.People;
using Custos.Kernel.Classification;
using Custos.Security;
using Custos.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Custos.Tests.ApiTokens;

/// <summary>
/// API tokens belong to a person (ACC-7): they act with at most that person's current rights, die with the
/// person's disablement, departure or role loss on the next request, and reach only the REST API — a metrics
/// token only <c>/metrics</c>. And the documented script: list, search and reveal with a token.
/// </summary>
public abstract class TokenTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : CustosApp
{
    private async Task<(Person Person, WebSession Web, string Department)> StaffAsync()
    {
        var department = app.UniqueName("T").ToUpperInvariant();
        using (var scope = app.Factory.Services.CreateScope())
        {
            await scope.ServiceProvider.GetRequiredService<OrganisationService>().AddDepartmentAsync(department, "部门" + department, default);
        }

        var person = await app.CreatePersonAsync(Roles.Staff, departments: [department]);
        var web = app.Session();
        await web.SignInAsync(person.UserName!);
        return (person, web, department);
    }

    private static async Task<HttpResponseMessage> CreateAsync(HttpClient client, params string[] scopes) =>
        await client.PostAsJsonAsync("/api/v1/tokens", new { name = "script", scopes, days = 30 });

    private static async Task<string> SecretAsync(HttpResponseMessage created)
    {
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("secret").GetString()!;
    }

    [Fact]
    public async Task A_token_gets_no_role_its_person_does_not_hold_ACC_7()
    {
        using var admin = await app.AdminSessionAsync();
        foreach (var scope in new[] { Roles.Auditor, Roles.Staff, Roles.ComplianceOfficer })
        {
            var refused = await CreateAsync(admin.Client, scope);
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Equal("TokenScopeNotHeld", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        }

        var (_, staff, _) = await StaffAsync();
        Assert.Equal(HttpStatusCode.Forbidden, (await CreateAsync(staff.Client, Roles.MetricsReader)).StatusCode);
        var secret = await SecretAsync(await CreateAsync(staff.Client, Roles.Staff));

        // A token cannot mint another, whatever it asks for.
        var byToken = await CreateAsync(app.ApiClient(secret), Roles.Staff);
        Assert.Equal(HttpStatusCode.Forbidden, byToken.StatusCode);
        Assert.True(await app.WithDbAsync(db => db.AuditRecords.CountAsync(a => a.Action == "token.create" && a.Outcome == Custos.Security.AuditOutcome.Denied)) >= 4);
    }

    [Fact]
    public async Task A_token_narrows_its_person_and_dies_with_their_role_disablement_or_departure_on_the_next_request_ACC_7()
    {
        var (person, web, department) = await StaffAsync();
        Customer customer;
        using (var scope = app.ActAs(person))
        {
            customer = await scope.ServiceProvider.GetRequiredService<CustomerService>().CreateAsync(new NewCustomer(
                CustomerKind.Individual, department, null, Clearance.Secret, new Dictionary<string, string?> { [FieldCatalogue.Name] = "陈静" }), default);
        }

        var token = app.ApiClient(await SecretAsync(await CreateAsync(web.Client, Roles.Staff)));
        Assert.Equal(HttpStatusCode.OK, (await token.GetAsync($"/api/v1/customers/{customer.Id}")).StatusCode);

        // The person loses the role: the token keeps nothing.
        using var admin = await app.AdminSessionAsync();
        Assert.Equal(HttpStatusCode.NoContent, (await admin.Client.PutAsJsonAsync($"/api/v1/people/{person.Id}/roles", new { roles = Array.Empty<string>() })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await token.GetAsync($"/api/v1/customers/{customer.Id}")).StatusCode);

        // Another person's token dies with their disablement, and another's with their last working day.
        var (disabled, disabledWeb, _) = await StaffAsync();
        var disabledToken = app.ApiClient(await SecretAsync(await CreateAsync(disabledWeb.Client, Roles.Staff)));
        Assert.Equal(HttpStatusCode.OK, (await disabledToken.GetAsync("/api/v1/me")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.Client.PostAsync($"/api/v1/people/{disabled.Id}/disable", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await disabledToken.GetAsync("/api/v1/me")).StatusCode);

        var (leaver, leaverWeb, _) = await StaffAsync();
        var leaverToken = app.ApiClient(await SecretAsync(await CreateAsync(leaverWeb.Client, Roles.Staff)));
        // The last working day is a date in the organisation's time (the policy's UTC+8), not UTC's.
        var local = app.Factory.Time.GetUtcNow().ToOffset(TimeSpan.FromHours(8));
        var today = DateOnly.FromDateTime(local.DateTime);
        Assert.Equal(HttpStatusCode.Created, (await admin.Client.PostAsJsonAsync("/api/v1/leaving", new { person = leaver.UserName, kind = "Departure", lastWorkingDay = today.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), reason = "合同到期" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await leaverToken.GetAsync("/api/v1/me")).StatusCode); // still their last working day
        Assert.Equal(HttpStatusCode.OK, (await leaverWeb.Client.GetAsync("/api/v1/me")).StatusCode);
        app.Factory.Time.Advance(local.Date.AddDays(1) - local.DateTime + TimeSpan.FromMinutes(1)); // a minute past midnight in Beijing: still that day in UTC
        Assert.Equal(HttpStatusCode.Unauthorized, (await leaverToken.GetAsync("/api/v1/me")).StatusCode);
        Assert.NotEqual(HttpStatusCode.OK, (await leaverWeb.Client.GetAsync("/api/v1/me")).StatusCode); // the session ends with them
        using var again = app.Session();
        Assert.NotNull((await WebSession.ParseAsync(await again.SignInAsync(leaver.UserName!))).QuerySelector("#login-error"));
    }

    [Fact]
    public async Task A_token_scoped_narrower_than_its_person_cannot_use_the_rest()
    {
        var person = await app.CreatePersonAsync(Roles.ItAdministrator);
        using (var scope = app.AsSystem())
        {
            await scope.ServiceProvider.GetRequiredService<PeopleService>().SetRolesAsync(person.Id, [Roles.ItAdministrator, Roles.Auditor], default);
        }

        using var web = app.Session();
        await web.SignInAsync(person.UserName!);
        await web.EnrolMfaAsync();
        var auditorOnly = app.ApiClient(await SecretAsync(await CreateAsync(web.Client, Roles.Auditor)));
        Assert.Equal(HttpStatusCode.OK, (await auditorOnly.GetAsync("/api/v1/audit/entries")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await auditorOnly.GetAsync("/api/v1/people")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await auditorOnly.PostAsJsonAsync("/api/v1/departments", new { code = "X1", name = "X" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await auditorOnly.GetAsync("/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await auditorOnly.GetAsync("/customers")).StatusCode); // tokens reach the API only
    }

    /// <summary>The script in the README: list one's customers, find one by mobile, reveal a value for a purpose.</summary>
    [Fact]
    public async Task A_script_lists_searches_and_reveals_with_a_token_and_each_call_is_recorded_as_its_person()
    {
        var (person, web, department) = await StaffAsync();
        Customer customer;
        using (var scope = app.ActAs(person))
        {
            customer = await scope.ServiceProvider.GetRequiredService<CustomerService>().CreateAsync(new NewCustomer(
                CustomerKind.Individual, department, null, Clearance.Secret,
                new Dictionary<string, string?> { [FieldCatalogue.Name] = "刘洋", [FieldCatalogue.Mobile] = "13912345671" }), default);
        }

        var script = app.ApiClient(await SecretAsync(await CreateAsync(web.Client, Roles.Staff)));
        var list = await script.GetFromJsonAsync<JsonElement>("/api/v1/customers?pageSize=10");
        Assert.Contains(list.GetProperty("items").EnumerateArray(), c => c.GetProperty("id").GetGuid() == customer.Id);
        var found = await (await script.PostAsJsonAsync("/api/v1/customers/search", new { query = "13912345671" })).Content.ReadFromJsonAsync<JsonElement>();
        var hit = Assert.Single(found.GetProperty("items").EnumerateArray());
        Assert.DoesNotContain("13912345671", hit.GetRawText(), StringComparison.Ordinal); // masked
        var revealed = await script.PostAsJsonAsync($"/api/v1/customers/{customer.Id}/reveal", new { field = FieldCatalogue.Mobile, purpose = "service" });
        Assert.Equal(HttpStatusCode.OK, revealed.StatusCode);
        Assert.Equal("13912345671", (await revealed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("value").GetString());

        var entry = await app.WithDbAsync(db => db.AuditRecords.AsNoTracking().OrderByDescending(a => a.Id).FirstAsync(a => a.Action == "customer.reveal" && a.TargetId == customer.Id.ToString()));
        Assert.Equal(person.Id.ToString(), entry.ActorId);
        Assert.Equal("service", entry.Purpose);
    }
}

public sealed class TokenTestsOnSqlite(SqliteApp app) : TokenTests<SqliteApp>(app);

public sealed class TokenTestsOnPostgres(PostgresApp app) : TokenTests<PostgresApp>(app);
