using Custos.Hosting;

namespace Custos.Features.Demo;

/// <summary>The demo feature's entry point.</summary>
internal sealed class DemoFeature : Feature
{
    public override void AddServices(IServiceCollection services, CustosSettings settings)
    {
        services.AddScoped<DemoOrganisation>();
    }
}
