using System.Diagnostics;
using System.Globalization;
using System.Text;
using Custos.Data;
using Custos.Features.Customers;
using Custos.Features.Demo;
using Custos.Features.People;
using Custos.Kernel.Classification;
using Custos.Kernel.Recognisers;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Custos.Benchmarks;

/// <summary>
/// What protection costs on the way in (SEC-1): the same customers inserted with the product's encryption and
/// blind indexes, and in plaintext — values stored as their UTF-8 bytes, each index holding the normalised
/// value, as a plaintext system would index those columns. Same tables, same validation, same insert code,
/// alternating rounds in one process; the ratio is encrypted time over plaintext time. Two ways in: in bulk
/// (the import's write path: built on one core while the previous batch is written on the other) and one customer per transaction (EF Core, as a clerk
/// entering a record).
/// </summary>
internal static class InsertRatio
{
    private const int Rounds = 3;

    /// <summary>Fastest time to build (validate, and for the encrypted kind encrypt and index) all rows, without writing.</summary>
    private static readonly Dictionary<bool, TimeSpan> BuildTime = [];

    public static async Task<int> RunAsync(int count, string? postgres)
    {
        var dir = Path.Combine(Path.GetTempPath(), "custos-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        var (provider, departmentId) = await BenchHost.CreateAsync(dir, postgres);
        await using var disposeProvider = provider;
        var rows = new SyntheticCustomers(seed: 2).Generate(count)
            .Select(c => (IReadOnlyDictionary<string, string?>)new Dictionary<string, string?>
            {
                [FieldCatalogue.Name] = c.Name, [FieldCatalogue.IdNumber] = c.IdNumber, [FieldCatalogue.Mobile] = c.Mobile,
            })
            .ToList();

        var single = rows.Take(Math.Max(100, count / 10)).ToList();
        await BulkAsync(provider, departmentId, rows.Take(1000).ToList(), encrypted: true);
        await BulkAsync(provider, departmentId, rows.Take(1000).ToList(), encrypted: false);
        var bulk = (Encrypted: TimeSpan.MaxValue, Plain: TimeSpan.MaxValue);
        var one = (Encrypted: TimeSpan.MaxValue, Plain: TimeSpan.MaxValue);
        var writes = (Encrypted: TimeSpan.MaxValue, Plain: TimeSpan.MaxValue);
        for (var round = 0; round < Rounds; round++)
        {
            bulk.Encrypted = Min(bulk.Encrypted, await BulkAsync(provider, departmentId, rows, encrypted: true));
            bulk.Plain = Min(bulk.Plain, await BulkAsync(provider, departmentId, rows, encrypted: false));
            writes.Encrypted = Min(writes.Encrypted, await BulkAsync(provider, departmentId, rows, encrypted: true, prebuilt: true));
            writes.Plain = Min(writes.Plain, await BulkAsync(provider, departmentId, rows, encrypted: false, prebuilt: true));
            one.Encrypted = Min(one.Encrypted, await OneByOneAsync(provider, departmentId, single, encrypted: true));
            one.Plain = Min(one.Plain, await OneByOneAsync(provider, departmentId, single, encrypted: false));
        }

        var engine = postgres is null ? "sqlite" : "postgresql";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"engine={engine} bulk_rows={count} bulk_encrypted_us={Per(bulk.Encrypted, count):F1} bulk_plain_us={Per(bulk.Plain, count):F1} " +
            $"bulk_ratio={bulk.Encrypted / bulk.Plain:F2}x write_only_encrypted_us={Per(writes.Encrypted, count):F1} write_only_plain_us={Per(writes.Plain, count):F1} " +
            $"build_only_encrypted_us={Per(BuildTime[true], count):F1} build_only_plain_us={Per(BuildTime[false], count):F1}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"engine={engine} single_rows={single.Count} single_encrypted_us={Per(one.Encrypted, single.Count):F1} single_plain_us={Per(one.Plain, single.Count):F1} " +
            $"single_ratio={one.Encrypted / one.Plain:F2}x"));
        Directory.Delete(dir, true);
        return 0;
    }

    private static async Task<TimeSpan> BulkAsync(IServiceProvider provider, Guid departmentId, List<IReadOnlyDictionary<string, string?>> rows, bool encrypted, bool prebuilt = false)
    {
        using var scope = provider.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<CustosDbContext>();
        var customers = scope.ServiceProvider.GetRequiredService<CustomerAccess>();
        await db.Database.OpenConnectionAsync();
        var built = rows.Select(values => encrypted ? Encrypted(customers, departmentId, values) : Plain(customers, departmentId, values));
        if (prebuilt)
        {
            var building = Stopwatch.StartNew();
            built = built.ToList();
            var spent = building.Elapsed;
            BuildTime[encrypted] = BuildTime.TryGetValue(encrypted, out var best) && best < spent ? best : spent;
        }

        var clock = Stopwatch.StartNew();
        await using (var tx = await db.Database.BeginTransactionAsync())
        {
            await CustomerBulkWriter.WriteAsync(db, built, null, default, scope.ServiceProvider.GetRequiredService<Custos.Features.Keys.KeyShareStore>());
            await tx.CommitAsync();
        }

        return clock.Elapsed;
    }

    private static async Task<TimeSpan> OneByOneAsync(IServiceProvider provider, Guid departmentId, List<IReadOnlyDictionary<string, string?>> rows, bool encrypted)
    {
        using var scope = provider.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<CustosDbContext>();
        var customers = scope.ServiceProvider.GetRequiredService<CustomerAccess>();
        var clock = Stopwatch.StartNew();
        foreach (var values in rows)
        {
            db.Customers.Add(encrypted ? Encrypted(customers, departmentId, values) : Plain(customers, departmentId, values));
            await db.SaveChangesAsync();
            db.ChangeTracker.Clear();
        }

        return clock.Elapsed;
    }

    private static Customer Encrypted(CustomerAccess customers, Guid departmentId, IReadOnlyDictionary<string, string?> values) =>
        customers.Build(CustomerKind.Individual, departmentId, null, Clearance.Secret, values);

    /// <summary>The same record without protection: validated alike, values and index entries in clear.</summary>
    private static Customer Plain(CustomerAccess customers, Guid departmentId, IReadOnlyDictionary<string, string?> values)
    {
        var now = DateTimeOffset.UnixEpoch;
        var customer = new Customer { Id = Guid.CreateVersion7(), Kind = CustomerKind.Individual, DepartmentId = departmentId, Grade = Clearance.Secret, CreatedAt = now, UpdatedAt = now };
        foreach (var (field, value) in customers.Validate(values))
        {
            if (value is null)
            {
                continue;
            }

            customer.Values.Add(new CustomerValue { CustomerId = customer.Id, Field = field, Cipher = Encoding.UTF8.GetBytes(value), UpdatedAt = now });
            if (FieldCatalogue.Default.Find(field)?.Index is { } kind)
            {
                customer.Indexes.Add(new CustomerIndex { CustomerId = customer.Id, Kind = kind, Hash = Encoding.UTF8.GetBytes(Normalise.For(kind, value)) });
            }
        }

        return customer;
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static double Per(TimeSpan elapsed, int count) => elapsed.TotalMicroseconds / count;
}
