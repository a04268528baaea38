using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Custos.Features.Keys;

/// <summary>
/// Deletes destroyed customers' key shares only once the destruction is committed (ADR 0018): at once when no transaction
/// is open, else when the caller's transaction commits — a destruction inside a larger unit of work that then rolls back
/// (an individual's deletion request whose answer fails) keeps its share and the customer stays readable.
/// </summary>
[Contract]
public sealed partial class ShareDeletions(KeyShareStore shares, ILogger<ShareDeletions> log) : DbTransactionInterceptor
{
    private readonly ConditionalWeakTable<DbContext, List<Guid>> pending = [];

    /// <summary>The customers' shares go after <paramref name="db"/>'s changes are committed.</summary>
    public void AfterCommit(DbContext db, IReadOnlyCollection<Guid> customers)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (db.Database.CurrentTransaction is null)
        {
            Delete(customers);
            return;
        }

        lock (pending)
        {
            pending.GetOrCreateValue(db).AddRange(customers);
        }
    }

    public override void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Flush(eventData.Context, commit: true);

    public override Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Flush(eventData.Context, commit: true);
        return Task.CompletedTask;
    }

    public override void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Flush(eventData.Context, commit: false);

    public override Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Flush(eventData.Context, commit: false);
        return Task.CompletedTask;
    }

    private void Flush(DbContext? db, bool commit)
    {
        if (db is null)
        {
            return;
        }

        List<Guid>? ids;
        lock (pending)
        {
            if (!pending.TryGetValue(db, out ids))
            {
                return;
            }

            pending.Remove(db);
        }

        if (commit)
        {
            Delete(ids);
        }
    }

    private void Delete(IReadOnlyCollection<Guid> customers)
    {
        try
        {
            shares.Delete(customers);
        }
        catch (Exception e) when (e is DbException or IOException)
        {
            // The customer is gone from the database; the key service's sweep deletes the share.
            LogShareLeft(log, e.GetType().Name);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A destroyed customer's key share could not be deleted now ({Error}); the key service's sweep deletes it")]
    private static partial void LogShareLeft(ILogger logger, string error);
}
