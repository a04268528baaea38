using System.Diagnostics;
using System.Globalization;
using System.Text;
using Custos.Data;
using Custos.Features.Demo;
using Custos.Features.Imports;
using Custos.Features.Organisation;
using Custos.Features.People;
using Custos.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Sylvan.Data.Csv;

namespace Custos.Benchmarks;

/// <summary>
/// End-to-end import of N synthetic rows (validate, encrypt, index, insert) on SQLite or PostgreSQL, reported as
/// rows per second and peak working set, with a same-run baseline: reading the same file with the CSV parser alone.
/// </summary>
internal static class ImportThroughput
{
    public static async Task<int> RunAsync(int rows, string? postgres)
    {
        var dir = Path.Combine(Path.GetTempPath(), "custos-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        var file = Path.Combine(dir, "customers.csv");
        await using (var writer = new StreamWriter(file, false, new UTF8Encoding(false)))
        {
            await writer.WriteLineAsync("姓名,身份证号,手机");
            foreach (var c in new SyntheticCustomers(seed: 1).Generate(rows * 2).DistinctBy(c => c.IdNumber).Take(rows))
            {
                await writer.WriteLineAsync($"{c.Name},{c.IdNumber},{c.Mobile}");
            }
        }

        var parse = Stopwatch.StartNew();
        long parsed = 0;
        using (var reader = CsvDataReader.Create(file))
        {
            while (await reader.ReadAsync())
            {
                parsed += reader.GetString(1).Length;
            }
        }

        parse.Stop();

        var (provider, _) = await BenchHost.CreateAsync(dir, postgres);
        await using var disposeProvider = provider;
        var department = BenchHost.Department;
        GC.Collect();
        var peak = 0L;
        using var sampler = new Timer(_ => peak = Math.Max(peak, Process.GetCurrentProcess().WorkingSet64), null, 0, 50);
        var import = Stopwatch.StartNew();
        ImportOutcome outcome;
        var validated = TimeSpan.Zero;
        var phases = new SynchronousProgress(p =>
        {
            if (p.Total > 0 && validated == TimeSpan.Zero)
            {
                validated = import.Elapsed;
            }
        });
        using (var scope = provider.CreateScope())
        {
            var mapping = new Dictionary<int, string> { [0] = "name", [1] = "idNumber", [2] = "mobile" };
            outcome = await scope.ServiceProvider.GetRequiredService<ImportService>().ImportAsync(
                () => File.OpenRead(file), file, new ImportOptions(mapping, department, null, Clearance.Secret, "bench", "bench", "bench", null), phases, default);
        }

        import.Stop();
        peak = Math.Max(peak, Process.GetCurrentProcess().PeakWorkingSet64);
        if (!outcome.Imported)
        {
            Console.Error.WriteLine($"import refused: {outcome.ErrorCount} errors, first {outcome.Errors.FirstOrDefault()}");
            return 1;
        }

        var engine = postgres is null ? "sqlite" : "postgresql";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"engine={engine} rows={rows} import_s={import.Elapsed.TotalSeconds:F1} validate_s≈{validated.TotalSeconds:F1} rows_per_s={rows / import.Elapsed.TotalSeconds:F0} " +
            $"parse_only_s={parse.Elapsed.TotalSeconds:F2} ratio_to_parse={import.Elapsed.TotalSeconds / parse.Elapsed.TotalSeconds:F0}x peak_working_set_mb={peak / 1024 / 1024}"));
        Directory.Delete(dir, true);
        return 0;
    }

    /// <summary>Reports on the calling thread (<see cref="Progress{T}"/> would post to the thread pool, too late to time).</summary>
    private sealed class SynchronousProgress(Action<(int Done, int Total)> report) : IProgress<(int Done, int Total)>
    {
        public void Report((int Done, int Total) value) => report(value);
    }
}
