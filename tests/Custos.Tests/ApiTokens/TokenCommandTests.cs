using System.Diagnostics;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Custos.Tests.Infrastructure;

namespace Custos.Tests.ApiTokens;

/// <summary>API tokens from the command line. The <c>custos</c> executable, run as a separate process the way scripts and CI run it.</summary>
[Collection(CommandLineTest.Collection)]
public sealed class TokenCommandTests : CommandLineTest
{
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
}
