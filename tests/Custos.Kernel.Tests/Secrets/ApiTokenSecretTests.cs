using Custos.Kernel.Secrets;

namespace Custos.Kernel.Tests.Secrets;

public sealed class ApiTokenSecretTests
{
    [Fact]
    public void Tokens_are_prefixed_url_safe_and_unique()
    {
        var tokens = Enumerable.Range(0, 1000).Select(_ => ApiTokenSecret.Generate()).ToList();

        Assert.All(tokens, t => Assert.True(ApiTokenSecret.LooksLikeToken(t), t));
        Assert.All(tokens, t => Assert.Matches("^cst_[A-Za-z0-9_-]{43}$", t));
        Assert.Equal(tokens.Count, tokens.Distinct().Count());
    }

    [Fact]
    public void The_stored_hash_is_sha256_of_the_token()
    {
        // SHA-256("cst_test"), computed with an independent implementation (Python hashlib).
        Assert.Equal("3a98558d7ab90b9be441b654019ed01f51b391346112d3d06a69c89704245618", ApiTokenSecret.Hash("cst_test"));
        Assert.NotEqual(ApiTokenSecret.Hash("cst_a"), ApiTokenSecret.Hash("cst_b"));
    }

    [Theory]
    [InlineData("cst_short")]
    [InlineData("abc_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData(null)]
    public void Malformed_tokens_are_recognised_before_any_lookup(string? value) => Assert.False(ApiTokenSecret.LooksLikeToken(value));
}
