using System.Diagnostics;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Custos.Tests.Cli;

/// <summary>The <c>custos</c> executable, run as a separate process the way scripts and CI run it.</summary>
public sealed class CliTests : IDisposable
{
    private readonly string dataDir = Path.Combine(Path.GetTempPath(), "custos-cli-" + Guid.NewGuid().ToString("N")[..8]);

    private sealed record Result(int ExitCode, string Out, string Error);

    private Task<Result> RunWithInputAsync(string? stdin, params string[] args) => RunProcessAsync(stdin, new Dictionary<string, string>(), args);

    private async Task<Result> RunProcessAsync(string? stdin, Dictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "custos.dll"));
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        start.ArgumentList.Add("--data-dir");
        start.ArgumentList.Add(dataDir);
        start.Environment["CUSTOS_LANG"] = "en";
        start.Environment.Remove("CUSTOS_DATABASE");
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        if (stdin is not null)
        {
            await process.StandardInput.WriteLineAsync(stdin);
        }

        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        var result = new Result(process.ExitCode, await stdout, await stderr);
        return result;
    }

    private Task<Result> RunAsync(params string[] args) => RunWithInputAsync(null, args);

    /// <summary>A new installation's first approvers, appointed from the command line: the general manager zhou.gm and the compliance officer qian.hg.</summary>
    private async Task FoundAsync()
    {
        Assert.Equal(0, (await RunAsync("user", "add", "zhou.gm", "--name", "周总")).ExitCode);
        Assert.Equal(0, (await RunAsync("user", "appoint", "zhou.gm", "--role", "general-manager")).ExitCode);
        Assert.Equal(0, (await RunAsync("user", "add", "qian.hg", "--name", "钱合规")).ExitCode);
        Assert.Equal(0, (await RunAsync("user", "appoint", "qian.hg", "--role", "compliance-officer")).ExitCode);
    }

    private static IReadOnlyList<string> FiledRequests(Result result) =>
        [.. System.Text.RegularExpressions.Regex.Matches(result.Out, @"request\s+([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})").Select(m => m.Groups[1].Value)];

    /// <summary>
    /// Has each request decided by <paramref name="approvers"/> in turn, as they would on /approvals: signed in to a server
    /// on the same data directory (the command line decides nothing). Returns whether each ended approved.
    /// </summary>
    private async Task<IReadOnlyList<bool>> DecideAsync(IEnumerable<string> requests, params string[] approvers)
    {
        await using var server = new Infrastructure.CustosFactory(new Dictionary<string, string?> { ["Custos:DataDir"] = dataDir, ["Custos:NoDemo"] = "true" });
        server.StartServer();
        var outcomes = new List<bool>();
        foreach (var request in requests)
        {
            var status = Custos.Features.Access.RequestStatus.Pending;
            foreach (var approver in approvers)
            {
                Custos.Features.People.Person person;
                using (var find = server.Services.CreateScope())
                {
                    person = await find.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<Custos.Features.People.Person>>().FindByNameAsync(approver)
                        ?? throw new InvalidOperationException("No such person: " + approver);
                }

                using var scope = server.ActAs(person);
                try
                {
                    status = (await scope.ServiceProvider.GetRequiredService<Custos.Features.Access.RequestService>().DecideAsync(Guid.Parse(request), true, "同意", default)).Status;
                }
                catch (Custos.Hosting.CustosException)
                {
                    // not theirs to decide (an administrator, the proposer, a step they are not named for)
                }
            }

            outcomes.Add(status == Custos.Features.Access.RequestStatus.Approved);
        }

        return outcomes;
    }

    /// <summary>Approves each request, step by step, as the first of <paramref name="approvers"/> the workflow accepts for each step.</summary>
    private async Task ApproveAsync(IEnumerable<string> requests, params string[] approvers)
    {
        var filed = requests.ToList();
        Assert.True((await DecideAsync(filed, approvers)).All(a => a), $"requests {string.Join(", ", filed)} were not all approved by {string.Join(", ", approvers)}");
    }

    /// <summary>Adds a person with the given options and has every change of rights it files approved.</summary>
    private async Task AddApprovedAsync(string userName, string name, string[] options, params string[] approvers)
    {
        var added = await RunAsync(["user", "add", userName, "--name", name, .. options]);
        Assert.True(added.ExitCode == 0, added.Error);
        await ApproveAsync(FiledRequests(added), approvers);
    }

    [Fact]
    public async Task The_first_command_initialises_an_empty_data_directory_without_demo_data()
    {
        var result = await RunAsync("org", "department", "list");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("GENERAL", result.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("SALES", result.Out, StringComparison.Ordinal);
        Assert.Contains("initial-admin-password.txt", result.Out, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(dataDir, "initial-admin-password.txt")));
        Assert.True(File.Exists(Path.Combine(dataDir, "custos.db")));
    }

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
        Assert.Equal(0, (await RunAsync("user", "depart", "zhang.wei", "--on", "2027-01-15")).ExitCode);
        Assert.Contains("--on", (await RunAsync("user", "depart", "zhang.wei")).Error, StringComparison.Ordinal);

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
    public async Task The_policy_is_shown_tested_explained_and_loaded_from_the_command_line_and_a_bad_file_names_its_lines()
    {
        await FoundAsync();
        Assert.Equal(0, (await RunAsync("user", "add", "wu.ming", "--name", "吴明", "--role", "staff")).ExitCode);
        var shown = await RunAsync("policy", "show");
        Assert.Equal(0, shown.ExitCode);
        Assert.Contains("version: 1", shown.Out, StringComparison.Ordinal);

        // A decision explained: staff may not import; the reason is said.
        var check = await RunAsync("policy", "check", "--user", "wu.ming", "--action", "import");
        Assert.Equal(0, check.ExitCode);
        Assert.Contains("Denied", check.Out, StringComparison.Ordinal);
        Assert.Contains("no role allows it", check.Out, StringComparison.Ordinal);

        // A table of expected decisions: exit code 1 when one differs, against the policy in force or a candidate.
        var cases = Path.Combine(dataDir + "-cases.yaml");
        await File.WriteAllTextAsync(cases, "cases:\n  - {user: wu.ming, action: import, expect: allow}\n  - {user: wu.ming, action: list, expect: allow, reason: role}\n");
        var failing = await RunAsync("policy", "test", cases);
        Assert.Equal(1, failing.ExitCode);
        Assert.Contains("2 case(s), 1 differ", failing.Out, StringComparison.Ordinal);
        var candidate = Path.Combine(dataDir + "-policy.yaml");
        var text = shown.Out.Replace("version: 1", "version: 2", StringComparison.Ordinal)
            .Replace("allow: [list, view-masked, reveal, edit, create]\n    with-approval: [print]\n", "allow: [list, view-masked, reveal, edit, create, import]\n    with-approval: [print]\n", StringComparison.Ordinal);
        await File.WriteAllTextAsync(candidate, text);
        Assert.Equal(0, (await RunAsync("policy", "test", cases, "--policy", candidate)).ExitCode);

        // A file with mistakes is refused whole, each mistake with its line; a good one is loaded and in the history.
        var broken = Path.Combine(dataDir + "-broken.yaml");
        await File.WriteAllTextAsync(broken, text.Replace("scope: projects", "scope: galaxy", StringComparison.Ordinal).Replace("audit]", "audit, fly]", StringComparison.Ordinal));
        var refused = await RunAsync("policy", "load", broken);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("3 problem(s)", refused.Error, StringComparison.Ordinal); // the scope, and "fly" in the two roles that audit
        Assert.Contains("unknown scope: galaxy", refused.Error, StringComparison.Ordinal);
        Assert.Contains($"line {text.Split('\n').ToList().FindIndex(l => l.Contains("scope: projects", StringComparison.Ordinal)) + 1},", refused.Error, StringComparison.Ordinal);
        var filed = await RunAsync("policy", "load", candidate, "--note", "staff import");
        Assert.Equal(0, filed.ExitCode);
        Assert.Contains("Denied", (await RunAsync("policy", "check", "--user", "wu.ming", "--action", "import")).Out, StringComparison.Ordinal); // not before approval
        Assert.Equal([false], await DecideAsync(FiledRequests(filed), "admin")); // never by its proposer
        await ApproveAsync(FiledRequests(filed), "qian.hg", "zhou.gm");
        Assert.Contains("staff import", (await RunAsync("policy", "history")).Out, StringComparison.Ordinal);
        Assert.Contains("Allowed", (await RunAsync("policy", "check", "--user", "wu.ming", "--action", "import")).Out, StringComparison.Ordinal);

        // Staff may not read the policy from the command line either; they may list their requests, and a request that does not exist is said so.
        Assert.Equal(1, (await RunAsync("--as", "wu.ming", "policy", "show")).ExitCode);
        var mine = await RunAsync("--as", "wu.ming", "request", "list");
        Assert.Equal(0, mine.ExitCode);
        Assert.Contains("Requester", mine.Out, StringComparison.Ordinal);
        var ledger = await RunAsync("--as", "wu.ming", "copies", "list", "--open");
        Assert.Equal(0, ledger.ExitCode);
        Assert.Contains("Use by", ledger.Out, StringComparison.Ordinal);
        var register = await RunAsync("--as", "wu.ming", "destructions", "list");
        Assert.Equal(0, register.ExitCode);
        Assert.Contains("Witness", register.Out, StringComparison.Ordinal);
        foreach (var file in new[] { cases, candidate, broken })
        {
            File.Delete(file);
        }
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

    [Fact]
    public async Task Tokens_are_created_and_revoked_from_the_command_line()
    {
        // A token never carries a role its person does not hold (the review's `--as it2 token create t --scope auditor`).
        var beyond = await RunAsync("--as", "admin", "token", "create", "t", "--scope", "auditor");
        Assert.Equal(1, beyond.ExitCode);
        Assert.Contains("do not hold the role Auditor", beyond.Error, StringComparison.Ordinal);

        // The command line names its actor without their credentials: it makes nobody else's credentials.
        Assert.Equal(0, (await RunAsync("user", "add", "wu.ming", "--name", "吴明", "--role", "staff")).ExitCode);
        var forSomeone = await RunAsync("--as", "wu.ming", "token", "create", "t", "--scope", "staff");
        Assert.Equal(1, forSomeone.ExitCode);
        Assert.Contains("IT administrators only", forSomeone.Error, StringComparison.Ordinal);

        var created = await RunAsync("token", "create", "monitoring", "--scope", "metrics", "--days", "30");
        Assert.Equal(0, created.ExitCode);
        var secret = created.Out.Trim().Split('\n')[^1].Trim();
        Assert.StartsWith("cst_", secret, StringComparison.Ordinal);
        Assert.Equal(47, secret.Length);

        var list = await RunAsync("token", "list");
        Assert.DoesNotContain(secret, list.Out, StringComparison.Ordinal);
        var id = System.Text.RegularExpressions.Regex.Match(created.Out, "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}").Value;
        Assert.Equal(0, (await RunAsync("token", "revoke", id)).ExitCode);
        Assert.Contains("Inactive", (await RunAsync("token", "list")).Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keys_are_rotated_and_retired_from_the_command_line()
    {
        var status = await RunAsync("keys", "status");
        Assert.Equal(0, status.ExitCode);
        Assert.Contains(dataDir + ".keys", status.Out, StringComparison.Ordinal);
        Assert.Contains("Active", status.Out, StringComparison.Ordinal);

        var rotate = await RunAsync("keys", "rotate");
        Assert.Equal(0, rotate.ExitCode);
        Assert.Contains("version 2 is active", rotate.Out, StringComparison.Ordinal);

        var active = await RunAsync("keys", "retire", "--version", "2");
        Assert.Equal(1, active.ExitCode);
        Assert.Contains("rotate first", active.Error, StringComparison.Ordinal);

        Assert.Equal(0, (await RunAsync("keys", "retire", "--version", "1")).ExitCode);
        Assert.Contains("Destroyed", (await RunAsync("keys", "status")).Out, StringComparison.Ordinal);
        Assert.Equal(0, (await RunAsync("user", "list")).ExitCode); // the database still opens with the rotated keys
    }

    [Fact]
    public async Task A_department_head_imports_a_csv_non_interactively_and_a_bad_file_is_refused_with_row_and_column()
    {
        Assert.Equal(0, (await RunAsync("org", "department", "add", "SALES", "销售部")).ExitCode);
        await FoundAsync();
        await AddApprovedAsync("wang.head", "王部长", ["--role", "department-head", "--department", "SALES"], "qian.hg", "zhou.gm");
        Directory.CreateDirectory(dataDir + "-files");
        var good = Path.Combine(dataDir + "-files", "list.csv");
        File.WriteAllText(good, "姓名,身份证号,手机\n张伟,11010519491231002X,13812345678\n李娜,440524188001010014,13912345678\n", new System.Text.UTF8Encoding(true));
        string[] collection = ["--source", "展会登记表", "--purpose", "会后回访", "--legal-basis", "客户书面同意"];

        var notInteractive = await RunAsync(["import", good, "--as", "wang.head", .. collection]);
        Assert.Equal(1, notInteractive.ExitCode);
        Assert.Contains("--yes", notInteractive.Error, StringComparison.Ordinal);

        var imported = await RunAsync(["import", good, "--as", "wang.head", "--yes", .. collection]);
        Assert.Equal(0, imported.ExitCode);
        Assert.Contains("Imported 2 customers", imported.Out, StringComparison.Ordinal);
        Assert.Contains("138****5678", imported.Out, StringComparison.Ordinal); // the preview is masked
        Assert.DoesNotContain("13812345678", imported.Out, StringComparison.Ordinal);

        var bad = Path.Combine(dataDir + "-files", "bad.csv");
        File.WriteAllText(bad, "姓名,身份证号,手机\n赵磊,110105194912310021,13812345678\n", new System.Text.UTF8Encoding(false));
        File.WriteAllText(Path.Combine(dataDir + "-files", "map.json"), "{\"姓名\":\"name\",\"2\":\"idNumber\",\"手机\":\"mobile\"}");
        var refused = await RunAsync(["import", bad, "--as", "wang.head", "--mapping", Path.Combine(dataDir + "-files", "map.json"), .. collection]);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("nothing was imported", refused.Error, StringComparison.Ordinal);
        Assert.Matches(@"\|\s*2\s*\|\s*身份证号", refused.Out);
        Directory.Delete(dataDir + "-files", true);
    }

    [Fact]
    public async Task Schema_commands_and_version_work()
    {
        var migrate = await RunAsync("db", "migrate");
        Assert.Equal(0, migrate.ExitCode);
        Assert.Contains("up to date", migrate.Out, StringComparison.Ordinal);
        var status = await RunAsync("db", "status");
        Assert.Matches(@"Schema version: \d{14}_\w+", status.Out);

        var version = await RunAsync("--version");
        Assert.Equal(0, version.ExitCode);
        Assert.Matches(@"^\d+\.\d+\.\d+", version.Out.Trim());
    }

    [Fact]
    public async Task An_unreachable_database_is_reported_with_exit_code_2()
    {
        var result = await RunAsync("user", "list", "--database", "Host=127.0.0.1;Port=1;Username=u;Password=Hidden-Pw-1;Database=custos;Timeout=2");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("postgresql://127.0.0.1:1/custos", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("Hidden-Pw-1", result.Error + result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_classification_setting_that_cannot_be_used_stops_the_command_and_names_the_field()
    {
        var unknownField = await RunProcessAsync(null, new() { ["Custos__Fields__shoeSize__Level"] = "3" }, "user", "list");
        var badMask = await RunProcessAsync(null, new() { ["Custos__Fields__mobile__Mask"] = "keep:3:40" }, "user", "list");
        var badLevel = await RunProcessAsync(null, new() { ["Custos__Fields__income__Level"] = "4" }, "user", "list");
        var good = await RunProcessAsync(null, new() { ["Custos__Fields__income__Level"] = "3", ["Custos__Fields__mobile__Mask"] = "keep:0:4" }, "user", "list");

        Assert.Equal(2, unknownField.ExitCode);
        Assert.Contains("shoeSize: no such field", unknownField.Error, StringComparison.Ordinal);
        Assert.Equal(2, badMask.ExitCode);
        Assert.Contains("mobile: mask \"keep:3:40\"", badMask.Error, StringComparison.Ordinal);
        Assert.Equal(2, badLevel.ExitCode);
        Assert.Contains("income: level 4", badLevel.Error, StringComparison.Ordinal);
        Assert.Equal(0, good.ExitCode);
    }

    [Fact]
    public async Task Audit_verify_names_an_altered_entry_and_an_exported_proof_checks_out_without_custos()
    {
        Assert.Equal(0, (await RunAsync("org", "department", "add", "SALES", "销售部")).ExitCode);
        Assert.Equal(0, (await RunAsync("user", "add", "zhao.li", "--name", "赵丽", "--role", "staff")).ExitCode);
        var sequenced = await RunAsync("audit", "sequence");
        Assert.True(sequenced.ExitCode == 0, sequenced.Error);
        Assert.Contains("Integrated", sequenced.Out, StringComparison.Ordinal);

        var verified = await RunAsync("audit", "verify");
        Assert.True(verified.ExitCode == 0, verified.Error);
        Assert.Contains("The audit log verifies", verified.Out, StringComparison.Ordinal);

        var proof = await RunAsync("audit", "proof", "--entry", "2");
        Assert.True(proof.ExitCode == 0, proof.Error);
        Assert.True(Audit.IndependentRfc6962.VerifyInclusionDocument(proof.Out), proof.Out);
        var checkpoints = Path.Combine(dataDir, "checkpoints.json");
        Assert.Equal(0, (await RunAsync("audit", "checkpoints", "--out", checkpoints)).ExitCode);
        Assert.Contains("custos-checkpoints/v1", await File.ReadAllTextAsync(checkpoints), StringComparison.Ordinal);

        // Someone edits entry 2 in the database file.
        await using (var db = new SqliteConnection($"Data Source={Path.Combine(dataDir, "custos.db")};Pooling=False"))
        {
            await db.OpenAsync();
            await using var command = db.CreateCommand();
            command.CommandText = """UPDATE "AuditRecords" SET "ActorName" = 'nobody' WHERE "Sequence" = 2""";
            Assert.Equal(1, await command.ExecuteNonQueryAsync());
        }

        var tampered = await RunAsync("audit", "verify", "--checkpoints", checkpoints);
        Assert.Equal(1, tampered.ExitCode);
        Assert.Contains("Audit entry 2 was altered", tampered.Error, StringComparison.Ordinal);
        var noProof = await RunAsync("audit", "proof", "--entry", "2");
        Assert.Equal(1, noProof.ExitCode);
        Assert.Contains("does not agree", noProof.Error, StringComparison.Ordinal);

        // Staff may not examine the log; an auditor searches and exports it.
        var staff = await RunAsync("audit", "verify", "--as", "zhao.li");
        Assert.Equal(1, staff.ExitCode);
        Assert.Contains("may not run this command", staff.Error, StringComparison.Ordinal);
        await FoundAsync();
        await AddApprovedAsync("qian.shen", "钱审", ["--role", "auditor"], "qian.hg", "zhou.gm");
        var search = await RunAsync("audit", "search", "--action", "person.", "--as", "qian.shen");
        Assert.True(search.ExitCode == 0, search.Error);
        Assert.Matches(@"[1-9]\d* entries\.", search.Out);
        var csv = Path.Combine(dataDir, "audit.csv");
        var exported = await RunAsync("audit", "search", "--action", "person.create", "--csv", csv, "--as", "qian.shen");
        Assert.True(exported.ExitCode == 0, exported.Error);
        Assert.Equal(6, (await File.ReadAllLinesAsync(csv)).Length); // header, the administrator, zhao.li, zhou.gm, qian.hg, qian.shen
        Assert.Equal(1, (await RunAsync("audit", "search", "--as", "admin")).ExitCode);
    }

    [Fact]
    public async Task What_a_command_records_is_in_the_tamper_evident_log_before_it_exits_and_an_entry_left_outside_fails_verify_AUD_1()
    {
        Assert.Equal(0, (await RunAsync("org", "department", "add", "SALES", "销售部")).ExitCode);
        Assert.Equal(1, (await RunAsync("org", "department", "add", "SALES", "重复")).ExitCode);
        await using var db = new SqliteConnection($"Data Source={Path.Combine(dataDir, "custos.db")};Pooling=False");
        await db.OpenAsync();
        await using (var unsequenced = db.CreateCommand())
        {
            unsequenced.CommandText = """SELECT COUNT(*) FROM "AuditRecords" WHERE "Sequence" IS NULL""";
            Assert.Equal(0L, (long)(await unsequenced.ExecuteScalarAsync())!);
        }

        // An entry slipped in by hand, outside the tree, fails verify once the checkpoint interval has passed.
        await using (var insert = db.CreateCommand())
        {
            insert.CommandText = """
                INSERT INTO "AuditRecords" ("At", "ActorId", "ActorName", "Action", "TargetType", "Outcome")
                SELECT "At", 'system', 'system', 'forged.entry', 'none', 'Success' FROM "AuditRecords" ORDER BY "Id" LIMIT 1
                """;
            Assert.Equal(1, await insert.ExecuteNonQueryAsync());
        }

        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var waiting = await RunProcessAsync(null, new() { ["Custos__Audit__CheckpointSeconds"] = "1" }, "audit", "verify");
        Assert.Equal(1, waiting.ExitCode);
        Assert.Contains("not been sequenced", waiting.Error, StringComparison.Ordinal);

        // What a command recorded is in the tree: someone who edits it is named by verify, without any server having run.
        await using (var edit = db.CreateCommand())
        {
            edit.CommandText = """UPDATE "AuditRecords" SET "Detail" = replace("Detail", 'SALES', 'SALEZ') WHERE "Action" = 'department.create' AND "Detail" LIKE '%SALES%'""";
            Assert.Equal(1, await edit.ExecuteNonQueryAsync());
        }

        var altered = await RunAsync("audit", "verify");
        Assert.Equal(1, altered.ExitCode);
        Assert.Contains("was altered", altered.Error, StringComparison.Ordinal);
    }

    public void Dispose() => Infrastructure.TestPaths.Delete(dataDir);
}
