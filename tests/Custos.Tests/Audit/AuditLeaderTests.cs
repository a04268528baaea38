using Custos.Data;
using Custos.Features.Audit;
using Custos.Security;
using Custos.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Custos.Tests.Audit;

/// <summary>Several server processes on one PostgreSQL database: exactly one sequences at a time, and the log stays one log.</summary>
public sealed class AuditLeaderTests
{
    [Fact]
    public async Task Two_nodes_sequence_one_log_and_neither_sequences_while_another_holds_the_lead()
    {
        var connection = (await SharedPostgres.Server).CreateDatabaseConnectionString();
        var keyFile = TestPaths.NewKeyFile();
        var settings = new Dictionary<string, string?>
        {
            ["Custos:Database"] = connection,
            ["Custos:NoDemo"] = "true",
            ["Custos:KeyFile"] = keyFile,
            ["Custos:Audit:CheckpointEvery"] = "16",
        };
        await using var nodeA = new CustosFactory(new(settings));
        await using var nodeB = new CustosFactory(new(settings));
        nodeA.StartServer();
        nodeB.StartServer();

        async Task RecordAsync(CustosFactory node, int count, string action)
        {
            using var scope = node.Services.CreateScope();
            var audit = scope.ServiceProvider.GetRequiredService<IAuditTrail>();
            for (var i = 0; i < count; i++)
            {
                await audit.RecordNowAsync(action, "customer", Guid.NewGuid().ToString(), AuditOutcome.Success, new { i }, default);
            }
        }

        async Task<int> SequenceOnceAsync(CustosFactory node)
        {
            using var scope = node.Services.CreateScope();
            return await scope.ServiceProvider.GetRequiredService<AuditSequencer>().SequenceOnceAsync(default);
        }

        async Task<long> UnsequencedAsync()
        {
            using var scope = nodeA.Services.CreateScope();
            return await scope.ServiceProvider.GetRequiredService<CustosDbContext>().AuditRecords.LongCountAsync(a => a.Sequence == null);
        }

        // While someone else holds the leader lock, neither node (nor its background sequencer) integrates anything.
        await using (var leader = new NpgsqlConnection(connection))
        {
            await leader.OpenAsync();
            await using var transaction = await leader.BeginTransactionAsync();
            await using (var take = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({AuditSequencer.LeaderLock})", leader, transaction))
            {
                await take.ExecuteNonQueryAsync();
            }

            await Task.WhenAll(RecordAsync(nodeA, 20, "test.a"), RecordAsync(nodeB, 20, "test.b"));
            Assert.Equal(-1, await SequenceOnceAsync(nodeA));
            Assert.Equal(-1, await SequenceOnceAsync(nodeB));
            await Task.Delay(1500); // a background tick on each node
            Assert.True(await UnsequencedAsync() >= 40);
            await transaction.RollbackAsync();
        }

        // Both nodes write and sequence at once; the result is one gap-free log that verifies.
        await Task.WhenAll(
            RecordAsync(nodeA, 150, "test.a"), RecordAsync(nodeB, 150, "test.b"),
            Task.Run(async () =>
            {
                for (var i = 0; i < 20; i++)
                {
                    await Task.WhenAll(SequenceOnceAsync(nodeA), SequenceOnceAsync(nodeB));
                }
            }));
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (await UnsequencedAsync() > 0 && clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            await SequenceOnceAsync(nodeB);
        }

        using var scope = nodeB.Services.CreateScope();
        await scope.ServiceProvider.GetRequiredService<AuditSequencer>().SequenceAllAsync(default, checkpointNow: true);
        var db = scope.ServiceProvider.GetRequiredService<CustosDbContext>();
        var sequences = await db.AuditRecords.Where(a => a.Sequence != null).OrderBy(a => a.Sequence).Select(a => a.Sequence!.Value).ToListAsync();
        Assert.True(sequences.Count >= 340);
        Assert.Equal(Enumerable.Range(0, sequences.Count).Select(i => (long)i), sequences);
        var result = await scope.ServiceProvider.GetRequiredService<AuditVerifier>().VerifyAsync(null, null, default);
        Assert.True(result.Ok, result.ToString());
        Assert.Single(result.Keys);
        File.Delete(keyFile);
    }
}
