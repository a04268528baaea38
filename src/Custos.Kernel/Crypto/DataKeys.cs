using System.Security.Cryptography;
using System.Text;

namespace Custos.Kernel.Crypto;

/// <summary>
/// Envelope encryption (SEC-1): each customer has its own random 256-bit data key; only the data key
/// wrapped by the key-encryption key is stored. Destroying a KEK version makes everything it wrapped
/// unreadable, in the database and in every backup.
/// </summary>
public static class DataKeys
{
    /// <summary>A fresh data key for <paramref name="ownerId"/>, and its wrapped form to store.</summary>
    public static (byte[] Key, WrappedDataKey Wrapped) Create(IKeyEncryptionKeys keys, string ownerType, Guid ownerId, int dataKeyVersion)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var key = RandomBytes.Get(FieldCipher.KeySize);
        return (key, keys.Wrap(key, Context(ownerType, ownerId, dataKeyVersion)));
    }

    public static byte[] Open(IKeyEncryptionKeys keys, string ownerType, Guid ownerId, int dataKeyVersion, WrappedDataKey wrapped)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return keys.Unwrap(wrapped, Context(ownerType, ownerId, dataKeyVersion));
    }

    /// <summary>Re-wraps under the active KEK version (rotation); the data key and field ciphertexts stay as they are.</summary>
    public static WrappedDataKey Rewrap(IKeyEncryptionKeys keys, string ownerType, Guid ownerId, int dataKeyVersion, WrappedDataKey wrapped)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var context = Context(ownerType, ownerId, dataKeyVersion);
        var key = keys.Unwrap(wrapped, context);
        try
        {
            return keys.Wrap(key, context);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>The wrapping context: a data key only unwraps for the owner and version it was made for.</summary>
    public static byte[] Context(string ownerType, Guid ownerId, int dataKeyVersion) =>
        Encoding.UTF8.GetBytes($"custos/dek/v1|{ownerType}|{ownerId:N}|{dataKeyVersion}");
}
