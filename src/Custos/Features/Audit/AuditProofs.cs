using System.Text.Json;
using System.Text.Json.Serialization;
using Custos.Data;
using Custos.Hosting;
using Custos.Kernel.Audit;
using Microsoft.EntityFrameworkCore;

namespace Custos.Features.Audit;

/// <summary>
/// Proofs an outside auditor checks without Custos (AUD-1); the format is described in docs/audit-proofs.md.
/// Every proof is verified against its signed checkpoint before it is handed out. A contract: an incident's scope
/// carries the proofs of the entries it was computed from (INC-2).
/// </summary>
[Features.Contract]
public sealed class AuditProofs(CustosDbContext db)
{
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public async Task<InclusionProofDocument> InclusionAsync(long entry, long? size, CancellationToken ct)
    {
        var checkpoint = await CheckpointAsync(size, ct);
        if (entry < 0 || entry >= checkpoint.Size)
        {
            throw CustosException.NotFound("AuditEntryNotCovered", entry, checkpoint.Size);
        }

        if (await ArchivedBelowAsync(ct) is { } end && entry < end)
        {
            throw CustosException.NotFound("AuditEntryArchived", entry);
        }

        var record = await db.AuditRecords.AsNoTracking().SingleOrDefaultAsync(a => a.Sequence == entry, ct)
            ?? throw new CustosException(CustosError.Conflict, "AuditLogDoesNotVerify");
        var leaves = await LeavesAsync(checkpoint.Size, ct);
        var encoded = record.ToLogEntry(entry).Encode();
        var leaf = MerkleHash.Leaf(encoded);
        var path = MerkleTree.InclusionProof(leaves, entry, checkpoint.Size);
        if (!leaf.AsSpan().SequenceEqual(leaves[(int)entry]) || !MerkleTree.VerifyInclusion(entry, checkpoint.Size, leaf, path, checkpoint.Root))
        {
            throw new CustosException(CustosError.Conflict, "AuditLogDoesNotVerify");
        }

        return new InclusionProofDocument(
            InclusionProofDocument.FormatName,
            entry,
            checkpoint.Size,
            Convert.ToBase64String(encoded),
            JsonDocument.Parse(encoded).RootElement.Clone(),
            Convert.ToHexStringLower(leaf),
            [.. path.Select(Convert.ToHexStringLower)],
            await SignedAsync(checkpoint, ct));
    }

    /// <summary>
    /// Proofs for many entries against the newest checkpoint, the leaves read once. Entries the checkpoint does not
    /// cover yet (or archived ones) are left out: the caller lists them as awaiting a checkpoint.
    /// </summary>
    public async Task<IReadOnlyList<InclusionProofDocument>> InclusionManyAsync(IReadOnlyCollection<long> entries, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var checkpoint = await db.AuditCheckpoints.AsNoTracking().OrderByDescending(c => c.Size).FirstOrDefaultAsync(ct);
        if (checkpoint is null || entries.Count == 0)
        {
            return [];
        }

        var archivedBelow = await ArchivedBelowAsync(ct) ?? 0;
        var wanted = entries.Where(e => e >= archivedBelow && e < checkpoint.Size).Distinct().Order().ToList();
        if (wanted.Count == 0)
        {
            return [];
        }

        var leaves = await LeavesAsync(checkpoint.Size, ct);
        var signed = await SignedAsync(checkpoint, ct);
        var result = new List<InclusionProofDocument>(wanted.Count);
        foreach (var chunk in wanted.Chunk(500))
        {
            var records = await db.AuditRecords.AsNoTracking().Where(a => a.Sequence != null && chunk.Contains(a.Sequence.Value)).ToDictionaryAsync(a => a.Sequence!.Value, ct);
            foreach (var entry in chunk)
            {
                ct.ThrowIfCancellationRequested();
                var record = records.GetValueOrDefault(entry) ?? throw new CustosException(CustosError.Conflict, "AuditLogDoesNotVerify");
                var encoded = record.ToLogEntry(entry).Encode();
                var leaf = MerkleHash.Leaf(encoded);
                var path = MerkleTree.InclusionProof(leaves, entry, checkpoint.Size);
                if (!leaf.AsSpan().SequenceEqual(leaves[(int)entry]) || !MerkleTree.VerifyInclusion(entry, checkpoint.Size, leaf, path, checkpoint.Root))
                {
                    throw new CustosException(CustosError.Conflict, "AuditLogDoesNotVerify");
                }

                result.Add(new InclusionProofDocument(
                    InclusionProofDocument.FormatName, entry, checkpoint.Size, Convert.ToBase64String(encoded), JsonDocument.Parse(encoded).RootElement.Clone(),
                    Convert.ToHexStringLower(leaf), [.. path.Select(Convert.ToHexStringLower)], signed));
            }
        }

        return result;
    }

    public async Task<ConsistencyProofDocument> ConsistencyAsync(long from, long to, CancellationToken ct)
    {
        if (from <= 0 || to < from)
        {
            throw CustosException.Invalid("AuditConsistencyRange");
        }

        if (await ArchivedBelowAsync(ct) is { } end && from < end)
        {
            throw CustosException.NotFound("AuditEntryArchived", from);
        }

        var first = await CheckpointAsync(from, ct);
        var second = await CheckpointAsync(to, ct);
        var leaves = await LeavesAsync(to, ct);
        var path = MerkleTree.ConsistencyProof(leaves, from, to);
        if (!MerkleTree.VerifyConsistency(from, to, first.Root, second.Root, path) || !MerkleTree.Root(leaves).AsSpan().SequenceEqual(second.Root))
        {
            throw new CustosException(CustosError.Conflict, "AuditLogDoesNotVerify");
        }

        return new ConsistencyProofDocument(
            ConsistencyProofDocument.FormatName, from, to, [.. path.Select(Convert.ToHexStringLower)],
            await SignedAsync(first, ct), await SignedAsync(second, ct));
    }

    /// <summary>Every signed checkpoint with its key, for keeping outside the database (anchoring).</summary>
    public async Task<CheckpointExport> ExportAsync(long? after, CancellationToken ct)
    {
        var checkpoints = await db.AuditCheckpoints.AsNoTracking().Where(c => after == null || c.Size > after).OrderBy(c => c.Size).ToListAsync(ct);
        var signed = new List<SignedCheckpoint>();
        foreach (var c in checkpoints)
        {
            signed.Add(await SignedAsync(c, ct));
        }

        return new CheckpointExport(CheckpointExport.FormatName, signed);
    }

    private async Task<AuditCheckpoint> CheckpointAsync(long? size, CancellationToken ct)
    {
        var query = db.AuditCheckpoints.AsNoTracking();
        var checkpoint = size is { } s
            ? await query.SingleOrDefaultAsync(c => c.Size == s, ct)
            : await query.OrderByDescending(c => c.Size).FirstOrDefaultAsync(ct);
        return checkpoint ?? throw (size is null ? CustosException.NotFound("AuditNoCheckpoint") : CustosException.NotFound("AuditCheckpointNotFound", size));
    }

    private async Task<long?> ArchivedBelowAsync(CancellationToken ct) =>
        await db.AuditArchives.AsNoTracking().MaxAsync(a => (long?)a.End, ct);

    /// <summary>The leaf hashes up to <paramref name="size"/>; after archiving, the archived prefix is its compact range.</summary>
    private async Task<IReadOnlyList<byte[]>> LeavesAsync(long size, CancellationToken ct)
    {
        var archive = await db.AuditArchives.AsNoTracking().OrderByDescending(a => a.End).FirstOrDefaultAsync(ct);
        var from = archive?.End ?? 0;
        var leaves = await db.AuditRecords.AsNoTracking()
            .Where(a => a.Sequence != null && a.Sequence >= from && a.Sequence < size)
            .OrderBy(a => a.Sequence)
            .Select(a => a.LeafHash!)
            .ToListAsync(ct);
        if (leaves.Count != size - from || !leaves.All(l => l is { Length: MerkleHash.Size }))
        {
            throw new CustosException(CustosError.Conflict, "AuditLogDoesNotVerify");
        }

        return archive is null ? leaves : new PrunedLeaves(archive.End, MerkleFrontier.Restore(archive.End, archive.Peaks).Peaks, leaves);
    }

    private async Task<SignedCheckpoint> SignedAsync(AuditCheckpoint c, CancellationToken ct)
    {
        var key = await db.AuditSigningKeys.AsNoTracking().SingleOrDefaultAsync(k => k.Id == c.KeyId, ct)
            ?? throw new CustosException(CustosError.Conflict, "AuditLogDoesNotVerify");
        return SignedCheckpoint.From(c, key.PublicKey);
    }
}

/// <summary>A checkpoint as exported: its signed body and everything needed to check the signature.</summary>
[Features.Contract]
public sealed record SignedCheckpoint(string Origin, long Size, string Root, string Time, string Body, string Signature, string KeyId, string PublicKey)
{
    public static SignedCheckpoint From(AuditCheckpoint c, byte[] publicKey)
    {
        ArgumentNullException.ThrowIfNull(c);
        var checkpoint = c.ToCheckpoint();
        return new SignedCheckpoint(c.Origin, c.Size, Convert.ToHexStringLower(c.Root),
            c.At.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture),
            checkpoint.Body(), Convert.ToBase64String(c.Signature), c.KeyId, Convert.ToBase64String(publicKey));
    }

    /// <summary>Back to a checkpoint the verifier trusts, after checking that the body says what the fields say.</summary>
    public TrustedCheckpoint ToTrusted()
    {
        var lines = Body.Split('\n');
        var root = Convert.FromHexString(Root);
        if (lines.Length < 4 || lines[0] != Origin || lines[1] != Size.ToString(System.Globalization.CultureInfo.InvariantCulture) ||
            lines[2] != Convert.ToBase64String(root) || !lines[3].StartsWith("time ", StringComparison.Ordinal) ||
            !DateTimeOffset.TryParse(lines[3][5..], System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var at))
        {
            throw new FormatException("The checkpoint body does not match its fields.");
        }

        var checkpoint = new Checkpoint(Origin, Size, root, at);
        return checkpoint.Body() == Body
            ? new TrustedCheckpoint(checkpoint, Convert.FromBase64String(Signature), Convert.FromBase64String(PublicKey))
            : throw new FormatException("The checkpoint body does not match its fields.");
    }
}

[Features.Contract]
public sealed record InclusionProofDocument(
    string Format, long LeafIndex, long TreeSize, string Entry, JsonElement EntryJson, string LeafHash, IReadOnlyList<string> AuditPath, SignedCheckpoint Checkpoint)
{
    public const string FormatName = "custos-inclusion-proof/v1";
}

public sealed record ConsistencyProofDocument(
    string Format, long FirstSize, long SecondSize, IReadOnlyList<string> ConsistencyPath, SignedCheckpoint FirstCheckpoint, SignedCheckpoint SecondCheckpoint)
{
    public const string FormatName = "custos-consistency-proof/v1";
}

public sealed record CheckpointExport(string Format, IReadOnlyList<SignedCheckpoint> Checkpoints)
{
    public const string FormatName = "custos-checkpoints/v1";

    public static CheckpointExport Read(string json) =>
        JsonSerializer.Deserialize<CheckpointExport>(json, AuditProofs.Json) is { Format: FormatName } export
            ? export
            : throw new FormatException("Not a Custos checkpoint export (format " + FormatName + ").");

    public string ToJson() => JsonSerializer.Serialize(this, AuditProofs.Json) + "\n";
}
