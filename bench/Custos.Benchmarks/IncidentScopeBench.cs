using System.Diagnostics;
using System.Globalization;
using Custos.Data;
using Custos.Features.Audit;
using Custos.Features.Incidents;
using Custos.Features.People;
using Custos.Kernel.Audit;
using Custos.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Custos.Benchmarks;

/// <summary>
/// An incident's scope (INC-2, issue 15): the customers one person revealed, printed or exported in 90 days, computed
/// through the product's service on a log of N entries by 2,000 people over a year — against the baseline of reading
/// that person's entries of the period in the same run, and with the database's plan for the query (index, not scan).
/// </summary>
internal static class IncidentScopeBench
{
    private const int People = 2000;

    public static async Task<int> RunAsync(int count, string? postgres)
    {
        // Measuring again (0 entries) needs the earlier run's key file: its folder, named in CUSTOS_BENCH_DIR.
        var dir = count == 0 && Environment.GetEnvironmentVariable("CUSTOS_BENCH_DIR") is { Length: > 0 } again
            ? again
            : Path.Combine(Path.GetTempPath(), "custos-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        var (provider, _) = await BenchHost.CreateAsync(dir, postgres);
        await using var disposeProvider = provider;
        var engine = postgres is null ? "sqlite" : "postgresql";
        var actors = Enumerable.Range(0, People).Select(i => new Guid(i + 1, 0x1234, 0x5678, [1, 2, 3, 4, 5, 6, 7, 8])).ToArray();
        var end = TimeProvider.System.GetUtcNow();
        var yearStart = end.AddDays(-365);

        if (count > 0)
        {
            var fill = Stopwatch.StartNew();
            await FillAsync(provider, count, actors, yearStart, end);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"engine={engine} entries={count} fill_s={fill.Elapsed.TotalSeconds:F0}"));
        }
        else
        {
            // 0: measure again on the log an earlier run left in this PostgreSQL database (filling ten million takes minutes).
            using var scope = provider.CreateScope();
            count = await scope.ServiceProvider.GetRequiredService<CustosDbContext>().AuditRecords.CountAsync();
            end = await scope.ServiceProvider.GetRequiredService<CustosDbContext>().AuditRecords.Where(a => a.ActorId == actors[7].ToString()).MaxAsync(a => a.At);
        }

        var suspect = actors[7];
        Guid incident;
        BenchHost.ActAsSystem(provider);
        using (var scope = provider.CreateScope())
        {
            var gm = (await scope.ServiceProvider.GetRequiredService<PeopleService>().CreateAsync(
                new NewPerson("gm." + BenchHost.Department.ToLowerInvariant(), "基准总经理", null, [Roles.GeneralManager], [BenchHost.Department], [], Clearance.TopSecret, BenchHost.Password), default)).Person;
            BenchHost.ActAs(provider, gm.Id);
            var db = scope.ServiceProvider.GetRequiredService<CustosDbContext>();
            incident = Guid.NewGuid();
            db.Set<Incident>().Add(new Incident
            {
                Id = incident, Number = "INC-BENCH-" + BenchHost.Department, Title = "基准", Description = "基准", ReportedByName = "bench", ReportedAt = end, DiscoveredAt = end,
                SuspectId = suspect, SuspectName = "嫌疑人", Stamp = Guid.NewGuid(),
            });
            await db.SaveChangesAsync();
        }

        var from = end.AddDays(-90);
        var baseline = new List<double>();
        var scoped = new List<double>();
        var customers = 0;
        var entries = 0L;
        for (var round = 0; round < 5; round++)
        {
            using (var scope = provider.CreateScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<CustosDbContext>();
                var actorId = suspect.ToString();
                var clock = Stopwatch.StartNew();
                entries = 0;
                await foreach (var row in db.AuditRecords.AsNoTracking().Where(a => a.ActorId == actorId && a.At >= from && a.At <= end)
                    .Select(a => new { a.Id, a.Sequence, a.At, a.Action, a.TargetType, a.TargetId, a.Detail }).AsAsyncEnumerable())
                {
                    entries += row.Action.Length > 0 ? 1 : 0;
                }

                baseline.Add(clock.Elapsed.TotalMilliseconds);
            }

            using (var scope = provider.CreateScope())
            {
                var clock = Stopwatch.StartNew();
                var result = await scope.ServiceProvider.GetRequiredService<IncidentService>().ScopeAsync(incident, from, end, default);
                scoped.Add(clock.Elapsed.TotalMilliseconds);
                customers = result.Customers;
            }
        }

        double Median(List<double> xs) => xs.Order().ElementAt(xs.Count / 2);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"engine={engine} entries={count} person_entries_90d={entries} scope_customers={customers} baseline_read_ms={Median(baseline):F1} scope_ms={Median(scoped):F1} " +
            $"scope_vs_read={Median(scoped) / Median(baseline):F2}x peak_mb={Process.GetCurrentProcess().PeakWorkingSet64 / 1048576}"));
        Console.WriteLine("plan: " + await PlanAsync(provider, postgres is not null, suspect.ToString(), from, end));
        if (postgres is null)
        {
            Directory.Delete(dir, true);
        }

        return Median(scoped) <= 2000 ? 0 : 1;
    }

    /// <summary>The database's own plan for the scope's query: it must name the (ActorId, At) index.</summary>
    private static async Task<string> PlanAsync(ServiceProvider provider, bool postgres, string actor, DateTimeOffset from, DateTimeOffset to)
    {
        using var scope = provider.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<CustosDbContext>();
        string[] actions = [AuditActions.CustomerReveal, AuditActions.CustomerAttachmentOpen, AuditActions.CustomerPrint, AuditActions.ArchiveLend, AuditActions.CustomerExport, AuditActions.CustomerShare];
        var query = db.AuditRecords.AsNoTracking()
            .Where(a => a.ActorId == actor && a.At >= from && a.At <= to && a.Outcome == AuditOutcome.Success && actions.Contains(a.Action))
            .OrderBy(a => a.At).Select(a => new { a.Id, a.Sequence, a.At, a.Action, a.TargetType, a.TargetId, a.Detail });
        var sql = query.ToQueryString();
        var connection = db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync();
        await using var command = connection.CreateCommand();
        // ToQueryString writes the parameters as declarations before the statement; the statement is its last part.
        var statement = sql[sql.IndexOf("SELECT", StringComparison.Ordinal)..];
        foreach (var line in sql.Split('\n').Where(l => l.StartsWith(".param set", StringComparison.Ordinal) || l.StartsWith("-- @", StringComparison.Ordinal)))
        {
            // SQLite: ".param set @p 'x'"; PostgreSQL: "-- @p='x' (DbType = …)".
            var parts = line.StartsWith(".param", StringComparison.Ordinal) ? line[".param set ".Length..].Split(' ', 2) : line[3..].Split('=', 2);
            var name = parts[0].Trim();
            var value = parts[1].Split(" (", 2)[0].Trim();
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            var text = value.Trim('\'');
            parameter.Value = value.StartsWith('\'') && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at) ? at.ToUniversalTime()
                : value.StartsWith('\'') ? text : value.StartsWith('{') ? value.Trim('{', '}').Split(',').Select(v => v.Trim().Trim('\'')).ToArray() : long.TryParse(value, out var n) ? n : value;
            command.Parameters.Add(parameter);
        }

        command.CommandText = (postgres ? "EXPLAIN " : "EXPLAIN QUERY PLAN ") + statement;
        var lines = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            lines.Add(reader.GetValue(reader.FieldCount - 1)?.ToString() ?? "");
        }

        return string.Join(" | ", lines);
    }

    /// <summary>N entries over a year by 2,000 people: views, reveals (a field each), lists, some prints and exports, a few refused.</summary>
    private static async Task FillAsync(ServiceProvider provider, int count, Guid[] actors, DateTimeOffset start, DateTimeOffset end)
    {
        using var scope = provider.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<CustosDbContext>();
        var next = (await db.AuditRecords.MaxAsync(a => (long?)a.Id) ?? 0) + 1;
        var step = (end - start).Ticks / count;
        const int Batch = 20_000;
        for (var done = 0; done < count; done += Batch)
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            var rows = Enumerable.Range(done, Math.Min(Batch, count - done)).Select(i =>
            {
                var action = (i % 10) switch { 0 or 1 or 2 => AuditActions.CustomerReveal, 3 => AuditActions.CustomerPrint, 4 or 5 or 6 => AuditActions.CustomerView, _ => AuditActions.CustomerList };
                return new AuditRecord
                {
                    Id = next + i,
                    At = LogEntry.Truncate(start.AddTicks(step * i)),
                    ActorId = actors[(int)((((ulong)i * 2654435761UL) >> 12) % People)].ToString(), // spread, deterministic, independent of the action
                    ActorName = "员工",
                    ClientAddress = "10.1.2.7",
                    Action = action,
                    TargetType = "customer",
                    TargetId = new Guid((int)((i * 104_729L) % 1_000_000), 0, 0, [0, 0, 0, 0, 0, 0, 0, 1]).ToString(),
                    Purpose = action == AuditActions.CustomerReveal ? "follow-up" : null,
                    Outcome = i % 50 == 0 ? AuditOutcome.Denied : AuditOutcome.Success,
                    Detail = action == AuditActions.CustomerReveal ? """{"field":"mobile","level":3,"protection":3}""" : """{"masked":true}""",
                };
            }).ToList();
            await db.InsertAsync(rows, default);
            await transaction.CommitAsync();
        }

        if (db.Database.IsNpgsql())
        {
            // Ids were written explicitly: the identity sequence goes on after them, so the product's own entries fit.
            await db.Database.ExecuteSqlRawAsync("""SELECT setval(pg_get_serial_sequence('"AuditRecords"', 'Id'), (SELECT MAX("Id") FROM "AuditRecords"))""");
        }
    }
}
