using System.Security.Cryptography;
using System.Text;
using Custos.Kernel.Recognisers;

namespace Custos.Kernel.Crypto;

/// <summary>The kinds of value that have a blind index for exact search.</summary>
public enum IndexedKind
{
    Phone,
    IdNumber,
    CardNumber,
    Email,
    Name,
}

/// <summary>
/// Blind indexes: HMAC-SHA256 under a key of their own over the normalised value, prefixed by its kind, so
/// an exact search needs no decryption and the stored index reveals nothing without the key (as in
/// CipherSweet). The first 16 bytes are kept: enough to make collisions negligible.
/// </summary>
public sealed class BlindIndex
{
    public const int Size = 16;
    private readonly byte[] key;

    public BlindIndex(byte[] key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length < 32)
        {
            throw new CryptographicException("A blind-index key is at least 256 bits.");
        }

        this.key = [.. key];
    }

    public byte[] Compute(IndexedKind kind, string value)
    {
        var normalised = Normalise.For(kind, value);
        var input = Encoding.UTF8.GetBytes(kind.ToString() + "\u0000" + normalised);
        return HMACSHA256.HashData(key, input)[..Size];
    }
}
