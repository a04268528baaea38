using Custos.Hosting;

namespace Custos.Features.Leaving;

/// <summary>Leaving files over REST (PPL-3): record, successor, confirmations, exit statement, closure.</summary>
internal static class LeavingApi
{
    public sealed record SuccessorRequest(string? Successor = null);

    public sealed record SignRequest(string? Password = null, string? Code = null);

    public sealed record StatementRequest(ExitStatementKind Kind, string? Note = null);

    /// <summary>The file's stamp as the confirmer read it: a list changed since is not confirmed.</summary>
    public sealed record ConfirmRequest(Guid Stamp);

    public static void Map(RouteGroupBuilder api)
    {
        var leaving = api.MapGroup("/leaving").WithTags("Leaving").WithMetadata(new GateAttribute(Gate.RoleChecked));

        leaving.MapGet("/", async (LeavingService service, CancellationToken ct) => TypedResults.Ok(await service.ListAsync(ct)))
            .WithName("ListLeaving").WithSummary("The leaving files the caller keeps, succeeds in, heads, or is the subject of");

        leaving.MapGet("/{id:guid}", async (Guid id, LeavingService service, CancellationToken ct) => TypedResults.Ok(await service.GetAsync(id, ct)))
            .WithName("GetLeaving").WithSummary("One leaving file: hand-over list, copies still out, what keeps it open").ProducesProblem(404);

        leaving.MapPost("/", async (NewDeparture request, LeavingService service, CancellationToken ct) =>
            {
                var file = await service.RecordAsync(request, ct);
                return TypedResults.Created($"/api/v1/leaving/{file.Id}", file);
            })
            .WithName("RecordLeaving").WithSummary("Record a departure on a last working day, or a dismissal (access ends at once). Administrators and compliance officers; never oneself")
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);

        leaving.MapDelete("/{id:guid}", async (Guid id, LeavingService service, CancellationToken ct) =>
            {
                await service.WithdrawAsync(id, ct);
                return TypedResults.NoContent();
            })
            .WithName("WithdrawLeaving").WithSummary("Withdraw a departure that has not taken effect").ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);

        leaving.MapPut("/{id:guid}/successor", async (Guid id, SuccessorRequest request, LeavingService service, CancellationToken ct) =>
                TypedResults.Ok(await service.NameSuccessorAsync(id, request.Successor, ct)))
            .WithName("NameSuccessor").WithSummary("Name the successor (user name) and draw up the hand-over list").ProducesProblem(400).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);

        leaving.MapPost("/{id:guid}/confirm", async (Guid id, ConfirmRequest request, LeavingService service, CancellationToken ct) => TypedResults.Ok(await service.ConfirmAsync(id, request.Stamp, ct)))
            .WithName("ConfirmHandover").WithSummary("Confirm the hand-over in person: the successor first, then a head of the person's department or a compliance officer (which files the successor's requests)")
            .ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);

        leaving.MapPost("/{id:guid}/statement", async (Guid id, SignRequest request, LeavingService service, CancellationToken ct) =>
                TypedResults.Ok(await service.SignStatementAsync(id, request.Password, request.Code, ct)))
            .WithName("SignExitStatement").WithSummary("The leaving person signs the exit statement, confirming with their password or authenticator code")
            .ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);

        leaving.MapPost("/{id:guid}/statement/record", async (Guid id, StatementRequest request, LeavingService service, CancellationToken ct) =>
                TypedResults.Ok(await service.RecordStatementAsync(id, request.Kind, request.Note, ct)))
            .WithName("RecordExitStatement").WithSummary("Record a paper exit statement, or the person's refusal to sign, with who witnessed it")
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);

        leaving.MapPost("/{id:guid}/close", async (Guid id, LeavingService service, CancellationToken ct) => TypedResults.Ok(await service.CloseAsync(id, ct)))
            .WithName("CloseLeaving").WithSummary("Close the file: refused (409, recorded) while access is open, the hand-over or statement is missing, or prints and lent archives are out")
            .ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);
    }
}
