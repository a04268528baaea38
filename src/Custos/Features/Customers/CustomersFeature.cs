using Custos.Hosting;

namespace Custos.Features.Customers;

/// <summary>The customers feature's entry point.</summary>
internal sealed class CustomersFeature : Feature
{
    public override void AddServices(IServiceCollection services, CustosSettings settings)
    {
        services.AddScoped<CustomerService>();
        services.AddScoped<CustomerAccess>();
        services.AddScoped<CustomerLists>();
        services.AddScoped<AttachmentService>();
        services.AddSingleton<CustomerShares>();
        services.AddSingleton<Microsoft.EntityFrameworkCore.Diagnostics.IInterceptor>(s => s.GetRequiredService<CustomerShares>());
    }

    public override void MapApi(RouteGroupBuilder api) => CustomersApi.Map(api);

    public override void MapWeb(IEndpointRouteBuilder endpoints) => CustomersWeb.Map(endpoints);
}
