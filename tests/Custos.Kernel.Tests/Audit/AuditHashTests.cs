using System.Security.Cryptography;
using Custos.Kernel.Audit;
using Custos.Kernel.Crypto;

namespace Custos.Kernel.Tests.Audit;

/// <summary>Matchable values in the audit log (AUD-1): a keyed hash of the normalised value, not the blind index.</summary>
public sealed class AuditHashTests
{
    private static readonly byte[] Key = [.. Enumerable.Range(1, 32).Select(i => (byte)i)];

    [Fact]
    public void The_same_value_written_differently_has_one_hash_and_different_values_differ()
    {
        var hash = new AuditHash(Key);
        var term = hash.Of(IndexedKind.Phone, "138 0013 8000");
        Assert.Matches("^hmac:[0-9a-f]{32}$", term);
        Assert.Equal(term, hash.Of(IndexedKind.Phone, "13800138000"));
        Assert.NotEqual(term, hash.Of(IndexedKind.Phone, "13800138001"));
        Assert.NotEqual(term, hash.Of(IndexedKind.Name, "13800138000")); // the kind is part of the input
    }

    [Fact]
    public void The_hash_is_keyed_and_is_not_the_blind_index_under_the_same_key()
    {
        var term = new AuditHash(Key).Of(IndexedKind.Phone, "13800138000");
        var other = new byte[32];
        Key.CopyTo(other, 0);
        other[0] ^= 1;
        Assert.NotEqual(term, new AuditHash(other).Of(IndexedKind.Phone, "13800138000"));

        // A hash forwarded to a collector cannot be joined with the index table: it is not the blind index.
        var index = Convert.ToHexStringLower(new BlindIndex(Key).Compute(IndexedKind.Phone, "13800138000"));
        Assert.NotEqual(index, term[AuditHash.Prefix.Length..]);

        // Derived by HKDF-SHA256 with its own label, as documented.
        var derived = HKDF.DeriveKey(HashAlgorithmName.SHA256, Key, 32, [], "custos/audit-hash/v1"u8.ToArray());
        var expected = HMACSHA256.HashData(derived, "Phone\u000013800138000"u8.ToArray())[..16];
        Assert.Equal(AuditHash.Prefix + Convert.ToHexStringLower(expected), term);
        Assert.Throws<CryptographicException>(() => new AuditHash(new byte[16]));
    }
}
