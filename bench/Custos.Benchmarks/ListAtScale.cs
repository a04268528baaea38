using System.Diagnostics;
using System.Globalization;
using Custos.Data;
using Custos.Features.Customers;
using Custos.Features.Demo;
using Custos.Features.People;
using Custos.Kernel.Classification;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Custos.Benchmarks;

/// <summary>
/// <c>list-at-scale 10000,1000000 [postgres]</c>: every list, filter, search and detail request of one person whose
/// department holds all the customers, at each size in one run; p50/p95 of 50 sequential requests (each in a scope
/// of its own, as a request is, with its audit entry committed), and the growth from the smallest size to the largest.
/// </summary>
internal static class ListAtScale
{
    private const int Requests = 50;

    /// <summary>Calls discarded before measuring: enough for the JIT's optimised tier, so the first size measured is not the coldest.</summary>
    private const int WarmUp = 100;
    private const string Tag = "重点客户";

    public static async Task<int> RunAsync(IReadOnlyList<int> sizes, string? postgres)
    {
        var results = new List<(int Size, string Request, double P50, double P95)>();
        // On PostgreSQL every size goes into the one database given, so they share its key file.
        var shared = Path.Combine(Path.GetTempPath(), "custos-list-" + Guid.NewGuid().ToString("N")[..8]);
        foreach (var size in sizes)
        {
            var dir = postgres is null ? Path.Combine(Path.GetTempPath(), "custos-list-" + Guid.NewGuid().ToString("N")[..8]) : shared;
            Directory.CreateDirectory(dir);
            var (provider, departmentId) = await BenchHost.CreateAsync(dir, postgres);
            await using (provider)
            {
                var sample = await FillAsync(provider, departmentId, size);
                foreach (var (request, call) in Calls(sample))
                {
                    var times = new List<double>();
                    for (var i = 0; i < Requests + WarmUp; i++)
                    {
                        using var scope = provider.CreateScope();
                        var service = scope.ServiceProvider.GetRequiredService<CustomerService>();
                        var clock = Stopwatch.StartNew();
                        await call(service);
                        if (i >= WarmUp)
                        {
                            times.Add(clock.Elapsed.TotalMilliseconds);
                        }
                    }

                    times.Sort();
                    results.Add((size, request, times[times.Count / 2], times[(int)(times.Count * 0.95)]));
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"engine={(postgres is null ? "sqlite" : "postgres")} customers={size} request=\"{request}\" p50_ms={results[^1].P50:F1} p95_ms={results[^1].P95:F1}"));
                }
            }

            if (postgres is null)
            {
                Directory.Delete(dir, true);
            }
        }

        if (sizes.Count > 1)
        {
            foreach (var group in results.GroupBy(r => r.Request))
            {
                var small = group.First(r => r.Size == sizes[0]);
                var large = group.First(r => r.Size == sizes[^1]);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"request=\"{group.Key}\" growth_p50={large.P50 / small.P50:F2}x growth_p95={large.P95 / small.P95:F2}x ({sizes[0]} to {sizes[^1]})"));
            }
        }

        return 0;
    }

    internal sealed record Sample(Guid Newest, Guid Middle, Guid NearEnd, string Mobile, string IdNumber);

    private static IEnumerable<(string Request, Func<CustomerService, Task> Call)> Calls(Sample s) =>
    [
        ("first page", c => c.ListAsync(null, CustomerFilter.None, null, 50, default)),
        ("a page in the middle", c => c.ListAsync(null, CustomerFilter.None, new PageCursor(s.Middle, false).ToString(), 50, default)),
        ("the last page", c => c.ListAsync(null, CustomerFilter.None, new PageCursor(s.NearEnd, false).ToString(), 50, default)),
        ("grade Confidential (100 customers)", c => c.ListAsync(null, new CustomerFilter(Grade: Clearance.Confidential), null, 50, default)),
        ("tag on 1%", c => c.ListAsync(null, new CustomerFilter(Tag: Tag), null, 50, default)),
        ("exact search by mobile", c => c.ListAsync(s.Mobile, CustomerFilter.None, null, 50, default)),
        ("exact search by ID number", c => c.ListAsync(s.IdNumber, CustomerFilter.None, null, 50, default)),
        ("one customer's detail", c => c.GetAsync(s.Middle, default)),
    ];

    /// <summary>
    /// Writes <paramref name="count"/> synthetic customers into the department: 100 of them Confidential at any size (so
    /// the grade filter returns full pages at every size, and its growth measures the database, not the page), and 1% tagged.
    /// </summary>
    internal static async Task<Sample> FillAsync(IServiceProvider provider, Guid departmentId, int count)
    {
        using var scope = provider.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<CustosDbContext>();
        var access = scope.ServiceProvider.GetRequiredService<CustomerAccess>();
        await db.Database.OpenConnectionAsync();
        var synthetic = new SyntheticCustomers(20261201);
        SyntheticCustomer? middle = null;
        var n = 0;
        IEnumerable<Customer> Build()
        {
            foreach (var person in synthetic.Generate(count))
            {
                var customer = access.Build(CustomerKind.Individual, departmentId, null, n % Math.Max(1, count / 100) == 0 ? Clearance.Confidential : Clearance.Secret,
                    new Dictionary<string, string?> { [FieldCatalogue.Name] = person.Name, [FieldCatalogue.Mobile] = person.Mobile, [FieldCatalogue.IdNumber] = person.IdNumber });
                if (n == count / 2)
                {
                    middle = person;
                }

                n++;
                yield return customer;
            }
        }

        var clock = Stopwatch.StartNew();
        await using (var tx = await db.Database.BeginTransactionAsync())
        {
            await CustomerBulkWriter.WriteAsync(db, Build(), null, default, scope.ServiceProvider.GetRequiredService<Custos.Features.Keys.KeyShareStore>());
            await tx.CommitAsync();
        }

        // 1% tagged, spread evenly through the list.
        var ids = await db.Customers.AsNoTracking().Where(c => c.DepartmentId == departmentId).OrderByDescending(c => c.Id).Select(c => c.Id).ToListAsync();
        await using (var tx = await db.Database.BeginTransactionAsync())
        {
            await db.InsertAsync(ids.Where((_, i) => i % 100 == 7).Select(id => new CustomerTag { CustomerId = id, Tag = Tag }).ToList(), default);
            await tx.CommitAsync();
        }

        await PlannerStatistics.RefreshAsync(db, default); // as an import does when it finishes
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"customers={count} written_s={clock.Elapsed.TotalSeconds:F1}"));
        return new Sample(ids[0], ids[ids.Count / 2], ids[^Math.Min(ids.Count, 30)], middle!.Mobile, middle.IdNumber);
    }
}
