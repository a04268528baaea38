using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Custos.Data;
using Custos.Features.Agreements;
using Custos.Features.Customers;
using Custos.Features.People;
using Custos.Features.Policy;
using Custos.Kernel.Classification;
using Custos.Kernel.Policy;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Custos.Benchmarks;

/// <summary>
/// <c>preconditions [postgres]</c> (issue 14): a reveal through the product's service with the policy's <c>nda</c> and
/// <c>training</c> preconditions off and no agreement published ("before"), against the same reveal with both on,
/// two agreement versions published and the person's signature and certificate current ("after"). Counts the SQL
/// commands each reveal sends (they must not grow) and times the median, alternating rounds in one run.
/// </summary>
internal static class PreconditionsCost
{
    private const int Reveals = 1000;

    public static async Task<int> RunAsync(string? postgres)
    {
        var dir = Path.Combine(Path.GetTempPath(), "custos-preconditions-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        var (provider, departmentId) = await BenchHost.CreateAsync(dir, postgres);
        await using (provider)
        {
            Guid id;
            using (var scope = provider.CreateScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<CustosDbContext>();
                var customer = scope.ServiceProvider.GetRequiredService<CustomerAccess>().Build(CustomerKind.Individual, departmentId, null, Clearance.Secret,
                    new Dictionary<string, string?> { [FieldCatalogue.Name] = "欧阳娜娜", [FieldCatalogue.Mobile] = "13912345678" });
                db.Customers.Add(customer);
                await db.SaveChangesAsync();
                id = customer.Id;
            }

            var commands = 0;
            using var listener = DiagnosticListener.AllListeners.Subscribe(new CommandCounter(() => Interlocked.Increment(ref commands)));
            var results = new Dictionary<bool, (double Us, double Commands)> { [false] = (double.MaxValue, 0), [true] = (double.MaxValue, 0) };
            for (var round = 0; round < 3; round++)
            {
                foreach (var after in new[] { false, true })
                {
                    await SetUpAsync(provider, after);
                    var times = new List<double>(Reveals);
                    var before = Volatile.Read(ref commands);
                    for (var i = 0; i < Reveals; i++)
                    {
                        using var scope = provider.CreateScope();
                        var service = scope.ServiceProvider.GetRequiredService<CustomerService>();
                        var clock = Stopwatch.StartNew();
                        await service.RevealAsync(id, FieldCatalogue.Mobile, "follow-up", null, default);
                        times.Add(clock.Elapsed.TotalMicroseconds);
                    }

                    var perReveal = (double)(Volatile.Read(ref commands) - before) / Reveals;
                    times.Sort();
                    var median = times[times.Count / 2];
                    if (median < results[after].Us)
                    {
                        results[after] = (median, perReveal);
                    }
                }
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"engine={(postgres is null ? "sqlite" : "postgres")} reveal_before_us={results[false].Us:F0} reveal_after_us={results[true].Us:F0} " +
                $"ratio={results[true].Us / results[false].Us:F2}x sql_per_reveal_before={results[false].Commands:F2} sql_per_reveal_after={results[true].Commands:F2}"));
        }

        if (postgres is null)
        {
            Directory.Delete(dir, true);
        }

        return 0;
    }

    /// <summary>Before: preconditions off (a new policy version). After: both on, two agreement versions, the person signed and trained.</summary>
    private static async Task SetUpAsync(ServiceProvider provider, bool after)
    {
        using var scope = provider.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<CustosDbContext>();
        var now = TimeProvider.System.GetUtcNow();
        var version = (await db.PolicyVersions.MaxAsync(v => (int?)v.Version) ?? 1) + 1;
        var text = DefaultPolicy.Yaml.Replace("version: 1", $"version: {version}", StringComparison.Ordinal);
        text = after ? text.Replace("nda: false", "nda: true", StringComparison.Ordinal).Replace("training: false", "training: true", StringComparison.Ordinal) : text;
        db.PolicyVersions.Add(new PolicyVersion { Version = version, Text = text, Sha256 = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text))), LoadedBy = "bench", LoadedAt = now });
        if (after && !await db.Set<AgreementTemplate>().AnyAsync())
        {
            foreach (var (v, signBy) in new[] { (1, (DateOnly?)null), (2, DateOnly.FromDateTime(now.UtcDateTime).AddDays(30)) })
            {
                db.Set<AgreementTemplate>().Add(new AgreementTemplate
                {
                    Id = Guid.NewGuid(), Version = v, Title = "bench", Body = "bench " + v, BodySha256 = new string('0', 64), PublishedAt = now, PublishedByName = "bench", SignBy = signBy,
                });
            }

            var head = await db.Users.SingleAsync(p => p.UserName == "bench." + BenchHost.Department.ToLowerInvariant());
            head.NdaSignedOn = DateOnly.FromDateTime(now.UtcDateTime).AddDays(-1);
            head.NdaVersion = 1;
            head.TrainingValidUntil = DateOnly.FromDateTime(now.UtcDateTime).AddDays(300);
        }

        await db.SaveChangesAsync();
    }

    /// <summary>Counts every SQL command EF Core sends (its diagnostic events), whatever the provider.</summary>
    private sealed class CommandCounter(Action count) : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>
    {
        public void OnNext(DiagnosticListener value)
        {
            if (value.Name == DbLoggerCategory.Name)
            {
                value.Subscribe(this);
            }
        }

        public void OnNext(KeyValuePair<string, object?> value)
        {
            if (value.Key == Microsoft.EntityFrameworkCore.Diagnostics.RelationalEventId.CommandExecuted.Name)
            {
                count();
            }
        }

        public void OnCompleted()
        {
        }

        public void OnError(Exception error)
        {
        }
    }
}
