using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Custos.Features.People;
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
            (staff, _) = await people.CreateAsync(new NewPerson("node.staff", "员工", null, [Roles.Staff], [], [], Clearance.Secret, CustosApp.Password), default);
            (admin, _) = await people.CreateAsync(new NewPerson("node.admin", "管理员", null, [Roles.ItAdministrator], [], [], Clearance.Secret, CustosApp.Password), default);
        }

        // One browser's cookies, used against both nodes.
        var cookies = new System.Net.CookieContainer();
        using var onA = new WebSession(nodeA.CreateDefaultClient(new CookieContainerHandler(cookies)));
        using var onB = new WebSession(nodeB.CreateDefaultClient(new CookieContainerHandler(cookies)));
        await onA.SignInAsync(staff.UserName!);
        Assert.Equal(HttpStatusCode.OK, (await onB.Client.GetAsync("/account")).StatusCode);

        // An administrator on node A makes a token and suspends the staff member.
        using var adminOnA = new WebSession(nodeA.CreateClient(new() { AllowAutoRedirect = false }));
        await adminOnA.SignInAsync(admin.UserName!);
        await adminOnA.EnrolMfaAsync();
        var created = await (await adminOnA.Client.PostAsJsonAsync("/api/v1/tokens", new { name = "nodes", scopes = new[] { Roles.Auditor }, days = 10 }))
            .Content.ReadFromJsonAsync<JsonElement>();
        var bearerOnB = nodeB.CreateClient();
        bearerOnB.DefaultRequestHeaders.Authorization = new("Bearer", created.GetProperty("secret").GetString());
        Assert.Equal(HttpStatusCode.OK, (await bearerOnB.GetAsync("/api/v1/me")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await adminOnA.Client.PostAsync($"/api/v1/people/{staff.Id}/disable", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await adminOnA.Client.DeleteAsync($"/api/v1/tokens/{created.GetProperty("id").GetGuid()}")).StatusCode);

        var afterDisable = await onB.Client.GetAsync("/account");
        Assert.Equal(HttpStatusCode.Found, afterDisable.StatusCode);
        Assert.StartsWith("/account/login", WebSession.Location(afterDisable), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, (await bearerOnB.GetAsync("/api/v1/me")).StatusCode);
        File.Delete(keyFile);
    }
}
