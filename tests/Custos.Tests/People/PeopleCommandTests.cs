using System.Diagnostics;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Custos.Tests.Infrastructure;

namespace Custos.Tests.People;

/// <summary>People and their rights from the command line (ACC-2, ACC-4). The <c>custos</c> executable, run as a separate process the way scripts and CI run it.</summary>
[Collection(CommandLineTest.Collection)]
public sealed class PeopleCommandTests : CommandLineTest
{
    [Fact]
    public async Task An_administrator_builds_the_organisation_and_people_non_interactively_and_rights_wait_for_their_approvers_ACC_2_ACC_4()
    {
        Assert.Equal(0, (await RunAsync("org", "department", "add", "SALES", "销售部")).ExitCode);
        Assert.Equal(0, (await RunAsync("org", "project", "add", "EAST", "华东", "--department", "sales")).ExitCode);

        // Without a compliance officer and a general manager nothing privileged can be approved: the command says who is missing.
        var noApprover = await RunAsync("user", "add", "wang.head", "--name", "王部长", "--role", "department-head", "--department", "SALES");
        Assert.Equal(1, noApprover.ExitCode);
        Assert.Contains("Nobody can approve this at present (Compliance officer)", noApprover.Error, StringComparison.Ordinal);
        Assert.Equal(1, (await RunAsync("user", "appoint", "admin", "--role", "compliance-officer")).ExitCode); // never oneself

        // The first approvers are appointed on the server; a role somebody holds is not appointed again.
        await FoundAsync();
        var again = await RunAsync("user", "appoint", "admin", "--role", "general-manager");
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("cannot change your own", again.Error, StringComparison.Ordinal);
        Assert.Contains("holds the role", (await RunAsync("user", "appoint", "qian.hg", "--role", "general-manager")).Error, StringComparison.Ordinal);

        // Suspending the holder does not empty the role for an appointment.
        Assert.Equal(0, (await RunAsync("user", "disable", "zhou.gm")).ExitCode);
        Assert.Contains("holds the role", (await RunAsync("user", "appoint", "qian.hg", "--role", "general-manager")).Error, StringComparison.Ordinal);
        Assert.Equal(0, (await RunAsync("user", "enable", "zhou.gm")).ExitCode);

        // A department head: the compliance officer and the general manager approve, never the administrator.
        var head = await RunAsync("user", "add", "wang.head", "--name", "王部长", "--role", "department-head", "--department", "SALES");
        Assert.Equal(0, head.ExitCode);
        Assert.Contains("Compliance officer → General manager", head.Out, StringComparison.Ordinal);
        Assert.Equal([false], await DecideAsync(FiledRequests(head), "admin")); // never by an administrator
        var impersonated = await RunAsync("--as", "qian.hg", "request", "approve", FiledRequests(head).Single());
        Assert.NotEqual(0, impersonated.ExitCode); // nor by naming the approver on the server: there is no such command
        Assert.Contains("approve", impersonated.Error, StringComparison.Ordinal);
        await ApproveAsync(FiledRequests(head), "qian.hg", "zhou.gm");

        var added = await RunAsync("user", "add", "zhang.wei", "--name", "张伟", "--role", "staff", "--department", "SALES", "--project", "EAST");
        Assert.Equal(0, added.ExitCode);
        Assert.Contains("Initial password (shown once):", added.Out, StringComparison.Ordinal);
        Assert.Equal(2, FiledRequests(added).Count); // the department with the role, and the project
        await ApproveAsync(FiledRequests(added), "wang.head", "qian.hg");
        await AddApprovedAsync("li.na", "李娜", ["--role", "it-admin", "--clearance", "TopSecret"], "qian.hg", "zhou.gm");
        Assert.Contains("administers accounts", (await RunAsync("user", "appoint", "li.na", "--role", "general-manager")).Error, StringComparison.Ordinal);

        var list = await RunAsync("user", "list", "--json");
        Assert.Equal(0, list.ExitCode);
        using var json = JsonDocument.Parse(list.Out);
        var zhang = json.RootElement.EnumerateArray().Single(p => p.GetProperty("userName").GetString() == "zhang.wei");
        Assert.Equal(["SALES"], zhang.GetProperty("departments").EnumerateArray().Select(d => d.GetString()));
        Assert.Equal(["EAST"], zhang.GetProperty("projects").EnumerateArray().Select(d => d.GetString()));
        Assert.Equal(["staff"], zhang.GetProperty("roles").EnumerateArray().Select(d => d.GetString()));

        // Nobody changes their own rights; another administrator's change of someone else's waits for approval.
        var own = await RunAsync("--as", "li.na", "user", "roles", "li.na", "--role", "it-admin", "department-head");
        Assert.Equal(1, own.ExitCode);
        Assert.Contains("cannot change your own", own.Error, StringComparison.Ordinal);
        var auditor = await RunAsync("--as", "li.na", "user", "roles", "zhang.wei", "--role", "staff", "auditor", "--reason", "兼任审计");
        Assert.Equal(0, auditor.ExitCode);
        Assert.Equal([false], await DecideAsync(FiledRequests(auditor), "admin"));
        await ApproveAsync(FiledRequests(auditor), "qian.hg", "zhou.gm");
        var missingDay = await RunAsync("leaving", "record", "zhang.wei", "--reason", "辞职");
        Assert.Equal(1, missingDay.ExitCode);
        Assert.Contains("Last working day", missingDay.Error, StringComparison.Ordinal);
        var lastDay = TimeProvider.System.GetUtcNow().AddDays(45).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(0, (await RunAsync("leaving", "record", "zhang.wei", "--on", lastDay, "--reason", "辞职")).ExitCode);
        var leavingList = await RunAsync("leaving", "list");
        Assert.Contains("zhang.wei", leavingList.Out, StringComparison.Ordinal);
        Assert.Contains(lastDay, leavingList.Out, StringComparison.Ordinal);

        // The joining checklist: zhang.wei has no authenticator yet; the committee has nobody yet.
        var joining = await RunAsync("user", "joining", "zhang.wei");
        Assert.Equal(0, joining.ExitCode);
        Assert.Contains("Authenticator enrolled", joining.Out, StringComparison.Ordinal);
        Assert.Contains("incomplete", joining.Out, StringComparison.Ordinal);
        Assert.Equal(0, (await RunAsync("committee", "list")).ExitCode);

        await using var db = new SqliteConnection($"Data Source={Path.Combine(dataDir, "custos.db")};Mode=ReadOnly");
        await db.OpenAsync();
        var command = db.CreateCommand();
        command.CommandText = "SELECT ActorName, Action, Detail FROM AuditRecords WHERE (Action = 'person.roles.change' AND Detail LIKE '%auditor%') OR (Action = 'request.submit' AND Detail LIKE '%auditor%') ORDER BY Id";
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal(("李娜 (li.na)", "request.submit"), (reader.GetString(0), reader.GetString(1))); // both names, as from the web
        Assert.True(await reader.ReadAsync());
        Assert.Equal(("周总 (zhou.gm)", "person.roles.change"), (reader.GetString(0), reader.GetString(1)));
        Assert.Contains("\"request\":", reader.GetString(2), StringComparison.Ordinal);
        SqliteConnection.ClearAllPools();
    }

    [Fact]
    public async Task Only_an_active_it_administrator_may_act_and_bad_input_is_explained()
    {
        Assert.Equal(0, (await RunAsync("user", "add", "wang.fang", "--name", "王芳", "--role", "staff")).ExitCode);

        var notAdmin = await RunAsync("--as", "wang.fang", "user", "list");
        Assert.Equal(1, notAdmin.ExitCode);
        Assert.Contains("wang.fang is not an IT administrator", notAdmin.Error, StringComparison.Ordinal);

        var unknown = await RunAsync("user", "add", "x.y", "--name", "某人", "--role", "emperor");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("Role emperor does not exist", unknown.Error, StringComparison.Ordinal);

        var weak = await RunWithInputAsync("Password1234", "user", "add", "zhao.lei", "--name", "赵磊", "--password-stdin");
        Assert.Equal(1, weak.ExitCode);
        Assert.Contains("common password", weak.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("zhao.lei", (await RunAsync("user", "list")).Out, StringComparison.Ordinal);

        var self = await RunAsync("user", "disable", "admin");
        Assert.Equal(1, self.ExitCode);
        Assert.Contains("cannot change your own", self.Error, StringComparison.Ordinal);

        Assert.Equal(0, (await RunAsync("user", "disable", "wang.fang")).ExitCode);
        Assert.Contains("Suspended", (await RunAsync("user", "list", "--json")).Out, StringComparison.Ordinal);
    }
}
