using System.Diagnostics;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Custos.Tests.Infrastructure;

namespace Custos.Tests.Classification;

/// <summary>Classification settings as the command line meets them (CLS-1). The <c>custos</c> executable, run as a separate process the way scripts and CI run it.</summary>
[Collection(CommandLineTest.Collection)]
public sealed class ClassificationCommandTests : CommandLineTest
{
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
}
