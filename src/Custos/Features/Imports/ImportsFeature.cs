using System.CommandLine;
using Custos.Hosting;

namespace Custos.Features.Imports;

/// <summary>The imports feature's entry point.</summary>
internal sealed class ImportsFeature : Feature
{
    public override void AddServices(IServiceCollection services, CustosSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        services.AddScoped<ImportService>();
        services.AddScoped<CollectionRecords>();
        services.AddSingleton(settings.SectionOf<ImportSettings>("Imports"));
        services.AddScoped<ReceivedListService>();
    }

    public override void AddWorkers(IServiceCollection services)
    {
        services.AddSingleton<ImportJobs>();
        services.AddHostedService(provider => provider.GetRequiredService<ImportJobs>());
        services.AddHostedService<ReceivedListWorker>();
    }

    public override void MapApi(RouteGroupBuilder api)
    {
        var received = api.MapGroup("/imports/received").WithTags("Imports").WithMetadata(new GateAttribute(Gate.PolicyEngine));
        received.MapGet("/", async (ReceivedListService s, CancellationToken ct) => TypedResults.Ok(await s.ListAsync(ct)))
            .WithName("ListReceivedLists").WithSummary("Lists received from a third party (EXP-3): the caller's own and their departments' (all for compliance), with where each stands");
        received.MapGet("/register.{format}", async (string format, ReceivedListService s, Microsoft.Extensions.Localization.IStringLocalizer<Web.Strings> text, CustosSettings custos, CancellationToken ct) =>
            {
                var (content, type, name) = await s.ExportAsync(format, text, custos, ct);
                return TypedResults.File(content, type, name);
            })
            .WithName("ExportReceivedLists").WithSummary("The register of received lists the caller may see, as pdf or xlsx").ProducesProblem(400);
        received.MapGet("/{id:guid}", async (Guid id, ReceivedListService s, CancellationToken ct) => TypedResults.Ok(await s.GetAsync(id, ct)))
            .WithName("GetReceivedList").WithSummary("One received list").ProducesProblem(404);
        received.MapPost("/{id:guid}/verify", async (Guid id, VerifyOrder order, ReceivedListService s, CancellationToken ct) => TypedResults.Ok(await s.VerifyAsync(id, order, ct)))
            .WithName("VerifyReceivedList").WithSummary("The entries were verified against the received list: by someone other than the importer, or the owner confirming every row")
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);
        received.MapPost("/{id:guid}/destroyed", async (Guid id, ReceivedDestroyOrder order, ReceivedListService s, CancellationToken ct) => TypedResults.Ok(await s.RecordDestroyedAsync(id, order, ct)))
            .WithName("RecordReceivedListDestroyed").WithSummary("The owner records the received file and list destroyed: method, operator and a witness who is someone else")
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);
    }

    public override IEnumerable<Command> Commands() => [ImportCommand.Create()];

    public override IEnumerable<NavigationItem> Navigation() => [new("/imports/received", "Nav.ReceivedLists", [])];
}
