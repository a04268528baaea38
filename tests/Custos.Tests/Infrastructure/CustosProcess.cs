using System.Diagnostics;

namespace Custos.Tests.Infrastructure;

/// <summary>The built <c>custos</c> executable as a process, for tests that run several nodes or the command line against one database.</summary>
public static class CustosProcess
{
    /// <summary>A start for <c>custos ARGS</c> in English, on <paramref name="database"/>, with its data and key file under <paramref name="dir"/>.</summary>
    public static ProcessStartInfo Start(IEnumerable<string> args, string database, string dir, string dataFolder = "data")
    {
        ArgumentNullException.ThrowIfNull(args);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "custos.dll"));
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        start.Environment["CUSTOS_LANG"] = "en";
        start.Environment["CUSTOS_DATABASE"] = database;
        start.Environment["CUSTOS_DATA_DIR"] = Path.Combine(dir, dataFolder);
        start.Environment["CUSTOS_KEY_FILE"] = Path.Combine(dir, "custos.keys");
        return start;
    }

    /// <summary>Runs a command to its end (three minutes at most), with <paramref name="input"/> on standard input; fails the test unless it exits 0; returns what it printed.</summary>
    public static async Task<string> RunAsync(ProcessStartInfo start, string? input = null)
    {
        ArgumentNullException.ThrowIfNull(start);
        start.RedirectStandardInput = input is not null;
        using var process = Process.Start(start)!;
        if (input is not null)
        {
            await process.StandardInput.WriteLineAsync(input);
            process.StandardInput.Close();
        }

        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(180));
        Assert.True(process.ExitCode == 0, $"custos {string.Join(' ', start.ArgumentList.Skip(1))}: {await stdout}{await stderr}");
        return await stdout;
    }
}
