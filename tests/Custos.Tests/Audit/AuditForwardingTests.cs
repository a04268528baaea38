using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Custos.Features.Audit;
using Custos.Hosting;
using Custos.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Custos.Tests.Audit;

/// <summary>
/// A copy of every entry for an outside collector (AUD-1): JSON lines and syslog (RFC 5424 over TCP), in log
/// order, retried after a failure with the backlog and the error visible, nothing lost once the collector is back.
/// </summary>
public abstract class AuditForwardingTests(string provider)
{
    [Fact]
    public async Task Every_entry_is_appended_as_the_json_it_was_hashed_as_in_log_order()
    {
        var file = Path.Combine(TestPaths.NewDataDir("jsonl"), "audit.jsonl");
        await using var host = await AuditHost.StartAsync(provider, extra: new() { ["Custos:Audit:Forward:JsonLinesPath"] = file });
        await host.RecordAsync(40);
        var size = await host.SettleAsync();
        await DeliverAllAsync(host, new JsonLinesDestination(file));

        var lines = await File.ReadAllLinesAsync(file);
        Assert.True(lines.Length >= size, $"{lines.Length} lines for {size} entries");
        var sequences = lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("seq").GetInt64()).ToList();
        Assert.Equal(Enumerable.Range(0, sequences.Count).Select(i => (long)i), sequences);
        var records = await host.DbAsync(db => db.AuditRecords.AsNoTracking().Where(a => a.Sequence != null).OrderBy(a => a.Sequence).ToListAsync());
        for (var i = 0; i < size; i++)
        {
            Assert.Equal(Encoding.UTF8.GetString(records[i].ToLogEntry(i).Encode()), lines[i]);
        }

        Assert.Equal(0, (await StatusAsync(host, new JsonLinesDestination(file))).Backlog);
        Directory.Delete(Path.GetDirectoryName(file)!, true);
    }

    [Fact]
    public async Task Syslog_gets_rfc_5424_frames_and_catches_up_after_the_collector_was_down()
    {
        using var collector = new TcpListener(IPAddress.Loopback, 0);
        collector.Start();
        var port = ((IPEndPoint)collector.LocalEndpoint).Port;
        await using var host = await AuditHost.StartAsync(provider);
        await host.RecordAsync(20);
        await host.SettleAsync();
        await using var syslog = new SyslogDestination("127.0.0.1", port, "custos");

        var receiving = ReceiveAsync(collector, 20);
        await DeliverAllAsync(host, syslog);
        var frames = await receiving.WaitAsync(TimeSpan.FromSeconds(20));
        var first = frames[0];
        Assert.Matches(@"^<1(10|08)>1 \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z \S+ custos - [\w.]+ \[meta sequenceId=""1""\] \uFEFF\{", first);
        Assert.Contains(frames, f => f.StartsWith("<108>", StringComparison.Ordinal)); // denied entries are warnings
        var json = first[(first.IndexOf('\uFEFF', StringComparison.Ordinal) + 1)..];
        Assert.Equal(0, JsonDocument.Parse(json).RootElement.GetProperty("seq").GetInt64());

        // The collector goes away: delivery fails, the error and the backlog show, nothing is skipped.
        collector.Stop();
        await host.RecordAsync(15, "test.while-down");
        await host.SettleAsync();
        await Assert.ThrowsAsync<AuditForwardException>(() => DeliverAllAsync(host, syslog));
        var down = await StatusAsync(host, syslog);
        Assert.True(down.Backlog >= 15);
        Assert.NotNull(down.LastError);

        // Back on the same port: the backlog arrives, starting where delivery stopped.
        using var again = new TcpListener(IPAddress.Loopback, port);
        again.Start();
        var catching = ReceiveAsync(again, (int)down.Backlog);
        await DeliverAllAsync(host, syslog);
        var later = await catching.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Contains($"sequenceId=\"{down.Delivered + 1}\"", later[0], StringComparison.Ordinal);
        Assert.Contains(later, f => f.Contains("test.while-down", StringComparison.Ordinal));
        var up = await StatusAsync(host, syslog);
        Assert.Equal(0, up.Backlog);
        Assert.Null(up.LastError);
    }

    [Fact]
    public async Task Signed_checkpoints_are_posted_to_a_webhook_and_what_it_kept_pins_verification()
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/anchor/");
        listener.Start();
        await using var host = await AuditHost.StartAsync(provider);
        await host.RecordAsync(20);
        await host.SettleAsync();
        var webhook = new Uri($"http://127.0.0.1:{port}/anchor/?key=s3cret-robot-key");
        using var http = new HttpClient();

        // The anchor is down (answers 500): nothing counts as delivered, the error shows, the key does not.
        var refusing = AnswerAsync(listener, HttpStatusCode.InternalServerError);
        await Assert.ThrowsAsync<AuditForwardException>(() => host.WithAsync(s => s.GetRequiredService<AuditForwarder>().PostCheckpointsOnceAsync(webhook, http, default)));
        await refusing;
        var down = await host.WithAsync(s => s.GetRequiredService<AuditForwarder>().CheckpointStatusAsync(webhook, default));
        Assert.True(down.Backlog >= 3);
        Assert.NotNull(down.LastError);
        Assert.DoesNotContain("s3cret", down.Target + down.LastError, StringComparison.Ordinal);

        // It is back: every checkpoint arrives, signed, and verification can be pinned to what it kept.
        var accepting = AnswerAsync(listener, HttpStatusCode.OK);
        var posted = await host.WithAsync(s => s.GetRequiredService<AuditForwarder>().PostCheckpointsOnceAsync(webhook, http, default));
        Assert.Equal(down.Backlog, posted);
        var kept = CheckpointExport.Read(await accepting);
        var result = await host.VerifyAsync([.. kept.Checkpoints.Select(c => c.ToTrusted())]);
        Assert.True(result.Ok, result.ToString());
        Assert.Equal(0, (await host.WithAsync(s => s.GetRequiredService<AuditForwarder>().CheckpointStatusAsync(webhook, default))).Backlog);
    }

    /// <summary>Answers one request with <paramref name="status"/> and gives its body.</summary>
    private static async Task<string> AnswerAsync(HttpListener listener, HttpStatusCode status)
    {
        var context = await listener.GetContextAsync();
        using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        context.Response.StatusCode = (int)status;
        context.Response.Close();
        return body;
    }

    [Fact]
    public async Task A_forwarding_setting_that_cannot_be_used_stops_start_up()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => AuditHost.StartAsync(provider, extra: new() { ["Custos:Audit:Forward:Syslog"] = "no-port-here" }));
        Assert.Contains("Custos:Audit:Forward:Syslog", error.ToString(), StringComparison.Ordinal);
    }

    private static async Task DeliverAllAsync(AuditHost host, IAuditDestination destination)
    {
        for (var i = 0; i < 100; i++)
        {
            var n = await host.WithAsync(s => s.GetRequiredService<AuditForwarder>().ForwardOnceAsync(destination, default));
            if (n == 0)
            {
                return;
            }

            if (n < 0)
            {
                await Task.Delay(50); // the server's own forwarder holds the destination for a moment
            }
        }
    }

    private static async Task<ForwardStatus> StatusAsync(AuditHost host, IAuditDestination destination) =>
        (await host.WithAsync(s => s.GetRequiredService<AuditForwarder>().StatusAsync([destination], default))).Single();

    /// <summary>Reads octet-counted syslog frames (RFC 6587) until <paramref name="count"/> have come.</summary>
    private static async Task<List<string>> ReceiveAsync(TcpListener listener, int count)
    {
        using var client = await listener.AcceptTcpClientAsync();
        var stream = client.GetStream();
        var frames = new List<string>();
        var buffer = new List<byte>();
        var chunk = new byte[8192];
        while (frames.Count < count)
        {
            var read = await stream.ReadAsync(chunk);
            if (read == 0)
            {
                break;
            }

            buffer.AddRange(chunk.AsSpan(0, read).ToArray());
            while (true)
            {
                var space = buffer.IndexOf((byte)' ');
                if (space < 0)
                {
                    break;
                }

                var length = int.Parse(Encoding.ASCII.GetString([.. buffer.Take(space)]), System.Globalization.CultureInfo.InvariantCulture);
                if (buffer.Count < space + 1 + length)
                {
                    break;
                }

                frames.Add(Encoding.UTF8.GetString([.. buffer.Skip(space + 1).Take(length)]));
                buffer.RemoveRange(0, space + 1 + length);
            }
        }

        return frames;
    }
}

public sealed class SqliteAuditForwardingTests() : AuditForwardingTests("sqlite");

public sealed class PostgresAuditForwardingTests() : AuditForwardingTests("postgres");
