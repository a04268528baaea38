using System.Diagnostics;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Custos.Tests.Infrastructure;

namespace Custos.Tests.Keys;

/// <summary>Key rotation and retirement from the command line (SEC-1). The <c>custos</c> executable, run as a separate process the way scripts and CI run it.</summary>
[Collection(CommandLineTest.Collection)]
public sealed class KeyCommandTests : CommandLineTest
{
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
}
