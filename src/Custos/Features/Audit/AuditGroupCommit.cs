using Custos.Data;

namespace Custos.Features.Audit;

/// <summary>
/// Group commit for audit entries written on their own (AUD-1, ACC-3): a reveal, a masked view, a refusal. Each
/// caller waits until its entry is durably committed — the value leaves only after that — but the entries of
/// concurrent callers share one transaction and so one flush of the disk. There is no deliberate wait: while one
/// batch is being committed the next one gathers, so a lone caller pays one commit and a crowd pays one commit per
/// batch. Fail-closed per caller: if a batch cannot be committed, every caller in it gets the error (an
/// <see cref="AuditWriteException"/>, as an unbatched write would) and none of its entries is stored.
/// </summary>
public sealed class AuditGroupCommit(IServiceScopeFactory scopes, AuditSequencerSignal sequencer)
{
    /// <summary>The most entries one transaction carries.</summary>
    public const int MaxBatch = 512;

    /// <summary>
    /// The most entries waiting: past it the store is not keeping up (a lock held, a disk stalled), and a new
    /// caller is refused at once, as if its write had failed, instead of queueing behind the stall.
    /// </summary>
    public const int MaxWaiting = 8 * MaxBatch;

    private readonly Lock gate = new();
    private readonly Queue<Pending> queue = new();
    private bool draining;

    /// <summary>Batches committed, and entries in them, since start (for the benchmarks and tests).</summary>
    public (long Batches, long Entries) Committed => (Interlocked.Read(ref batches), Interlocked.Read(ref entries));

    private long batches;
    private long entries;

    /// <summary>Commits <paramref name="record"/> with whatever else is waiting; returns once it is durable.</summary>
    public Task CommitAsync(AuditRecord record, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(record);
        var pending = new Pending(record);
        lock (gate)
        {
            if (queue.Count >= MaxWaiting)
            {
                throw new AuditWriteException(new TimeoutException("The audit store is not keeping up; the entry was not queued."));
            }

            queue.Enqueue(pending);
            if (!draining)
            {
                draining = true;
                _ = Task.Run(DrainAsync, CancellationToken.None);
            }
        }

        // A caller who gives up stops waiting; the entry may still be written, which records an attempt that showed nothing.
        return pending.Done.Task.WaitAsync(ct);
    }

    private async Task DrainAsync()
    {
        while (true)
        {
            var batch = new List<Pending>();
            lock (gate)
            {
                while (batch.Count < MaxBatch && queue.TryDequeue(out var next))
                {
                    batch.Add(next);
                }

                if (batch.Count == 0)
                {
                    draining = false;
                    return;
                }
            }

            var failure = await TryWriteAsync(batch);
            if (failure is null || batch.Count == 1)
            {
                continue;
            }

            if (!RefusedData(failure))
            {
                // The store is failing (unreachable, full, locked): every caller of the batch is refused, none waits longer.
                foreach (var pending in batch)
                {
                    pending.Done.TrySetException(Refusal(failure));
                }

                continue;
            }

            // The store refused one entry's data: each on its own, so that entry refuses only its own caller.
            foreach (var pending in batch)
            {
                await TryWriteAsync([pending]);
            }
        }
    }

    /// <summary>Writes the entries in one transaction and completes their callers; returns the failure, if any, without completing them.</summary>
    private async Task<Exception?> TryWriteAsync(List<Pending> batch)
    {
        try
        {
            await using (var scope = scopes.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<CustosDbContext>();
                db.AuditRecords.AddRange(batch.Select(p => p.Record));
                await db.SaveChangesAsync(CancellationToken.None);
            }

            Interlocked.Increment(ref batches);
            Interlocked.Add(ref entries, batch.Count);
            sequencer.Nudge();
            foreach (var pending in batch)
            {
                pending.Done.TrySetResult();
            }

            return null;
        }
#pragma warning disable CA1031 // Every failure, whatever it is, refuses the callers concerned: nothing is shown that was not recorded.
        catch (Exception e)
#pragma warning restore CA1031
        {
            foreach (var pending in batch)
            {
                pending.Record.Id = 0;
            }

            if (batch.Count == 1)
            {
                batch[0].Done.TrySetException(Refusal(e));
            }

            return e;
        }
    }

    /// <summary>A refusal of its own for each caller (each await adds its own stack trace), with the store's error as the cause.</summary>
    private static AuditWriteException Refusal(Exception failure) =>
        new(failure is AuditWriteException { InnerException: { } cause } ? cause : failure);

    /// <summary>Whether the store refused the data of an entry (a value too long, a constraint), as opposed to failing itself.</summary>
    private static bool RefusedData(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is Npgsql.PostgresException { SqlState: [ '2', '2' or '3', ..] }
                || e is Microsoft.Data.Sqlite.SqliteException { SqliteErrorCode: 18 or 19 or 20 })
            {
                return true;
            }
        }

        return false;
    }

    private sealed class Pending(AuditRecord record)
    {
        public AuditRecord Record => record;

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
