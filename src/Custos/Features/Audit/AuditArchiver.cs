using System.Security.Cryptography;
using System.Text.Json;
using Custos.Data;
using Custos.Hosting;
using Custos.Kernel.Audit;
using Custos.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Custos.Features.Audit;

/// <summary>A stretch of the log moved out of the database into an archive file (retention).</summary>
public sealed class AuditArchive
{
    public long First { get; set; }

    /// <summary>Entries below this sequence number are archived; a signed checkpoint exists at this size.</summary>
    public long End { get; set; }

    public string FileName { get; set; } = "";

    /// <summary>SHA-256 of the archive's entries file.</summary>
    public byte[] Sha256 { get; set; } = [];

    /// <summary>The compact range of the tree at <see cref="End"/>: all the log needs of the archived entries to go on proving.</summary>
    public byte[] Peaks { get; set; } = [];

    public DateTimeOffset CreatedAt { get; set; }
}

public sealed record ArchiveResult(long First, long End, string EntriesFile, string ManifestFile);

/// <summary>
/// Retention (AUD-1, Cybersecurity Law art. 21: at least six months): entries older than
/// <c>Custos:Audit:RetentionDays</c> move, up to a signed checkpoint, into an archive — one JSON line per
/// entry, exactly as hashed, and a manifest with the checkpoint that signs the root over them and the tree's
/// compact range there — and are then deleted from the database. Verification and proofs of later entries go
/// on from the compact range, which must give the signed root; archives can be re-checked from their files.
/// </summary>
public sealed class AuditArchiver(CustosDbContext db, IAuditTrail audit, CustosSettings settings, TimeProvider time)
{
    public const string ManifestFormat = "custos-audit-archive/v1";

    public static int CheckRetention(CustosSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.Audit.RetentionDays >= 183
            ? settings.Audit.RetentionDays
            : throw new Classification.SettingsException("Custos:Audit:RetentionDays must be at least 183 (six months, Cybersecurity Law art. 21).");
    }

    public static string Directory(CustosSettings settings) =>
        Path.GetFullPath(settings.Audit.ArchiveDir ?? Path.Combine(settings.FullDataDir, "audit-archive"));

    /// <summary>Archives what is past retention, up to the largest checkpoint wholly past it; null when nothing is due.</summary>
    public async Task<ArchiveResult?> ArchiveAsync(CancellationToken ct)
    {
        var cutoff = time.GetUtcNow().AddDays(-CheckRetention(settings));
        var previous = await db.AuditArchives.AsNoTracking().OrderByDescending(a => a.End).FirstOrDefaultAsync(ct);
        var first = previous?.End ?? 0;
        // Nothing leaves before every configured collector has it and the alert rules (where they run) have judged it.
        var cursors = await db.AuditForwardCursors.AsNoTracking().ToDictionaryAsync(c => c.Destination, c => c.Next, ct);
        var limit = cursors.TryGetValue(AuditAlertRules.Cursor, out var judged) ? judged : long.MaxValue;
        foreach (var destination in AuditForwarder.Destinations(settings))
        {
            limit = Math.Min(limit, cursors.GetValueOrDefault(destination.Name));
            await destination.DisposeAsync();
        }

        var candidates = await db.AuditCheckpoints.AsNoTracking().Where(c => c.Size > first && c.Size <= limit).OrderByDescending(c => c.Size).Select(c => c.Size).ToListAsync(ct);
        long? end = null;
        foreach (var size in candidates)
        {
            if (!await db.AuditRecords.AnyAsync(a => a.Sequence >= first && a.Sequence < size && a.At >= cutoff, ct))
            {
                end = size;
                break;
            }
        }

        if (end is not { } k)
        {
            return null;
        }

        var checkpoint = await db.AuditCheckpoints.AsNoTracking().SingleAsync(c => c.Size == k, ct);
        var key = await db.AuditSigningKeys.AsNoTracking().SingleAsync(x => x.Id == checkpoint.KeyId, ct);
        var frontier = previous is null ? new MerkleFrontier() : MerkleFrontier.Restore(previous.End, previous.Peaks);
        var dir = Directory(settings);
        System.IO.Directory.CreateDirectory(dir);
        var name = $"audit-{first:D12}-{k - 1:D12}";
        var entriesPath = Path.Combine(dir, name + ".jsonl");
        byte[] digest;
        await using (var file = new FileStream(entriesPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 65536, FileOptions.Asynchronous))
        using (var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
        {
            await foreach (var record in db.AuditRecords.AsNoTracking().Where(a => a.Sequence >= first && a.Sequence < k).OrderBy(a => a.Sequence).AsAsyncEnumerable().WithCancellation(ct))
            {
                var entry = record.ToLogEntry(frontier.Size).Encode();
                var leaf = MerkleHash.Leaf(entry);
                if (record.Sequence != frontier.Size || record.LeafHash is null || !leaf.AsSpan().SequenceEqual(record.LeafHash))
                {
                    throw new CustosException(CustosError.Conflict, "AuditLogDoesNotVerify");
                }

                frontier.Append(leaf);
                await file.WriteAsync(entry, ct);
                file.WriteByte((byte)'\n');
                sha.AppendData(entry);
                sha.AppendData("\n"u8);
            }

            await file.FlushAsync(ct);
            file.Flush(flushToDisk: true);
            digest = sha.GetHashAndReset();
        }

        if (frontier.Size != k || !frontier.Root().AsSpan().SequenceEqual(checkpoint.Root))
        {
            File.Delete(entriesPath);
            throw new CustosException(CustosError.Conflict, "AuditLogDoesNotVerify");
        }

        var manifestPath = Path.Combine(dir, name + ".json");
        var manifest = new ArchiveManifest(ManifestFormat, first, k, Path.GetFileName(entriesPath), Convert.ToHexStringLower(digest),
            [.. frontier.Peaks.Select(Convert.ToHexStringLower)], previous?.FileName, SignedCheckpoint.From(checkpoint, key.PublicKey));
        await File.WriteAllTextAsync(manifestPath, JsonSerializer.Serialize(manifest, AuditProofs.Json) + "\n", ct);

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        db.AuditArchives.Add(new AuditArchive
        {
            First = first, End = k, FileName = Path.GetFileName(manifestPath), Sha256 = digest, Peaks = frontier.PeaksToBytes(), CreatedAt = time.GetUtcNow(),
        });
        await db.SaveChangesAsync(ct);
        await db.AuditRecords.Where(a => a.Sequence != null && a.Sequence < k).ExecuteDeleteAsync(ct);
        audit.Record(AuditActions.AuditArchive, "audit-log", null, detail: new { first, end = k, file = Path.GetFileName(manifestPath), before = cutoff });
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
        return new ArchiveResult(first, k, entriesPath, manifestPath);
    }
}

/// <summary>The manifest beside an archive's entries file; docs/audit-proofs.md describes it.</summary>
public sealed record ArchiveManifest(
    string Format, long First, long End, string Entries, string EntriesSha256, IReadOnlyList<string> Peaks, string? Previous, SignedCheckpoint Checkpoint);

/// <summary>How <see cref="AuditArchive"/> is stored.</summary>
internal sealed class AuditArchiveMapping : IEntityTypeConfiguration<AuditArchive>
{
    public void Configure(EntityTypeBuilder<AuditArchive> e)
    {
        ArgumentNullException.ThrowIfNull(e);
        e.HasKey(a => a.End);
        e.Property(a => a.End).ValueGeneratedNever();
        e.Property(a => a.FileName).HasMaxLength(200);
        e.Property(a => a.Sha256).HasMaxLength(32);
        e.Property(a => a.Peaks).HasMaxLength(64 * 32);
    }
}
