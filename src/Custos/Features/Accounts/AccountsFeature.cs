namespace Custos.Features.Accounts;

/// <summary>The accounts feature's entry point.</summary>
internal sealed class AccountsFeature : Feature
{
    public override void AddServices(IServiceCollection services, Hosting.CustosSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        services.AddScoped<PersonalConfirmation>();
        SingleSignOn.AddTo(services, settings.SectionOf<SsoSettings>("Sso"));
    }

    public override void MapWeb(IEndpointRouteBuilder endpoints) =>
        SingleSignOn.Map(endpoints, endpoints.ServiceProvider.GetRequiredService<Hosting.CustosSettings>().SectionOf<SsoSettings>("Sso"));

    public override void MapApi(RouteGroupBuilder api) => AccountApi.Map(api);
}
