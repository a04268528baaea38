using Custos.Hosting;

namespace Custos.Features.Customers;

/// <summary>The customers feature's entry point.</summary>
internal sealed class CustomersFeature : Feature
{
    public override void AddServices(IServiceCollection services, CustosSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        services.AddScoped<CustomerService>();
        services.AddScoped<CustomerAccess>();
        services.AddScoped<CustomerLists>();
        services.AddScoped<AttachmentService>();
        services.AddSingleton<CustomerShares>();
        services.AddSingleton<Microsoft.EntityFrameworkCore.Diagnostics.IInterceptor>(s => s.GetRequiredService<CustomerShares>());
        services.AddSingleton(settings.SectionOf<AccuracySettings>("Accuracy"));
        services.AddScoped<AccuracyService>();
    }

    public override void AddWorkers(IServiceCollection services) => services.AddHostedService<AccuracyWorker>();

    public override void MapApi(RouteGroupBuilder api) => CustomersApi.Map(api);

    public override void MapWeb(IEndpointRouteBuilder endpoints) => CustomersWeb.Map(endpoints);

    public override IEnumerable<System.CommandLine.Command> Commands() => [AccuracyCommands.Create()];
}
