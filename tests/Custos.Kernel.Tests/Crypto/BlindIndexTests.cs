using System.Security.Cryptography;
using Custos.Kernel.Crypto;

namespace Custos.Kernel.Tests.Crypto;

public sealed class BlindIndexTests
{
    private static readonly BlindIndex Index = new([.. Enumerable.Range(0, 32).Select(i => (byte)i)]);

    [Theory]
    [InlineData(IndexedKind.Phone, "138 1234 5678", "13812345678")]
    [InlineData(IndexedKind.Phone, "+86-138-1234-5678", "13812345678")]
    [InlineData(IndexedKind.Phone, "１３８１２３４５６７８", "13812345678")]
    [InlineData(IndexedKind.IdNumber, "11010519491231002x", "11010519491231002X")]
    [InlineData(IndexedKind.IdNumber, "110105 19491231 002X", "11010519491231002X")]
    [InlineData(IndexedKind.CardNumber, "6222-0212-3456-7890", "6222021234567890")]
    [InlineData(IndexedKind.Email, " Zhang.Wei@Example.COM ", "zhang.wei@example.com")]
    [InlineData(IndexedKind.Name, "张 伟", "张伟")]
    public void Equivalent_spellings_index_alike(IndexedKind kind, string typed, string canonical) =>
        Assert.Equal(Index.Compute(kind, canonical), Index.Compute(kind, typed));

    [Fact]
    public void The_index_is_a_keyed_hmac_of_kind_and_value()
    {
        var expected = HMACSHA256.HashData([.. Enumerable.Range(0, 32).Select(i => (byte)i)], "Phone\u000013812345678"u8)[..16];
        Assert.Equal(expected, Index.Compute(IndexedKind.Phone, "13812345678"));
        Assert.NotEqual(Index.Compute(IndexedKind.Phone, "13812345678"), Index.Compute(IndexedKind.IdNumber, "13812345678"));
        Assert.NotEqual(Index.Compute(IndexedKind.Phone, "13812345678"), new BlindIndex(RandomNumberGenerator.GetBytes(32)).Compute(IndexedKind.Phone, "13812345678"));
    }

    [Fact]
    public void Short_keys_are_refused() => Assert.ThrowsAny<CryptographicException>(() => new BlindIndex(new byte[16]));

    [Fact]
    public void Indexes_under_different_keys_stay_apart_when_used_in_turn_on_one_thread_and_across_threads()
    {
        byte[] otherKey = [.. Enumerable.Range(1, 32).Select(i => (byte)i)];
        var other = new BlindIndex(otherKey);
        var expected = HMACSHA256.HashData([.. Enumerable.Range(0, 32).Select(i => (byte)i)], "Phone\u000013812345678"u8)[..16];
        var expectedOther = HMACSHA256.HashData(otherKey, "Phone\u000013812345678"u8)[..16];
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(expected, Index.Compute(IndexedKind.Phone, "13812345678"));
            Assert.Equal(expectedOther, other.Compute(IndexedKind.Phone, "13812345678"));
        }

        Parallel.For(0, 1000, i => Assert.Equal(i % 2 == 0 ? expected : expectedOther, (i % 2 == 0 ? Index : other).Compute(IndexedKind.Phone, "13812345678")));
    }
}
