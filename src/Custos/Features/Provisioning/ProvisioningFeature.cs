using System.CommandLine;
using Custos.Hosting;
using Microsoft.AspNetCore.Authentication;

namespace Custos.Features.Provisioning;

/// <summary>SCIM 2.0 provisioning's entry point: its own bearer-token scheme and policy, its endpoints, its command.</summary>
internal sealed class ProvisioningFeature : Feature
{
    public override void AddServices(IServiceCollection services, CustosSettings settings)
    {
        services.AddScoped<ScimService>();
        services.AddScoped<ScimClients>();
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, ScimTokenHandler>(ScimTokenHandler.SchemeName, null);
        services.AddAuthorizationBuilder().AddPolicy(ScimApi.PolicyName, p => p.AddAuthenticationSchemes(ScimTokenHandler.SchemeName).RequireClaim(ScimTokenHandler.ClientClaim));
    }

    public override void MapWeb(IEndpointRouteBuilder endpoints) => ScimApi.Map(endpoints);

    public override IEnumerable<Command> Commands() => [ScimCommands.Scim()];

    public override IEnumerable<NavigationItem> Navigation() => [new("/admin/scim", "Nav.Scim", [People.Roles.ItAdministrator])];
}
