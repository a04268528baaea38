using Custos.Features.Keys;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Custos.Features.Customers;

/// <summary>
/// Writes the key shares of customers about to be saved to the key-share store first (ADR 0018): a customer is never
/// in the database without its share. A save that then fails leaves a share without a customer, which the key
/// service's sweep removes.
/// </summary>
internal sealed class CustomerShares(KeyShareStore shares, TimeProvider time) : SaveChangesInterceptor
{
    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Write(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        Write(eventData.Context);
        return ValueTask.FromResult(result);
    }

    private void Write(DbContext? context)
    {
        if (context is null)
        {
            return;
        }

        var added = context.ChangeTracker.Entries<Customer>().Where(e => e.State == EntityState.Added && e.Entity.NewShare is not null).Select(e => e.Entity).ToList();
        WriteNew(shares, added, time.GetUtcNow());
    }

    /// <summary>The shares of <paramref name="customers"/> just built, written in batches; the customers keep them until saved.</summary>
    public static void WriteNew(KeyShareStore shares, IReadOnlyCollection<Customer> customers, DateTimeOffset now)
    {
        var pending = customers.Where(c => c.NewShare is not null).Select(c => (c.Id, c.NewShare!)).ToList();
        shares.PutMany(pending, now);
    }
}
