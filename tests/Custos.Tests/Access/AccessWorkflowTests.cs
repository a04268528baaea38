using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Custos.Features.Access;
using Custos.Features.Customers;
using Custos.Features.Notifications;
using Custos.Features.Organisation;
using Custos.Features.People;
using Custos.Hosting;
using Custos.Kernel.Classification;
using Custos.Kernel.Policy;
using Custos.Security;
using Custos.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Custos.Tests.Access;

/// <summary>Requests, approvals and grants end to end (ACC-3, ACC-4, EXP-1): each rule here fails if removed.</summary>
public abstract class AccessWorkflowTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : CustosApp
{
    private async Task<string> DepartmentAsync()
    {
        var code = app.UniqueName("W").ToUpperInvariant();
        using var scope = app.Factory.Services.CreateScope();
        await scope.ServiceProvider.GetRequiredService<OrganisationService>().AddDepartmentAsync(code, "部门" + code, default);
        return code;
    }

    private async Task<Customer> CustomerAsync(Person creator, string department, int seed)
    {
        var synthetic = new Features.Demo.SyntheticCustomers(seed).Generate(1).Single();
        using var scope = app.ActAs(creator);
        return await scope.ServiceProvider.GetRequiredService<CustomerService>().CreateAsync(new NewCustomer(
            CustomerKind.Individual, department, null, Clearance.Secret,
            new Dictionary<string, string?> { [FieldCatalogue.Name] = synthetic.Name, [FieldCatalogue.Mobile] = synthetic.Mobile, [FieldCatalogue.IdNumber] = synthetic.IdNumber }), default);
    }

    private async Task<T> AsAsync<T>(Person person, Func<IServiceProvider, Task<T>> call)
    {
        using var scope = app.ActAs(person);
        return await call(scope.ServiceProvider);
    }

    private Task<RequestView> SubmitAsync(Person person, NewRequest request) => AsAsync(person, s => s.GetRequiredService<RequestService>().SubmitAsync(request, default));

    private Task<RequestView> DecideAsync(Person person, Guid id, bool approve = true) => AsAsync(person, s => s.GetRequiredService<RequestService>().DecideAsync(id, approve, null, default));

    private Task<CustomerDetail> ViewAsync(Person person, Guid customer) => AsAsync(person, s => s.GetRequiredService<CustomerService>().GetAsync(customer, default));

    [Fact]
    public async Task An_approved_access_request_opens_one_customer_until_the_grant_expires_ACC_4()
    {
        var (home, other) = (await DepartmentAsync(), await DepartmentAsync());
        var head = await app.CreatePersonAsync(Roles.DepartmentHead, departments: [home]);
        var otherHead = await app.CreatePersonAsync(Roles.DepartmentHead, departments: [other]);
        var clerk = await app.CreatePersonAsync(Roles.Staff, departments: [other]);
        var customer = await CustomerAsync(head, home, 41);
        var neighbour = await CustomerAsync(head, home, 42);

        Assert.Equal(CustosError.NotFound, (await Assert.ThrowsAsync<CustosException>(() => ViewAsync(clerk, customer.Id))).Kind);

        var request = await SubmitAsync(clerk, new NewRequest(RequestKind.Access, "客户来电投诉，需要核对资料", Customer: customer.Id, Hours: 2));
        Assert.Equal(RequestStatus.Pending, request.Status);
        Assert.Equal([Roles.DepartmentHead], request.Chain);

        // Nobody approves their own request; a head of another department is not this request's approver.
        Assert.Equal("Approval.OwnRequest", (await Assert.ThrowsAsync<CustosException>(() => AsAsync(clerk, s => s.GetRequiredService<RequestService>().DecideAsync(request.Id, true, null, default)))).Code);
        Assert.Equal(CustosError.NotFound, (await Assert.ThrowsAsync<CustosException>(() => DecideAsync(otherHead, request.Id))).Kind);

        // The department head of the customer is told, sees it waiting, and approves.
        Assert.Contains(await AsAsync(head, s => s.GetRequiredService<Notifier>().InboxAsync(true, default)), n => n.RequestId == request.Id && n.Kind == "Notify.RequestWaiting");
        Assert.Contains(await AsAsync(head, s => s.GetRequiredService<RequestService>().ToApproveAsync(default)), r => r.Id == request.Id);
        var approved = await DecideAsync(head, request.Id);
        Assert.Equal(RequestStatus.Approved, approved.Status);
        Assert.NotNull(approved.Grant);
        Assert.Contains(await AsAsync(clerk, s => s.GetRequiredService<Notifier>().InboxAsync(true, default)), n => n.RequestId == request.Id && n.Kind == "Notify.RequestApproved");

        // The grant opens that customer, in lists too, and nothing else; it does not allow changes.
        var seen = await ViewAsync(clerk, customer.Id);
        Assert.Equal((customer.Id, false), (seen.Id, seen.ViewOnly));
        var listed = await AsAsync(clerk, s => s.GetRequiredService<CustomerService>().ListAsync(null, null, 50, default));
        Assert.Contains(listed.Items, r => r.Id == customer.Id);
        Assert.DoesNotContain(listed.Items, r => r.Id == neighbour.Id);
        Assert.Equal(CustosError.NotFound, (await Assert.ThrowsAsync<CustosException>(() => ViewAsync(clerk, neighbour.Id))).Kind);
        var edit = await Assert.ThrowsAsync<CustosException>(() => AsAsync(clerk, async s =>
        {
            await s.GetRequiredService<CustomerService>().UpdateAsync(customer.Id, new Dictionary<string, string?> { [FieldCatalogue.Email] = "a@example.cn" }, default);
            return 0;
        }));
        Assert.Equal("MayNotEditCustomers", edit.Code);

        // When the grant expires, the customer is gone again.
        app.Factory.Time.Advance(TimeSpan.FromHours(2));
        Assert.Equal(CustosError.NotFound, (await Assert.ThrowsAsync<CustosException>(() => ViewAsync(clerk, customer.Id))).Kind);

        var actions = await app.WithDbAsync(db => db.AuditRecords.Where(a => a.TargetId == request.Id.ToString()).Select(a => a.Action).ToListAsync());
        Assert.Contains("request.submit", actions);
        Assert.Contains("request.approve", actions);
        Assert.True(await app.WithDbAsync(db => db.AuditRecords.AnyAsync(a => a.Action == "grant.create" && a.TargetId == approved.Grant!.Value.ToString())));
    }

    [Fact]
    public async Task A_reveal_above_clearance_needs_an_approved_request_for_that_field_ACC_3()
    {
        var home = await DepartmentAsync();
        var head = await app.CreatePersonAsync(Roles.DepartmentHead, departments: [home]);
        var clerk = await app.CreatePersonAsync(Roles.Staff, departments: [home]);
        var customer = await CustomerAsync(head, home, 43);
        Task<string> Reveal(string field) => AsAsync(clerk, s => s.GetRequiredService<CustomerService>().RevealAsync(customer.Id, field, "service", null, default));

        Assert.Equal("RevealNeedsGrant", (await Assert.ThrowsAsync<CustosException>(() => Reveal(FieldCatalogue.IdNumber))).Code);
        Assert.False((await ViewAsync(clerk, customer.Id)).Fields.Single(f => f.Field == FieldCatalogue.IdNumber).MayReveal);

        var request = await SubmitAsync(clerk, new NewRequest(RequestKind.Reveal, "办理业务需核对身份证号", Customer: customer.Id, Field: FieldCatalogue.IdNumber, Hours: 1));
        var approved = await DecideAsync(head, request.Id);
        Assert.Equal(18, (await Reveal(FieldCatalogue.IdNumber)).Length);
        Assert.True((await ViewAsync(clerk, customer.Id)).Fields.Single(f => f.Field == FieldCatalogue.IdNumber).MayReveal);

        var entry = await app.WithDbAsync(db => db.AuditRecords.Where(a => a.Action == "customer.reveal" && a.TargetId == customer.Id.ToString() && a.Outcome == Custos.Security.AuditOutcome.Success).SingleAsync());
        Assert.Contains(approved.Grant!.Value.ToString(), entry.Detail ?? "", StringComparison.Ordinal);
        // The grant is for that customer's field only.
        var second = await CustomerAsync(head, home, 49);
        var refused = await Assert.ThrowsAsync<CustosException>(() => AsAsync(clerk, s => s.GetRequiredService<CustomerService>().RevealAsync(second.Id, FieldCatalogue.IdNumber, "service", null, default)));
        Assert.Equal("RevealNeedsGrant", refused.Code);
    }

    [Fact]
    public async Task Requests_that_could_not_help_or_are_not_needed_are_refused_and_change_nothing()
    {
        var home = await DepartmentAsync();
        var head = await app.CreatePersonAsync(Roles.DepartmentHead, departments: [home]);
        var clerk = await app.CreatePersonAsync(Roles.Staff, departments: [home]);
        var officer = await app.CreatePersonAsync(Roles.InformationOfficer, departments: [home]);
        var customer = await CustomerAsync(head, home, 44);
        var before = await app.WithDbAsync(db => db.AccessRequests.CountAsync());

        // Already in scope: nothing to ask for. An information officer may never export (ACC-2), so approval could not help.
        Assert.Equal("RequestNotNeeded", (await Assert.ThrowsAsync<CustosException>(() => SubmitAsync(clerk, new NewRequest(RequestKind.Access, "需要查看客户", Customer: customer.Id)))).Code);
        Assert.Equal("RequestCannotHelp", (await Assert.ThrowsAsync<CustosException>(() => SubmitAsync(officer, new NewRequest(RequestKind.Export, "导出给财务部门", Customer: customer.Id)))).Code);
        Assert.Equal(CustosError.NotFound, (await Assert.ThrowsAsync<CustosException>(() => SubmitAsync(clerk, new NewRequest(RequestKind.Access, "需要查看客户", Customer: Guid.NewGuid())))).Kind);
        Assert.Equal("RequestReason", (await Assert.ThrowsAsync<CustosException>(() => SubmitAsync(clerk, new NewRequest(RequestKind.Print, "", Customer: customer.Id)))).Code);
        Assert.Equal("GrantHours", (await Assert.ThrowsAsync<CustosException>(() => SubmitAsync(clerk, new NewRequest(RequestKind.Print, "打印给客户签字", Customer: customer.Id, Hours: 24 * 31)))).Code);
        Assert.Equal("RequestTarget", (await Assert.ThrowsAsync<CustosException>(() => SubmitAsync(clerk, new NewRequest(RequestKind.Print, "打印给客户签字", Customer: customer.Id, Department: home)))).Code);
        Assert.Equal("ViewOnlyNotFor", (await Assert.ThrowsAsync<CustosException>(() => SubmitAsync(head, new NewRequest(RequestKind.Export, "导出给财务部门", Customer: customer.Id, ViewOnly: true)))).Code);
        Assert.Equal(before, await app.WithDbAsync(db => db.AccessRequests.CountAsync()));
    }

    [Fact]
    public async Task An_unanswered_request_expires_and_can_no_longer_be_approved()
    {
        var home = await DepartmentAsync();
        var head = await app.CreatePersonAsync(Roles.DepartmentHead, departments: [home]);
        var clerk = await app.CreatePersonAsync(Roles.Staff, departments: [home]);
        var customer = await CustomerAsync(head, home, 45);
        var request = await SubmitAsync(clerk, new NewRequest(RequestKind.Print, "打印合同附件给客户签字", Customer: customer.Id));

        // A day later the approvers are reminded; two days later the compliance officers are told.
        var officer = await app.CreatePersonAsync(Roles.ComplianceOfficer, departments: [home]);
        app.Factory.Time.Advance(TimeSpan.FromHours(49));
        using (var scope = app.Factory.Services.CreateScope())
        {
            // The server's own timer may get there first once the clock moves; either way it happens once.
            await scope.ServiceProvider.GetRequiredService<RequestService>().RemindDueAsync(default);
        }

        Assert.Single(await AsAsync(head, s => s.GetRequiredService<Notifier>().InboxAsync(true, default)), n => n.RequestId == request.Id && n.Kind == "Notify.RequestReminder");
        Assert.Single(await AsAsync(officer, s => s.GetRequiredService<Notifier>().InboxAsync(true, default)), n => n.RequestId == request.Id && n.Kind == "Notify.RequestEscalated");

        app.Factory.Time.Advance(TimeSpan.FromHours(24));
        var late = await Assert.ThrowsAsync<CustosException>(() => DecideAsync(head, request.Id));
        Assert.Equal(("RequestDecided", CustosError.Conflict), (late.Code, late.Kind));
        var stored = await app.WithDbAsync(db => db.AccessRequests.SingleAsync(r => r.Id == request.Id));
        Assert.Equal(RequestStatus.Expired, stored.Status);
        Assert.Null(stored.GrantId);
        Assert.Contains(await AsAsync(clerk, s => s.GetRequiredService<Notifier>().InboxAsync(true, default)), n => n.RequestId == request.Id && n.Kind == "Notify.RequestExpired");
    }

    [Fact]
    public async Task Sharing_outside_needs_the_department_head_and_then_the_general_manager_EXP_1()
    {
        var home = await DepartmentAsync();
        var head = await app.CreatePersonAsync(Roles.DepartmentHead, departments: [home]);
        var deputy = await app.CreatePersonAsync(Roles.DepartmentHead, departments: [home]);
        var manager = await app.CreatePersonAsync(Roles.GeneralManager, departments: [home]);
        var customer = await CustomerAsync(head, home, 46);

        // Approvers approve giving it to someone: a request that names no partner is refused.
        Assert.Equal("SharePartnerRequired", (await Assert.ThrowsAsync<CustosException>(() => SubmitAsync(head, new NewRequest(RequestKind.ShareExternal, "向合作银行提供开户资料", Customer: customer.Id)))).Code);
        var partner = await app.TestPartnerAsync();
        var request = await SubmitAsync(head, new NewRequest(RequestKind.ShareExternal, "向合作银行提供开户资料", Customer: customer.Id, Hours: 4, Partner: partner));
        Assert.StartsWith("测试合作方", request.Partner, StringComparison.Ordinal);
        Assert.Equal([Roles.DepartmentHead, Roles.GeneralManager], request.Chain);
        // The general manager is named in the chain and may read it, but not approve before the department head.
        Assert.Equal("Approval.NotAnApprover", (await Assert.ThrowsAsync<CustosException>(() => AsAsync(manager, s => s.GetRequiredService<RequestService>().DecideAsync(request.Id, true, null, default)))).Code);

        var first = await DecideAsync(deputy, request.Id);
        Assert.Equal((RequestStatus.Pending, 1), (first.Status, first.Step));
        Assert.Equal("Approval.AlreadyApproved", (await Assert.ThrowsAsync<CustosException>(() => AsAsync(deputy, s => s.GetRequiredService<RequestService>().DecideAsync(request.Id, true, null, default)))).Code);
        var done = await DecideAsync(manager, request.Id);
        Assert.Equal(RequestStatus.Approved, done.Status);

        var grant = await app.WithDbAsync(db => db.AccessGrants.SingleAsync(g => g.Id == done.Grant));
        Assert.Equal((head.Id, "share-external", (Guid?)partner), (grant.PersonId, grant.Actions, grant.PartnerId));
    }

    [Fact]
    public async Task A_delegate_approves_while_the_head_is_away_and_a_rejection_ends_the_request()
    {
        var home = await DepartmentAsync();
        var head = await app.CreatePersonAsync(Roles.DepartmentHead, departments: [home]);
        var colleague = await app.CreatePersonAsync(Roles.Staff, departments: [home]);
        var clerk = await app.CreatePersonAsync(Roles.Staff, departments: [home]);
        var customer = await CustomerAsync(head, home, 47);

        await AsAsync(head, s => s.GetRequiredService<GrantService>().DelegateAsync(colleague.UserName!, app.Factory.Time.GetUtcNow().AddDays(3), default));
        var request = await SubmitAsync(clerk, new NewRequest(RequestKind.Print, "打印回访记录存档", Customer: customer.Id));
        var approved = await DecideAsync(colleague, request.Id);
        Assert.Equal(RequestStatus.Approved, approved.Status);
        Assert.True(approved.Approvals.Single().OnBehalf);

        // The delegate cannot approve their own request through the delegation either.
        var own = await SubmitAsync(colleague, new NewRequest(RequestKind.Print, "打印回访记录存档", Customer: customer.Id));
        Assert.Equal("Approval.OwnRequest", (await Assert.ThrowsAsync<CustosException>(() => AsAsync(colleague, s => s.GetRequiredService<RequestService>().DecideAsync(own.Id, true, null, default)))).Code);
        var rejected = await DecideAsync(head, own.Id, approve: false);
        Assert.Equal(RequestStatus.Rejected, rejected.Status);
        Assert.Null(rejected.Grant);
        Assert.Equal("RequestDecided", (await Assert.ThrowsAsync<CustosException>(() => DecideAsync(head, own.Id))).Code);
    }

    [Fact]
    public async Task A_privileged_role_asked_by_a_department_head_is_made_by_the_compliance_officer_and_general_manager_never_an_administrator_ACC_2()
    {
        var home = await DepartmentAsync();
        var head = await app.CreatePersonAsync(Roles.DepartmentHead, departments: [home]);
        var clerk = await app.CreatePersonAsync(Roles.Staff, departments: [home]);
        var admin = await app.CreatePersonAsync(Roles.ItAdministrator);
        var officer = await app.CreatePersonAsync(Roles.ComplianceOfficer);
        var manager = await app.CreatePersonAsync(Roles.GeneralManager);

        // A project manager approves others' requests: a privileged role, whatever kind the asker named.
        var request = await SubmitAsync(head, new NewRequest(RequestKind.RoleChange, "负责新项目的客户资料", Person: clerk.UserName, Role: Roles.ProjectManager));
        Assert.Equal(RequestKind.PrivilegeChange, request.Kind);
        Assert.Equal([Roles.ComplianceOfficer, Roles.GeneralManager], request.Chain);
        Assert.Equal("Approval.AdministersRights", (await Assert.ThrowsAsync<CustosException>(() => DecideAsync(admin, request.Id))).Code);
        Assert.Equal("Approval.OwnRequest", (await Assert.ThrowsAsync<CustosException>(() => DecideAsync(clerk, request.Id))).Code);
        Assert.Equal(RequestStatus.Pending, (await DecideAsync(officer, request.Id)).Status);
        var done = await DecideAsync(manager, request.Id);
        Assert.Equal(RequestStatus.Approved, done.Status);
        var roles = await AsAsync(admin, s => s.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<Person>>().GetRolesAsync(clerk));
        Assert.Equal([Roles.ProjectManager, Roles.Staff], roles.Order(StringComparer.Ordinal));
        Assert.True(await app.WithDbAsync(db => db.AuditRecords.AnyAsync(a => a.Action == "person.roles.change" && a.TargetId == clerk.Id.ToString() && a.ActorId == manager.Id.ToString())));

        // Asking again for a role the person has is not needed.
        Assert.Equal("RequestNotNeeded", (await Assert.ThrowsAsync<CustosException>(() => SubmitAsync(head, new NewRequest(RequestKind.RoleChange, "负责新项目的客户资料", Person: clerk.UserName, Role: Roles.ProjectManager)))).Code);

        // A customer role for someone in no department gives nothing yet: said so, not "nobody can approve".
        var newcomer = await app.CreatePersonAsync(Roles.Partner);
        using (var scope = app.AsSystem())
        {
            await scope.ServiceProvider.GetRequiredService<PeopleService>().SetMembershipsAsync(newcomer.Id, [], [], default);
        }

        Assert.Equal("RoleNeedsMembership", (await Assert.ThrowsAsync<CustosException>(() => SubmitAsync(head, new NewRequest(RequestKind.RoleChange, "新同事需要录入客户", Person: newcomer.UserName, Role: Roles.Staff)))).Code);
    }

    [Fact]
    public async Task Revoking_a_grant_over_the_api_closes_the_customer_on_the_next_request_ACC_4()
    {
        var (home, other) = (await DepartmentAsync(), await DepartmentAsync());
        var head = await app.CreatePersonAsync(Roles.DepartmentHead, departments: [home]);
        var clerk = await app.CreatePersonAsync(Roles.Staff, departments: [other]);
        var customer = await CustomerAsync(head, home, 48);
        var clerkWeb = app.Session();
        await clerkWeb.SignInAsync(clerk.UserName!);
        var headWeb = app.Session();
        await headWeb.SignInAsync(head.UserName!);
        await headWeb.EnrolMfaAsync();

        var submitted = await clerkWeb.Client.PostAsJsonAsync("/api/v1/requests", new { kind = "access", reason = "核对客户投诉记录", customer = customer.Id, hours = 8, actions = new[] { "view-masked" }, viewOnly = true });
        Assert.Equal(HttpStatusCode.Created, submitted.StatusCode);
        var id = (await submitted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.OK, (await headWeb.Client.PostAsJsonAsync($"/api/v1/requests/{id}/approve", new { note = "同意" })).StatusCode);
        var seen = await clerkWeb.Client.GetFromJsonAsync<JsonElement>($"/api/v1/customers/{customer.Id}");
        Assert.True(seen.GetProperty("viewOnly").GetBoolean()); // ACC-5: the grant is view-only, and the page says so
        Assert.NotNull((await clerkWeb.GetPageAsync($"/customers/{customer.Id}")).Page.QuerySelector("#view-only"));

        var grants = await clerkWeb.Client.GetFromJsonAsync<JsonElement>("/api/v1/grants");
        var grant = grants.EnumerateArray().Single().GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.Forbidden, (await clerkWeb.Client.GetAsync("/api/v1/grants?all=true")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await headWeb.Client.PostAsJsonAsync($"/api/v1/grants/{grant}/revoke", new { reason = "x" })).StatusCode);

        var admin = await app.AdminSessionAsync();
        Assert.Equal(HttpStatusCode.NoContent, (await admin.Client.PostAsJsonAsync($"/api/v1/grants/{grant}/revoke", new { reason = "事毕收回" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await clerkWeb.Client.GetAsync($"/api/v1/customers/{customer.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await admin.Client.PostAsJsonAsync($"/api/v1/grants/{grant}/revoke", new { reason = "again" })).StatusCode);
    }
}

public sealed class AccessWorkflowTestsOnSqlite(SqliteApp app) : AccessWorkflowTests<SqliteApp>(app);

public sealed class AccessWorkflowTestsOnPostgres(PostgresApp app) : AccessWorkflowTests<PostgresApp>(app);
