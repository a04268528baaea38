using System.Security.Cryptography;
using Custos.Kernel.Audit;

namespace Custos.Kernel.Tests.Audit;

/// <summary>Archiving a log's prefix keeps its peaks only; proofs for later leaves and tree heads must not change (AUD-1 retention).</summary>
public sealed class PrunedLeavesTests
{
    private static List<byte[]> Leaves(int n) => [.. Enumerable.Range(0, n).Select(i => MerkleHash.Leaf(BitConverter.GetBytes(i)))];

    private static PrunedLeaves Prune(List<byte[]> leaves, int k)
    {
        var frontier = new MerkleFrontier();
        foreach (var leaf in leaves.Take(k))
        {
            frontier.Append(leaf);
        }

        return new PrunedLeaves(k, frontier.Peaks, leaves.Skip(k).ToList());
    }

    [Fact]
    public void Proofs_and_roots_over_a_pruned_prefix_equal_those_over_every_leaf()
    {
        for (var n = 1; n <= 40; n++)
        {
            var full = Leaves(n);
            for (var k = 0; k <= n; k++)
            {
                var pruned = Prune(full, k);
                Assert.Equal(MerkleTree.Root(full), MerkleTree.Root(pruned));
                for (var m = k; m < n; m++)
                {
                    Assert.Equal(MerkleTree.InclusionProof(full, m, n), MerkleTree.InclusionProof(pruned, m, n));
                }

                for (var first = Math.Max(1, k); first <= n; first++)
                {
                    Assert.Equal(MerkleTree.ConsistencyProof(full, first, n), MerkleTree.ConsistencyProof(pruned, first, n));
                }
            }
        }
    }

    [Fact]
    public void An_archived_leaf_cannot_be_proved_from_the_pruned_list()
    {
        var full = Leaves(20);
        var pruned = Prune(full, 12);
        Assert.Throws<InvalidOperationException>(() => pruned[3]);
        Assert.Throws<InvalidOperationException>(() => MerkleTree.InclusionProof(pruned, 3, 20));
        Assert.Equal(full[15], pruned[15]);
        Assert.Throws<ArgumentException>(() => new PrunedLeaves(12, [RandomNumberGenerator.GetBytes(32)], []));
    }
}
