using System.Security.Cryptography;
using System.Text;
using Custos.Kernel.Crypto;
using Custos.Kernel.Recognisers;

namespace Custos.Kernel.Audit;

/// <summary>
/// How a protected value appears in the audit log when it must stay matchable (a search term, a traced value):
/// as <c>hmac:</c> and 32 hex digits of HMAC-SHA256 over the normalised value, as Vault's audit devices do.
/// The key is derived (HKDF-SHA256) from the blind-index key with its own label, so a hash in the log — or in a
/// copy forwarded to a collector — cannot be joined with the blind indexes in the database, and nobody without
/// the key file can test guesses against it. An auditor who holds a value asks Custos for its hash and searches.
/// </summary>
public sealed class AuditHash
{
    public const string Prefix = "hmac:";
    private static readonly byte[] Label = Encoding.ASCII.GetBytes("custos/audit-hash/v1");
    private readonly byte[] key;

    [Crypto.KeyMaterial]
    public AuditHash(ReadOnlySpan<byte> blindIndexKey)
    {
        if (blindIndexKey.Length < 32)
        {
            throw new CryptographicException("The audit-hash key is derived from a key of at least 256 bits.");
        }

        key = HKDF.DeriveKey(HashAlgorithmName.SHA256, blindIndexKey.ToArray(), 32, salt: [], info: Label);
    }

    public string Of(IndexedKind kind, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var input = Encoding.UTF8.GetBytes(kind.ToString() + "\u0000" + Normalise.For(kind, value));
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(key, input, mac);
        return Prefix + Convert.ToHexStringLower(mac[..16]);
    }
}
