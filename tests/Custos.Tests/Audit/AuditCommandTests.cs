using System.Diagnostics;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Custos.Tests.Infrastructure;

namespace Custos.Tests.Audit;

/// <summary>The auditor's tools on the command line (AUD-1, AUD-2). The <c>custos</c> executable, run as a separate process the way scripts and CI run it.</summary>
[Collection(CommandLineTest.Collection)]
public sealed class AuditCommandTests : CommandLineTest
{
    [Fact]
    public async Task Audit_verify_names_an_altered_entry_and_an_exported_proof_checks_out_without_custos()
    {
        Assert.Equal(0, (await RunAsync("org", "department", "add", "SALES", "销售部")).ExitCode);
        Assert.Equal(0, (await RunAsync("user", "add", "zhao.li", "--name", "赵丽", "--role", "staff")).ExitCode);
        var sequenced = await RunAsync("audit", "sequence");
        Assert.True(sequenced.ExitCode == 0, sequenced.Error);
        Assert.Contains("Integrated", sequenced.Out, StringComparison.Ordinal);

        var verified = await RunAsync("audit", "verify");
        Assert.True(verified.ExitCode == 0, verified.Error);
        Assert.Contains("The audit log verifies", verified.Out, StringComparison.Ordinal);

        var proof = await RunAsync("audit", "proof", "--entry", "2");
        Assert.True(proof.ExitCode == 0, proof.Error);
        Assert.True(Audit.IndependentRfc6962.VerifyInclusionDocument(proof.Out), proof.Out);
        var checkpoints = Path.Combine(dataDir, "checkpoints.json");
        Assert.Equal(0, (await RunAsync("audit", "checkpoints", "--out", checkpoints)).ExitCode);
        Assert.Contains("custos-checkpoints/v1", await File.ReadAllTextAsync(checkpoints), StringComparison.Ordinal);

        // Someone edits entry 2 in the database file.
        await using (var db = new SqliteConnection($"Data Source={Path.Combine(dataDir, "custos.db")};Pooling=False"))
        {
            await db.OpenAsync();
            await using var command = db.CreateCommand();
            command.CommandText = """UPDATE "AuditRecords" SET "ActorName" = 'nobody' WHERE "Sequence" = 2""";
            Assert.Equal(1, await command.ExecuteNonQueryAsync());
        }

        var tampered = await RunAsync("audit", "verify", "--checkpoints", checkpoints);
        Assert.Equal(1, tampered.ExitCode);
        Assert.Contains("Audit entry 2 was altered", tampered.Error, StringComparison.Ordinal);
        var noProof = await RunAsync("audit", "proof", "--entry", "2");
        Assert.Equal(1, noProof.ExitCode);
        Assert.Contains("does not agree", noProof.Error, StringComparison.Ordinal);

        // Staff may not examine the log; an auditor searches and exports it.
        var staff = await RunAsync("audit", "verify", "--as", "zhao.li");
        Assert.Equal(1, staff.ExitCode);
        Assert.Contains("may not run this command", staff.Error, StringComparison.Ordinal);
        await FoundAsync();
        await AddApprovedAsync("qian.shen", "钱审", ["--role", "auditor"], "qian.hg", "zhou.gm");
        var search = await RunAsync("audit", "search", "--action", "person.", "--as", "qian.shen");
        Assert.True(search.ExitCode == 0, search.Error);
        Assert.Matches(@"[1-9]\d* entries\.", search.Out);
        var csv = Path.Combine(dataDir, "audit.csv");
        var exported = await RunAsync("audit", "search", "--action", "person.create", "--csv", csv, "--as", "qian.shen");
        Assert.True(exported.ExitCode == 0, exported.Error);
        Assert.Equal(6, (await File.ReadAllLinesAsync(csv)).Length); // header, the administrator, zhao.li, zhou.gm, qian.hg, qian.shen
        Assert.Equal(1, (await RunAsync("audit", "search", "--as", "admin")).ExitCode);
    }

    [Fact]
    public async Task What_a_command_records_is_in_the_tamper_evident_log_before_it_exits_and_an_entry_left_outside_fails_verify_AUD_1()
    {
        Assert.Equal(0, (await RunAsync("org", "department", "add", "SALES", "销售部")).ExitCode);
        Assert.Equal(1, (await RunAsync("org", "department", "add", "SALES", "重复")).ExitCode);
        await using var db = new SqliteConnection($"Data Source={Path.Combine(dataDir, "custos.db")};Pooling=False");
        await db.OpenAsync();
        await using (var unsequenced = db.CreateCommand())
        {
            unsequenced.CommandText = """SELECT COUNT(*) FROM "AuditRecords" WHERE "Sequence" IS NULL""";
            Assert.Equal(0L, (long)(await unsequenced.ExecuteScalarAsync())!);
        }

        // An entry slipped in by hand, outside the tree, fails verify once the checkpoint interval has passed.
        await using (var insert = db.CreateCommand())
        {
            insert.CommandText = """
                INSERT INTO "AuditRecords" ("At", "ActorId", "ActorName", "Action", "TargetType", "Outcome")
                SELECT "At", 'system', 'system', 'forged.entry', 'none', 'Success' FROM "AuditRecords" ORDER BY "Id" LIMIT 1
                """;
            Assert.Equal(1, await insert.ExecuteNonQueryAsync());
        }

        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var waiting = await RunProcessAsync(null, new() { ["Custos__Audit__CheckpointSeconds"] = "1" }, "audit", "verify");
        Assert.Equal(1, waiting.ExitCode);
        Assert.Contains("not been sequenced", waiting.Error, StringComparison.Ordinal);

        // What a command recorded is in the tree: someone who edits it is named by verify, without any server having run.
        await using (var edit = db.CreateCommand())
        {
            edit.CommandText = """UPDATE "AuditRecords" SET "Detail" = replace("Detail", 'SALES', 'SALEZ') WHERE "Action" = 'department.create' AND "Detail" LIKE '%SALES%'""";
            Assert.Equal(1, await edit.ExecuteNonQueryAsync());
        }

        var altered = await RunAsync("audit", "verify");
        Assert.Equal(1, altered.ExitCode);
        Assert.Contains("was altered", altered.Error, StringComparison.Ordinal);
    }
}
