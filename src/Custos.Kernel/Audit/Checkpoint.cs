using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Custos.Kernel.Audit;

/// <summary>
/// A signed statement of the log's size and root (AUD-1). The signed body follows the C2SP tlog-checkpoint
/// layout, one item per line, each ending in a newline: origin, tree size in decimal, root hash in standard
/// base64, then the extension line <c>time</c> with the UTC signing time. The signature is ECDSA P-256 with
/// SHA-256 over the UTF-8 body, DER-encoded, so <c>openssl dgst -sha256 -verify</c> checks it.
/// </summary>
public sealed record Checkpoint(string Origin, long Size, byte[] Root, DateTimeOffset At)
{
    public string Body()
    {
        if (string.IsNullOrWhiteSpace(Origin) || Origin.Contains('\n', StringComparison.Ordinal))
        {
            throw new ArgumentException("A checkpoint origin is one non-empty line.");
        }

        return string.Create(CultureInfo.InvariantCulture,
            $"{Origin}\n{Size}\n{Convert.ToBase64String(Root)}\ntime {At.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}\n");
    }

    public byte[] Sign(ECDsa key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.SignData(Encoding.UTF8.GetBytes(Body()), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
    }

    /// <summary>Whether <paramref name="signature"/> is this checkpoint's, by the key whose SubjectPublicKeyInfo is given.</summary>
    public bool Verify(ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> signature)
    {
        using var key = ECDsa.Create();
        try
        {
            key.ImportSubjectPublicKeyInfo(publicKey, out _);
        }
        catch (CryptographicException)
        {
            return false;
        }

        return key.KeySize == 256 &&
            key.VerifyData(Encoding.UTF8.GetBytes(Body()), signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
    }

    /// <summary>A short, stable name for a signing key: the first 8 bytes of SHA-256 of its SubjectPublicKeyInfo, in hex.</summary>
    public static string KeyId(ReadOnlySpan<byte> publicKey) => Convert.ToHexStringLower(SHA256.HashData(publicKey)[..8]);
}
