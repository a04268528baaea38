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
public sealed class KeyService(CustosDbContext db, KeyRing ring, IAuditTrail audit, CustosSettings settings, TimeProvider time)
{
    private const int Batch = 500;

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

    private async Task RewrapAllAsync(int active, IProgress<(int Done, int Total)>? progress, CancellationToken ct)
    {
        await KeyRing.RewrapCheckAsync(db, ring.Keys, ct);
        await Audit.AuditSigner.RewrapAsync(db, ring.Keys, active, ct);
        var total = await db.Customers.CountAsync(c => c.KekVersion != active, ct);
        var done = 0;
        while (true)
        {
            var batch = await db.Customers.Where(c => c.KekVersion != active).OrderBy(c => c.Id).Take(Batch).ToListAsync(ct);
            if (batch.Count == 0)
            {
                break;
            }

            foreach (var customer in batch)
            {
                var rewrapped = DataKeys.Rewrap(ring.Keys, "customer", customer.Id, customer.DataKeyVersion, customer.Wrapped);
                customer.KekVersion = rewrapped.KekVersion;
                customer.WrappedKey = rewrapped.Blob;
            }

            await db.SaveChangesAsync(ct);
            db.ChangeTracker.Clear();
            done += batch.Count;
            progress?.Report((done, Math.Max(total, done)));
        }
    }
}
