using System.Diagnostics;
using Npgsql;

namespace Custos.Tests.Infrastructure;

/// <summary>
/// A throwaway PostgreSQL cluster owned by the test run: initdb into a temporary folder, started on a free
/// loopback port, deleted afterwards. Fails with install instructions when the server binaries are missing.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private readonly string root;
    private readonly string binaries;
    private int databases;

    private PostgresServer(string root, string binaries, int port)
    {
        this.root = root;
        this.binaries = binaries;
        Port = port;
    }

    public int Port { get; }

    public static async Task<PostgresServer> StartAsync()
    {
        var binaries = FindBinaries();
        var root = Path.Combine(Path.GetTempPath(), "custos-pg-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(root);
        if (IsRoot)
        {
            await RunAsync("chown", ["-R", "postgres:postgres", root]);
        }

        var server = new PostgresServer(root, binaries, ServerProcess.FreePort());
        await server.RunPgAsync("initdb", ["-D", server.DataDir, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync"]);
        await server.StartServerAsync();
        return server;
    }

    public string DataDir => Path.Combine(root, "data");

    /// <summary>A new, empty database on this server.</summary>
    public string CreateDatabaseConnectionString()
    {
        var name = "custos_" + Interlocked.Increment(ref databases) + "_" + Guid.NewGuid().ToString("N")[..6];
        // Idle connections go back within seconds: many test classes share one server, each with a database and a pool of its own.
        return $"Host=127.0.0.1;Port={Port};Username=postgres;Database={name};Pooling=true;Timeout=5;Command Timeout=15;Connection Idle Lifetime=10;Connection Pruning Interval=2";
    }

    public Task StartServerAsync() =>
        RunPgAsync("pg_ctl", ["-D", DataDir, "-l", Path.Combine(root, "pg.log"), "-w", "-t", "30", "-o",
            $"-p {Port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=500", "start"]);

    public async Task StopServerAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await RunPgAsync("pg_ctl", ["-D", DataDir, "-m", "immediate", "-w", "stop"]);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopServerAsync();
        }
        catch (InvalidOperationException)
        {
            // Already stopped by a test.
        }

        Directory.Delete(root, recursive: true);
    }

    private static bool IsRoot => Environment.UserName == "root";

    private static string FindBinaries()
    {
        var candidates = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").OrderDescending().Select(d => Path.Combine(d, "bin"))
            : [];
        return candidates.FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")))
            ?? throw new InvalidOperationException(
                "PostgreSQL server binaries (initdb, pg_ctl) were not found under /usr/lib/postgresql/*/bin. " +
                "Install them with: apt-get install -y postgresql");
    }

    private Task RunPgAsync(string tool, string[] args)
    {
        var path = Path.Combine(binaries, tool);
        return IsRoot ? RunAsync("runuser", ["-u", "postgres", "--", path, .. args]) : RunAsync(path, args);
    }

    private static async Task RunAsync(string file, string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start " + file);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({process.ExitCode}): {await stderr}{await stdout}");
        }
    }
}
