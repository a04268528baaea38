using System.Diagnostics;
using System.Globalization;
using Custos.Data;
using Custos.Features.Audit;
using Custos.Features.Customers;
using Custos.Features.People;
using Custos.Kernel.Audit;
using Custos.Kernel.Classification;
using Custos.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Custos.Benchmarks;

/// <summary>
/// The audit log (AUD-1): how fast the sequencer integrates committed entries, how long verifying the whole
/// log takes, and what writing the audit entry adds to a reveal. Each figure comes with a baseline measured in
/// the same run: a plain read of the same entries (sequencing, verification), and the same reveal with a
/// trail that records nothing.
/// </summary>
internal static class AuditLogBench
{
    public static async Task<int> RunAsync(int count, string? postgres)
    {
        var dir = Path.Combine(Path.GetTempPath(), "custos-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        var (provider, departmentId) = await BenchHost.CreateAsync(dir, postgres);
        await using var disposeProvider = provider;
        var engine = postgres is null ? "sqlite" : "postgresql";

        var (audited, unaudited, writeOnly) = await RevealRatioAsync(provider, departmentId);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"engine={engine} reveal_audited_us={audited:F1} reveal_unaudited_us={unaudited:F1} reveal_audit_ratio={audited / unaudited:F2}x audit_write_only_us={writeOnly:F1}"));

        await FillAsync(provider, count);
        var scan = await ScanAsync(provider);
        var clock = Stopwatch.StartNew();
        long sequenced;
        using (var scope = provider.CreateScope())
        {
            sequenced = await scope.ServiceProvider.GetRequiredService<AuditSequencer>().SequenceAllAsync(default, checkpointNow: true);
        }

        var sequencing = clock.Elapsed;
        clock.Restart();
        AuditVerification result;
        using (var scope = provider.CreateScope())
        {
            result = await scope.ServiceProvider.GetRequiredService<AuditVerifier>().VerifyAsync(null, null, default);
        }

        var verification = clock.Elapsed;
        if (!result.Ok)
        {
            Console.Error.WriteLine("The log did not verify: " + result);
            return 1;
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"engine={engine} entries={sequenced} sequencing_s={sequencing.TotalSeconds:F2} sequencing_per_s={sequenced / sequencing.TotalSeconds:F0} " +
            $"scan_s={scan.TotalSeconds:F2} sequencing_vs_scan={sequencing / scan:F2}x " +
            $"verify_entries={result.Entries} verify_s={verification.TotalSeconds:F2} verify_vs_scan={verification / scan:F2}x " +
            $"peak_mb={Process.GetCurrentProcess().PeakWorkingSet64 / 1048576}"));
        Directory.Delete(dir, true);
        return 0;
    }

    /// <summary>
    /// Median time of one reveal through the product's service, with its audit entry committed first, and of the
    /// same reveal with a trail that records nothing (the baseline).
    /// </summary>
    private static async Task<(double Audited, double Unaudited, double WriteOnly)> RevealRatioAsync(ServiceProvider provider, Guid departmentId)
    {
        Guid id;
        using (var scope = provider.CreateScope())
        {
            var customers = scope.ServiceProvider.GetRequiredService<CustomerAccess>();
            var db = scope.ServiceProvider.GetRequiredService<CustosDbContext>();
            var customer = customers.Build(CustomerKind.Individual, departmentId, null, Clearance.Secret,
                new Dictionary<string, string?> { [FieldCatalogue.Name] = "欧阳娜娜", [FieldCatalogue.Mobile] = "13912345678" });
            db.Customers.Add(customer);
            await db.SaveChangesAsync();
            id = customer.Id;
        }

        async Task<double> MedianAsync(bool audit)
        {
            var times = new List<double>();
            for (var i = 0; i < 1200; i++)
            {
                using var scope = provider.CreateScope();
                var service = audit
                    ? scope.ServiceProvider.GetRequiredService<CustomerService>()
                    : ActivatorUtilities.CreateInstance<CustomerService>(scope.ServiceProvider, new NoAuditTrail());
                var clock = Stopwatch.StartNew();
                await service.RevealAsync(id, FieldCatalogue.Mobile, "follow-up", null, default);
                if (i >= 200)
                {
                    times.Add(clock.Elapsed.TotalMicroseconds);
                }
            }

            times.Sort();
            return times[times.Count / 2];
        }

        // Alternate to share out drift on a busy machine; keep the better median of each.
        double audited = double.MaxValue, unaudited = double.MaxValue;
        for (var round = 0; round < 3; round++)
        {
            unaudited = Math.Min(unaudited, await MedianAsync(audit: false));
            audited = Math.Min(audited, await MedianAsync(audit: true));
        }

        return (audited, unaudited, await WriteOnlyAsync(provider));
    }

    /// <summary>Diagnostic: the audit write alone (one entry, committed durably), median of 1,000.</summary>
    private static async Task<double> WriteOnlyAsync(ServiceProvider provider)
    {
        var times = new List<double>();
        for (var i = 0; i < 1000; i++)
        {
            using var scope = provider.CreateScope();
            var trail = scope.ServiceProvider.GetRequiredService<IAuditTrail>();
            var clock = Stopwatch.StartNew();
            await trail.RecordNowAsync("customer.reveal", "customer", Guid.NewGuid().ToString(), AuditOutcome.Success, new { field = "mobile" }, default, "follow-up");
            times.Add(clock.Elapsed.TotalMicroseconds);
        }

        times.Sort();
        return times[times.Count / 2];
    }

    /// <summary>Committed, not yet sequenced entries like those a busy day writes: views, reveals with purposes, lists.</summary>
    private static async Task FillAsync(ServiceProvider provider, int count)
    {
        using var scope = provider.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<CustosDbContext>();
        var next = (await db.AuditRecords.MaxAsync(a => (long?)a.Id) ?? 0) + 1;
        var start = LogEntry.Truncate(DateTimeOffset.UnixEpoch.AddYears(56));
        const int Batch = 20_000;
        for (var done = 0; done < count; done += Batch)
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            var rows = Enumerable.Range(done, Math.Min(Batch, count - done)).Select(i => new AuditRecord
            {
                Id = next + i,
                At = start.AddMilliseconds(i),
                ActorId = Guid.CreateVersion7().ToString(),
                ActorName = "员工" + (i % 1000).ToString(CultureInfo.InvariantCulture),
                ClientAddress = "10.1." + (i % 250).ToString(CultureInfo.InvariantCulture) + ".7",
                Action = (i % 3) switch { 0 => "customer.view", 1 => "customer.reveal", _ => "customer.list" },
                TargetType = "customer",
                TargetId = Guid.CreateVersion7().ToString(),
                Purpose = i % 3 == 1 ? "follow-up" : null,
                Outcome = i % 50 == 0 ? AuditOutcome.Denied : AuditOutcome.Success,
                Detail = i % 3 == 1 ? """{"field":"mobile","note":null,"level":3,"protection":3}""" : """{"masked":true}""",
            }).ToList();
            await db.InsertAsync(rows, default);
            await transaction.CommitAsync();
        }
    }

    /// <summary>The baseline: reading every entry once, in order, as the sequencer and the verifier must.</summary>
    private static async Task<TimeSpan> ScanAsync(ServiceProvider provider)
    {
        using var scope = provider.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<CustosDbContext>();
        var clock = Stopwatch.StartNew();
        long n = 0;
        await foreach (var record in db.AuditRecords.AsNoTracking().OrderBy(a => a.Id).AsAsyncEnumerable())
        {
            n += record.Action.Length;
        }

        return n >= 0 ? clock.Elapsed : TimeSpan.Zero;
    }

    private sealed class NoAuditTrail : IAuditTrail
    {
        public void Record(string action, string targetType, string? targetId, AuditOutcome outcome = AuditOutcome.Success, object? detail = null, string? purpose = null)
        {
        }

        public Task RecordNowAsync(string action, string targetType, string? targetId, AuditOutcome outcome, object? detail, CancellationToken cancellationToken, string? purpose = null) =>
            Task.CompletedTask;
    }
}
