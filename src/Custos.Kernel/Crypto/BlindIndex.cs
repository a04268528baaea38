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

    [KeyMaterial]
    public BlindIndex(byte[] key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length < 32)
        {
            throw new CryptographicException("A blind-index key is at least 256 bits.");
        }

        this.key = [.. key];
    }

    /// <summary>This thread's keyed HMAC, kept between calls so the key is not processed again for every value.</summary>
    [ThreadStatic]
    private static (BlindIndex Owner, IncrementalHash Hmac)? cached;

    public byte[] Compute(IndexedKind kind, string value)
    {
        var normalised = Normalise.For(kind, value);
        var input = Encoding.UTF8.GetBytes(kind.ToString() + "\u0000" + normalised);
        if (cached is not { } hmac || !ReferenceEquals(hmac.Owner, this))
        {
            cached?.Hmac.Dispose();
            hmac = (this, IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key));
            cached = hmac;
        }

        Span<byte> full = stackalloc byte[32];
        hmac.Hmac.AppendData(input);
        hmac.Hmac.GetHashAndReset(full);
        return full[..Size].ToArray();
    }
}
