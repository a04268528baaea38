using Custos.Data;
using Custos.Features.Audit;
using Custos.Features.Organisation;
using Custos.Features.People;
using Custos.Hosting;
using Custos.Security;
using Microsoft.Extensions.DependencyInjection;

namespace Custos.Benchmarks;

/// <summary>The product's services on a fresh SQLite data directory or an existing PostgreSQL database, with a department and its head acting.</summary>
internal static class BenchHost
{
    /// <summary>The department of the last host created, unique per host, so a PostgreSQL database can be reused.</summary>
    public static string Department { get; private set; } = "";

    /// <summary>The user name of the staff member of the last host's department.</summary>
    public static string Staff => "staff." + Department.ToLowerInvariant();

    /// <summary>Every bench person's password.</summary>
    public const string Password = "Bench-Mark-2026-x";

    public static async Task<(ServiceProvider Provider, Guid DepartmentId)> CreateAsync(string dir, string? postgres)
    {
        Department = "B" + Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();
        var settings = new CustosSettings { DataDir = Path.Combine(dir, "data"), Database = postgres, KeyFile = Path.Combine(dir, "bench.keys") };
        var services = new ServiceCollection().AddLogging();
        services.AddCustosCore(settings);
        var actor = new MutableActor();
        services.AddSingleton<ICurrentActor>(actor);
        var provider = services.BuildServiceProvider();
        using var scope = provider.CreateScope();
        await scope.ServiceProvider.GetRequiredService<DatabaseInitialiser>().InitialiseAsync(migrate: true, default);
        var department = await scope.ServiceProvider.GetRequiredService<OrganisationService>().AddDepartmentAsync(Department, "基准部" + Department, default);
        var (head, _, _) = await scope.ServiceProvider.GetRequiredService<PeopleService>().CreateAsync(
            new NewPerson("bench." + Department.ToLowerInvariant(), "基准", null, [Roles.DepartmentHead], [Department], [], Clearance.TopSecret, Password), default);
        // A staff member of the department, as the people who use the customer list every day.
        await scope.ServiceProvider.GetRequiredService<PeopleService>().CreateAsync(
            new NewPerson(Staff, "基准职员", null, [Roles.Staff], [Department], [], Clearance.Secret, Password), default);
        actor.Id = head.Id.ToString();
        return (provider, department.Id);
    }

    /// <summary>From now on the host's services act as <paramref name="person"/>.</summary>
    public static void ActAs(IServiceProvider provider, Guid person) => ((MutableActor)provider.GetRequiredService<ICurrentActor>()).Id = person.ToString();

    /// <summary>From now on the host's services act as the system itself (as the command line does at installation).</summary>
    public static void ActAsSystem(IServiceProvider provider) => ((MutableActor)provider.GetRequiredService<ICurrentActor>()).Id = "system";

    private sealed class MutableActor : ICurrentActor
    {
        public string Id { get; set; } = "system";

        public string Name => "bench";

        public string? ClientAddress => "bench";
    }
}
