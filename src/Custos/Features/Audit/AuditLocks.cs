using Custos.Data;
using Microsoft.EntityFrameworkCore;

namespace Custos.Features.Audit;

/// <summary>
/// One worker at a time for each job over the audit log (sequencing, each forwarding destination, the alert
/// rules): a lock within the process and, on PostgreSQL, a transaction-scoped advisory lock across processes.
/// The advisory lock dies with the transaction or the connection, so there is no lease to expire or steal.
/// </summary>
internal static class AuditLocks
{
    /// <summary>The base advisory-lock key: "custos-a" as a number; each job adds its own offset.</summary>
    public const long Base = 0x637573746f732d61;

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, SemaphoreSlim> Local = new();

    public static long Key(string job) => Base + job switch
    {
        "sequencer" => 0,
        "jsonl" => 1,
        "syslog" => 2,
        AuditAlertRules.Cursor => 3,
        AuditForwarder.CheckpointCursor => 4,
        _ => throw new ArgumentOutOfRangeException(nameof(job), job, "Not a job over the audit log."),
    };

    /// <summary>Takes the job's advisory lock for the current transaction; true on SQLite, whose write lock serialises anyway.</summary>
    public static async Task<bool> TryTakeAsync(CustosDbContext db, string job, CancellationToken ct) =>
        !db.Database.IsNpgsql() ||
        await db.Database.SqlQuery<bool>($"SELECT pg_try_advisory_xact_lock({Key(job)}) AS \"Value\"").SingleAsync(ct);

    /// <summary>
    /// Runs <paramref name="work"/> as the job's only worker; -1 when another process holds it. The transaction
    /// is opened on PostgreSQL always (for the lock), on SQLite only when <paramref name="transactionOnSqlite"/>:
    /// a delivery over the network must not hold SQLite's write lock while it waits.
    /// </summary>
    public static async Task<int> ExclusiveAsync(CustosDbContext db, string job, Func<Task<int>> work, CancellationToken ct, bool transactionOnSqlite = false)
    {
        var gate = Local.GetOrAdd(job, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(ct);
        try
        {
            await using var transaction = db.Database.IsNpgsql() || transactionOnSqlite ? await db.Database.BeginTransactionAsync(ct) : null;
            if (!await TryTakeAsync(db, job, ct))
            {
                return -1;
            }

            var count = await work();
            if (transaction is not null)
            {
                await transaction.CommitAsync(ct);
            }

            return count;
        }
        finally
        {
            gate.Release();
        }
    }
}
