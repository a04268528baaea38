using System.CommandLine;
using Custos.Hosting;

namespace Custos.Features.Keys;

/// <summary>The keys feature's entry point.</summary>
internal sealed class KeysFeature : Feature
{
    public override void AddServices(IServiceCollection services, CustosSettings settings)
    {
        services.AddSingleton<KeyRing>();
        services.AddSingleton<KeyShareStore>();
        services.AddSingleton<ShareDeletions>();
        services.AddSingleton<Microsoft.EntityFrameworkCore.Diagnostics.IInterceptor>(s => s.GetRequiredService<ShareDeletions>());
        services.AddScoped<KeyService>();
    }

    public override void AddWorkers(IServiceCollection services) => services.AddHostedService<KeyShareWorker>();

    public override IEnumerable<Command> Commands() => [KeyCommands.Create()];
}
