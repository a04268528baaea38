using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using Custos.Data;
using Custos.Features.Keys;
using Custos.Hosting;
using Custos.Kernel.Audit;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;
using Custos.Features;

namespace Custos.Features.Audit;

/// <summary>
/// Integrates committed audit entries, in order, into the RFC 6962 Merkle log and signs checkpoints (AUD-1).
/// One batch is one transaction: entries get their sequence numbers and leaf hashes, the tree state moves on
/// and due checkpoints are signed, or none of it happens. On PostgreSQL a transaction-scoped advisory lock
/// elects the one process that sequences; SQLite's write lock, taken when the transaction begins, does the same.
/// </summary>
public sealed class AuditSequencer(CustosDbContext db, KeyRing keys, AuditSigner signer, CustosSettings settings, TimeProvider time)
{
    /// <summary>The advisory-lock key the sequencing transaction takes (<see cref="AuditLocks"/>).</summary>
    public static long LeaderLock => AuditLocks.Key("sequencer");

    /// <summary>Integrates up to one batch; returns how many entries it integrated, or -1 if another process holds the lead.</summary>
    public async Task<int> SequenceOnceAsync(CancellationToken ct, bool checkpointNow = false)
    {
        var audit = settings.Audit;
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        if (!await AuditLocks.TryTakeAsync(db, "sequencer", ct))
        {
            return -1;
        }

        var state = await db.AuditLogState.SingleOrDefaultAsync(s => s.Id == 1, ct);
        if (state is null)
        {
            state = new AuditLogState { Id = 1, Size = 0, Peaks = [] };
            db.AuditLogState.Add(state);
        }

        var frontier = MerkleFrontier.Restore(state.Size, state.Peaks);
        var batch = await db.AuditRecords.AsNoTracking()
            .Where(a => a.Sequence == null)
            .OrderBy(a => a.Id)
            .Take(Math.Max(1, audit.SequencerBatch))
            .ToListAsync(ct);

        var now = time.GetUtcNow();
        var due = new List<long>();
        var roots = new Dictionary<long, byte[]>();
        var ids = new long[batch.Count];
        var sequences = new long[batch.Count];
        var leaves = new byte[batch.Count][];
        for (var i = 0; i < batch.Count; i++)
        {
            var sequence = frontier.Size;
            var leaf = batch[i].ToLogEntry(sequence).LeafHash();
            frontier.Append(leaf);
            ids[i] = batch[i].Id;
            sequences[i] = sequence;
            leaves[i] = leaf;
            if (audit.CheckpointEvery > 0 && frontier.Size % audit.CheckpointEvery == 0)
            {
                due.Add(frontier.Size);
                roots[frontier.Size] = frontier.Root();
            }
        }

        var last = await db.AuditCheckpoints.OrderByDescending(c => c.Size).Select(c => new { c.Size, c.At }).FirstOrDefaultAsync(ct);
        var lastSize = due.Count > 0 ? due[^1] : last?.Size ?? 0;
        var lastAt = due.Count > 0 ? now : last?.At;
        if (frontier.Size > lastSize && (checkpointNow || lastAt is null || now - lastAt.Value >= TimeSpan.FromSeconds(audit.CheckpointSeconds)))
        {
            due.Add(frontier.Size);
            roots[frontier.Size] = frontier.Root();
        }

        if (batch.Count == 0 && due.Count == 0)
        {
            return 0;
        }

        await AssignAsync(transaction.GetDbTransaction(), ids, sequences, leaves, ct);
        state.Size = frontier.Size;
        state.Peaks = frontier.PeaksToBytes();
        if (due.Count > 0)
        {
            var key = await signer.CurrentAsync(db, keys, now, ct);
            var at = new DateTimeOffset(now.UtcTicks - now.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);
            foreach (var size in due)
            {
                var checkpoint = new Checkpoint(audit.Origin, size, roots[size], at);
                db.AuditCheckpoints.Add(new AuditCheckpoint
                {
                    Size = size,
                    Origin = checkpoint.Origin,
                    Root = checkpoint.Root,
                    At = at,
                    KeyId = key.Id,
                    Signature = checkpoint.Sign(key.Key),
                });
            }
        }

        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return batch.Count;
    }

    /// <summary>
    /// Integrates everything committed so far and signs the checkpoints due; with <paramref name="checkpointNow"/>
    /// also one at the final size. Returns the number of entries integrated.
    /// </summary>
    public async Task<long> SequenceAllAsync(CancellationToken ct, bool checkpointNow = false)
    {
        long total = 0;
        while (true)
        {
            var n = await SequenceOnceAsync(ct, checkpointNow);
            if (n <= 0)
            {
                return total;
            }

            total += n;
            db.ChangeTracker.Clear();
        }
    }

    private static async Task AssignAsync(DbTransaction transaction, long[] ids, long[] sequences, byte[][] leaves, CancellationToken ct)
    {
        if (ids.Length == 0)
        {
            return;
        }

        await using var command = transaction.Connection!.CreateCommand();
        command.Transaction = transaction;
        if (transaction.Connection is NpgsqlConnection)
        {
            command.CommandText = """
                UPDATE "AuditRecords" AS a SET "Sequence" = v.s, "LeafHash" = v.h
                FROM unnest(@ids, @seqs, @hashes) AS v(id, s, h) WHERE a."Id" = v.id
                """;
            command.Parameters.Add(new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = ids });
            command.Parameters.Add(new NpgsqlParameter("seqs", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = sequences });
            command.Parameters.Add(new NpgsqlParameter("hashes", NpgsqlDbType.Array | NpgsqlDbType.Bytea) { Value = leaves });
            var updated = await command.ExecuteNonQueryAsync(ct);
            if (updated != ids.Length)
            {
                throw new InvalidOperationException("Audit entries changed while they were being sequenced.");
            }

            return;
        }

        command.CommandText = """UPDATE "AuditRecords" SET "Sequence" = @s, "LeafHash" = @h WHERE "Id" = @id AND "Sequence" IS NULL""";
        var s = command.CreateParameter();
        s.ParameterName = "@s";
        var h = command.CreateParameter();
        h.ParameterName = "@h";
        var id = command.CreateParameter();
        id.ParameterName = "@id";
        command.Parameters.Add(s);
        command.Parameters.Add(h);
        command.Parameters.Add(id);
        await command.PrepareAsync(ct);
        for (var i = 0; i < ids.Length; i++)
        {
            s.Value = sequences[i];
            h.Value = leaves[i];
            id.Value = ids[i];
            if (await command.ExecuteNonQueryAsync(ct) != 1)
            {
                throw new InvalidOperationException("Audit entries changed while they were being sequenced.");
            }
        }
    }
}

/// <summary>
/// The checkpoint signing key: created on first use, kept wrapped by the key-encryption key, opened once per
/// process. Its public key is stored beside it and exported with every proof.
/// </summary>
[Contract]
public sealed class AuditSigner : IDisposable
{
    private readonly SemaphoreSlim gate = new(1, 1);
    private (string Id, ECDsa Key)? current;

    public async Task<(string Id, ECDsa Key)> CurrentAsync(CustosDbContext db, KeyRing keys, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(keys);
        await gate.WaitAsync(ct);
        try
        {
            var stored = await db.AuditSigningKeys.AsNoTracking().OrderByDescending(k => k.CreatedAt).FirstOrDefaultAsync(ct);
            if (current is { } open && stored?.Id == open.Id)
            {
                return open;
            }

            if (stored is null)
            {
                var created = SigningKeys.Create(keys.Keys);
                db.AuditSigningKeys.Add(new AuditSigningKey
                {
                    Id = created.Id,
                    PublicKey = created.PublicKey,
                    KekVersion = created.Wrapped.KekVersion,
                    WrappedPrivateKey = created.Wrapped.Blob,
                    CreatedAt = now,
                });
                Replace((created.Id, created.Key));
                return current!.Value;
            }

            Replace((stored.Id, Open(stored, keys)));
            return current!.Value;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Re-wraps every signing key under the active key-encryption key (rotation); the keys themselves stay.</summary>
    public static async Task RewrapAsync(CustosDbContext db, Kernel.Crypto.IKeyEncryptionKeys keys, int active, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(keys);
        foreach (var stored in await db.AuditSigningKeys.Where(k => k.KekVersion != active).ToListAsync(ct))
        {
            var wrapped = SigningKeys.Rewrap(keys, stored.Id, new Kernel.Crypto.WrappedDataKey(stored.KekVersion, stored.WrappedPrivateKey));
            stored.KekVersion = wrapped.KekVersion;
            stored.WrappedPrivateKey = wrapped.Blob;
        }

        await db.SaveChangesAsync(ct);
    }

    private static ECDsa Open(AuditSigningKey stored, KeyRing keys) =>
        SigningKeys.Open(keys.Keys, stored.Id, stored.PublicKey, new Kernel.Crypto.WrappedDataKey(stored.KekVersion, stored.WrappedPrivateKey));

    private void Replace((string Id, ECDsa Key) next)
    {
        current?.Key.Dispose();
        current = next;
    }

    public void Dispose()
    {
        current?.Key.Dispose();
        gate.Dispose();
    }
}

/// <summary>Wakes the sequencer when entries were committed, so they join the log within moments.</summary>
public sealed class AuditSequencerSignal : IDisposable
{
    private readonly SemaphoreSlim signal = new(0, 1);

    public void Nudge()
    {
        if (signal.CurrentCount == 0)
        {
            try
            {
                signal.Release();
            }
            catch (SemaphoreFullException)
            {
                // Already signalled.
            }
        }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => signal.WaitAsync(timeout, ct);

    public void Dispose() => signal.Dispose();
}

/// <summary>Runs the sequencer in the server: shortly after each commit that carried entries, and once a second besides.</summary>
internal sealed partial class AuditSequencerService(IServiceScopeFactory scopes, AuditSequencerSignal signal, StartupReport startup, ILogger<AuditSequencerService> log) : BackgroundService
{
    /// <summary>How long entries gather after a wake-up before they are integrated: at most 20 sequencing commits a second.</summary>
    private static readonly TimeSpan Gather = TimeSpan.FromMilliseconds(50);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await signal.WaitAsync(TimeSpan.FromSeconds(1), stoppingToken);
                if (!startup.Ready)
                {
                    continue;
                }

                // Let the entries of the next moments gather, so one transaction (one flush) integrates many of them.
                await Task.Delay(Gather, stoppingToken);

                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<AuditSequencer>().SequenceAllAsync(stoppingToken);
                failures = 0;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is DbException or DbUpdateException or InvalidOperationException or CryptographicException or TimeoutException)
            {
                failures++;
                LogFailed(log, e.GetType().Name, failures);
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(30, failures * 2)), stoppingToken);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The audit sequencer could not integrate entries ({Error}, {Failures} in a row); it tries again.")]
    private static partial void LogFailed(ILogger logger, string error, int failures);
}
