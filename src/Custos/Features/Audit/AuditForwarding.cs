using System.Globalization;
using System.Net.Sockets;
using System.Text;
using Custos.Data;
using Custos.Hosting;
using Custos.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Custos.Features.Audit;

/// <summary>How far a destination has received the log, and its last failure.</summary>
public sealed class AuditForwardCursor
{
    /// <summary><c>jsonl</c> or <c>syslog</c>.</summary>
    public string Destination { get; set; } = "";

    /// <summary>Entries with a sequence number below this have been delivered.</summary>
    public long Next { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public string? LastError { get; set; }

    public DateTimeOffset? LastErrorAt { get; set; }
}

public sealed record ForwardStatus(string Destination, string Target, long Delivered, long Backlog, string? LastError, DateTimeOffset? LastErrorAt);

/// <summary>A place entries are copied to. Delivery is at least once: after a crash the last batch may come again.</summary>
public interface IAuditDestination : IAsyncDisposable
{
    string Name { get; }

    /// <summary>Where, for status output (never a secret).</summary>
    string Target { get; }

    Task SendAsync(IReadOnlyList<(long Sequence, AuditRecord Record, byte[] Entry)> batch, CancellationToken ct);
}

/// <summary>One JSON line per entry — the entry exactly as hashed into the log — appended and flushed to disk.</summary>
public sealed class JsonLinesDestination(string path) : IAuditDestination
{
    public string Name => "jsonl";

    public string Target => path;

    public async Task SendAsync(IReadOnlyList<(long Sequence, AuditRecord Record, byte[] Entry)> batch, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(batch);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        await using var file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read, 65536, FileOptions.Asynchronous);
        foreach (var (_, _, entry) in batch)
        {
            await file.WriteAsync(entry, ct);
            file.WriteByte((byte)'\n');
        }

        await file.FlushAsync(ct);
        file.Flush(flushToDisk: true);
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

/// <summary>
/// Syslog (RFC 5424) over TCP with octet-counting framing (RFC 6587): facility log audit (13), severity
/// informational, or warning for denied and failed operations; MSGID the action; <c>[meta sequenceId]</c> the
/// entry's place in the log plus one; MSG the entry's JSON after a UTF-8 byte-order mark.
/// </summary>
public sealed class SyslogDestination(string host, int port, string appName) : IAuditDestination
{
    private TcpClient? client;
    private NetworkStream? stream;

    public string Name => "syslog";

    public string Target => $"{host}:{port}";

    public async Task SendAsync(IReadOnlyList<(long Sequence, AuditRecord Record, byte[] Entry)> batch, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(batch);
        try
        {
            if (stream is null)
            {
                client = new TcpClient { NoDelay = true };
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(TimeSpan.FromSeconds(10));
                await client.ConnectAsync(host, port, timeout.Token);
                stream = client.GetStream();
            }

            var buffer = new MemoryStream();
            foreach (var item in batch)
            {
                var message = Format(item.Sequence, item.Record, item.Entry, appName);
                var frame = Encoding.ASCII.GetBytes(message.Length.ToString(CultureInfo.InvariantCulture) + " ");
                buffer.Write(frame);
                buffer.Write(message);
            }

            await stream.WriteAsync(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), ct);
            await stream.FlushAsync(ct);
        }
        catch
        {
            // A broken connection is opened again on the next attempt.
            await DisposeAsync();
            throw;
        }
    }

    public static byte[] Format(long sequence, AuditRecord record, byte[] entry, string appName)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(entry);
        var severity = record.Outcome == AuditOutcome.Success ? 6 : 4;
        var header = string.Create(CultureInfo.InvariantCulture,
            $"<{13 * 8 + severity}>1 {record.At.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss.fff'Z'} {Token(System.Net.Dns.GetHostName(), 255)} {Token(appName, 48)} - {Token(record.Action, 32)} [meta sequenceId=\"{(sequence % int.MaxValue) + 1}\"] ");
        return [.. Encoding.ASCII.GetBytes(header), 0xEF, 0xBB, 0xBF, .. entry];
    }

    /// <summary>A header field: printable US-ASCII without spaces, at most <paramref name="max"/> characters, or "-".</summary>
    private static string Token(string value, int max)
    {
        var clean = new string([.. value.Where(c => c is > (char)32 and < (char)127).Take(max)]);
        return clean.Length == 0 ? "-" : clean;
    }

    public async ValueTask DisposeAsync()
    {
        if (stream is not null)
        {
            await stream.DisposeAsync();
        }

        client?.Dispose();
        stream = null;
        client = null;
    }
}

/// <summary>
/// Copies every sequenced entry, in order, to the configured destinations (AUD-1: a copy outside the
/// database). Each destination has a cursor in the database, advanced only after a batch was delivered;
/// failures are kept on the cursor and retried, and the backlog is visible (<c>custos audit forward</c>, the
/// <c>/audit</c> page).
/// </summary>
public sealed class AuditForwarder(CustosDbContext db, TimeProvider time)
{
    public const int Batch = 500;

    /// <summary>Most checkpoints one webhook post carries.</summary>
    public const int CheckpointBatch = 100;

    /// <summary>
    /// Delivers up to one batch to <paramref name="destination"/>; returns how many entries went, or -1 when
    /// another process is delivering to it. One deliverer per destination: a process-wide lock, and on
    /// PostgreSQL an advisory lock held by the transaction that reads, sends and moves the cursor.
    /// </summary>
    public Task<int> ForwardOnceAsync(IAuditDestination destination, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(destination);
        return AuditLocks.ExclusiveAsync(db, destination.Name, () => DeliverAsync(destination, ct), ct);
    }

    /// <summary>
    /// Posts the signed checkpoints not yet delivered, oldest first and at most 100 at a time, to a webhook for
    /// anchoring outside the database, as a <c>custos-checkpoints/v1</c> document (docs/audit-proofs.md) that
    /// <c>custos audit verify --checkpoints</c> reads. Returns how many went, or -1 when another process posts.
    /// </summary>
    public Task<int> PostCheckpointsOnceAsync(Uri webhook, HttpClient http, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(webhook);
        ArgumentNullException.ThrowIfNull(http);
        return AuditLocks.ExclusiveAsync(db, CheckpointCursor, () => PostAsync(webhook, http, ct), ct);
    }

    public const string CheckpointCursor = "checkpoints";

    private async Task<AuditForwardCursor> CursorAsync(string name, CancellationToken ct)
    {
        var cursor = await db.AuditForwardCursors.SingleOrDefaultAsync(c => c.Destination == name, ct);
        if (cursor is null)
        {
            cursor = new AuditForwardCursor { Destination = name, Next = 0, UpdatedAt = time.GetUtcNow() };
            db.Add(cursor);
        }

        return cursor;
    }

    /// <summary>Keeps the failure on the cursor (committed) and gives the exception to throw.</summary>
    private async Task<AuditForwardException> FailedAsync(AuditForwardCursor cursor, string name, Exception e, CancellationToken ct)
    {
        var message = e.GetType().Name + ": " + e.Message;
        cursor.LastError = message.Length > 500 ? message[..500] : message;
        cursor.LastErrorAt = time.GetUtcNow();
        await db.SaveChangesAsync(ct);
        if (db.Database.CurrentTransaction is { } open)
        {
            await open.CommitAsync(ct);
        }

        return new AuditForwardException(name, e);
    }

    private async Task<int> PostAsync(Uri webhook, HttpClient http, CancellationToken ct)
    {
        var cursor = await CursorAsync(CheckpointCursor, ct);
        var next = cursor.Next;
        var checkpoints = await db.AuditCheckpoints.AsNoTracking().Where(c => c.Size >= next).OrderBy(c => c.Size).Take(CheckpointBatch).ToListAsync(ct);
        if (checkpoints.Count == 0)
        {
            await db.SaveChangesAsync(ct);
            return 0;
        }

        var keys = await db.AuditSigningKeys.AsNoTracking().ToDictionaryAsync(k => k.Id, k => k.PublicKey, ct);
        var document = new CheckpointExport(CheckpointExport.FormatName, [.. checkpoints.Select(c => SignedCheckpoint.From(c, keys[c.KeyId]))]);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            using var content = new StringContent(document.ToJson(), Encoding.UTF8, "application/json");
            using var response = await http.PostAsync(webhook, content, timeout.Token);
            response.EnsureSuccessStatusCode();
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            throw await FailedAsync(cursor, CheckpointCursor, e, ct);
        }

        cursor.Next = checkpoints[^1].Size + 1;
        cursor.UpdatedAt = time.GetUtcNow();
        cursor.LastError = null;
        cursor.LastErrorAt = null;
        await db.SaveChangesAsync(ct);
        return checkpoints.Count;
    }

    private async Task<int> DeliverAsync(IAuditDestination destination, CancellationToken ct)
    {
        var cursor = await CursorAsync(destination.Name, ct);
        var next = cursor.Next;
        var records = await db.AuditRecords.AsNoTracking().Where(a => a.Sequence >= next).OrderBy(a => a.Sequence).Take(Batch).ToListAsync(ct);
        if (records.Count == 0)
        {
            await db.SaveChangesAsync(ct);
            return 0;
        }

        var batch = records.Select(r => (r.Sequence!.Value, r, r.ToLogEntry(r.Sequence.Value).Encode())).ToList();
        try
        {
            await destination.SendAsync(batch, ct);
        }
        catch (Exception e) when (e is IOException or SocketException or UnauthorizedAccessException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            throw await FailedAsync(cursor, destination.Name, e, ct);
        }

        cursor.Next = records[^1].Sequence!.Value + 1;
        cursor.UpdatedAt = time.GetUtcNow();
        cursor.LastError = null;
        cursor.LastErrorAt = null;
        await db.SaveChangesAsync(ct);
        return records.Count;
    }

    public async Task<IReadOnlyList<ForwardStatus>> StatusAsync(IEnumerable<IAuditDestination> destinations, CancellationToken ct)
    {
        var size = await db.AuditLogState.Where(s => s.Id == 1).Select(s => (long?)s.Size).SingleOrDefaultAsync(ct) ?? 0;
        var cursors = await db.AuditForwardCursors.AsNoTracking().ToDictionaryAsync(c => c.Destination, ct);
        return [.. destinations.Select(d =>
        {
            var c = cursors.GetValueOrDefault(d.Name);
            var delivered = c?.Next ?? 0;
            return new ForwardStatus(d.Name, d.Target, delivered, Math.Max(0, size - delivered), c?.LastError, c?.LastErrorAt);
        })];
    }

    /// <summary>How far the checkpoint webhook has received the checkpoints.</summary>
    public async Task<ForwardStatus> CheckpointStatusAsync(Uri webhook, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(webhook);
        var cursor = await db.AuditForwardCursors.AsNoTracking().SingleOrDefaultAsync(c => c.Destination == CheckpointCursor, ct);
        var next = cursor?.Next ?? 0;
        var delivered = await db.AuditCheckpoints.LongCountAsync(c => c.Size < next, ct);
        var waiting = await db.AuditCheckpoints.LongCountAsync(c => c.Size >= next, ct);
        return new ForwardStatus(CheckpointCursor, webhook.GetLeftPart(UriPartial.Path), delivered, waiting, cursor?.LastError, cursor?.LastErrorAt);
    }

    /// <summary>The checkpoint webhook the settings name, if any; only http(s) URLs are accepted.</summary>
    public static Uri? CheckpointWebhook(CustosSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var value = settings.Audit.CheckpointWebhook;
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        return Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
            ? uri
            : throw new Classification.SettingsException("Custos:Audit:CheckpointWebhook must be an http(s) URL.");
    }

    /// <summary>The destinations the settings name.</summary>
    public static IReadOnlyList<IAuditDestination> Destinations(CustosSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var forward = settings.Audit.Forward;
        var list = new List<IAuditDestination>();
        if (!string.IsNullOrWhiteSpace(forward.JsonLinesPath))
        {
            list.Add(new JsonLinesDestination(forward.JsonLinesPath));
        }

        if (!string.IsNullOrWhiteSpace(forward.Syslog))
        {
            var colon = forward.Syslog.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(forward.Syslog[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            {
                throw new Classification.SettingsException("Custos:Audit:Forward:Syslog must be host:port, e.g. siem.example.com:6514.");
            }

            list.Add(new SyslogDestination(forward.Syslog[..colon], port, forward.AppName));
        }

        return list;
    }
}

public sealed class AuditForwardException(string destination, Exception cause)
    : Exception($"Audit entries could not be delivered to {destination}.", cause);

/// <summary>Runs the forwarder in the server: catches up after each sequencing, retries a failing destination with growing pauses.</summary>
internal sealed partial class AuditForwardingService(IServiceScopeFactory scopes, CustosSettings settings, TimeProvider time, StartupReport startup, ILogger<AuditForwardingService> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var destinations = AuditForwarder.Destinations(settings);
        var webhook = AuditForwarder.CheckpointWebhook(settings);
        if (destinations.Count == 0 && webhook is null)
        {
            return;
        }

        using var http = new HttpClient();

        // Each job delivers batches until one comes back short; a failing job pauses, longer each time.
        var jobs = destinations
            .Select(d => (Name: d.Name, Target: d.Target, Full: AuditForwarder.Batch, Once: (Func<AuditForwarder, Task<int>>)(f => f.ForwardOnceAsync(d, stoppingToken))))
            .ToList();
        if (webhook is not null)
        {
            jobs.Insert(0, (AuditForwarder.CheckpointCursor, webhook.GetLeftPart(UriPartial.Path), AuditForwarder.CheckpointBatch, f => f.PostCheckpointsOnceAsync(webhook, http, stoppingToken)));
        }

        var pause = new Dictionary<string, (int Failures, DateTimeOffset Until)>();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500), time, stoppingToken);
                if (!startup.Ready)
                {
                    continue;
                }

                foreach (var job in jobs)
                {
                    if (pause.TryGetValue(job.Name, out var p) && time.GetUtcNow() < p.Until)
                    {
                        continue;
                    }

                    try
                    {
                        await using var scope = scopes.CreateAsyncScope();
                        var forwarder = scope.ServiceProvider.GetRequiredService<AuditForwarder>();
                        while (await job.Once(forwarder) == job.Full)
                        {
                        }

                        pause.Remove(job.Name);
                    }
                    catch (Exception e) when (e is AuditForwardException or System.Data.Common.DbException or DbUpdateException)
                    {
                        var failures = pause.TryGetValue(job.Name, out var before) ? before.Failures + 1 : 1;
                        pause[job.Name] = (failures, time.GetUtcNow().AddSeconds(Math.Min(60, 1 << Math.Min(failures, 6))));
                        LogFailed(log, job.Name, job.Target, e.InnerException?.GetType().Name ?? e.GetType().Name, failures);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            foreach (var d in destinations)
            {
                await d.DisposeAsync();
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Audit entries could not be forwarded to {Destination} ({Target}): {Error}, {Failures} in a row; retrying")]
    private static partial void LogFailed(ILogger logger, string destination, string target, string error, int failures);
}

/// <summary>How <see cref="AuditForwardCursor"/> is stored.</summary>
internal sealed class AuditForwardCursorMapping : IEntityTypeConfiguration<AuditForwardCursor>
{
    public void Configure(EntityTypeBuilder<AuditForwardCursor> e)
    {
        ArgumentNullException.ThrowIfNull(e);
        e.HasKey(c => c.Destination);
        e.Property(c => c.Destination).HasMaxLength(16);
        e.Property(c => c.LastError).HasMaxLength(500);
    }
}
