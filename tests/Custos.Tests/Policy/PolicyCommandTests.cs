using System.Diagnostics;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Custos.Tests.Infrastructure;

namespace Custos.Tests.Policy;

/// <summary>The access policy from the command line. The <c>custos</c> executable, run as a separate process the way scripts and CI run it.</summary>
[Collection(CommandLineTest.Collection)]
public sealed class PolicyCommandTests : CommandLineTest
{
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
}
