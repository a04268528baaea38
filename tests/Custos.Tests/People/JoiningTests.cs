using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Custos.Features.People;
using Custos.Tests.Infrastructure;

namespace Custos.Tests.People;

/// <summary>The joining checklist (PPL-1, PPL-2) is read from what Custos holds: agreement, training, department, approvals.</summary>
public abstract class JoiningTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : CustosApp
{
    private static Dictionary<string, string> States(JsonElement view) =>
        view.GetProperty("steps").EnumerateArray().ToDictionary(s => s.GetProperty("step").GetString()!, s => s.GetProperty("state").GetString()!);

    [Fact]
    public async Task The_checklist_follows_the_policy_the_signature_the_training_and_the_approvals_still_waiting()
    {
        using var admin = await app.AdminSessionAsync();
        var person = await app.CreatePersonAsync(Roles.Staff);
        var before = await admin.Client.GetFromJsonAsync<JsonElement>($"/api/v1/people/{person.Id}/joining");
        var states = States(before);
        Assert.Equal("Done", states[JoiningChecklist.Account]);
        Assert.Equal("Open", states[JoiningChecklist.SecondFactor]);
        Assert.Equal("NotRequired", states[JoiningChecklist.Agreement]); // the built-in policy does not ask for them
        Assert.Equal("NotRequired", states[JoiningChecklist.Training]);
        Assert.Equal("Done", states[JoiningChecklist.Department]);
        Assert.Equal("Done", states[JoiningChecklist.Approvals]);
        var (_, page) = await admin.GetPageAsync($"/admin/people/{person.Id}");
        Assert.Equal("NotRequired", page.QuerySelector("#joining li[data-step='nda']")!.GetAttribute("data-state"));
        Assert.Equal("Open", page.QuerySelector("#joining li[data-step='mfa']")!.GetAttribute("data-state"));
        Assert.Equal("未完成", page.QuerySelector("#joining-state")!.TextContent.Trim());

        // With the preconditions in force, the agreement and the training are steps still to take; a role asked for is an approval waiting.
        await PolicyPreconditions.RequireAsync(app, nda: true, training: true);
        await app.EnsureApproversAsync();
        var asker = await app.CreatePersonAsync(Roles.ItAdministrator);
        var pending = await app.AsAsync(asker, s => s.GetRequiredService<PeopleService>().SetRolesAsync(person.Id, [Roles.Staff, Roles.ProjectManager], default));
        Assert.NotEmpty(pending.Pending);
        // (The administrator has not signed the agreement now required either: read in process.)
        var after = await app.AsAsync(asker, s => s.GetRequiredService<JoiningChecklist>().ForAsync(person.Id, default));
        var steps = after.Steps.ToDictionary(s => s.Step, s => s.State);
        Assert.Equal(JoiningState.Open, steps[JoiningChecklist.Agreement]);
        Assert.Equal(JoiningState.Open, steps[JoiningChecklist.Training]);
        Assert.Equal(JoiningState.Open, steps[JoiningChecklist.Approvals]);
        Assert.False(after.Complete);

        // Not for someone who does not administer people.
        using var staff = app.Session();
        await staff.SignInAsync((await app.CreatePersonAsync(Roles.Staff)).UserName!);
        Assert.Equal(HttpStatusCode.Forbidden, (await staff.Client.GetAsync($"/api/v1/people/{person.Id}/joining")).StatusCode);
    }
}

public sealed class JoiningTestsOnSqlite(SqliteApp app) : JoiningTests<SqliteApp>(app);

public sealed class JoiningTestsOnPostgres(PostgresApp app) : JoiningTests<PostgresApp>(app);
