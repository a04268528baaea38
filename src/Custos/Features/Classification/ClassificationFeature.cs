using Custos.Hosting;

namespace Custos.Features.Classification;

/// <summary>The classification feature's entry point.</summary>
internal sealed class ClassificationFeature : Feature
{
    public override void AddServices(IServiceCollection services, CustosSettings settings)
    {
        services.AddSingleton(_ => ClassificationSetup.Catalogue(settings));
        services.AddScoped<LevelNames>();
    }
}
