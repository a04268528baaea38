using System.Security.Cryptography;
using System.Text;
using Custos.Kernel.Crypto;

namespace Custos.Kernel.Audit;

/// <summary>
/// The audit log's checkpoint-signing keys (ECDSA P-256), kept wrapped under the key-encryption key like data keys.
/// The private scalar is exported, wrapped and wiped here; outside the kernel a signing key exists only as an
/// <see cref="ECDsa"/> object.
/// </summary>
public static class SigningKeys
{
    public sealed record Created(ECDsa Key, string Id, byte[] PublicKey, WrappedDataKey Wrapped);

    /// <summary>A fresh signing key, its id (from its public key), the public key and the wrapped private key to store.</summary>
    public static Created Create(IKeyEncryptionKeys keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var parameters = key.ExportParameters(includePrivateParameters: true);
        try
        {
            var publicKey = key.ExportSubjectPublicKeyInfo();
            var id = Checkpoint.KeyId(publicKey);
            return new Created(key, id, publicKey, keys.Wrap(parameters.D, Context(id)));
        }
        catch
        {
            key.Dispose();
            throw;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(parameters.D);
        }
    }

    /// <summary>The signing key <paramref name="id"/> from its public key and wrapped private key.</summary>
    public static ECDsa Open(IKeyEncryptionKeys keys, string id, byte[] publicKey, WrappedDataKey wrapped)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(id);
        var d = keys.Unwrap(wrapped, Context(id));
        try
        {
            using var publicOnly = ECDsa.Create();
            publicOnly.ImportSubjectPublicKeyInfo(publicKey, out _);
            var parameters = publicOnly.ExportParameters(includePrivateParameters: false);
            parameters.D = d;
            return ECDsa.Create(parameters);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(d);
        }
    }

    /// <summary>Re-wraps a signing key under the active key-encryption key (rotation); the key itself stays.</summary>
    public static WrappedDataKey Rewrap(IKeyEncryptionKeys keys, string id, WrappedDataKey wrapped)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(id);
        var d = keys.Unwrap(wrapped, Context(id));
        try
        {
            return keys.Wrap(d, Context(id));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(d);
        }
    }

    /// <summary>The wrapping context: a signing key only unwraps under its own id.</summary>
    public static byte[] Context(string id) => Encoding.UTF8.GetBytes("custos/audit-signing/v1|" + id);
}
