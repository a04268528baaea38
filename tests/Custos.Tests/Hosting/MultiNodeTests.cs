using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Custos.Features.People;
using Custos.Hosting;
using Custos.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;

namespace Custos.Tests.Hosting;

/// <summary>Two Custos nodes on one PostgreSQL database: a session or token ended on one is refused by the other at once.</summary>
public sealed class MultiNodeTests
{
    [Fact]
    public async Task Disabling_on_one_node_ends_the_session_on_the_other_and_revoking_a_token_too()
    {
        var connection = (await SharedPostgres.Server).CreateDatabaseConnectionString();
        var keyFile = TestPaths.NewKeyFile();
        var settings = new Dictionary<string, string?> { ["Custos:Database"] = connection, ["Custos:NoDemo"] = "true", ["Custos:KeyFile"] = keyFile };
        await using var nodeA = new CustosFactory(new(settings));
        await using var nodeB = new CustosFactory(new(settings));
        nodeA.StartServer(); // creates the key file; node B opens the same one
        nodeB.StartServer();

        Person staff;
        Person admin;
        using (var scope = nodeA.Services.CreateScope())
        {
            var people = scope.ServiceProvider.GetRequiredService<PeopleService>();
            (staff, _, _) = await people.CreateAsync(new NewPerson("node.staff", "员工", null, [Roles.Staff], [], [], Clearance.Secret, CustosApp.Password), default);
            (admin, _, _) = await people.CreateAsync(new NewPerson("node.admin", "管理员", null, [Roles.ItAdministrator], [], [], Clearance.Secret, CustosApp.Password), default);
        }

        // One browser's cookies, used against both nodes; signing out on one ends the session on the other.
        var cookies = new System.Net.CookieContainer();
        using var onA = new WebSession(nodeA.CreateDefaultClient(new CookieContainerHandler(cookies)));
        using var onB = new WebSession(nodeB.CreateDefaultClient(new CookieContainerHandler(cookies)));
        await onA.SignInAsync(staff.UserName!);
        Assert.Equal(HttpStatusCode.OK, (await onB.Client.GetAsync("/account")).StatusCode);
        var kept = cookies.GetCookies(new Uri("http://localhost/"))[CustosWebHost.SessionCookie]!.Value;
        var signOut = await onA.SubmitAsync("/account", "#logout-form", new Dictionary<string, string>());
        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        var copied = nodeB.CreateClient(new() { AllowAutoRedirect = false });
        copied.DefaultRequestHeaders.Add("Cookie", $"{CustosWebHost.SessionCookie}={kept}");
        Assert.Equal(HttpStatusCode.Found, (await copied.GetAsync("/account")).StatusCode); // the copied cookie is dead too

        // The staff member signs in again and makes a token for a script; it works on node B.
        await onA.SignInAsync(staff.UserName!);
        var created = await (await onA.Client.PostAsJsonAsync("/api/v1/tokens", new { name = "nodes", scopes = new[] { Roles.Staff }, days = 10 }))
            .Content.ReadFromJsonAsync<JsonElement>();
        var bearerOnB = nodeB.CreateClient();
        bearerOnB.DefaultRequestHeaders.Authorization = new("Bearer", created.GetProperty("secret").GetString());
        Assert.Equal(HttpStatusCode.OK, (await bearerOnB.GetAsync("/api/v1/me")).StatusCode);

        // An administrator on node A suspends the staff member: the session and the token end on node B at once.
        using var adminOnA = new WebSession(nodeA.CreateClient(new() { AllowAutoRedirect = false }), nodeA.Time);
        await adminOnA.SignInAsync(admin.UserName!);
        await adminOnA.EnrolMfaAsync();
        Assert.Equal(HttpStatusCode.NoContent, (await adminOnA.Client.PostAsync($"/api/v1/people/{staff.Id}/disable", null)).StatusCode);

        var afterDisable = await onB.Client.GetAsync("/account");
        Assert.Equal(HttpStatusCode.Found, afterDisable.StatusCode);
        Assert.StartsWith("/account/login", WebSession.Location(afterDisable), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, (await bearerOnB.GetAsync("/api/v1/me")).StatusCode);
        File.Delete(keyFile);
    }
}

/// <summary>Grants on two nodes sharing one PostgreSQL database: an expiry or a revocation holds on the very next request on the other node (ACC-4).</summary>
public sealed class MultiNodeGrantTests
{
    [Fact]
    public async Task A_grant_revoked_or_expired_on_one_node_is_refused_by_the_other_on_the_next_request()
    {
        var connection = (await SharedPostgres.Server).CreateDatabaseConnectionString();
        var keyFile = TestPaths.NewKeyFile();
        var settings = new Dictionary<string, string?> { ["Custos:Database"] = connection, ["Custos:NoDemo"] = "true", ["Custos:KeyFile"] = keyFile };
        await using var nodeA = new CustosFactory(new(settings));
        await using var nodeB = new CustosFactory(new(settings));
        nodeA.StartServer();
        nodeB.StartServer();

        Person head, clerk, admin;
        Guid customer;
        using (var scope = nodeA.Services.CreateScope())
        {
            var organisation = scope.ServiceProvider.GetRequiredService<Custos.Features.Organisation.OrganisationService>();
            await organisation.AddDepartmentAsync("HOME", "本部", default);
            await organisation.AddDepartmentAsync("AWAY", "外部", default);
            var people = scope.ServiceProvider.GetRequiredService<PeopleService>();
            (head, _, _) = await people.CreateAsync(new NewPerson("grant.head", "部门负责人", null, [Roles.DepartmentHead], ["HOME"], [], Clearance.Secret, CustosApp.Password), default);
            (clerk, _, _) = await people.CreateAsync(new NewPerson("grant.clerk", "员工", null, [Roles.Staff], ["AWAY"], [], Clearance.Secret, CustosApp.Password), default);
            (admin, _, _) = await people.CreateAsync(new NewPerson("grant.admin", "管理员", null, [Roles.ItAdministrator], [], [], Clearance.Secret, CustosApp.Password), default);
        }

        using (var scope = nodeA.ActAs(head))
        {
            customer = (await scope.ServiceProvider.GetRequiredService<Custos.Features.Customers.CustomerService>().CreateAsync(new Custos.Features.Customers.NewCustomer(
                Custos.Features.Customers.CustomerKind.Individual, "HOME", null, Clearance.Secret, new Dictionary<string, string?> { ["name"] = "王小明" }), default)).Id;
        }

        async Task<Guid> GrantAsync(int hours)
        {
            using var asClerk = nodeA.ActAs(clerk);
            var request = await asClerk.ServiceProvider.GetRequiredService<Custos.Features.Access.RequestService>().SubmitAsync(
                new Custos.Features.Access.NewRequest(Custos.Kernel.Policy.RequestKind.Access, "核对投诉记录", Customer: customer, Hours: hours), default);
            using var asHead = nodeA.ActAs(head);
            return (await asHead.ServiceProvider.GetRequiredService<Custos.Features.Access.RequestService>().DecideAsync(request.Id, true, null, default)).Grant!.Value;
        }

        // The clerk works on node B; the grant is made and revoked on node A.
        using var onB = new WebSession(nodeB.CreateClient(new() { AllowAutoRedirect = false }), nodeB.Time);
        await onB.SignInAsync(clerk.UserName!);
        Assert.Equal(HttpStatusCode.NotFound, (await onB.Client.GetAsync($"/api/v1/customers/{customer}")).StatusCode);
        var grant = await GrantAsync(4);
        Assert.Equal(HttpStatusCode.OK, (await onB.Client.GetAsync($"/api/v1/customers/{customer}")).StatusCode);

        using var adminOnA = new WebSession(nodeA.CreateClient(new() { AllowAutoRedirect = false }), nodeA.Time);
        await adminOnA.SignInAsync(admin.UserName!);
        await adminOnA.EnrolMfaAsync();
        Assert.Equal(HttpStatusCode.NoContent, (await adminOnA.Client.PostAsJsonAsync($"/api/v1/grants/{grant}/revoke", new { reason = "收回" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await onB.Client.GetAsync($"/api/v1/customers/{customer}")).StatusCode);

        // A second grant of one hour: node B refuses as soon as its clock passes the end.
        await GrantAsync(1);
        Assert.Equal(HttpStatusCode.OK, (await onB.Client.GetAsync($"/api/v1/customers/{customer}")).StatusCode);
        // In steps shorter than the session's idle limit, so only the grant ends.
        for (var minutes = 0; minutes < 60; minutes += 15)
        {
            Assert.Equal(HttpStatusCode.OK, (await onB.Client.GetAsync($"/api/v1/customers/{customer}")).StatusCode);
            nodeB.Time.Advance(TimeSpan.FromMinutes(15));
        }

        nodeB.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(HttpStatusCode.NotFound, (await onB.Client.GetAsync($"/api/v1/customers/{customer}")).StatusCode);
        File.Delete(keyFile);
    }
}
