using Custos.Data;
using Custos.Features.Audit;
using Custos.Security;
using Custos.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Custos.Tests.Audit;

/// <summary>A fresh Custos with an audit log of its own, on SQLite or PostgreSQL, signing a checkpoint every 8 entries.</summary>
public sealed class AuditHost : IAsyncDisposable
{
    public const int CheckpointEvery = 8;

    private readonly string? dataDir;
    private readonly string? keyFile;

    private AuditHost(CustosFactory factory, string? dataDir, string? keyFile, string? connectionString)
    {
        Factory = factory;
        this.dataDir = dataDir;
        this.keyFile = keyFile;
        ConnectionString = connectionString;
    }

    public CustosFactory Factory { get; }

    /// <summary>The PostgreSQL database, or null on SQLite.</summary>
    public string? ConnectionString { get; }

    public string SqlitePath => Path.Combine(dataDir!, "custos.db");

    public static async Task<AuditHost> StartAsync(string provider, Action<IServiceCollection>? services = null, Dictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>(extra ?? [])
        {
            ["Custos:NoDemo"] = "true",
            ["Custos:Audit:CheckpointEvery"] = CheckpointEvery.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        string? dataDir = null;
        string? keyFile = null;
        string? connectionString = null;
        if (provider == "postgres")
        {
            connectionString = (await SharedPostgres.Server).CreateDatabaseConnectionString();
            keyFile = TestPaths.NewKeyFile();
            settings["Custos:Database"] = connectionString;
            settings["Custos:KeyFile"] = keyFile;
        }
        else
        {
            dataDir = TestPaths.NewDataDir("audit");
            settings["Custos:DataDir"] = dataDir;
        }

        var factory = new CustosFactory(settings, services);
        factory.StartServer();
        return new AuditHost(factory, dataDir, keyFile, connectionString);
    }

    /// <summary>Writes <paramref name="count"/> entries through the audit seam, as features do.</summary>
    public async Task RecordAsync(int count, string action = "test.entry")
    {
        using var scope = Factory.Services.CreateScope();
        var audit = scope.ServiceProvider.GetRequiredService<IAuditTrail>();
        for (var i = 0; i < count; i++)
        {
            audit.Record(action, "customer", Guid.NewGuid().ToString(), i % 5 == 0 ? AuditOutcome.Denied : AuditOutcome.Success,
                new { n = i, note = "客户回访 " + i }, purpose: i % 3 == 0 ? "follow-up" : null);
        }

        await scope.ServiceProvider.GetRequiredService<CustosDbContext>().SaveChangesAsync();
    }

    /// <summary>Integrates everything committed and signs a checkpoint at the final size, whoever holds the lead.</summary>
    public async Task<long> SettleAsync()
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            using var scope = Factory.Services.CreateScope();
            await scope.ServiceProvider.GetRequiredService<AuditSequencer>().SequenceAllAsync(default, checkpointNow: true);
            var db = scope.ServiceProvider.GetRequiredService<CustosDbContext>();
            // First that nothing waits (the background sequencer may be committing a batch), then the size.
            if (!await db.AuditRecords.AnyAsync(a => a.Sequence == null))
            {
                var size = await db.AuditLogState.Select(s => s.Size).SingleAsync(); // archived entries count too
                if (await db.AuditCheckpoints.AnyAsync(c => c.Size == size))
                {
                    return size;
                }
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("The audit log did not settle.");
    }

    public async Task<AuditVerification> VerifyAsync(IReadOnlyList<TrustedCheckpoint>? trusted = null)
    {
        using var scope = Factory.Services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<AuditVerifier>().VerifyAsync(trusted, null, default);
    }

    public async Task<T> WithAsync<T>(Func<IServiceProvider, Task<T>> action)
    {
        using var scope = Factory.Services.CreateScope();
        return await action(scope.ServiceProvider);
    }

    public Task<T> DbAsync<T>(Func<CustosDbContext, Task<T>> query) => WithAsync(s => query(s.GetRequiredService<CustosDbContext>()));

    public async ValueTask DisposeAsync()
    {
        await Factory.DisposeAsync();
        if (dataDir is not null)
        {
            TestPaths.Delete(dataDir);
        }

        if (keyFile is not null)
        {
            File.Delete(keyFile);
        }
    }
}
