using Custos.Data;
using Custos.Kernel.Audit;
using Microsoft.EntityFrameworkCore;

namespace Custos.Features.Audit;

/// <summary>What went wrong first, in the order verification meets it.</summary>
public enum AuditProblem
{
    None,

    /// <summary>An entry's content no longer gives the hash recorded for it (edited, or moved to another place).</summary>
    EntryAltered,

    /// <summary>A sequence number is missing (an entry was deleted, or the rows after it were renumbered).</summary>
    EntryMissing,

    /// <summary>The entries up to a checkpoint do not give its signed root; the change lies in the range named.</summary>
    RootMismatch,

    /// <summary>A checkpoint's signature does not verify (it was replaced or edited).</summary>
    BadSignature,

    /// <summary>A checkpoint is signed by a key the log does not hold (or the auditor did not pin).</summary>
    UnknownKey,

    /// <summary>A checkpoint covers more entries than the log holds (entries were deleted from the end).</summary>
    LogTruncated,

    /// <summary>The archived part of the log, as the database keeps it, does not give its signed root.</summary>
    ArchiveMismatch,

    /// <summary>An archive file was changed, lost or does not continue the one before it.</summary>
    ArchiveAltered,

    /// <summary>
    /// An entry has waited outside the tree longer than the checkpoint interval: nothing proves what it says (it may
    /// have been changed), so the log does not verify until it is sequenced (<c>custos audit sequence</c>).
    /// </summary>
    EntryUnsequenced,
}

/// <summary>
/// The outcome of recomputing the whole log (AUD-1). <see cref="FirstBadEntry"/> names the first entry that
/// differs; when the tampering also rewrote the recorded hashes, only the signed roots can tell, and
/// <see cref="RangeFrom"/>..<see cref="FirstBadEntry"/> is the stretch between the last good checkpoint and the bad one.
/// </summary>
public sealed record AuditVerification(
    bool Ok,
    long Entries,
    int Checkpoints,
    long? SignedSize,
    long Unsequenced,
    IReadOnlyList<string> Keys,
    AuditProblem Problem,
    long? FirstBadEntry,
    long? RangeFrom,
    long? CheckpointSize)
{
    /// <summary>Entries integrated after the newest checkpoint; protected by the next one.</summary>
    public long Unsigned => Entries - (SignedSize ?? 0);
}

/// <summary>A checkpoint an auditor kept outside the database, with the key it trusts, to check the log against.</summary>
public sealed record TrustedCheckpoint(Checkpoint Checkpoint, byte[] Signature, byte[] PublicKey);

public sealed class AuditVerifier(CustosDbContext db, Hosting.CustosSettings settings, TimeProvider time)
{
    /// <summary>Entries read, hashed and checked at a time.</summary>
    private const int Chunk = 4096;

    /// <summary>Recomputes every leaf and every signed root, streaming the log in sequence order.</summary>
    public async Task<AuditVerification> VerifyAsync(IReadOnlyList<TrustedCheckpoint>? trusted, IProgress<(long Done, long Total)>? progress, CancellationToken ct, string? archiveDir = null)
    {
        var keys = await db.AuditSigningKeys.AsNoTracking().ToDictionaryAsync(k => k.Id, k => k.PublicKey, ct);
        var stored = await db.AuditCheckpoints.AsNoTracking().OrderBy(c => c.Size).ToListAsync(ct);
        var unsequenced = await db.AuditRecords.LongCountAsync(a => a.Sequence == null, ct);
        var total = await db.AuditRecords.LongCountAsync(a => a.Sequence != null, ct);

        // Every checkpoint to meet on the way: the stored ones with their stored keys, the auditor's with the key they pinned.
        var checks = stored.Select(c => (Checkpoint: c.ToCheckpoint(), c.Signature, Key: keys.GetValueOrDefault(c.KeyId)))
            .Concat((trusted ?? []).Select(t => (t.Checkpoint, t.Signature, Key: (byte[]?)t.PublicKey)))
            .Where(c => c.Checkpoint.Size > 0)
            .OrderBy(c => c.Checkpoint.Size)
            .ToList();

        AuditVerification Result(AuditProblem problem, long entries, long? bad = null, long? from = null, long? size = null) =>
            new(problem == AuditProblem.None, entries, stored.Count, stored.Count > 0 ? stored[^1].Size : null, unsequenced,
                [.. keys.Keys.Order(StringComparer.Ordinal)], problem, bad, from, size);

        foreach (var check in checks)
        {
            if (check.Key is null)
            {
                return Result(AuditProblem.UnknownKey, 0, size: check.Checkpoint.Size);
            }

            if (!check.Checkpoint.Verify(check.Key, check.Signature))
            {
                return Result(AuditProblem.BadSignature, 0, size: check.Checkpoint.Size);
            }
        }

        var frontier = new MerkleFrontier();
        var next = 0;
        long lastGood = 0;

        // Archived entries: recomputed from their files when asked, else taken from the compact range kept,
        // which must give the signed root where the archive ends.
        var archives = await db.AuditArchives.AsNoTracking().OrderBy(a => a.End).ToListAsync(ct);
        foreach (var archive in archiveDir is null ? [] : archives)
        {
            var entries = frontier.Size;
            var digest = archive.First == frontier.Size ? await RecomputeAsync(archiveDir!, archive, frontier, checks, next, ct) : null;
            if (digest is not { } d || !d.Sha256.AsSpan().SequenceEqual(archive.Sha256) || frontier.Size != archive.End ||
                !frontier.PeaksToBytes().AsSpan().SequenceEqual(archive.Peaks) || d.RootMismatchAt is not null)
            {
                return Result(AuditProblem.ArchiveAltered, entries, bad: digest?.RootMismatchAt ?? archive.First, from: archive.First, size: archive.End);
            }

            next = d.Next;
        }

        if (archives.Count > 0)
        {
            var last = archives[^1];
            frontier = MerkleFrontier.Restore(last.End, last.Peaks);
            var root = frontier.Root();
            if (!checks.Any(c => c.Checkpoint.Size == last.End))
            {
                return Result(AuditProblem.ArchiveMismatch, last.End, size: last.End);
            }

            for (next = 0; next < checks.Count && checks[next].Checkpoint.Size <= last.End; next++)
            {
                if (checks[next].Checkpoint.Size == last.End && !root.AsSpan().SequenceEqual(checks[next].Checkpoint.Root))
                {
                    return Result(AuditProblem.ArchiveMismatch, last.End, size: last.End);
                }
            }

            lastGood = last.End;
        }

        // The entries are read on one thread while the leaves of the chunk before are computed on the others, then
        // checked and appended in order: the same checks, entry by entry, as a plain loop would make.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var chunks = System.Threading.Channels.Channel.CreateBounded<List<AuditRecord>>(new System.Threading.Channels.BoundedChannelOptions(4) { SingleReader = true, SingleWriter = true });
        var partial = new List<AuditRecord>();
        var reader = Task.Run(async () =>
        {
            try
            {
                var chunk = partial = new List<AuditRecord>(Chunk);
                await foreach (var record in db.AuditRecords.AsNoTracking().Where(a => a.Sequence != null).OrderBy(a => a.Sequence).AsAsyncEnumerable().WithCancellation(stop.Token))
                {
                    chunk.Add(record);
                    if (chunk.Count == Chunk)
                    {
                        await chunks.Writer.WriteAsync(chunk, stop.Token);
                        chunk = partial = new List<AuditRecord>(Chunk);
                    }
                }

                if (chunk.Count > 0)
                {
                    partial = [];
                    await chunks.Writer.WriteAsync(chunk, stop.Token);
                }

                chunks.Writer.Complete();
            }
#pragma warning disable CA1031 // Whatever stopped the reading is handed to the checking loop, which throws it.
            catch (Exception e)
#pragma warning restore CA1031
            {
                // The entries read before the failure are checked first: a problem among them is reported as itself.
                if (partial.Count > 0 && !stop.IsCancellationRequested)
                {
                    await chunks.Writer.WriteAsync(partial, CancellationToken.None);
                }

                chunks.Writer.Complete(e);
            }
        }, CancellationToken.None);

        try
        {
            await foreach (var chunk in chunks.Reader.ReadAllAsync(ct))
            {
                // An entry's leaf is computed at the place it must have: the next sequence number of the tree.
                var first = frontier.Size;
                var leaves = new byte[chunk.Count][];
                var failures = new System.Runtime.ExceptionServices.ExceptionDispatchInfo?[chunk.Count];
                Parallel.For(0, chunk.Count, new ParallelOptions { CancellationToken = ct }, i =>
                {
                    try
                    {
                        leaves[i] = chunk[i].ToLogEntry(first + i).LeafHash();
                    }
#pragma warning disable CA1031 // Kept for its entry: raised when the checks in order reach it, after those before it.
                    catch (Exception e)
#pragma warning restore CA1031
                    {
                        failures[i] = System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e);
                    }
                });
                for (var i = 0; i < chunk.Count; i++)
                {
                    var record = chunk[i];
                    var sequence = frontier.Size;
                    if (record.Sequence != sequence)
                    {
                        return Result(AuditProblem.EntryMissing, sequence, bad: sequence);
                    }

                    failures[i]?.Throw();
                    var leaf = leaves[i];
                    if (record.LeafHash is null || !leaf.AsSpan().SequenceEqual(record.LeafHash))
                    {
                        return Result(AuditProblem.EntryAltered, sequence, bad: sequence);
                    }

                    frontier.Append(leaf);
                    if (next < checks.Count && checks[next].Checkpoint.Size == frontier.Size)
                    {
                        var root = frontier.Root();
                        for (; next < checks.Count && checks[next].Checkpoint.Size == frontier.Size; next++)
                        {
                            if (!root.AsSpan().SequenceEqual(checks[next].Checkpoint.Root))
                            {
                                return Result(AuditProblem.RootMismatch, frontier.Size, bad: frontier.Size - 1, from: lastGood, size: frontier.Size);
                            }
                        }

                        lastGood = frontier.Size;
                    }

                    if ((frontier.Size & 0xFFFF) == 0)
                    {
                        progress?.Report((frontier.Size, total));
                    }
                }
            }
        }
        finally
        {
            // The reader stops (if a problem ended the walk early) and is done with the context before anything else uses it.
            await stop.CancelAsync();
            try
            {
                await reader;
            }
            catch (OperationCanceledException)
            {
                // Stopped on purpose.
            }
        }

        progress?.Report((frontier.Size, total));
        if (next < checks.Count)
        {
            return Result(AuditProblem.LogTruncated, frontier.Size, bad: frontier.Size, from: lastGood, size: checks[next].Checkpoint.Size);
        }

        // Every entry is sequenced within the checkpoint interval (the server, or the command that wrote it, does so).
        var before = time.GetUtcNow().AddSeconds(-Math.Max(1, settings.Audit.CheckpointSeconds));
        var stale = await db.AuditRecords.Where(a => a.Sequence == null && a.At < before).OrderBy(a => a.Id).Select(a => (long?)a.Id).FirstOrDefaultAsync(ct);
        return stale is { } waiting ? Result(AuditProblem.EntryUnsequenced, frontier.Size, waiting) : Result(AuditProblem.None, frontier.Size);
    }

    private sealed record Recomputed(byte[] Sha256, int Next, long? RootMismatchAt);

    /// <summary>Appends an archive file's entries to <paramref name="frontier"/>, checking the checkpoints inside it; null if the files are missing or unreadable.</summary>
    private static async Task<Recomputed?> RecomputeAsync(string dir, AuditArchive archive, MerkleFrontier frontier,
        List<(Checkpoint Checkpoint, byte[] Signature, byte[]? Key)> checks, int next, CancellationToken ct)
    {
        try
        {
            var manifest = System.Text.Json.JsonSerializer.Deserialize<ArchiveManifest>(await File.ReadAllTextAsync(Path.Combine(dir, archive.FileName), ct), AuditProofs.Json);
            if (manifest is null || manifest.First != archive.First || manifest.End != archive.End)
            {
                return null;
            }

            using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
            await foreach (var line in File.ReadLinesAsync(Path.Combine(dir, Path.GetFileName(manifest.Entries)), ct))
            {
                var entry = System.Text.Encoding.UTF8.GetBytes(line);
                sha.AppendData(entry);
                sha.AppendData("\n"u8);
                frontier.Append(MerkleHash.Leaf(entry));
                for (; next < checks.Count && checks[next].Checkpoint.Size <= frontier.Size; next++)
                {
                    if (checks[next].Checkpoint.Size == frontier.Size && !frontier.Root().AsSpan().SequenceEqual(checks[next].Checkpoint.Root))
                    {
                        return new Recomputed(sha.GetHashAndReset(), next, frontier.Size - 1);
                    }
                }
            }

            return new Recomputed(sha.GetHashAndReset(), next, null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Text.Json.JsonException)
        {
            return null;
        }
    }
}
