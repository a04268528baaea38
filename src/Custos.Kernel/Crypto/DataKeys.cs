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
    [KeyMaterial]
    internal static (byte[] Key, WrappedDataKey Wrapped) Create(IKeyEncryptionKeys keys, string ownerType, Guid ownerId, int dataKeyVersion)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var key = RandomBytes.Get(FieldCipher.KeySize);
        return (key, keys.Wrap(key, Context(ownerType, ownerId, dataKeyVersion)));
    }

    [KeyMaterial]
    internal static byte[] Open(IKeyEncryptionKeys keys, string ownerType, Guid ownerId, int dataKeyVersion, WrappedDataKey wrapped)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return keys.Unwrap(wrapped, Context(ownerType, ownerId, dataKeyVersion));
    }

    /// <summary>A cipher bound to the data key of <paramref name="ownerId"/>: the key is unwrapped into it and wiped here, and never handed out.</summary>
    public static RecordCipher OpenCipher(IKeyEncryptionKeys keys, string ownerType, Guid ownerId, int dataKeyVersion, WrappedDataKey wrapped)
    {
        var key = Open(keys, ownerType, ownerId, dataKeyVersion, wrapped);
        try
        {
            return new RecordCipher(key);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>A fresh data key for <paramref name="ownerId"/> as a cipher, and its wrapped form to store; the key itself is wiped here.</summary>
    public static (RecordCipher Cipher, WrappedDataKey Wrapped) CreateCipher(IKeyEncryptionKeys keys, string ownerType, Guid ownerId, int dataKeyVersion)
    {
        var (key, wrapped) = Create(keys, ownerType, ownerId, dataKeyVersion);
        try
        {
            return (new RecordCipher(key), wrapped);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
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

    /// <summary>
    /// A fresh data key split in two (ADR 0018): the stored blob wraps the key XOR a random share, and the share is kept
    /// in the key-share store, apart from the database and its backups. Neither half alone gives the key; deleting the
    /// share destroys the key in every backup of the database at once.
    /// </summary>
    public static (RecordCipher Cipher, WrappedDataKey Wrapped, KeyShare Share) CreateSplitCipher(IKeyEncryptionKeys keys, string ownerType, Guid ownerId, int dataKeyVersion)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var key = RandomBytes.Get(FieldCipher.KeySize);
        var share = RandomBytes.Get(FieldCipher.KeySize);
        var masked = Xor(key, share);
        try
        {
            var wrapped = keys.Wrap(masked, Context(ownerType, ownerId, dataKeyVersion));
            return (new RecordCipher(key), wrapped, new KeyShare(share));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
            CryptographicOperations.ZeroMemory(masked);
        }
    }

    /// <summary>A cipher for a split data key: the unwrapped half XOR the share. A wrong or missing share gives no key (the caller must not guess).</summary>
    public static RecordCipher OpenCipher(IKeyEncryptionKeys keys, string ownerType, Guid ownerId, int dataKeyVersion, WrappedDataKey wrapped, KeyShare share)
    {
        ArgumentNullException.ThrowIfNull(share);
        var masked = Open(keys, ownerType, ownerId, dataKeyVersion, wrapped);
        var key = Xor(masked, share.Bytes.Span);
        try
        {
            return new RecordCipher(key);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
            CryptographicOperations.ZeroMemory(masked);
        }
    }

    /// <summary>Splits a data key stored whole (from before ADR 0018): the new blob to store and the share to keep apart. The key and its ciphertexts stay as they are.</summary>
    /// <param name="existing">A share already kept for the owner (an earlier split that did not finish): the key is masked with it, so the two halves agree.</param>
    public static (WrappedDataKey Wrapped, KeyShare Share) Split(IKeyEncryptionKeys keys, string ownerType, Guid ownerId, int dataKeyVersion, WrappedDataKey wrapped, KeyShare? existing = null)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var context = Context(ownerType, ownerId, dataKeyVersion);
        var key = keys.Unwrap(wrapped, context);
        var share = existing?.Bytes.ToArray() ?? RandomBytes.Get(FieldCipher.KeySize);
        var masked = Xor(key, share);
        try
        {
            return (keys.Wrap(masked, context), new KeyShare(share));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
            CryptographicOperations.ZeroMemory(masked);
        }
    }

    private static byte[] Xor(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        if (a.Length != FieldCipher.KeySize || b.Length != FieldCipher.KeySize)
        {
            throw new CryptographicException("A data key share has the wrong length.");
        }

        var result = new byte[a.Length];
        for (var i = 0; i < a.Length; i++)
        {
            result[i] = (byte)(a[i] ^ b[i]);
        }

        return result;
    }

    /// <summary>The wrapping context: a data key only unwraps for the owner and version it was made for.</summary>
    public static byte[] Context(string ownerType, Guid ownerId, int dataKeyVersion) =>
        Encoding.UTF8.GetBytes($"custos/dek/v1|{ownerType}|{ownerId:N}|{dataKeyVersion}");
}
