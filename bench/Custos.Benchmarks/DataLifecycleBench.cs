using System.Diagnostics;
using System.Globalization;
using Custos.Data;
using Custos.Features.Backup;
using Custos.Features.Customers;
using Custos.Features.Keys;
using Custos.Features.People;
using Custos.Features.Retention;
using Custos.Kernel.Classification;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Custos.Benchmarks;

/// <summary>
/// <c>data-lifecycle [customers] [postgres]</c> (DST-3, SEC-2): on a database of <c>customers</c> customers (a third of
/// them with a retention record of each kind, some due), (1) the daily retention job — time and memory, beside a plain
/// count of the customers in the same run; (2) reveals one after another for ten seconds without a backup, then while
/// <c>custos backup</c> runs on the same database — the mean reveal latency of each, their ratio, and the backup's
/// time and size.
/// </summary>
internal static class DataLifecycleBench
{
    public static async Task<int> RunAsync(int customers, string? postgres)
    {
        var dir = Path.Combine(Path.GetTempPath(), "custos-lifecycle-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        var engine = postgres is null ? "sqlite" : "postgres";
        var (provider, departmentId) = await BenchHost.CreateAsync(dir, postgres);
        await using (provider)
        {
            var fill = Stopwatch.StartNew();
            await ListAtScale.FillAsync(provider, departmentId, customers);
            await AddRecordsAsync(provider, departmentId);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"engine={engine} customers={customers} fill_s={fill.Elapsed.TotalSeconds:F0}"));

            // (1) The daily job, against a plain count of the customers (the least any job over them costs).
            BenchHost.ActAsSystem(provider);
            var count = await TimeAsync(provider, async s => await s.GetRequiredService<CustosDbContext>().Customers.CountAsync());
            GC.Collect();
            var allocated = GC.GetTotalAllocatedBytes(precise: true);
            var workingSet = Process.GetCurrentProcess().WorkingSet64;
            var peakBefore = Process.GetCurrentProcess().PeakWorkingSet64;
            var due = 0;
            var job = await TimeAsync(provider, async s => due = await s.GetRequiredService<RetentionService>().RunDailyAsync(default));
            var jobAllocatedMb = (GC.GetTotalAllocatedBytes(precise: true) - allocated) / 1048576.0;
            var growthMb = (Math.Max(Process.GetCurrentProcess().PeakWorkingSet64, peakBefore) - workingSet) / 1048576.0;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"engine={engine} retention_job_s={job.TotalSeconds:F2} due={due} allocated_mb={jobAllocatedMb:F1} working_set_growth_mb={Math.Max(0, growthMb):F1} count_s={count.TotalSeconds:F2} job_over_count={job / count:F2}x"));

            // (2) Reveal latency without and during an online backup.
            var head = await HeadAsync(provider);
            BenchHost.ActAs(provider, head);
            var ids = await SampleAsync(provider, departmentId);
            await RevealsAsync(provider, ids, TimeSpan.FromSeconds(2), null); // warm-up
            var alone = await RevealsAsync(provider, ids, TimeSpan.FromSeconds(10), null);
            var file = Path.Combine(dir, "bench.bak");
            var backupClock = Stopwatch.StartNew();
            var backup = Task.Run(async () =>
            {
                using var scope = provider.CreateScope();
                var keys = scope.ServiceProvider.GetRequiredService<KeyRing>().Keys;
                var outcome = await scope.ServiceProvider.GetRequiredService<BackupService>().CreateAsync(keys, file, default);
                backupClock.Stop();
                return outcome;
            });
            var during = await RevealsAsync(provider, ids, null, backup);
            var done = await backup;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"engine={engine} backup_s={backupClock.Elapsed.TotalSeconds:F1} backup_mb={done.Bytes / 1048576.0:F0} reveals_alone={alone.Count} reveal_mean_ms_alone={alone.MeanMs:F2} " +
                $"reveals_during_backup={during.Count} reveal_mean_ms_during_backup={during.MeanMs:F2} during_over_alone={during.MeanMs / alone.MeanMs:F2}x"));
        }

        if (postgres is null)
        {
            Directory.Delete(dir, true);
        }

        return 0;
    }

    private static async Task<TimeSpan> TimeAsync(IServiceProvider provider, Func<IServiceProvider, Task> work)
    {
        using var scope = provider.CreateScope();
        var clock = Stopwatch.StartNew();
        await work(scope.ServiceProvider);
        return clock.Elapsed;
    }

    /// <summary>A third of the customers get a retention record: prospects last contacted up to four years ago, contracts ended up to eight years ago, agreed periods.</summary>
    private static async Task AddRecordsAsync(IServiceProvider provider, Guid departmentId)
    {
        using var scope = provider.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<CustosDbContext>();
        var ids = await db.Customers.AsNoTracking().Where(c => c.DepartmentId == departmentId).OrderBy(c => c.Id).Select(c => c.Id).ToListAsync();
        var now = TimeProvider.System.GetUtcNow();
        await db.Database.OpenConnectionAsync();
        await using var tx = await db.Database.BeginTransactionAsync();
        foreach (var chunk in ids.Where((_, i) => i % 3 == 0).Chunk(5000))
        {
            await db.InsertAsync(chunk.Select((id, i) => new CustomerLifecycle
            {
                CustomerId = id,
                DepartmentId = departmentId,
                Kind = RetentionRules.Kinds[i % 3],
                LastContactAt = now.AddDays(-Spread(id, 1460)),
                ContractEndsAt = now.AddDays(-Spread(id, 2920)),
                AgreedUntil = i % 50 == 0 ? now.AddDays(Spread(id, 200) - 100) : null,
                LegalHold = i % 997 == 0,
                UpdatedAt = now,
                UpdatedByName = "bench",
            }).ToList(), default);
        }

        await tx.CommitAsync();
    }

    /// <summary>A number in [0, <paramref name="range"/>) spread evenly by the customer's id (synthetic dates, the same in every run for the same ids).</summary>
    private static int Spread(Guid id, int range) => (int)(BitConverter.ToUInt32(id.ToByteArray(), 12) % (uint)range);

    private static async Task<Guid> HeadAsync(IServiceProvider provider)
    {
        using var scope = provider.CreateScope();
        var name = "bench." + BenchHost.Department.ToLowerInvariant();
        return await scope.ServiceProvider.GetRequiredService<CustosDbContext>().Users.Where(p => p.UserName == name).Select(p => p.Id).SingleAsync();
    }

    private static async Task<List<Guid>> SampleAsync(IServiceProvider provider, Guid departmentId)
    {
        using var scope = provider.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<CustosDbContext>();
        return await db.Customers.AsNoTracking().Where(c => c.DepartmentId == departmentId && c.Grade == Clearance.Secret)
            .Where(c => !db.Set<CustomerLifecycle>().Any(l => l.CustomerId == c.Id)).OrderBy(c => c.Id).Select(c => c.Id).Take(1000).ToListAsync();
    }

    private sealed record Reveals(int Count, double MeanMs);

    /// <summary>Reveals one after another, each in a scope of its own with its audit entry committed: for <paramref name="length"/>, or until <paramref name="until"/> ends.</summary>
    private static async Task<Reveals> RevealsAsync(IServiceProvider provider, List<Guid> ids, TimeSpan? length, Task? until)
    {
        var total = Stopwatch.StartNew();
        var times = new List<double>();
        var i = 0;
        while (length is { } l ? total.Elapsed < l : !until!.IsCompleted)
        {
            using var scope = provider.CreateScope();
            var clock = Stopwatch.StartNew();
            await scope.ServiceProvider.GetRequiredService<CustomerService>().RevealAsync(ids[i++ % ids.Count], FieldCatalogue.Mobile, "service", null, default);
            times.Add(clock.Elapsed.TotalMilliseconds);
        }

        return new Reveals(times.Count, times.Count == 0 ? 0 : times.Average());
    }
}
