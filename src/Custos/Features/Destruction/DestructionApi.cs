using Custos.Hosting;

namespace Custos.Features.Destruction;

/// <summary>Destruction of customers and its register over REST (DST-1, DST-2).</summary>
internal static class DestructionApi
{
    public sealed record DestroyRequest(string? Witness = null, string? Note = null);

    public static void Map(RouteGroupBuilder api)
    {
        var gate = new GateAttribute(Gate.PolicyEngine);

        api.MapPost("/customers/{id:guid}/destroy", async (Guid id, DestroyRequest request, DestructionService service, CancellationToken ct) =>
                TypedResults.Ok(await service.DestroyAsync(id, new DestroyOrder(request.Witness, request.Note), ct)))
            .WithTags("Destruction").WithMetadata(gate)
            .WithName("DestroyCustomer").WithSummary("Crypto-shred a customer (values, indexes, history, attachments, data key) under an approved request and a witness")
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(404);

        api.MapGet("/destructions", async (DestructionService service, CancellationToken ct) => TypedResults.Ok(await service.ListAsync(ct)))
            .WithTags("Destruction").WithMetadata(gate)
            .WithName("ListDestructions").WithSummary("The destruction register: time, method, operator, witness, request");
    }
}
