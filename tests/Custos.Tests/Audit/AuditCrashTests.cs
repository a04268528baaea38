using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Custos.Tests.Infrastructure;
using Microsoft.Data.Sqlite;

namespace Custos.Tests.Audit;

/// <summary>
/// AUD-1 under crashes: <c>custos serve</c> is killed with SIGKILL at moments spread over a write-heavy load,
/// fifty times over. No entry of an acknowledged operation is lost, and the log still verifies.
/// </summary>
public sealed class AuditCrashTests : IDisposable
{
    private const int Rounds = 50;
    private readonly string dataDir = TestPaths.NewDataDir("crash");

    public void Dispose()
    {
        TestPaths.Delete(dataDir);
        File.Delete(dataDir + ".keys");
    }

    private ProcessStartInfo Custos(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "custos.dll"));
        foreach (var a in args.Concat(["--data-dir", dataDir]))
        {
            start.ArgumentList.Add(a);
        }

        start.Environment["CUSTOS_LANG"] = "en";
        start.Environment.Remove("CUSTOS_DATABASE");
        return start;
    }

    private async Task<(int Code, string Out, string Error)> RunAsync(params string[] args)
    {
        using var process = Process.Start(Custos(args))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    [Fact]
    public async Task Killing_the_server_during_writes_loses_no_acknowledged_entry_and_the_log_still_verifies()
    {
        var created = await RunAsync("token", "create", "crash-load", "--scope", "it-admin");
        Assert.True(created.Code == 0, created.Error);
        var secret = created.Out.Trim().Split('\n')[^1].Trim();

        var acknowledged = new ConcurrentBag<Guid>();
        var interrupted = 0;
        var output = new StringBuilder();
        for (var round = 0; round < Rounds; round++)
        {
            var url = $"http://127.0.0.1:{ServerProcess.FreePort()}";
            using var server = Process.Start(Custos("serve", "--no-demo", "--urls", url))!;
            using var reaper = new Reaper(server); // a failed round leaves no server behind
            server.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
            server.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
            server.BeginOutputReadLine();
            server.BeginErrorReadLine();
            using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(20) };
            http.DefaultRequestHeaders.Authorization = new("Bearer", secret);
            await ServerProcess.WaitUntilHealthyAsync(http, server, () => { lock (output) { return output.ToString(); } });

            // Four writers; the kill lands 0 to 600 ms after the first write of the round was acknowledged, a
            // different moment each round.
            using var stop = new CancellationTokenSource();
            var firstAcknowledged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
            {
                for (var i = 0; !stop.IsCancellationRequested; i++)
                {
                    try
                    {
                        var response = await http.PostAsJsonAsync("/api/v1/departments", new { code = $"R{round}W{w}N{i}", name = "崩溃测试部门" });
                        if (response.StatusCode == HttpStatusCode.Created)
                        {
                            acknowledged.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid());
                            firstAcknowledged.TrySetResult();
                        }
                        else
                        {
                            string said;
                            lock (output)
                            {
                                said = output.ToString()[^Math.Min(4000, output.Length)..];
                            }

                            Assert.Fail($"Unexpected {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}\nThe server said:\n{said}");
                        }
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException or JsonException)
                    {
                        Interlocked.Increment(ref interrupted);
                        return;
                    }
                }
            })).ToList();
            await firstAcknowledged.Task.WaitAsync(TimeSpan.FromSeconds(30));
            await Task.Delay(round * 12 % 600);
            server.Kill(entireProcessTree: true); // SIGKILL
            await server.WaitForExitAsync();
            stop.Cancel();
            await Task.WhenAll(writers);
        }

        Assert.True(interrupted >= Rounds, $"only {interrupted} requests were cut off by a kill");
        Assert.True(acknowledged.Count >= Rounds, $"only {acknowledged.Count} writes were acknowledged");

        var sequenced = await RunAsync("audit", "sequence");
        Assert.True(sequenced.Code == 0, sequenced.Error);
        var verified = await RunAsync("audit", "verify", "--json");
        Assert.True(verified.Code == 0, verified.Out + verified.Error);
        using (var report = JsonDocument.Parse(verified.Out[verified.Out.IndexOf('{', StringComparison.Ordinal)..]))
        {
            Assert.True(report.RootElement.GetProperty("ok").GetBoolean());
        }

        await using var db = new SqliteConnection($"Data Source={Path.Combine(dataDir, "custos.db")};Mode=ReadOnly;Pooling=False");
        await db.OpenAsync();
        var recorded = new HashSet<string>(StringComparer.Ordinal);
        await using (var command = db.CreateCommand())
        {
            command.CommandText = """SELECT "TargetId" FROM "AuditRecords" WHERE "Action" = 'department.create' AND "Sequence" IS NOT NULL""";
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                recorded.Add(reader.GetString(0));
            }
        }

        var lost = acknowledged.Where(id => !recorded.Contains(id.ToString())).ToList();
        Assert.True(lost.Count == 0, $"{lost.Count} of {acknowledged.Count} acknowledged operations have no entry in the log");
        await using (var command = db.CreateCommand())
        {
            // Everything but the record of the verification itself, written after it, is in the log, without gaps.
            command.CommandText = """SELECT COUNT("Sequence"), MIN("Sequence"), MAX("Sequence"), SUM("Sequence" IS NULL AND "Action" <> 'audit.verify') FROM "AuditRecords" """;
            await using var reader = await command.ExecuteReaderAsync();
            await reader.ReadAsync();
            Assert.Equal(0, reader.GetInt64(1));
            Assert.Equal(reader.GetInt64(0) - 1, reader.GetInt64(2));
            Assert.Equal(0, reader.GetInt64(3));
        }
    }
}
