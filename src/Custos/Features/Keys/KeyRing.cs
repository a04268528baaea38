using Custos.Data;
using Custos.Kernel.Crypto;
using Microsoft.EntityFrameworkCore;

namespace Custos.Features.Keys;

/// <summary>
/// The keys of this installation, loaded once at start-up after they were verified against the database.
/// Nothing else in the application holds key material.
/// </summary>
public sealed class KeyRing
{
    private LocalKeyFile? keys;

    public IKeyEncryptionKeys Keys => keys ?? throw new InvalidOperationException("The key ring is not loaded; start-up did not verify the keys.");

    public BlindIndex BlindIndex => keys?.BlindIndex ?? throw new InvalidOperationException("The key ring is not loaded.");

    public LocalKeyFile File => keys ?? throw new InvalidOperationException("The key ring is not loaded.");

    public bool IsLoaded => keys is not null;

    /// <summary>
    /// Opens (or, for a database that never had keys, creates) the key file and checks it against the
    /// database. A missing or different key file for a database that has protected data is refused.
    /// </summary>
    public async Task LoadAsync(CustosDbContext db, string path, string? passphrase, TimeProvider time, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var check = await db.KeyChecks.SingleOrDefaultAsync(ct);
        LocalKeyFile file;
        if (!System.IO.File.Exists(path))
        {
            if (check is not null)
            {
                throw new KeyFileException(
                    $"The key file {path} does not exist, but this database was protected with one. Restore the key file from its separate backup; " +
                    "without it the protected data cannot be read.");
            }

            file = LocalKeyFile.Create(path, string.IsNullOrEmpty(passphrase) ? null : passphrase, time.GetUtcNow());
        }
        else
        {
            file = LocalKeyFile.Open(path, passphrase);
        }

        if (check is null)
        {
            var (probeKey, wrapped) = DataKeys.Create(file, "key-check", Guid.Empty, 1);
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(probeKey);
            db.KeyChecks.Add(new KeyCheck
            {
                Id = 1,
                KekVersion = wrapped.KekVersion,
                Wrapped = wrapped.Blob,
                IndexProbe = file.BlindIndex.Compute(IndexedKind.Phone, Probe),
                CreatedAt = time.GetUtcNow(),
            });
            await db.SaveChangesAsync(ct);
        }
        else
        {
            Verify(file, check, path);
        }

        keys = file;
    }

    private const string Probe = "00000000000";

    private static void Verify(LocalKeyFile file, KeyCheck check, string path)
    {
        try
        {
            var key = DataKeys.Open(file, "key-check", Guid.Empty, 1, new WrappedDataKey(check.KekVersion, check.Wrapped));
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(key);
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            throw new KeyFileException($"The key file {path} does not belong to this database (its key check fails).", e);
        }

        if (!file.BlindIndex.Compute(IndexedKind.Phone, Probe).AsSpan().SequenceEqual(check.IndexProbe))
        {
            throw new KeyFileException($"The key file {path} has a different blind-index key than this database.");
        }
    }

    /// <summary>After rotation the check is re-wrapped under the active version, so retiring old versions never strands it.</summary>
    public static async Task RewrapCheckAsync(CustosDbContext db, IKeyEncryptionKeys keys, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var check = await db.KeyChecks.SingleAsync(ct);
        var rewrapped = DataKeys.Rewrap(keys, "key-check", Guid.Empty, 1, new WrappedDataKey(check.KekVersion, check.Wrapped));
        check.KekVersion = rewrapped.KekVersion;
        check.Wrapped = rewrapped.Blob;
        await db.SaveChangesAsync(ct);
    }
}
