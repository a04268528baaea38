using Custos.Data;
using Custos.Features.Audit;
using Custos.Features.Customers;
using Custos.Hosting;
using Custos.Kernel.Crypto;
using Custos.Security;
using Microsoft.EntityFrameworkCore;

namespace Custos.Features.Keys;

public sealed record KeyVersionStatus(int Version, KekState State, DateTimeOffset CreatedAt, int DataKeys);

public sealed record KeyStatus(string KeyFile, bool Sealed, string Provider, int ActiveVersion, IReadOnlyList<KeyVersionStatus> Versions);

/// <summary>
/// Key operations (SEC-1): status, rotation that re-wraps every data key online in small batches, and
/// retirement that destroys a version once no data key needs it (crypto-shredding anything left behind).
/// </summary>
/// <remarks>A contract for backups, which split keys still stored whole before they are taken (ADR 0018).</remarks>
[Contract]
public sealed class KeyService(CustosDbContext db, KeyRing ring, KeyShareStore shares, IAuditTrail audit, CustosSettings settings, TimeProvider time, IServiceProvider services)
{
    private const int Batch = 500;

    /// <summary>The destruction register, asked only by the sweep (resolved when needed: destruction itself depends on the keys).</summary>
    private Destruction.DestructionService Destructions() => services.GetRequiredService<Destruction.DestructionService>();

    public async Task<KeyStatus> StatusAsync(CancellationToken ct)
    {
        ring.Keys.RefreshIfChanged();
        var counts = await db.Customers.GroupBy(c => c.KekVersion).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        return new KeyStatus(
            settings.FullKeyFile,
            ring.File.IsSealed,
            ring.Keys.Description,
            ring.Keys.ActiveVersion,
            [.. ring.Keys.Versions.Select(v => new KeyVersionStatus(v.Version, v.State, v.CreatedAt, counts.FirstOrDefault(c => c.Key == v.Version)?.Count ?? 0))]);
    }

    /// <summary>Adds a key version and re-wraps every data key under it; readers keep working throughout.</summary>
    public async Task<int> RotateAsync(IProgress<(int Done, int Total)>? progress, CancellationToken ct)
    {
        var version = ring.Keys.Rotate(time.GetUtcNow());
        audit.Record(AuditActions.KeysRotate, "key", version.ToString(System.Globalization.CultureInfo.InvariantCulture), detail: new { active = version });
        await db.SaveChangesAsync(ct);
        await RewrapAllAsync(version, progress, ct);
        return version;
    }

    /// <summary>Destroys a retired version after re-wrapping whatever still uses it.</summary>
    public async Task RetireAsync(int version, IProgress<(int Done, int Total)>? progress, CancellationToken ct)
    {
        var info = ring.Keys.Versions.SingleOrDefault(v => v.Version == version) ?? throw CustosException.NotFound("KeyVersionNotFound", version);
        if (info.State == KekState.Active)
        {
            throw CustosException.Invalid("KeyVersionActive", version);
        }

        await RewrapAllAsync(ring.Keys.ActiveVersion, progress, ct);
        if (await db.Customers.AnyAsync(c => c.KekVersion == version, ct) || await db.AuditSigningKeys.AnyAsync(k => k.KekVersion == version, ct))
        {
            throw CustosException.Conflict("KeyVersionInUse", version);
        }

        ring.Keys.Destroy(version);
        audit.Record(AuditActions.KeysRetire, "key", version.ToString(System.Globalization.CultureInfo.InvariantCulture), detail: new { destroyed = version });
        await db.SaveChangesAsync(ct);
    }

    /// <summary>
    /// Splits the data keys of customers stored whole (from before ADR 0018) in batches: the share is written to the
    /// key-share store first, then the blob is replaced only if nobody changed it meanwhile (a rotation), so a key is
    /// never stored split without its share or whole under a split flag. Returns how many were split.
    /// </summary>
    public async Task<int> SplitWholeKeysAsync(CancellationToken ct)
    {
        var done = 0;
        while (true)
        {
            var batch = await db.Customers.AsNoTracking().Where(c => !c.KeySplit).OrderBy(c => c.Id).Take(Batch).ToListAsync(ct);
            if (batch.Count == 0)
            {
                break;
            }

            // A share left by an earlier split that did not finish (another node, a rotation in between, a crash) is used
            // again, and what is stored is read back: the blob is replaced only when it was masked with the share the store keeps.
            var kept = shares.GetMany(batch.Select(c => c.Id));
            var split = batch.Select(c => (Customer: c, Split: DataKeys.Split(ring.Keys, "customer", c.Id, c.DataKeyVersion, c.Wrapped, kept.GetValueOrDefault(c.Id)))).ToList();
            shares.PutMany([.. split.Where(s => !kept.ContainsKey(s.Customer.Id)).Select(s => (s.Customer.Id, s.Split.Share))], time.GetUtcNow());
            var stored = shares.GetMany(batch.Select(c => c.Id));
            var progress = 0;
            await using (var transaction = await db.Database.BeginTransactionAsync(ct))
            {
                foreach (var (customer, (wrapped, share)) in split)
                {
                    if (stored.TryGetValue(customer.Id, out var inStore) && inStore.Bytes.Span.SequenceEqual(share.Bytes.Span))
                    {
                        progress += await ReplaceWrappedAsync(customer, wrapped, split: true, ct);
                    }
                }

                await transaction.CommitAsync(ct);
            }

            done += progress;
            if (progress == 0)
            {
                // Nothing of this batch could be split now (changed meanwhile): the next round tries again.
                break;
            }
        }

        if (done > 0)
        {
            audit.Record(AuditActions.KeysSplit, "key", null, detail: new { customers = done });
            await db.SaveChangesAsync(ct);
        }

        return done;
    }

    /// <summary>
    /// Removes the shares of customers this database destroyed (a destruction whose share deletion failed or was left to
    /// after a commit). Only those: a share this database knows nothing about may belong to another copy of it (a
    /// restore drill beside production), so it is never taken for an orphan.
    /// </summary>
    public Task<int> SweepSharesAsync(CancellationToken ct) =>
        shares.SweepAsync(time.GetUtcNow(), async (ids, token) =>
        {
            var destroyed = await Destructions().DestroyedAmongAsync(ids, token);
            var living = await db.Customers.AsNoTracking().Where(c => destroyed.Contains(c.Id)).Select(c => c.Id).ToListAsync(token);
            return ids.Where(i => !destroyed.Contains(i) || living.Contains(i)).ToHashSet();
        }, ct);

    private Task<int> ReplaceWrappedAsync(Customer customer, WrappedDataKey wrapped, bool split, CancellationToken ct)
    {
        var old = customer.WrappedKey;
        return db.Customers.Where(c => c.Id == customer.Id && c.WrappedKey == old)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.KekVersion, wrapped.KekVersion).SetProperty(c => c.WrappedKey, wrapped.Blob).SetProperty(c => c.KeySplit, split), ct);
    }

    private async Task RewrapAllAsync(int active, IProgress<(int Done, int Total)>? progress, CancellationToken ct)
    {
        await KeyRing.RewrapCheckAsync(db, ring.Keys, ct);
        await Audit.AuditSigner.RewrapAsync(db, ring.Keys, active, ct);
        var total = await db.Customers.CountAsync(c => c.KekVersion != active, ct);
        var done = 0;
        while (true)
        {
            var batch = await db.Customers.AsNoTracking().Where(c => c.KekVersion != active).OrderBy(c => c.Id).Take(Batch).ToListAsync(ct);
            if (batch.Count == 0)
            {
                break;
            }

            db.ChangeTracker.Clear();
            await using (var transaction = await db.Database.BeginTransactionAsync(ct))
            {
                foreach (var customer in batch)
                {
                    var rewrapped = DataKeys.Rewrap(ring.Keys, "customer", customer.Id, customer.DataKeyVersion, customer.Wrapped);
                    await ReplaceWrappedAsync(customer, rewrapped, customer.KeySplit, ct);
                }

                await transaction.CommitAsync(ct);
            }

            done += batch.Count;
            progress?.Report((done, Math.Max(total, done)));
        }
    }
}
