using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Custos.Tests.Shared;

/// <summary>
/// A SoftHSM2 token of the test run's own, in a temporary folder. SoftHSM reads SOFTHSM2_CONF from the
/// process environment when its library loads, so it is set with libc's setenv (the managed environment is
/// not what native code sees). Fails with install instructions when SoftHSM2 is missing.
/// </summary>
public sealed partial class SoftHsm
{
    public const string Library = "/usr/lib/softhsm/libsofthsm2.so";
    public const string Pin = "1234";
    private static readonly Lazy<string> Folder = new(Initialise);
    private static int tokens;

    public SoftHsm() => _ = Folder.Value;

    /// <summary>A fresh, empty token for one test.</summary>
    public string NewToken()
    {
        var label = "custos-test-" + Interlocked.Increment(ref tokens);
        Run("softhsm2-util", "--init-token", "--free", "--label", label, "--so-pin", "0000", "--pin", Pin);
        return label;
    }

    private static string Initialise()
    {
        if (!File.Exists(Library))
        {
            throw new InvalidOperationException($"SoftHSM2 is not installed ({Library} is missing). Install it with: apt-get install -y softhsm2");
        }

        var folder = Path.Combine(Path.GetTempPath(), "custos-softhsm-" + Environment.ProcessId);
        Directory.CreateDirectory(Path.Combine(folder, "tokens"));
        var conf = Path.Combine(folder, "softhsm2.conf");
        File.WriteAllText(conf, $"directories.tokendir = {Path.Combine(folder, "tokens")}\nobjectstore.backend = file\nlog.level = ERROR\n");
        Environment.SetEnvironmentVariable("SOFTHSM2_CONF", conf);
        if (SetEnv("SOFTHSM2_CONF", conf, 1) != 0)
        {
            throw new InvalidOperationException("setenv failed");
        }

        return folder;
    }

    private static void Run(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        start.Environment["SOFTHSM2_CONF"] = Path.Combine(Folder.Value, "softhsm2.conf");
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start " + file);
        var error = process.StandardError.ReadToEnd();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} failed: {error}");
        }
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnv(string name, string value, int overwrite);
}
