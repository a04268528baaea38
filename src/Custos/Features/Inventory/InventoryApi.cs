using Custos.Features.Classification;
using Custos.Hosting;
using Custos.Web;
using Microsoft.Extensions.Localization;

namespace Custos.Features.Inventory;

/// <summary>The departments' customer-information inventories (CLS-5) over REST.</summary>
internal static class InventoryApi
{
    public static void Map(RouteGroupBuilder api)
    {
        var inventory = api.MapGroup("/inventory").WithTags("Inventory").WithMetadata(new GateAttribute(Gate.RoleChecked));

        inventory.MapGet("/", async (InventoryService service, CancellationToken ct) => TypedResults.Ok(await service.ListAsync(ct)))
            .WithName("ListInventories").WithSummary("Departments with their customers held and the last review: one's own departments; all for compliance officers and the general manager");

        inventory.MapGet("/{department}", async (string department, InventoryService service, CancellationToken ct) => TypedResults.Ok(await service.GetAsync(department, ct)))
            .WithName("GetInventory").WithSummary("A department's inventory (by department code), generated from live data and completed by the department").ProducesProblem(404);

        inventory.MapGet("/{department}.{format}", async (string department, string format, InventoryService service, IStringLocalizer<Strings> text, LevelNames levels, CancellationToken ct) =>
            {
                var (content, type, name) = await service.ExportAsync(department, format, text, levels, ct);
                return TypedResults.File(content, type, name);
            })
            .WithName("ExportInventory").WithSummary("The inventory as pdf or xlsx, with the reviewed-by line and a check code").ProducesProblem(400).ProducesProblem(404);

        inventory.MapPost("/{department}/entries", async (string department, InventoryEntryInput request, InventoryService service, CancellationToken ct) =>
                TypedResults.Ok(await service.AddEntryAsync(department, request, ct)))
            .WithName("AddInventoryEntry").WithSummary("A data set outside Custos: name, location, owner (user name), grade, legal basis, purpose, retention — all required")
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(404);

        inventory.MapPut("/{department}/entries/{id:guid}", async (string department, Guid id, InventoryEntryInput request, InventoryService service, CancellationToken ct) =>
                TypedResults.Ok(await service.ChangeEntryAsync(department, id, request, ct)))
            .WithName("ChangeInventoryEntry").WithSummary("Change a data set outside Custos").ProducesProblem(400).ProducesProblem(403).ProducesProblem(404);

        inventory.MapDelete("/{department}/entries/{id:guid}", async (string department, Guid id, InventoryService service, CancellationToken ct) =>
                TypedResults.Ok(await service.RemoveEntryAsync(department, id, ct)))
            .WithName("RemoveInventoryEntry").WithSummary("Remove a data set outside Custos").ProducesProblem(403).ProducesProblem(404);

        inventory.MapPut("/{department}/notes", async (string department, InventoryNoteInput request, InventoryService service, CancellationToken ct) =>
                TypedResults.Ok(await service.NoteAsync(department, request, ct)))
            .WithName("NoteInventoryLine").WithSummary("Where a generated line (import:{id}, manual, attachments, paper) is kept and for how long").ProducesProblem(400).ProducesProblem(403).ProducesProblem(404);

        inventory.MapPost("/{department}/review", async (string department, InventoryService service, CancellationToken ct) =>
                TypedResults.Ok(await service.ReviewAsync(department, ct)))
            .WithName("ReviewInventory").WithSummary("The department's head confirms the inventory reviewed for this month").ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);
    }
}
