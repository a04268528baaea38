using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Custos.Tests.Audit;

/// <summary>
/// An outside auditor's checker, written for these tests from RFC 6962 §2.1 and docs/audit-proofs.md alone.
/// It shares no code with Custos: its own hashing, its own top-down reading of the audit path, and the
/// platform's ECDSA for the checkpoint signature.
/// </summary>
internal static class IndependentRfc6962
{
    private static byte[] Sha256(params byte[][] parts)
    {
        using var sha = SHA256.Create();
        var all = parts.SelectMany(p => p).ToArray();
        return sha.ComputeHash(all);
    }

    public static byte[] LeafHash(byte[] entry) => Sha256([0x00], entry);

    /// <summary>MTH(D[n]) by the recursive definition of §2.1.</summary>
    public static byte[] TreeHead(IReadOnlyList<byte[]> leafHashes)
    {
        if (leafHashes.Count == 0)
        {
            return Sha256();
        }

        if (leafHashes.Count == 1)
        {
            return leafHashes[0];
        }

        var k = 1;
        while (k * 2 < leafHashes.Count)
        {
            k *= 2;
        }

        return Sha256([0x01], TreeHead([.. leafHashes.Take(k)]), TreeHead([.. leafHashes.Skip(k)]));
    }

    /// <summary>
    /// The root implied by a leaf and its audit path. PATH(m, D[n]) ends with the sibling subtree at the top
    /// (§2.1.1), so the path is read from its end while descending towards the leaf.
    /// </summary>
    public static byte[]? RootFromPath(long index, long size, byte[] leafHash, IReadOnlyList<byte[]> path)
    {
        if (index < 0 || index >= size)
        {
            return null;
        }

        var next = path.Count - 1;
        byte[]? Descend(long m, long n)
        {
            if (n == 1)
            {
                return leafHash;
            }

            if (next < 0)
            {
                return null;
            }

            long k = 1;
            while (k * 2 < n)
            {
                k *= 2;
            }

            var sibling = path[next--];
            if (m < k)
            {
                var left = Descend(m, k);
                return left is null ? null : Sha256([0x01], left, sibling);
            }

            var right = Descend(m - k, n - k);
            return right is null ? null : Sha256([0x01], sibling, right);
        }

        var root = Descend(index, size);
        return next == -1 ? root : null;
    }

    /// <summary>Checks an exported inclusion proof end to end: entry → leaf → root → signed checkpoint.</summary>
    public static bool VerifyInclusionDocument(string json)
    {
        using var document = JsonDocument.Parse(json);
        var proof = document.RootElement;
        if (proof.GetProperty("format").GetString() != "custos-inclusion-proof/v1")
        {
            return false;
        }

        var entry = Convert.FromBase64String(proof.GetProperty("entry").GetString()!);
        var leaf = LeafHash(entry);
        if (!leaf.SequenceEqual(Convert.FromHexString(proof.GetProperty("leaf_hash").GetString()!)))
        {
            return false;
        }

        var index = proof.GetProperty("leaf_index").GetInt64();
        var size = proof.GetProperty("tree_size").GetInt64();
        var path = proof.GetProperty("audit_path").EnumerateArray().Select(e => Convert.FromHexString(e.GetString()!)).ToList();
        var root = RootFromPath(index, size, leaf, path);
        return root is not null && CheckpointSays(proof.GetProperty("checkpoint"), size, root);
    }

    /// <summary>The checkpoint's body names this size and root, and its signature verifies with its key.</summary>
    public static bool CheckpointSays(JsonElement checkpoint, long size, byte[] root)
    {
        var body = checkpoint.GetProperty("body").GetString()!;
        var lines = body.Split('\n');
        if (lines.Length != 5 || lines[4] != "" || lines[1] != size.ToString(System.Globalization.CultureInfo.InvariantCulture) ||
            !Convert.FromBase64String(lines[2]).SequenceEqual(root) || !lines[3].StartsWith("time ", StringComparison.Ordinal))
        {
            return false;
        }

        using var key = ECDsa.Create();
        key.ImportSubjectPublicKeyInfo(Convert.FromBase64String(checkpoint.GetProperty("public_key").GetString()!), out _);
        return key.VerifyData(Encoding.UTF8.GetBytes(body), Convert.FromBase64String(checkpoint.GetProperty("signature").GetString()!),
            HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
    }
}
