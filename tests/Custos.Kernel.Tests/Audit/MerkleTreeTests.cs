using System.Text.Json;
using CsCheck;
using Custos.Kernel.Audit;

namespace Custos.Kernel.Tests.Audit;

/// <summary>AUD-1: the audit log's Merkle tree is RFC 6962's, checked against published vectors and an independent verifier.</summary>
public sealed class MerkleTreeTests
{
    private static readonly string Vectors = Path.Combine(AppContext.BaseDirectory, "Audit", "rfc6962");

    public static TheoryData<string> InclusionCases() => Cases("inclusion");

    public static TheoryData<string> ConsistencyCases() => Cases("consistency");

    private static TheoryData<string> Cases(string kind)
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(Path.Combine(Vectors, kind), "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetRelativePath(Vectors, file));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(InclusionCases))]
    public void Every_published_inclusion_case_is_accepted_or_rejected_as_published(string file)
    {
        var v = Read(file);
        var accepted = MerkleTree.VerifyInclusion(
            Size(v, "leafIdx"), Size(v, "treeSize"), Bytes(v, "leafHash"), Proof(v), Bytes(v, "root"));
        Assert.Equal(!v.GetProperty("wantErr").GetBoolean(), accepted);
    }

    [Theory]
    [MemberData(nameof(ConsistencyCases))]
    public void Every_published_consistency_case_is_accepted_or_rejected_as_published(string file)
    {
        var v = Read(file);
        var accepted = MerkleTree.VerifyConsistency(
            Size(v, "size1"), Size(v, "size2"), Bytes(v, "root1"), Bytes(v, "root2"), Proof(v));
        Assert.Equal(!v.GetProperty("wantErr").GetBoolean(), accepted);
    }

    [Fact]
    public void The_vectors_are_all_there() =>
        Assert.True(InclusionCases().Count + ConsistencyCases().Count >= 190, "the RFC 6962 vectors were not copied to the test output");

    [Fact]
    public void The_rfc_6962_test_tree_has_its_published_roots()
    {
        // The eight leaves of the RFC 6962 reference tests and the roots published for sizes 1..8.
        string[] data = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"];
        string[] roots =
        [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
            "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
            "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
            "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
        ];
        var leaves = data.Select(d => MerkleHash.Leaf(Convert.FromHexString(d))).ToList();
        var frontier = new MerkleFrontier();
        for (var n = 1; n <= leaves.Count; n++)
        {
            frontier.Append(leaves[n - 1]);
            Assert.Equal(roots[n - 1], Convert.ToHexStringLower(MerkleTree.Root(leaves.Take(n).ToList())));
            Assert.Equal(roots[n - 1], Convert.ToHexStringLower(frontier.Root()));
        }

        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Convert.ToHexStringLower(new MerkleFrontier().Root()));
    }

    [Fact]
    public void Proofs_made_for_any_tree_verify_here_and_with_an_independent_verifier() =>
        Gen.Int[1, 70].Select(Gen.Int[0, 69], Gen.Int[0, 70]).Sample((n, leaf, older) =>
        {
            var leaves = Enumerable.Range(0, n).Select(i => MerkleHash.Leaf(BitConverter.GetBytes(i))).ToList();
            var root = MerkleTree.Root(leaves);
            var frontier = new MerkleFrontier();
            leaves.ForEach(frontier.Append);
            var index = leaf % n;
            var inclusion = MerkleTree.InclusionProof(leaves, index, n);
            var m = 1 + older % n;
            var consistency = MerkleTree.ConsistencyProof(leaves, m, n);
            var oldRoot = MerkleTree.Root(leaves.Take(m).ToList());
            return frontier.Root().AsSpan().SequenceEqual(root)
                && MerkleTree.VerifyInclusion(index, n, leaves[index], inclusion, root)
                && IndependentVerifier.Inclusion(index, n, leaves[index], inclusion).AsSpan().SequenceEqual(root)
                && !MerkleTree.VerifyInclusion(index, n, MerkleHash.Leaf([0xff]), inclusion, root)
                && MerkleTree.VerifyConsistency(m, n, oldRoot, root, consistency)
                && (m == n || !MerkleTree.VerifyConsistency(m, n, MerkleHash.Leaf([0xfe]), root, consistency));
        });

    /// <summary>Sizes are unsigned 64-bit in the vectors; one beyond a signed long (2^64 − 1) is as invalid as −1.</summary>
    private static long Size(JsonElement v, string name) => v.GetProperty(name).GetUInt64() is var u && u <= long.MaxValue ? (long)u : -1;

    private static JsonElement Read(string file) => JsonDocument.Parse(File.ReadAllText(Path.Combine(Vectors, file))).RootElement;

    private static byte[] Bytes(JsonElement v, string name) =>
        v.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? Convert.FromBase64String(p.GetString()!) : [];

    private static List<byte[]> Proof(JsonElement v) =>
        v.TryGetProperty("proof", out var p) && p.ValueKind == JsonValueKind.Array ? [.. p.EnumerateArray().Select(e => Convert.FromBase64String(e.GetString()!))] : [];
}

/// <summary>
/// A second RFC 6962 inclusion verifier sharing no code with the product: it walks the tree top-down the way
/// §2.1.1 defines PATH (split at the largest power of two), using SHA-256 directly.
/// </summary>
internal static class IndependentVerifier
{
    public static byte[] Inclusion(long index, long size, byte[] leafHash, IReadOnlyList<byte[]> proof)
    {
        var remaining = new Stack<byte[]>(proof);
        var root = Walk(index, size);
        return remaining.Count == 0 ? root : [];

        byte[] Walk(long m, long n)
        {
            if (n == 1)
            {
                return leafHash;
            }

            var k = 1L;
            while (k * 2 < n)
            {
                k *= 2;
            }

            // PATH lists siblings bottom-up, so the top-level sibling is the last element.
            var sibling = remaining.Count > 0 ? remaining.Pop() : new byte[32];
            return m < k ? Hash(Walk(m, k), sibling) : Hash(sibling, Walk(m - k, n - k));
        }

        static byte[] Hash(byte[] left, byte[] right) =>
            System.Security.Cryptography.SHA256.HashData([0x01, .. left, .. right]);
    }
}
