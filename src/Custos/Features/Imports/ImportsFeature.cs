using System.CommandLine;
using Custos.Hosting;

namespace Custos.Features.Imports;

/// <summary>The imports feature's entry point.</summary>
internal sealed class ImportsFeature : Feature
{
    public override void AddServices(IServiceCollection services, CustosSettings settings)
    {
        services.AddScoped<ImportService>();
        services.AddScoped<CollectionRecords>();
    }

    public override void AddWorkers(IServiceCollection services)
    {
        services.AddSingleton<ImportJobs>();
        services.AddHostedService(provider => provider.GetRequiredService<ImportJobs>());
    }

    public override IEnumerable<Command> Commands() => [ImportCommand.Create()];
}
