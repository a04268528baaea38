using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Custos.Features.Customers;
using Custos.Features.Organisation;
using Custos.Features.People;
using Custos.Kernel.Classification;
using Custos.Kernel.Policy;
using Custos.Security;
using Custos.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Custos.Tests.Policy;

/// <summary>The policy as a file (ACC-2), the network allow-list (ACC-6) and preconditions, through the API.</summary>
public abstract class PolicyTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : CustosApp
{
    private async Task<int> VersionAsync(WebSession admin) =>
        (await admin.Client.GetFromJsonAsync<JsonElement>("/api/v1/policy")).GetProperty("version").GetProperty("version").GetInt32();

    /// <summary>The built-in policy with edits, at the next version.</summary>
    private async Task<string> NextPolicyAsync(WebSession admin, params (string From, string To)[] edits)
    {
        var text = DefaultPolicy.Yaml.Replace("version: 1", $"version: {await VersionAsync(admin) + 1}", StringComparison.Ordinal);
        foreach (var (from, to) in edits)
        {
            Assert.Contains(from, text, StringComparison.Ordinal);
            text = text.Replace(from, to, StringComparison.Ordinal);
        }

        return text;
    }

    private async Task<(Person Clerk, WebSession Web, Customer Customer)> ClerkWithCustomerAsync(int seed)
    {
        var code = app.UniqueName("P").ToUpperInvariant();
        using (var scope = app.Factory.Services.CreateScope())
        {
            await scope.ServiceProvider.GetRequiredService<OrganisationService>().AddDepartmentAsync(code, "部门" + code, default);
        }

        var clerk = await app.CreatePersonAsync(Roles.Staff, departments: [code]);
        var synthetic = new Features.Demo.SyntheticCustomers(seed).Generate(1).Single();
        Customer customer;
        using (var scope = app.ActAs(clerk))
        {
            customer = await scope.ServiceProvider.GetRequiredService<CustomerService>().CreateAsync(new NewCustomer(CustomerKind.Individual, code, null, Clearance.Secret,
                new Dictionary<string, string?> { [FieldCatalogue.Name] = synthetic.Name, [FieldCatalogue.Mobile] = synthetic.Mobile }), default);
        }

        var web = app.Session();
        await web.SignInAsync(clerk.UserName!);
        return (clerk, web, customer);
    }

    [Fact]
    public async Task A_policy_file_with_mistakes_is_refused_with_its_lines_and_nothing_changes()
    {
        var admin = await app.AdminSessionAsync();
        var before = await VersionAsync(admin);
        var text = await NextPolicyAsync(admin, ("allow: [list, view-masked, reveal, edit, create]\n    with-approval: [print]\n", "allow: [list, view-masked, peek]\n    with-approval: [print]\n"), ("scope: projects", "scope: galaxy"));
        var response = await admin.Client.PostAsJsonAsync("/api/v1/policy", new { text });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateArray().ToList();
        Assert.Equal(["UnknownAction", "UnknownScope"], errors.Select(e => e.GetProperty("code").GetString()).Order(StringComparer.Ordinal));
        var lines = text.Split('\n');
        var peek = errors.Single(e => e.GetProperty("code").GetString() == "UnknownAction");
        Assert.Contains("peek", lines[peek.GetProperty("line").GetInt32() - 1], StringComparison.Ordinal);
        Assert.Equal(before, await VersionAsync(admin));
        Assert.True(await app.WithDbAsync(db => db.AuditRecords.AnyAsync(a => a.Action == "policy.load" && a.Outcome == Custos.Security.AuditOutcome.Failed)));
    }

    [Fact]
    public async Task A_loaded_policy_decides_the_next_request_and_every_change_is_recorded()
    {
        var admin = await app.AdminSessionAsync();
        var (clerk, clerkWeb, customer) = await ClerkWithCustomerAsync(61);
        var reveal = new { field = FieldCatalogue.Mobile, purpose = "service" };
        Assert.Equal(HttpStatusCode.OK, (await clerkWeb.Client.PostAsJsonAsync($"/api/v1/customers/{customer.Id}/reveal", reveal)).StatusCode);

        // Staff lose the right to reveal.
        var text = await NextPolicyAsync(admin, ("  staff:\n    scope: own\n    allow: [list, view-masked, reveal, edit, create]", "  staff:\n    scope: own\n    allow: [list, view-masked, edit, create]"));
        Assert.Equal(HttpStatusCode.Forbidden, (await clerkWeb.Client.PostAsJsonAsync("/api/v1/policy", new { text })).StatusCode);
        var loaded = await app.PutPolicyInForceAsync(admin, text, "员工不再查看原值");
        Assert.Equal(HttpStatusCode.Accepted, loaded.StatusCode);
        var version = await VersionAsync(admin);

        var refused = await clerkWeb.Client.PostAsJsonAsync($"/api/v1/customers/{customer.Id}/reveal", reveal);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("MayNotReveal", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());

        // The same version again is refused; the history lists it; the change is in the audit log with the file's hash.
        Assert.Equal(HttpStatusCode.Conflict, (await admin.Client.PostAsJsonAsync("/api/v1/policy", new { text })).StatusCode);
        var history = await admin.Client.GetFromJsonAsync<JsonElement>("/api/v1/policy/versions");
        Assert.Contains(history.EnumerateArray(), v => v.GetProperty("version").GetInt32() == version && v.GetProperty("note").GetString() == "员工不再查看原值");
        var entry = await app.WithDbAsync(db => db.AuditRecords.SingleAsync(a => a.Action == "policy.load" && a.TargetId == version.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Contains(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text))), entry.Detail!, StringComparison.Ordinal);

        // The explainer says why.
        var explained = await admin.Client.GetFromJsonAsync<JsonElement>($"/api/v1/policy/explain?user={clerk.UserName}&action=reveal&customer={customer.Id}");
        Assert.False(explained.GetProperty("allowed").GetBoolean());
        Assert.Equal("no-role", explained.GetProperty("reason").GetString());

        // Put staff back for the other tests of this class.
        var restore = await NextPolicyAsync(admin);
        Assert.Equal(HttpStatusCode.Accepted, (await app.PutPolicyInForceAsync(admin, restore)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await clerkWeb.Client.PostAsJsonAsync($"/api/v1/customers/{customer.Id}/reveal", reveal)).StatusCode);
    }

    [Fact]
    public async Task Customer_information_is_refused_outside_the_allowed_networks_ACC_6()
    {
        var (clerk, web, customer) = await ClerkWithCustomerAsync(62);
        Assert.Equal(HttpStatusCode.OK, (await web.Client.GetAsync($"/api/v1/customers/{customer.Id}")).StatusCode);

        foreach (var url in new[] { "/api/v1/customers", $"/api/v1/customers/{customer.Id}" })
        {
            using var outside = new HttpRequestMessage(HttpMethod.Get, url);
            outside.Headers.Add(ClientAddressFilter.Header, "203.0.113.7");
            var response = await web.Client.SendAsync(outside);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.Equal("Policy.Network", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        }

        var denied = await app.WithDbAsync(db => db.AuditRecords.Where(a => a.ActorId == clerk.Id.ToString() && a.Outcome == Custos.Security.AuditOutcome.Denied).Select(a => new { a.Detail, a.ClientAddress, a.TargetId, a.ActorName }).ToListAsync());
        Assert.Contains(denied, d => d.ClientAddress == "203.0.113.7" && d.Detail!.Contains("network", StringComparison.Ordinal));
        // The refusal names the customer asked for (it is decided before the record is read), and the person by both names.
        Assert.Contains(denied, d => d.TargetId == customer.Id.ToString() && d.Detail!.Contains("network", StringComparison.Ordinal));
        Assert.All(denied, d => Assert.Equal($"测试staff ({clerk.UserName})", d.ActorName));
    }

    [Fact]
    public async Task A_policy_that_requires_a_confidentiality_agreement_closes_customers_to_those_without_one()
    {
        var admin = await app.AdminSessionAsync();
        var (clerk, web, customer) = await ClerkWithCustomerAsync(63);
        Assert.Equal(HttpStatusCode.Accepted, (await app.PutPolicyInForceAsync(admin, await NextPolicyAsync(admin, ("nda: false", "nda: true")))).StatusCode);
        try
        {
            var refused = await web.Client.GetAsync($"/api/v1/customers/{customer.Id}");
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Equal("AgreementRequired", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());

            // The administrator has not signed either: nothing but the agreement until they do.
            var explain = $"/api/v1/policy/explain?user={clerk.UserName}&action=view-masked&customer={customer.Id}";
            Assert.Equal(HttpStatusCode.Forbidden, (await admin.Client.GetAsync(explain)).StatusCode);
            var version = (await web.Client.GetFromJsonAsync<JsonElement>("/api/v1/agreements/mine")).GetProperty("current").GetProperty("version").GetInt32();
            Assert.Equal(HttpStatusCode.OK, (await admin.Client.PostAsJsonAsync("/api/v1/agreements/sign", new { version, password = CustosApp.Password })).StatusCode);
            var reason = await (await admin.Client.GetAsync(explain)).Content.ReadFromJsonAsync<JsonElement>();
            Assert.False(reason.GetProperty("allowed").GetBoolean());
            Assert.Equal("nda", reason.GetProperty("reason").GetString());

            Assert.Equal(HttpStatusCode.OK, (await web.Client.PostAsJsonAsync("/api/v1/agreements/sign", new { version, password = CustosApp.Password })).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await web.Client.GetAsync($"/api/v1/customers/{customer.Id}")).StatusCode);
        }
        finally
        {
            Assert.Equal(HttpStatusCode.Accepted, (await app.PutPolicyInForceAsync(admin, await NextPolicyAsync(admin))).StatusCode);
        }
    }

    [Fact]
    public async Task A_table_of_expected_decisions_runs_against_the_policy_or_a_candidate()
    {
        var admin = await app.AdminSessionAsync();
        var (clerk, _, customer) = await ClerkWithCustomerAsync(64);
        var cases = $$"""
            cases:
              - {user: {{clerk.UserName}}, action: view-masked, customer: {{customer.Id}}, expect: allow, reason: role}
              - {user: {{clerk.UserName}}, action: reveal, customer: {{customer.Id}}, field: idNumber, expect: deny, reason: clearance}
              - {user: {{clerk.UserName}}, action: view-masked, customer: {{customer.Id}}, from: 198.51.100.1, expect: deny, reason: network}
              - {user: {{clerk.UserName}}, action: import, expect: allow}
            """;
        var results = await (await admin.Client.PostAsJsonAsync("/api/v1/policy/test", new { cases })).Content.ReadFromJsonAsync<JsonElement>();
        var passed = results.EnumerateArray().Select(r => r.GetProperty("passed").GetBoolean()).ToList();
        Assert.Equal([true, true, true, false], passed);
        Assert.Equal(5, results.EnumerateArray().Last().GetProperty("line").GetInt32());

        // The same table against a candidate that lets staff import.
        var candidate = await NextPolicyAsync(admin, ("allow: [list, view-masked, reveal, edit, create]\n    with-approval: [print]", "allow: [list, view-masked, reveal, edit, create, import]\n    with-approval: [print]"));
        var against = await (await admin.Client.PostAsJsonAsync("/api/v1/policy/test", new { cases, candidate })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.All(against.EnumerateArray(), r => Assert.True(r.GetProperty("passed").GetBoolean()));
    }
}

public sealed class PolicyTestsOnSqlite(SqliteApp app) : PolicyTests<SqliteApp>(app);

public sealed class PolicyTestsOnPostgres(PostgresApp app) : PolicyTests<PostgresApp>(app);

/// <summary>Behind a reverse proxy named in the settings, the allow-lists judge the client's own address, not the proxy's (ACC-6).</summary>
public sealed class ForwardedAddressTests
{
    [Fact]
    public async Task The_address_a_trusted_proxy_forwards_is_the_one_the_policy_judges_and_records()
    {
        var dataDir = Path.Combine(Path.GetTempPath(), "custos-proxy-" + Guid.NewGuid().ToString("N")[..8]);
        await using (var factory = new CustosFactory(new Dictionary<string, string?>
        {
            ["Custos:DataDir"] = dataDir,
            ["Custos:NoDemo"] = "true",
            ["Custos:Security:TrustedProxies:0"] = "10.0.0.10",
        }))
        {
            factory.StartServer();
            Person clerk;
            using (var scope = factory.Services.CreateScope())
            {
                (clerk, _, _) = await scope.ServiceProvider.GetRequiredService<PeopleService>().CreateAsync(
                    new NewPerson("proxy.clerk", "员工", null, [Roles.Staff], [Custos.Data.DatabaseInitialiser.DefaultDepartmentCode], [], Clearance.Secret, CustosApp.Password), default);
            }

            using var web = new WebSession(factory.CreateClient(new() { AllowAutoRedirect = false }), factory.Time);
            await web.SignInAsync(clerk.UserName!);
            async Task<HttpStatusCode> FromAsync(string client)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/customers");
                request.Headers.Add("X-Forwarded-For", client);
                return (await web.Client.SendAsync(request)).StatusCode;
            }

            Assert.Equal(HttpStatusCode.OK, await FromAsync("192.168.3.4"));
            Assert.Equal(HttpStatusCode.Forbidden, await FromAsync("203.0.113.9"));
            using var check = factory.Services.CreateScope();
            var db = check.ServiceProvider.GetRequiredService<Custos.Data.CustosDbContext>();
            Assert.True(await db.AuditRecords.AnyAsync(a => a.ActorId == clerk.Id.ToString() && a.ClientAddress == "203.0.113.9" && a.Outcome == Custos.Security.AuditOutcome.Denied));
        }

        TestPaths.Delete(dataDir);
    }
}
