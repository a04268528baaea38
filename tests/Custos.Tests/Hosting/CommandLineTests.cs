using System.Diagnostics;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Custos.Tests.Infrastructure;

namespace Custos.Tests.Hosting;

/// <summary>The executable itself: a first start, the schema commands, an unreachable database. The <c>custos</c> executable, run as a separate process the way scripts and CI run it.</summary>
[Collection(CommandLineTest.Collection)]
public sealed class CommandLineTests : CommandLineTest
{
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
}
