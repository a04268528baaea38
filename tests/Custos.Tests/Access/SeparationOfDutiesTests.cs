using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Custos.Features.Access;
using Custos.Features.Audit;
using Custos.Features.Customers;
using Custos.Features.Organisation;
using Custos.Features.People;
using Custos.Kernel.Classification;
using Custos.Kernel.Policy;
using Custos.Security;
using Custos.Tests.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace Custos.Tests.Access;

/// <summary>
/// Separation of duties for those who administer rights (ACC-2, ACC-4): the sequences an outside review used to
/// give an IT administrator customer access and audit rights — change my own roles, memberships, clearance, then
/// read — and the ways around them: a colleague administrator, a policy naming administrators as approvers.
/// </summary>
public abstract class SeparationOfDutiesTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : CustosApp
{
    private async Task<string> DepartmentAsync()
    {
        var code = app.UniqueName("S").ToUpperInvariant();
        using var scope = app.Factory.Services.CreateScope();
        await scope.ServiceProvider.GetRequiredService<OrganisationService>().AddDepartmentAsync(code, "部门" + code, default);
        return code;
    }

    private async Task<Customer> CustomerAsync(string department)
    {
        var writer = await app.CreatePersonAsync(Roles.Staff, departments: [department]);
        using var scope = app.ActAs(writer);
        return await scope.ServiceProvider.GetRequiredService<CustomerService>().CreateAsync(new NewCustomer(
            CustomerKind.Individual, department, null, Clearance.Secret,
            new Dictionary<string, string?> { [FieldCatalogue.Name] = "周敏", [FieldCatalogue.IdNumber] = "11010519491231002X" }), default);
    }

    private static async Task<string?> CodeAsync(HttpResponseMessage response) =>
        response.Content.Headers.ContentLength is 0 ? null
        : (await response.Content.ReadFromJsonAsync<JsonElement>()).TryGetProperty("code", out var code) ? code.GetString() : null;

    private async Task<IReadOnlyList<string>> RolesOfAsync(Guid person) =>
        await app.WithDbAsync(db => (from ur in db.UserRoles join r in db.Roles on ur.RoleId equals r.Id where ur.UserId == person select r.Name!).ToListAsync());

    [Fact]
    public async Task An_it_administrator_cannot_give_themself_customer_access_or_audit_rights_by_any_call_ACC_2()
    {
        var department = await DepartmentAsync();
        var customer = await CustomerAsync(department);
        var admin = await app.CreatePersonAsync(Roles.ItAdministrator);
        using var web = app.Session();
        await web.SignInAsync(admin.UserName!);
        await web.EnrolMfaAsync();
        var me = admin.Id;

        // The review's sequence: my roles, my department, my clearance, then reveal.
        foreach (var (url, body) in new (string, object)[]
        {
            ($"/api/v1/people/{me}/roles", new { roles = new[] { Roles.ItAdministrator, Roles.DepartmentHead } }),
            ($"/api/v1/people/{me}/memberships", new { departments = new[] { department }, projects = Array.Empty<string>() }),
            ($"/api/v1/people/{me}/clearance", new { clearance = "TopSecret" }),
            ($"/api/v1/people/{me}/roles", new { roles = new[] { Roles.ItAdministrator, Roles.Auditor } }),
        })
        {
            var response = await web.Client.PutAsJsonAsync(url, body);
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{url}: {response.StatusCode}");
            Assert.Equal("CannotChangeOwnRights", await CodeAsync(response));
        }

        // Nor records their own leaving (PPL-3).
        var leaving = await web.Client.PostAsJsonAsync("/api/v1/leaving", new { person = admin.UserName, kind = "Departure", lastWorkingDay = "2027-01-15", reason = "辞职" });
        Assert.Equal(HttpStatusCode.Forbidden, leaving.StatusCode);
        Assert.Equal("CannotChangeOwnRights", await CodeAsync(leaving));

        Assert.Equal(HttpStatusCode.NotFound, (await web.Client.PostAsJsonAsync($"/api/v1/customers/{customer.Id}/reveal", new { field = FieldCatalogue.IdNumber, purpose = "verification" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await web.Client.GetAsync("/api/v1/audit/entries")).StatusCode);
        Assert.Equal([Roles.ItAdministrator], await RolesOfAsync(me));
        Assert.Equal(Clearance.Secret, (await app.WithDbAsync(db => db.Users.SingleAsync(u => u.Id == me))).Clearance);
        Assert.DoesNotContain(await app.WithDbAsync(db => db.DepartmentMemberships.Where(m => m.PersonId == me).Select(m => m.Department!.Code).ToListAsync()), c => c == department);

        // The page refuses it too, and says why.
        var page = await web.SubmitAsync($"/admin/people/{me}", "#roles-form", new Dictionary<string, string> { ["role"] = Roles.Auditor });
        var text = await (await web.FollowAsync(page)).Content.ReadAsStringAsync();
        Assert.Contains("不能更改自己的角色", text, StringComparison.Ordinal);
        Assert.Equal([Roles.ItAdministrator], await RolesOfAsync(me));

        // Each attempt is in the log.
        Assert.True(await app.WithDbAsync(db => db.AuditRecords.CountAsync(a => a.ActorId == me.ToString() && a.Action == "person.change" && a.Outcome == AuditOutcome.Denied)) >= 5);
        Assert.Equal(1, await app.WithDbAsync(db => db.AuditRecords.CountAsync(a => a.ActorId == me.ToString() && a.Action == "leaving.record" && a.Outcome == AuditOutcome.Denied)));
    }

    [Fact]
    public async Task Two_administrators_cannot_approve_each_others_rights_and_the_policys_approvers_give_them_ACC_4()
    {
        await app.EnsureApproversAsync();
        var department = await DepartmentAsync();
        var customer = await CustomerAsync(department);
        var a = await app.CreatePersonAsync(Roles.ItAdministrator);
        var b = await app.CreatePersonAsync(Roles.ItAdministrator);
        using var webA = app.Session();
        await webA.SignInAsync(a.UserName!);
        await webA.EnrolMfaAsync();
        using var webB = app.Session();
        await webB.SignInAsync(b.UserName!);
        await webB.EnrolMfaAsync();

        // Each gives the other a department and a head's role: filed for approval, nothing given yet.
        async Task<List<Guid>> GiveAsync(WebSession by, Guid to)
        {
            var roles = await by.Client.PutAsJsonAsync($"/api/v1/people/{to}/roles", new { roles = new[] { Roles.ItAdministrator, Roles.DepartmentHead }, reason = "代管部门" });
            Assert.Equal(HttpStatusCode.Accepted, roles.StatusCode);
            var joined = await by.Client.PutAsJsonAsync($"/api/v1/people/{to}/memberships", new { departments = new[] { department }, projects = Array.Empty<string>() });
            Assert.Equal(HttpStatusCode.Accepted, joined.StatusCode);
            var ids = new List<Guid>();
            foreach (var response in new[] { roles, joined })
            {
                foreach (var pending in (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("pending").EnumerateArray())
                {
                    Assert.Equal("PrivilegeChange", pending.GetProperty("kind").GetString());
                    Assert.Equal([Roles.ComplianceOfficer, Roles.GeneralManager], pending.GetProperty("chain").EnumerateArray().Select(c => c.GetString()));
                    ids.Add(pending.GetProperty("id").GetGuid());
                }
            }

            return ids;
        }

        var forB = await GiveAsync(webA, b.Id);
        var forA = await GiveAsync(webB, a.Id);
        Assert.Equal([Roles.ItAdministrator], await RolesOfAsync(a.Id));
        Assert.Equal([Roles.ItAdministrator], await RolesOfAsync(b.Id));

        foreach (var (web, request) in forB.Select(r => (webB, r)).Concat(forA.Select(r => (webA, r))).Concat(forB.Select(r => (webA, r))).Concat(forA.Select(r => (webB, r))))
        {
            var refused = await web.Client.PostAsJsonAsync($"/api/v1/requests/{request}/approve", new { note = "互相批准" });
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        // Someone who administers rights and also holds the approving role still may not approve.
        var both = await app.CreatePersonAsync(Roles.ComplianceOfficer);
        using (var scope = app.Factory.Services.CreateScope())
        {
            await scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<Person>>().AddToRoleAsync(
                (await scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<Person>>().FindByIdAsync(both.Id.ToString()))!, Roles.ItAdministrator);
        }

        using (var scope = app.ActAs(both))
        {
            var error = await Assert.ThrowsAsync<Custos.Hosting.CustosException>(() => scope.ServiceProvider.GetRequiredService<RequestService>().DecideAsync(forB[0], true, null, default));
            Assert.Equal("Approval.AdministersRights", error.Code);
        }

        // …nor through a token scoped to the approving role alone: what they hold decides, not what they act with.
        using (var bothWeb = app.Session())
        {
            await bothWeb.SignInAsync(both.UserName!);
            await bothWeb.EnrolMfaAsync();
            var created = await bothWeb.Client.PostAsJsonAsync("/api/v1/tokens", new { name = "approvals", scopes = new[] { Roles.ComplianceOfficer }, days = 1 });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var script = app.ApiClient((await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("secret").GetString()!);
            var refused = await script.PostAsJsonAsync($"/api/v1/requests/{forB[0]}/approve", new { note = "只用合规角色" });
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Equal("Approval.AdministersRights", await CodeAsync(refused));
        }

        // The compliance officer and the general manager approve: then B is head of the department and sees its customers.
        foreach (var request in forB)
        {
            Assert.Equal(RequestStatus.Approved, (await app.ApproveAsync(request)).Status);
        }

        Assert.Equal([Roles.DepartmentHead, Roles.ItAdministrator], (await RolesOfAsync(b.Id)).Order(StringComparer.Ordinal));
        using var again = app.Session();
        await again.SignInAsync(b.UserName!);
        await again.SubmitTotpAsync(await app.AuthenticatorKeyAsync(b.Id) ?? "");
        Assert.Equal(HttpStatusCode.OK, (await again.Client.GetAsync($"/api/v1/customers/{customer.Id}")).StatusCode);
    }

    [Fact]
    public async Task A_department_without_a_head_sends_its_first_members_to_the_compliance_officer_and_general_manager_ACC_4()
    {
        await app.EnsureApproversAsync();
        var department = await DepartmentAsync();
        var admin = await app.CreatePersonAsync(Roles.ItAdministrator);
        var clerk = await app.CreatePersonAsync(Roles.Staff);
        using var web = app.Session();
        await web.SignInAsync(admin.UserName!);
        await web.EnrolMfaAsync();

        // Nobody heads the new department yet: the change is not refused for want of an approver, it goes higher.
        var joined = await web.Client.PutAsJsonAsync($"/api/v1/people/{clerk.Id}/memberships", new { departments = new[] { department }, projects = Array.Empty<string>() });
        Assert.Equal(HttpStatusCode.Accepted, joined.StatusCode);
        var pending = (await joined.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("pending").EnumerateArray().Single();
        Assert.Equal("PrivilegeChange", pending.GetProperty("kind").GetString());
        Assert.Equal([Roles.ComplianceOfficer, Roles.GeneralManager], pending.GetProperty("chain").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(RequestStatus.Approved, (await app.ApproveAsync(pending.GetProperty("id").GetGuid())).Status);
        Assert.Contains(department, await app.WithDbAsync(db => db.DepartmentMemberships.Where(m => m.PersonId == clerk.Id).Select(m => m.Department!.Code).ToListAsync()));

        // Once the department has a head, the next member goes to them first, as the policy says.
        var head = await app.CreatePersonAsync(Roles.DepartmentHead, departments: [department]);
        var next = await app.CreatePersonAsync(Roles.Staff);
        var second = await web.Client.PutAsJsonAsync($"/api/v1/people/{next.Id}/memberships", new { departments = new[] { department }, projects = Array.Empty<string>() });
        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        var routed = (await second.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("pending").EnumerateArray().Single();
        Assert.Equal("RoleChange", routed.GetProperty("kind").GetString());
        Assert.Equal([Roles.DepartmentHead, Roles.ComplianceOfficer], routed.GetProperty("chain").EnumerateArray().Select(c => c.GetString()));
        using var asHead = app.ActAs(head);
        Assert.Equal(RequestStatus.Pending, (await asHead.ServiceProvider.GetRequiredService<RequestService>().DecideAsync(routed.GetProperty("id").GetGuid(), true, null, default)).Status);
    }

    [Fact]
    public async Task A_request_keeps_the_approvers_it_was_filed_with_and_is_closed_when_the_persons_rights_change_under_it_ACC_4()
    {
        await app.EnsureApproversAsync();
        var sales = await DepartmentAsync();
        var service = await DepartmentAsync();
        var salesHead = await app.CreatePersonAsync(Roles.DepartmentHead, departments: [sales]);
        var serviceHead = await app.CreatePersonAsync(Roles.DepartmentHead, departments: [service]);
        var clerk = await app.CreatePersonAsync(Roles.Staff, departments: [sales]);
        using var admin = await app.AdminSessionAsync();

        // Filed to the head of the department joined, then the compliance officer; the head approves.
        var joined = await admin.Client.PutAsJsonAsync($"/api/v1/people/{clerk.Id}/memberships", new { departments = new[] { sales, service }, projects = Array.Empty<string>() });
        Assert.Equal(HttpStatusCode.Accepted, joined.StatusCode);
        var membership = (await joined.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("pending").EnumerateArray().Single().GetProperty("id").GetGuid();
        using (var scope = app.ActAs(serviceHead))
        {
            await scope.ServiceProvider.GetRequiredService<RequestService>().DecideAsync(membership, true, null, default);
        }

        // A policy loaded since with another chain does not move the steps already taken.
        var version = (await admin.Client.GetFromJsonAsync<JsonElement>("/api/v1/policy")).GetProperty("version").GetProperty("version").GetInt32();
        var current = (await admin.Client.GetFromJsonAsync<JsonElement>("/api/v1/policy")).GetProperty("text").GetString()!;
        var stricter = System.Text.RegularExpressions.Regex.Replace(current, @"version: \d+", $"version: {version + 1}")
            .Replace("role-change: [{role: department-head, of: department}, {role: compliance-officer}]", "role-change: [{role: compliance-officer}, {role: general-manager}]", StringComparison.Ordinal);
        Assert.NotEqual(current, stricter);
        await app.PutPolicyInForceAsync(admin, stricter);
        try
        {
            var view = await admin.Client.GetFromJsonAsync<JsonElement>($"/api/v1/requests/{membership}");
            Assert.Equal([Roles.DepartmentHead, Roles.ComplianceOfficer], view.GetProperty("chain").EnumerateArray().Select(c => c.GetString()));
            Assert.Equal(1, view.GetProperty("step").GetInt32());
            var manager = await app.CreatePersonAsync(Roles.GeneralManager);
            using (var scope = app.ActAs(manager))
            {
                var error = await Assert.ThrowsAsync<Custos.Hosting.CustosException>(() => scope.ServiceProvider.GetRequiredService<RequestService>().DecideAsync(membership, true, null, default));
                Assert.Equal("RequestNotFound", error.Code); // not named by the chain it was filed under: not even shown to them
            }

            // Meanwhile the clerk became a department head (a privilege, approved by its own chain): the membership now
            // needs the privilege chain, so the compliance officer's approval closes it instead of carrying it out.
            var promoted = await admin.Client.PutAsJsonAsync($"/api/v1/people/{clerk.Id}/roles", new { roles = new[] { Roles.Staff, Roles.DepartmentHead } });
            var privilege = (await promoted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("pending").EnumerateArray().Single().GetProperty("id").GetGuid();
            Assert.Equal(RequestStatus.Approved, (await app.ApproveAsync(privilege)).Status);
            var officer = await app.CreatePersonAsync(Roles.ComplianceOfficer);
            using (var scope = app.ActAs(officer))
            {
                var error = await Assert.ThrowsAsync<Custos.Hosting.CustosException>(() => scope.ServiceProvider.GetRequiredService<RequestService>().DecideAsync(membership, true, null, default));
                Assert.Equal("RequestRouteChanged", error.Code);
            }

            Assert.Equal(RequestStatus.Withdrawn, await app.WithDbAsync(db => db.AccessRequests.Where(r => r.Id == membership).Select(r => r.Status).SingleAsync()));
            Assert.DoesNotContain(service, await app.WithDbAsync(db => db.DepartmentMemberships.Where(m => m.PersonId == clerk.Id).Select(m => m.Department!.Code).ToListAsync()));
        }
        finally
        {
            var restored = System.Text.RegularExpressions.Regex.Replace(current, @"version: \d+", $"version: {version + 2}");
            await app.PutPolicyInForceAsync(admin, restored);
        }
    }

    [Fact]
    public async Task A_policy_naming_an_administrator_to_approve_rights_is_refused_and_a_new_policy_waits_for_its_approvers_ACC_2()
    {
        await app.EnsureApproversAsync();
        using var admin = await app.AdminSessionAsync();
        var version = (await admin.Client.GetFromJsonAsync<JsonElement>("/api/v1/policy")).GetProperty("version").GetProperty("version").GetInt32();
        var next = DefaultPolicy.Yaml.Replace("version: 1", $"version: {version + 1}", StringComparison.Ordinal);

        var lax = next.Replace("role-change: [{role: department-head, of: department}, {role: compliance-officer}]", "role-change: [{role: it-admin}]", StringComparison.Ordinal);
        var refused = await admin.Client.PostAsJsonAsync("/api/v1/policy", new { text = lax });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var error = (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateArray().Single();
        Assert.Equal("AdministratorApprovesRights", error.GetProperty("code").GetString());
        Assert.Contains("role-change: [{role: it-admin}]", lax.Split('\n')[error.GetProperty("line").GetInt32() - 1], StringComparison.Ordinal);

        // Giving the administrator every customer: filed, not in force, not approvable by its proposer or another administrator.
        var greedy = next.Replace("  it-admin:\n    scope: none\n    allow: [administer, approve]", "  it-admin:\n    scope: all\n    allow: [administer, approve, list, view-masked, reveal]", StringComparison.Ordinal);
        Assert.NotEqual(next, greedy);
        var filed = await admin.Client.PostAsJsonAsync("/api/v1/policy", new { text = greedy, note = "方便排查" });
        Assert.Equal(HttpStatusCode.Accepted, filed.StatusCode);
        var request = (await filed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        Assert.Equal(version, (await admin.Client.GetFromJsonAsync<JsonElement>("/api/v1/policy")).GetProperty("version").GetProperty("version").GetInt32());
        Assert.Equal(HttpStatusCode.Forbidden, (await admin.Client.PostAsJsonAsync($"/api/v1/requests/{request}/approve", new { note = "ok" })).StatusCode);
        using var colleague = await app.AdminSessionAsync();
        Assert.True((await colleague.Client.PostAsJsonAsync($"/api/v1/requests/{request}/approve", new { note = "ok" })).StatusCode is HttpStatusCode.Forbidden);

        // The compliance officer rejects it: nothing changes, and the record says who.
        var officer = await app.CreatePersonAsync(Roles.ComplianceOfficer);
        using (var scope = app.ActAs(officer))
        {
            Assert.Equal(RequestStatus.Rejected, (await scope.ServiceProvider.GetRequiredService<RequestService>().DecideAsync(request, false, "不符合最小知悉原则", default)).Status);
        }

        Assert.Equal(version, (await admin.Client.GetFromJsonAsync<JsonElement>("/api/v1/policy")).GetProperty("version").GetProperty("version").GetInt32());
    }

    [Fact]
    public async Task Every_change_of_rights_is_told_to_the_compliance_officers_ACC_2()
    {
        var department = await DepartmentAsync();
        var clerk = await app.CreatePersonAsync(Roles.Staff, departments: [department]);
        var officer = await app.CreatePersonAsync(Roles.ComplianceOfficer);
        using var admin = await app.AdminSessionAsync();
        Assert.Equal(HttpStatusCode.NoContent, (await admin.Client.PutAsJsonAsync($"/api/v1/people/{clerk.Id}/roles", new { roles = Array.Empty<string>() })).StatusCode);

        // The alert worker's round, as the server runs it.
        using (var scope = app.Factory.Services.CreateScope())
        {
            await scope.ServiceProvider.GetRequiredService<AuditSequencer>().SequenceAllAsync(default, checkpointNow: true);
        }

        using (var scope = app.Factory.Services.CreateScope())
        {
            scope.ServiceProvider.GetRequiredService<Custos.Security.BackgroundActor>().Set("system", "custos-alerts", null);
            await scope.ServiceProvider.GetRequiredService<AuditAlertRules>().EvaluateAllAsync(default);
        }

        var alert = await app.WithDbAsync(db => db.AuditAlerts.AsNoTracking().SingleAsync(a => a.Rule == "rights" && a.Detail.Contains(clerk.Id.ToString())));
        Assert.Equal(AlertSeverity.High, alert.Severity);
        Assert.Contains("person.roles.change", alert.Detail, StringComparison.Ordinal);
        Assert.True(await app.WithDbAsync(db => db.Notifications.AnyAsync(n => n.RecipientId == officer.Id && n.Kind == "Notify.Alert")));
    }

    /// <summary>
    /// The rule: every endpoint that changes a person refuses the caller themself (403), and every one that can give
    /// rights files them for approval (202) instead of giving them. A new people endpoint fails here until it is placed.
    /// </summary>
    [Fact]
    public async Task Every_mutating_people_endpoint_refuses_the_caller_themself_and_gives_rights_only_through_approval()
    {
        var department = await DepartmentAsync();
        await app.CreatePersonAsync(Roles.DepartmentHead, departments: [department]);
        var gives = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["PUT /api/v1/people/{id:guid}/roles"] = new { roles = new[] { Roles.Staff, Roles.Auditor } },
            ["PUT /api/v1/people/{id:guid}/memberships"] = new { departments = new[] { "GENERAL", department }, projects = Array.Empty<string>() },
            ["PUT /api/v1/people/{id:guid}/clearance"] = new { clearance = "TopSecret" },
        };
        var others = new HashSet<string>(StringComparer.Ordinal)
        {
            "POST /api/v1/people/{id:guid}/disable", "POST /api/v1/people/{id:guid}/enable", "POST /api/v1/people/{id:guid}/reset-mfa", "PUT /api/v1/people/{id:guid}/sso",
        };
        var endpoints = app.Factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api/v1/people/{", StringComparison.Ordinal) == true)
            .SelectMany(e => (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? []).Where(m => m != "GET").Select(m => $"{m} {e.RoutePattern.RawText}"))
            .ToList();
        Assert.NotEmpty(endpoints);
        Assert.All(endpoints, e => Assert.True(gives.ContainsKey(e) || others.Contains(e), $"{e} is neither placed as giving rights nor as not giving them"));

        var admin = await app.CreatePersonAsync(Roles.ItAdministrator);
        using var web = app.Session();
        await web.SignInAsync(admin.UserName!);
        await web.EnrolMfaAsync();
        await app.EnsureApproversAsync();
        await app.CreatePersonAsync(Roles.DepartmentHead);
        foreach (var endpoint in endpoints)
        {
            var (method, pattern) = (endpoint.Split(' ')[0], endpoint.Split(' ')[1]);
            var body = JsonContent.Create(gives.GetValueOrDefault(endpoint) ?? new { departsOn = "2030-01-01" });
            using var self = new HttpRequestMessage(new HttpMethod(method), pattern.Replace("{id:guid}", admin.Id.ToString(), StringComparison.Ordinal)) { Content = body };
            var refused = await web.Client.SendAsync(self);
            Assert.True(refused.StatusCode == HttpStatusCode.Forbidden, $"{endpoint} on oneself: {refused.StatusCode}");
            Assert.Equal("CannotChangeOwnRights", await CodeAsync(refused));

            if (gives.TryGetValue(endpoint, out var giving))
            {
                var other = await app.CreatePersonAsync(Roles.Staff);
                var before = (await RolesOfAsync(other.Id)).Order(StringComparer.Ordinal).ToList();
                using var change = new HttpRequestMessage(new HttpMethod(method), pattern.Replace("{id:guid}", other.Id.ToString(), StringComparison.Ordinal)) { Content = JsonContent.Create(giving) };
                var filed = await web.Client.SendAsync(change);
                Assert.True(filed.StatusCode == HttpStatusCode.Accepted, $"{endpoint} on another person: {filed.StatusCode}");
                Assert.Equal(before, (await RolesOfAsync(other.Id)).Order(StringComparer.Ordinal));
                var person = await app.WithDbAsync(db => db.Users.AsNoTracking().SingleAsync(u => u.Id == other.Id));
                Assert.Equal(Clearance.Secret, person.Clearance);
            }
        }
    }
}

public sealed class SeparationOfDutiesTestsOnSqlite(SqliteApp app) : SeparationOfDutiesTests<SqliteApp>(app);

public sealed class SeparationOfDutiesTestsOnPostgres(PostgresApp app) : SeparationOfDutiesTests<PostgresApp>(app);
