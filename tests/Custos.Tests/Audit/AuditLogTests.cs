using System.Security.Cryptography;
using System.Text.Json;
using Custos.Features.Audit;
using Custos.Kernel.Audit;
using Custos.Security;
using Custos.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Custos.Tests.Audit;

/// <summary>
/// The tamper-evident audit log (AUD-1): sequencing, signed checkpoints, proofs an outsider can check, and
/// verification that names the first entry changed by any edit, deletion, insertion, reordering or
/// replaced checkpoint.
/// </summary>
public abstract class AuditLogTests(string provider)
{
    private Task<AuditHost> StartAsync() => AuditHost.StartAsync(provider);

    /// <summary>A log of at least 30 entries, all sequenced and covered by a checkpoint.</summary>
    private static async Task<long> FillAsync(AuditHost host)
    {
        await host.RecordAsync(30);
        return await host.SettleAsync();
    }

    [Fact]
    public async Task Entries_are_sequenced_without_gaps_and_checkpoints_sign_the_roots_of_the_entries()
    {
        await using var host = await StartAsync();
        var size = await FillAsync(host);

        var records = await host.DbAsync(db => db.AuditRecords.AsNoTracking().OrderBy(a => a.Sequence).ToListAsync());
        Assert.Equal(Enumerable.Range(0, (int)size).Select(i => (long?)i), records.Select(r => r.Sequence));
        var checkpoints = await host.DbAsync(db => db.AuditCheckpoints.AsNoTracking().OrderBy(c => c.Size).ToListAsync());
        Assert.Contains(checkpoints, c => c.Size == AuditHost.CheckpointEvery);
        Assert.Contains(checkpoints, c => c.Size == 2 * AuditHost.CheckpointEvery);
        Assert.Equal(size, checkpoints[^1].Size);

        // The signed roots are the RFC 6962 tree heads of the entries, computed independently.
        var leaves = records.Select(r => IndependentRfc6962.LeafHash(r.ToLogEntry(r.Sequence!.Value).Encode())).ToList();
        var key = await host.DbAsync(db => db.AuditSigningKeys.AsNoTracking().SingleAsync());
        foreach (var c in checkpoints)
        {
            Assert.Equal(IndependentRfc6962.TreeHead(leaves.Take((int)c.Size).ToList()), c.Root);
            using var ecdsa = ECDsa.Create();
            ecdsa.ImportSubjectPublicKeyInfo(key.PublicKey, out _);
            Assert.True(ecdsa.VerifyData(System.Text.Encoding.UTF8.GetBytes(c.ToCheckpoint().Body()), c.Signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
        }

        // What the entry says, and nothing protected: purpose and outcome have their own members.
        var revealLike = records.First(r => r.Action == "test.entry" && r.Purpose == "follow-up");
        using var entry = JsonDocument.Parse(revealLike.ToLogEntry(revealLike.Sequence!.Value).Encode());
        Assert.Equal("follow-up", entry.RootElement.GetProperty("purpose").GetString());
        Assert.Equal(revealLike.Sequence, entry.RootElement.GetProperty("seq").GetInt64());

        var result = await host.VerifyAsync();
        Assert.True(result.Ok, result.ToString());
        Assert.Equal(size, result.Entries);
        Assert.Equal(0, result.Unsigned);
    }

    [Fact]
    public async Task Every_inclusion_proof_verifies_with_an_independent_implementation_and_a_forged_one_does_not()
    {
        await using var host = await StartAsync();
        var size = await FillAsync(host);

        for (long entry = 0; entry < size; entry++)
        {
            var document = await host.WithAsync(s => s.GetRequiredService<AuditProofs>().InclusionAsync(entry, null, default));
            var json = JsonSerializer.Serialize(document, AuditProofs.Json);
            Assert.True(IndependentRfc6962.VerifyInclusionDocument(json), $"entry {entry}");
            if (entry == 5)
            {
                // The same proof with the entry's content changed, or claimed for another place, fails.
                var forged = json.Replace(document.Entry, Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("{\"v\":1}")), StringComparison.Ordinal);
                Assert.False(IndependentRfc6962.VerifyInclusionDocument(forged));
                var moved = json.Replace("\"leaf_index\": 5", "\"leaf_index\": 4", StringComparison.Ordinal);
                Assert.False(IndependentRfc6962.VerifyInclusionDocument(moved));
            }
        }

        // Against an older checkpoint too; an entry after it is not covered.
        var early = await host.WithAsync(s => s.GetRequiredService<AuditProofs>().InclusionAsync(3, AuditHost.CheckpointEvery, default));
        Assert.True(IndependentRfc6962.VerifyInclusionDocument(JsonSerializer.Serialize(early, AuditProofs.Json)));
        var notCovered = await Assert.ThrowsAsync<Custos.Hosting.CustosException>(() =>
            host.WithAsync(s => s.GetRequiredService<AuditProofs>().InclusionAsync(AuditHost.CheckpointEvery, AuditHost.CheckpointEvery, default)));
        Assert.Equal("AuditEntryNotCovered", notCovered.Code);
    }

    [Fact]
    public async Task A_consistency_proof_shows_an_earlier_checkpoint_is_a_prefix_of_a_later_one()
    {
        await using var host = await StartAsync();
        var size = await FillAsync(host);

        var document = await host.WithAsync(s => s.GetRequiredService<AuditProofs>().ConsistencyAsync(AuditHost.CheckpointEvery, size, default));
        var path = document.ConsistencyPath.Select(Convert.FromHexString).ToList();
        var first = Convert.FromHexString(document.FirstCheckpoint.Root);
        var second = Convert.FromHexString(document.SecondCheckpoint.Root);
        Assert.True(MerkleTree.VerifyConsistency(AuditHost.CheckpointEvery, size, first, second, path));
        using var json = JsonDocument.Parse(JsonSerializer.Serialize(document, AuditProofs.Json));
        Assert.True(IndependentRfc6962.CheckpointSays(json.RootElement.GetProperty("first_checkpoint"), AuditHost.CheckpointEvery, first));
        Assert.True(IndependentRfc6962.CheckpointSays(json.RootElement.GetProperty("second_checkpoint"), size, second));
        Assert.False(MerkleTree.VerifyConsistency(AuditHost.CheckpointEvery, size, second, second, path));

        var missing = await Assert.ThrowsAsync<Custos.Hosting.CustosException>(() =>
            host.WithAsync(s => s.GetRequiredService<AuditProofs>().ConsistencyAsync(3, size, default)));
        Assert.Equal("AuditCheckpointNotFound", missing.Code);
    }

    [Fact]
    public async Task Editing_an_entry_is_named()
    {
        await using var host = await StartAsync();
        await FillAsync(host);
        await host.DbAsync(db => db.AuditRecords.Where(a => a.Sequence == 11).ExecuteUpdateAsync(s => s.SetProperty(a => a.ActorName, "someone else")));

        var result = await host.VerifyAsync();
        Assert.False(result.Ok);
        Assert.Equal(AuditProblem.EntryAltered, result.Problem);
        Assert.Equal(11, result.FirstBadEntry);
    }

    [Fact]
    public async Task Editing_an_entry_and_rewriting_its_hash_is_caught_by_the_signed_root()
    {
        await using var host = await StartAsync();
        await FillAsync(host);
        var record = await host.DbAsync(db => db.AuditRecords.AsNoTracking().SingleAsync(a => a.Sequence == 11));
        record.Outcome = record.Outcome == AuditOutcome.Success ? AuditOutcome.Denied : AuditOutcome.Success;
        var forged = record.ToLogEntry(11).LeafHash();
        await host.DbAsync(db => db.AuditRecords.Where(a => a.Sequence == 11)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.Outcome, record.Outcome).SetProperty(a => a.LeafHash, forged)));

        var result = await host.VerifyAsync();
        Assert.Equal(AuditProblem.RootMismatch, result.Problem);
        Assert.Equal(2 * AuditHost.CheckpointEvery, result.CheckpointSize);
        Assert.InRange(11, result.RangeFrom!.Value, result.FirstBadEntry!.Value);
        Assert.Equal(AuditHost.CheckpointEvery, result.RangeFrom);
    }

    [Fact]
    public async Task Deleting_an_entry_is_named()
    {
        await using var host = await StartAsync();
        await FillAsync(host);
        await host.DbAsync(db => db.AuditRecords.Where(a => a.Sequence == 7).ExecuteDeleteAsync());

        var result = await host.VerifyAsync();
        Assert.Equal(AuditProblem.EntryMissing, result.Problem);
        Assert.Equal(7, result.FirstBadEntry);
    }

    [Fact]
    public async Task Inserting_an_entry_is_named()
    {
        await using var host = await StartAsync();
        var size = await FillAsync(host);

        // Make room at 9 by moving the later entries up one, then put a forged entry, with its hash, in the gap.
        for (var seq = size - 1; seq >= 9; seq--)
        {
            var s = seq;
            await host.DbAsync(db => db.AuditRecords.Where(a => a.Sequence == s).ExecuteUpdateAsync(u => u.SetProperty(a => a.Sequence, s + 1)));
        }

        var forged = new AuditRecord
        {
            At = LogEntry.Truncate(DateTimeOffset.UnixEpoch.AddYears(56)),
            ActorId = "system",
            ActorName = "system",
            Action = "customer.view",
            TargetType = "customer",
            Outcome = AuditOutcome.Success,
            Sequence = 9,
        };
        forged.LeafHash = forged.ToLogEntry(9).LeafHash();
        await host.DbAsync(async db =>
        {
            db.AuditRecords.Add(forged);
            return await db.SaveChangesAsync();
        });

        var result = await host.VerifyAsync();
        Assert.False(result.Ok);
        Assert.Equal(AuditProblem.EntryAltered, result.Problem);
        Assert.Equal(10, result.FirstBadEntry); // the first real entry that no longer sits where it was hashed
    }

    [Fact]
    public async Task Reordering_two_entries_is_named()
    {
        await using var host = await StartAsync();
        await FillAsync(host);
        await host.DbAsync(db => db.AuditRecords.Where(a => a.Sequence == 4).ExecuteUpdateAsync(s => s.SetProperty(a => a.Sequence, -1)));
        await host.DbAsync(db => db.AuditRecords.Where(a => a.Sequence == 12).ExecuteUpdateAsync(s => s.SetProperty(a => a.Sequence, 4)));
        await host.DbAsync(db => db.AuditRecords.Where(a => a.Sequence == -1).ExecuteUpdateAsync(s => s.SetProperty(a => a.Sequence, 12)));

        var result = await host.VerifyAsync();
        Assert.Equal(AuditProblem.EntryAltered, result.Problem);
        Assert.Equal(4, result.FirstBadEntry);
    }

    [Fact]
    public async Task Replacing_a_checkpoint_is_detected()
    {
        await using var host = await StartAsync();
        await FillAsync(host);
        var other = await host.DbAsync(db => db.AuditCheckpoints.AsNoTracking().SingleAsync(c => c.Size == 2 * AuditHost.CheckpointEvery));
        await host.DbAsync(db => db.AuditCheckpoints.Where(c => c.Size == AuditHost.CheckpointEvery)
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.Root, other.Root).SetProperty(c => c.Signature, other.Signature)));

        var result = await host.VerifyAsync();
        Assert.Equal(AuditProblem.BadSignature, result.Problem);
        Assert.Equal(AuditHost.CheckpointEvery, result.CheckpointSize);
    }

    [Fact]
    public async Task Deleting_the_newest_entries_is_detected_by_the_checkpoint_that_covered_them()
    {
        await using var host = await StartAsync();
        var size = await FillAsync(host);
        await host.DbAsync(db => db.AuditRecords.Where(a => a.Sequence >= size - 3).ExecuteDeleteAsync());

        var result = await host.VerifyAsync();
        Assert.Equal(AuditProblem.LogTruncated, result.Problem);
        Assert.Equal(size - 3, result.FirstBadEntry);
        Assert.Equal(size, result.CheckpointSize);
    }

    [Fact]
    public async Task Re_signing_the_log_with_another_key_is_caught_by_checkpoints_kept_outside()
    {
        await using var host = await StartAsync();
        await FillAsync(host);
        var export = await host.WithAsync(s => s.GetRequiredService<AuditProofs>().ExportAsync(null, default));
        var kept = CheckpointExport.Read(export.ToJson()).Checkpoints.Select(c => c.ToTrusted()).ToList();
        Assert.True((await host.VerifyAsync(kept)).Ok);

        // Someone with write access to the database edits an entry, recomputes every hash and re-signs every
        // checkpoint with a key of their own. The database alone now agrees with itself…
        await host.DbAsync(db => db.AuditRecords.Where(a => a.Sequence == 3).ExecuteUpdateAsync(s => s.SetProperty(a => a.Action, "customer.list")));
        await host.DbAsync(async db =>
        {
            var records = await db.AuditRecords.OrderBy(a => a.Sequence).ToListAsync();
            var frontier = new MerkleFrontier();
            var roots = new Dictionary<long, byte[]>();
            foreach (var r in records)
            {
                r.LeafHash = r.ToLogEntry(r.Sequence!.Value).LeafHash();
                frontier.Append(r.LeafHash);
                roots[frontier.Size] = frontier.Root();
            }

            using var attacker = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var publicKey = attacker.ExportSubjectPublicKeyInfo();
            var keyId = Checkpoint.KeyId(publicKey);
            db.AuditSigningKeys.RemoveRange(db.AuditSigningKeys);
            db.AuditSigningKeys.Add(new AuditSigningKey { Id = keyId, PublicKey = publicKey, WrappedPrivateKey = [1], CreatedAt = DateTimeOffset.UnixEpoch });
            foreach (var c in await db.AuditCheckpoints.ToListAsync())
            {
                c.Root = roots[c.Size];
                c.KeyId = keyId;
                c.Signature = c.ToCheckpoint().Sign(attacker);
            }

            return await db.SaveChangesAsync();
        });
        Assert.True((await host.VerifyAsync()).Ok);

        // …but not with the checkpoints the auditor kept: their roots were signed by the real key.
        var result = await host.VerifyAsync(kept);
        Assert.Equal(AuditProblem.RootMismatch, result.Problem);
        Assert.Equal(kept.Where(c => c.Checkpoint.Size > 3).Min(c => c.Checkpoint.Size), result.CheckpointSize);
        Assert.InRange(3, result.RangeFrom!.Value, result.FirstBadEntry!.Value);
    }

    [Fact]
    public async Task Entries_recorded_after_a_proof_join_the_log_and_earlier_proofs_stay_valid()
    {
        await using var host = await StartAsync();
        var before = await FillAsync(host);
        var proof = await host.WithAsync(s => s.GetRequiredService<AuditProofs>().InclusionAsync(2, before, default));
        await host.RecordAsync(13, "test.later");
        var after = await host.SettleAsync();

        Assert.Equal(before + 13, after);
        Assert.True(IndependentRfc6962.VerifyInclusionDocument(JsonSerializer.Serialize(proof, AuditProofs.Json)));
        Assert.True((await host.VerifyAsync()).Ok);
        var consistency = await host.WithAsync(s => s.GetRequiredService<AuditProofs>().ConsistencyAsync(before, after, default));
        Assert.True(MerkleTree.VerifyConsistency(before, after, Convert.FromHexString(consistency.FirstCheckpoint.Root),
            Convert.FromHexString(consistency.SecondCheckpoint.Root), [.. consistency.ConsistencyPath.Select(Convert.FromHexString)]));
    }
}

public sealed class SqliteAuditLogTests() : AuditLogTests("sqlite");

public sealed class PostgresAuditLogTests() : AuditLogTests("postgres");
