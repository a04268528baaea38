using System.Text.Json;
using Custos.Features.Audit;
using Custos.Hosting;
using Custos.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Custos.Tests.Audit;

/// <summary>
/// Retention (AUD-1): entries past the retention period move into archive files up to a signed checkpoint and
/// leave the database; the log still verifies, later entries still have proofs, and the archive files are
/// checked against the signed roots when given.
/// </summary>
public abstract class AuditArchiveTests(string provider)
{
    [Fact]
    public async Task Old_entries_are_archived_and_the_log_still_verifies_and_proves()
    {
        var dir = TestPaths.NewDataDir("archive");
        await using var host = await AuditHost.StartAsync(provider, extra: new() { ["Custos:Audit:ArchiveDir"] = dir });
        await host.RecordAsync(30);
        var old = await host.SettleAsync();
        host.Factory.Time.Advance(TimeSpan.FromDays(1096));
        await host.RecordAsync(10, "test.recent");
        await host.SettleAsync();

        await host.WithAsync(s => s.GetRequiredService<AuditAlertRules>().EvaluateAllAsync(default));

        var archived = await host.WithAsync(s => s.GetRequiredService<AuditArchiver>().ArchiveAsync(default));
        Assert.NotNull(archived);
        Assert.Equal(0, archived.First);
        Assert.Equal(old, archived.End); // everything recorded before the three years, up to the checkpoint that covers it
        Assert.Equal(old, File.ReadAllLines(archived.EntriesFile).Length);
        Assert.False(await host.DbAsync(db => db.AuditRecords.AnyAsync(a => a.Sequence < old)));
        Assert.Null(await host.WithAsync(s => s.GetRequiredService<AuditArchiver>().ArchiveAsync(default))); // nothing more is due

        var size = await host.SettleAsync();
        var result = await host.VerifyAsync();
        Assert.True(result.Ok, result.ToString());
        Assert.Equal(size, result.Entries);
        var withFiles = await host.WithAsync(s => s.GetRequiredService<AuditVerifier>().VerifyAsync(null, null, default, dir));
        Assert.True(withFiles.Ok, withFiles.ToString());

        // Proofs go on for what is left; an archived entry is checked against its file instead.
        var proof = await host.WithAsync(s => s.GetRequiredService<AuditProofs>().InclusionAsync(old + 1, null, default));
        Assert.True(IndependentRfc6962.VerifyInclusionDocument(JsonSerializer.Serialize(proof, AuditProofs.Json)));
        var gone = await Assert.ThrowsAsync<CustosException>(() => host.WithAsync(s => s.GetRequiredService<AuditProofs>().InclusionAsync(2, null, default)));
        Assert.Equal("AuditEntryArchived", gone.Code);
        var consistency = await host.WithAsync(s => s.GetRequiredService<AuditProofs>().ConsistencyAsync(old, size, default));
        Assert.True(Custos.Kernel.Audit.MerkleTree.VerifyConsistency(old, size, Convert.FromHexString(consistency.FirstCheckpoint.Root),
            Convert.FromHexString(consistency.SecondCheckpoint.Root), [.. consistency.ConsistencyPath.Select(Convert.FromHexString)]));

        // The manifest names the signed checkpoint over the archived entries.
        var manifest = JsonDocument.Parse(await File.ReadAllTextAsync(archived.ManifestFile)).RootElement;
        Assert.Equal(AuditArchiver.ManifestFormat, manifest.GetProperty("format").GetString());
        Assert.Equal(old, manifest.GetProperty("checkpoint").GetProperty("size").GetInt64());

        // An archive file edited afterwards is found out when the files are checked.
        var lines = await File.ReadAllLinesAsync(archived.EntriesFile);
        lines[5] = lines[5].Replace("\"actor_name\":\"system\"", "\"actor_name\":\"nobody\"", StringComparison.Ordinal) + " ";
        await File.WriteAllLinesAsync(archived.EntriesFile, lines);
        var altered = await host.WithAsync(s => s.GetRequiredService<AuditVerifier>().VerifyAsync(null, null, default, dir));
        Assert.Equal(AuditProblem.ArchiveAltered, altered.Problem);
        Assert.Equal(0, altered.RangeFrom);

        // The database's own record of the archived part is checked against the signed root too.
        await host.DbAsync(async db =>
        {
            var row = await db.AuditArchives.SingleAsync();
            var peaks = row.Peaks.ToArray();
            peaks[0] ^= 1;
            row.Peaks = peaks;
            return await db.SaveChangesAsync();
        });
        Assert.Equal(AuditProblem.ArchiveMismatch, (await host.VerifyAsync()).Problem);
        Directory.Delete(dir, true);
    }

    [Fact]
    public async Task Entries_a_configured_collector_has_not_received_stay_in_the_database()
    {
        int closedPort;
        using (var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            probe.Start();
            closedPort = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        }

        var dir = TestPaths.NewDataDir("archive");
        await using var host = await AuditHost.StartAsync(provider, extra: new()
        {
            ["Custos:Audit:ArchiveDir"] = dir,
            ["Custos:Audit:Forward:Syslog"] = $"127.0.0.1:{closedPort}", // the collector is down
        });
        await host.RecordAsync(30);
        await host.SettleAsync();
        host.Factory.Time.Advance(TimeSpan.FromDays(1096));
        await host.RecordAsync(5, "test.recent");
        await host.SettleAsync();

        Assert.Null(await host.WithAsync(s => s.GetRequiredService<AuditArchiver>().ArchiveAsync(default)));
        Assert.True(await host.DbAsync(db => db.AuditRecords.AnyAsync(a => a.Sequence == 0)));
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public async Task A_retention_shorter_than_six_months_stops_start_up()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => AuditHost.StartAsync(provider, extra: new() { ["Custos:Audit:RetentionDays"] = "90" }));
        Assert.Contains("RetentionDays must be at least 183", error.ToString(), StringComparison.Ordinal);
    }
}

public sealed class SqliteAuditArchiveTests() : AuditArchiveTests("sqlite");

public sealed class PostgresAuditArchiveTests() : AuditArchiveTests("postgres");
