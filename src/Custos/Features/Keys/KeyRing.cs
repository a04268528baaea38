using Custos.Data;
using Custos.Kernel.Crypto;
using Microsoft.EntityFrameworkCore;
using Custos.Features;

namespace Custos.Features.Keys;

/// <summary>
/// The keys of this installation, loaded once at start-up after they were verified against the database:
/// the key-encryption keys, the blind-index and audit keys, and the key of the installation's own secrets
/// (held only inside a <see cref="SecretBox"/>). Data keys are never held here: the kernel unwraps them into
/// ciphers (<see cref="RecordCipher"/>) and wipes them, so no type outside it handles a key as bytes.
/// </summary>
[Contract]
public sealed class KeyRing : IDisposable
{
    private LocalKeyFile? file;
    private IRotatingKeyEncryptionKeys? kek;
    private SecretBox? secrets;

    /// <summary>The key-encryption keys: the key file's, or the HSM's when one is configured.</summary>
    public IRotatingKeyEncryptionKeys Keys => kek ?? throw new InvalidOperationException("The key ring is not loaded; start-up did not verify the keys.");

    /// <summary>The blind-index key always lives in the key file.</summary>
    public BlindIndex BlindIndex => file?.BlindIndex ?? throw new InvalidOperationException("The key ring is not loaded.");

    public Kernel.Audit.AuditHash AuditHash => file?.AuditHash ?? throw new InvalidOperationException("The key ring is not loaded.");

    public LocalKeyFile File => file ?? throw new InvalidOperationException("The key ring is not loaded.");

    public bool IsLoaded => kek is not null;

    /// <summary>Encrypts the installation's own secrets (authenticator keys, data-protection keys) under the key-encryption key.</summary>
    public SecretBox Secrets => secrets ?? throw new InvalidOperationException("The key ring is not loaded.");

    public void Dispose()
    {
        secrets?.Dispose();
        (kek as IDisposable)?.Dispose();
    }

    /// <summary>
    /// Opens (or, for a database that never had keys, creates) the key file and checks it against the
    /// database. A missing or different key file for a database that has protected data is refused.
    /// </summary>
    public async Task LoadAsync(CustosDbContext db, string path, string? passphrase, TimeProvider time, CancellationToken ct, Pkcs11Options? hsm = null)
    {
        ArgumentNullException.ThrowIfNull(db);
        var check = await db.KeyChecks.SingleOrDefaultAsync(ct);
        LocalKeyFile keyFile;
        if (!System.IO.File.Exists(path))
        {
            if (check is not null)
            {
                throw new KeyFileException(
                    $"The key file {path} does not exist, but this database was protected with one. Restore the key file from its separate backup; " +
                    "without it the protected data cannot be read.");
            }

            keyFile = LocalKeyFile.Create(path, string.IsNullOrEmpty(passphrase) ? null : passphrase, time.GetUtcNow());
        }
        else
        {
            keyFile = LocalKeyFile.Open(path, passphrase);
        }

        IRotatingKeyEncryptionKeys keys = hsm is null ? keyFile : Pkcs11KeyEncryptionKeys.Open(hsm);
        if (check is null)
        {
            var (probe, wrapped) = DataKeys.CreateCipher(keys, "key-check", Guid.Empty, 1);
            probe.Dispose();
            check = new KeyCheck
            {
                Id = 1,
                KekVersion = wrapped.KekVersion,
                Wrapped = wrapped.Blob,
                IndexProbe = keyFile.BlindIndex.Compute(IndexedKind.Phone, Probe),
                CreatedAt = time.GetUtcNow(),
            };
            db.KeyChecks.Add(check);
            await db.SaveChangesAsync(ct);
        }
        else
        {
            Verify(keys, keyFile, check, path);
        }

        RecordCipher cipher;
        if (check.SecretsWrapped is null)
        {
            // Installations from before secrets were sealed get their key on the first start.
            var (created, wrapped) = DataKeys.CreateCipher(keys, SecretBox.Owner, Guid.Empty, 1);
            check.SecretsKekVersion = wrapped.KekVersion;
            check.SecretsWrapped = wrapped.Blob;
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch
            {
                created.Dispose();
                throw;
            }

            cipher = created;
        }
        else
        {
            cipher = DataKeys.OpenCipher(keys, SecretBox.Owner, Guid.Empty, 1, new WrappedDataKey(check.SecretsKekVersion!.Value, check.SecretsWrapped));
        }

        secrets?.Dispose();
        secrets = new SecretBox(cipher);
        file = keyFile;
        kek = keys;
    }

    private const string Probe = "00000000000";

    /// <summary>
    /// The key-encryption keys alone, for work before there is a database to check them against (a restore): the key
    /// file's, or the HSM's when one is configured. A missing key file is refused: a restore needs the keys it was sealed under.
    /// </summary>
    public static IRotatingKeyEncryptionKeys OpenWithoutDatabase(string path, string? passphrase, Pkcs11Options? hsm)
    {
        if (!System.IO.File.Exists(path))
        {
            throw new KeyFileException($"The key file {path} does not exist. A backup opens only with the keys of the installation it came from; restore the key file first.");
        }

        var keyFile = LocalKeyFile.Open(path, passphrase);
        return hsm is null ? keyFile : Pkcs11KeyEncryptionKeys.Open(hsm);
    }

    private static void Verify(IKeyEncryptionKeys keys, LocalKeyFile file, KeyCheck check, string path)
    {
        try
        {
            // The check unwraps only with the right keys; the cipher it gives is not needed.
            DataKeys.OpenCipher(keys, "key-check", Guid.Empty, 1, new WrappedDataKey(check.KekVersion, check.Wrapped)).Dispose();
        }
        catch (System.Security.Cryptography.CryptographicException e)
        {
            var where = keys is IRotatingKeyEncryptionKeys r ? r.Description : path;
            throw new KeyFileException($"The keys ({where}) do not belong to this database (its key check fails).", e);
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
        if (check.SecretsWrapped is not null)
        {
            var secrets = DataKeys.Rewrap(keys, SecretBox.Owner, Guid.Empty, 1, new WrappedDataKey(check.SecretsKekVersion!.Value, check.SecretsWrapped));
            check.SecretsKekVersion = secrets.KekVersion;
            check.SecretsWrapped = secrets.Blob;
        }

        await db.SaveChangesAsync(ct);
    }
}
