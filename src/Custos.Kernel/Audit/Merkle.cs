using System.Numerics;
using System.Security.Cryptography;

namespace Custos.Kernel.Audit;

/// <summary>The hashes of an RFC 6962 Merkle tree (§2.1): leaves and interior nodes are domain-separated.</summary>
public static class MerkleHash
{
    public const int Size = 32;

    /// <summary>The root of an empty tree: SHA-256 of nothing.</summary>
    public static byte[] Empty() => SHA256.HashData(ReadOnlySpan<byte>.Empty);

    /// <summary>SHA-256(0x00 ‖ entry).</summary>
    public static byte[] Leaf(ReadOnlySpan<byte> entry)
    {
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(entry.Length + 1);
        try
        {
            buffer[0] = 0x00;
            entry.CopyTo(buffer.AsSpan(1));
            return SHA256.HashData(buffer.AsSpan(0, entry.Length + 1));
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>SHA-256(0x01 ‖ left ‖ right).</summary>
    public static byte[] Node(ReadOnlySpan<byte> left, ReadOnlySpan<byte> right)
    {
        Span<byte> input = stackalloc byte[1 + 2 * Size];
        input[0] = 0x01;
        left.CopyTo(input[1..]);
        right.CopyTo(input[(1 + Size)..]);
        return SHA256.HashData(input);
    }
}

/// <summary>
/// A growing Merkle tree kept as its compact range: the roots of the perfect subtrees that make it up, largest
/// first (at most one per bit of the size). Appending is O(log n); the root at any size is available as the
/// tree grows, which is how the sequencer signs checkpoints and how verification recomputes them.
/// </summary>
public sealed class MerkleFrontier
{
    private readonly List<byte[]> peaks = [];

    public long Size { get; private set; }

    /// <summary>The perfect-subtree roots, largest first; with <see cref="Size"/> they are the whole state to store.</summary>
    public IReadOnlyList<byte[]> Peaks => peaks;

    /// <summary>Continues a tree from a stored state; one peak for each one bit of <paramref name="size"/>.</summary>
    public static MerkleFrontier Restore(long size, IReadOnlyList<byte[]> peaks)
    {
        ArgumentNullException.ThrowIfNull(peaks);
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        if (BitOperations.PopCount((ulong)size) != peaks.Count || peaks.Any(p => p is null || p.Length != MerkleHash.Size))
        {
            throw new ArgumentException("The stored peaks do not match the tree size.", nameof(peaks));
        }

        var frontier = new MerkleFrontier { Size = size };
        frontier.peaks.AddRange(peaks.Select(p => p.ToArray()));
        return frontier;
    }

    /// <summary>The peaks as one byte string (32 bytes each, largest first), as stored beside the log.</summary>
    public byte[] PeaksToBytes() => [.. peaks.SelectMany(p => p)];

    public static MerkleFrontier Restore(long size, ReadOnlySpan<byte> packedPeaks)
    {
        if (packedPeaks.Length % MerkleHash.Size != 0)
        {
            throw new ArgumentException("The stored peaks are not whole hashes.", nameof(packedPeaks));
        }

        var list = new List<byte[]>();
        for (var i = 0; i < packedPeaks.Length; i += MerkleHash.Size)
        {
            list.Add(packedPeaks.Slice(i, MerkleHash.Size).ToArray());
        }

        return Restore(size, list);
    }

    public void Append(byte[] leafHash)
    {
        ArgumentNullException.ThrowIfNull(leafHash);
        if (leafHash.Length != MerkleHash.Size)
        {
            throw new ArgumentException("A leaf hash is 32 bytes.", nameof(leafHash));
        }

        var hash = leafHash;
        // Each trailing one bit of the old size is a perfect subtree the new leaf completes.
        for (var size = Size; (size & 1) == 1; size >>= 1)
        {
            hash = MerkleHash.Node(peaks[^1], hash);
            peaks.RemoveAt(peaks.Count - 1);
        }

        peaks.Add(hash);
        Size++;
    }

    /// <summary>MTH of the leaves so far: the peaks folded from the smallest (rightmost) up.</summary>
    public byte[] Root()
    {
        if (peaks.Count == 0)
        {
            return MerkleHash.Empty();
        }

        var root = peaks[^1];
        for (var i = peaks.Count - 2; i >= 0; i--)
        {
            root = MerkleHash.Node(peaks[i], root);
        }

        return root;
    }
}

/// <summary>
/// Merkle tree hashes and proofs of RFC 6962 §2.1 (as restated in RFC 9162 §2.1): the tree head of n leaves,
/// audit paths (inclusion proofs) and consistency proofs, and their verification.
/// </summary>
public static class MerkleTree
{
    /// <summary>MTH(D[n]) over leaf hashes.</summary>
    public static byte[] Root(IReadOnlyList<byte[]> leaves)
    {
        ArgumentNullException.ThrowIfNull(leaves);
        return leaves.Count == 0 ? MerkleHash.Empty() : Subtree(leaves, 0, leaves.Count);
    }

    /// <summary>PATH(m, D[n]): the audit path of leaf <paramref name="index"/> in the tree of the first <paramref name="size"/> leaves.</summary>
    public static IReadOnlyList<byte[]> InclusionProof(IReadOnlyList<byte[]> leaves, long index, long size)
    {
        ArgumentNullException.ThrowIfNull(leaves);
        if (size > leaves.Count || index < 0 || index >= size)
        {
            throw new ArgumentOutOfRangeException(nameof(index), "The leaf must be inside a tree no larger than the log.");
        }

        var path = new List<byte[]>();
        Path((int)index, 0, (int)size);
        return path;

        void Path(int m, int start, int n)
        {
            if (n == 1)
            {
                return;
            }

            var k = SplitPoint(n);
            if (m < k)
            {
                Path(m, start, k);
                path.Add(Subtree(leaves, start + k, start + n));
            }
            else
            {
                Path(m - k, start + k, n - k);
                path.Add(Subtree(leaves, start, start + k));
            }
        }
    }

    /// <summary>PROOF(m, D[n]): that the tree of <paramref name="first"/> leaves is a prefix of the tree of <paramref name="second"/>.</summary>
    public static IReadOnlyList<byte[]> ConsistencyProof(IReadOnlyList<byte[]> leaves, long first, long second)
    {
        ArgumentNullException.ThrowIfNull(leaves);
        if (second > leaves.Count || first < 1 || first > second)
        {
            throw new ArgumentOutOfRangeException(nameof(first), "Sizes must satisfy 1 ≤ first ≤ second ≤ log size.");
        }

        var proof = new List<byte[]>();
        if (first == second)
        {
            return proof;
        }

        SubProof((int)first, 0, (int)second, complete: true);
        return proof;

        void SubProof(int m, int start, int n, bool complete)
        {
            if (m == n)
            {
                if (!complete)
                {
                    proof.Add(Subtree(leaves, start, start + n));
                }

                return;
            }

            var k = SplitPoint(n);
            if (m <= k)
            {
                SubProof(m, start, k, complete);
                proof.Add(Subtree(leaves, start + k, start + n));
            }
            else
            {
                SubProof(m - k, start + k, n - k, complete: false);
                proof.Add(Subtree(leaves, start, start + k));
            }
        }
    }

    /// <summary>RFC 9162 §2.1.3.2: does <paramref name="proof"/> lead from the leaf to <paramref name="root"/>?</summary>
    public static bool VerifyInclusion(long index, long size, ReadOnlySpan<byte> leafHash, IReadOnlyList<byte[]> proof, ReadOnlySpan<byte> root)
    {
        ArgumentNullException.ThrowIfNull(proof);
        if (index < 0 || index >= size || leafHash.Length != MerkleHash.Size || proof.Any(p => p is null || p.Length != MerkleHash.Size))
        {
            return false;
        }

        var fn = index;
        var sn = size - 1;
        var r = leafHash.ToArray();
        foreach (var p in proof)
        {
            if (sn == 0)
            {
                return false;
            }

            if ((fn & 1) == 1 || fn == sn)
            {
                r = MerkleHash.Node(p, r);
                while ((fn & 1) == 0 && fn != 0)
                {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
            else
            {
                r = MerkleHash.Node(r, p);
            }

            fn >>= 1;
            sn >>= 1;
        }

        return sn == 0 && CryptographicOperations.FixedTimeEquals(r, root);
    }

    /// <summary>RFC 9162 §2.1.4.2: is the tree of <paramref name="first"/> leaves with <paramref name="firstRoot"/> a prefix of the one of <paramref name="second"/> leaves?</summary>
    public static bool VerifyConsistency(long first, long second, ReadOnlySpan<byte> firstRoot, ReadOnlySpan<byte> secondRoot, IReadOnlyList<byte[]> proof)
    {
        ArgumentNullException.ThrowIfNull(proof);
        if (first < 0 || second < first || proof.Any(p => p is null || p.Length != MerkleHash.Size))
        {
            return false;
        }

        if (first == 0)
        {
            // Every tree extends the empty one: such a "proof" proves nothing, and a checker that asks for one is confused.
            return false;
        }

        if (first == second)
        {
            return proof.Count == 0 && firstRoot.SequenceEqual(secondRoot);
        }

        if (proof.Count == 0)
        {
            return false;
        }

        var path = BitOperations.IsPow2(first) ? [firstRoot.ToArray(), .. proof] : proof.ToList();
        var fn = first - 1;
        var sn = second - 1;
        while ((fn & 1) == 1)
        {
            fn >>= 1;
            sn >>= 1;
        }

        var fr = path[0];
        var sr = path[0];
        foreach (var c in path.Skip(1))
        {
            if (sn == 0)
            {
                return false;
            }

            if ((fn & 1) == 1 || fn == sn)
            {
                fr = MerkleHash.Node(c, fr);
                sr = MerkleHash.Node(c, sr);
                while ((fn & 1) == 0 && fn != 0)
                {
                    fn >>= 1;
                    sn >>= 1;
                }
            }
            else
            {
                sr = MerkleHash.Node(sr, c);
            }

            fn >>= 1;
            sn >>= 1;
        }

        return sn == 0 && CryptographicOperations.FixedTimeEquals(fr, firstRoot) && CryptographicOperations.FixedTimeEquals(sr, secondRoot);
    }

    /// <summary>The largest power of two smaller than <paramref name="n"/> (n ≥ 2).</summary>
    private static int SplitPoint(int n) => (int)BitOperations.RoundUpToPowerOf2((uint)n) >> 1;

    private static byte[] Subtree(IReadOnlyList<byte[]> leaves, int start, int end)
    {
        if (leaves is PrunedLeaves pruned && end <= pruned.PrunedSize && pruned.Peak(start, end) is { } peak)
        {
            return peak;
        }

        if (end - start == 1)
        {
            return leaves[start];
        }

        var k = SplitPoint(end - start);
        return MerkleHash.Node(Subtree(leaves, start, start + k), Subtree(leaves, start + k, end));
    }
}

/// <summary>
/// The leaves of a log whose first <see cref="PrunedSize"/> leaves were archived and removed: of that prefix
/// only its compact range (the peaks) is kept. Any subtree a proof needs that lies wholly inside the prefix is
/// one of those peaks, so inclusion and consistency proofs for the later leaves, and the tree heads, come out
/// exactly as over the full list; asking for an archived leaf itself is an error.
/// </summary>
public sealed class PrunedLeaves : IReadOnlyList<byte[]>
{
    private readonly List<(long Start, long End, byte[] Hash)> peaks = [];
    private readonly IReadOnlyList<byte[]> rest;

    public PrunedLeaves(long prunedSize, IReadOnlyList<byte[]> prefixPeaks, IReadOnlyList<byte[]> rest)
    {
        ArgumentNullException.ThrowIfNull(prefixPeaks);
        ArgumentNullException.ThrowIfNull(rest);
        var check = MerkleFrontier.Restore(prunedSize, prefixPeaks); // validates count and sizes
        PrunedSize = check.Size;
        this.rest = rest;
        long start = 0;
        var bit = 62;
        foreach (var peak in prefixPeaks)
        {
            while ((prunedSize & (1L << bit)) == 0)
            {
                bit--;
            }

            peaks.Add((start, start + (1L << bit), peak));
            start += 1L << bit;
            bit--;
        }
    }

    public long PrunedSize { get; }

    public int Count => checked((int)(PrunedSize + rest.Count));

    public byte[] this[int index] => index >= PrunedSize
        ? rest[(int)(index - PrunedSize)]
        : throw new InvalidOperationException($"Leaf {index} was archived; only the subtrees covering it are kept.");

    /// <summary>MTH of leaves [start, end) when that range is one of the archived prefix's peaks.</summary>
    internal byte[]? Peak(long start, long end)
    {
        foreach (var (s, e, hash) in peaks)
        {
            if (s == start && e == end)
            {
                return hash;
            }
        }

        return null;
    }

    public IEnumerator<byte[]> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
