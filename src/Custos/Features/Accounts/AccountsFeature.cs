namespace Custos.Features.Accounts;

/// <summary>The accounts feature's entry point.</summary>
internal sealed class AccountsFeature : Feature
{
    public override void AddServices(IServiceCollection services, Hosting.CustosSettings settings) => services.AddScoped<PersonalConfirmation>();

    public override void MapApi(RouteGroupBuilder api) => AccountApi.Map(api);
}
