namespace Custos.Kernel.Crypto;

/// <summary>
/// One half of a split data key (ADR 0018): 32 random bytes kept in the key-share store, never in the database. Alone
/// it says nothing about the key (the other half is the key XOR this share, wrapped by the key-encryption key).
/// </summary>
public sealed class KeyShare
{
    public const int Size = FieldCipher.KeySize;

    public KeyShare(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        if (bytes.Length != Size)
        {
            throw new System.Security.Cryptography.CryptographicException("A data key share has the wrong length.");
        }

        Bytes = bytes;
    }

    public ReadOnlyMemory<byte> Bytes { get; }
}
