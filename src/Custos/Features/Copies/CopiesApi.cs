using Custos.Hosting;
using Microsoft.AspNetCore.Mvc;

namespace Custos.Features.Copies;

/// <summary>Prints, exports, shares and their ledger over REST (PRT-1..3, EXP-1, EXP-2).</summary>
internal static class CopiesApi
{
    public sealed record PrintRequest(string Purpose, string? Note = null, string? Recipient = null, int? UseByDays = null);

    public sealed record ShareRequest(Guid Partner);

    /// <summary>The passphrase travels in the body only; Custos keeps neither it nor the clear table.</summary>
    public sealed record ExportRequest(
        string Purpose, string Passphrase, string? Note = null, string? Department = null, List<Guid>? Customers = null, List<string>? Fields = null, ExportFormat? Format = null, ShareRequest? Share = null);

    public sealed record CloseRequest(string? Witness = null, string? Note = null);

    public sealed record LendRequest(string Purpose, string? Note = null, string? Borrower = null, int? Days = null);

    public sealed record TraceRequest(string Value);

    public static void Map(RouteGroupBuilder api)
    {
        var gate = new GateAttribute(Gate.PolicyEngine);

        api.MapPost("/customers/{id:guid}/print", async (Guid id, PrintRequest request, CopyService service, CancellationToken ct) =>
            {
                var file = await service.PrintAsync(id, new PrintOrder(request.Purpose ?? "", request.Note, request.Recipient, request.UseByDays), ct);
                return TypedResults.File(file.Content, file.ContentType, file.FileName);
            })
            .WithTags("Copies").WithMetadata(gate)
            .WithName("PrintCustomer").WithSummary("A controlled print (PDF stamped 受控文件, serial, use-by date, recipient, watermark); recorded before it is returned")
            .Produces(200, contentType: "application/pdf").ProducesProblem(400).ProducesProblem(403).ProducesProblem(404);

        api.MapPost("/customers/{id:guid}/lend", async (Guid id, LendRequest request, CopyService service, CancellationToken ct) =>
                TypedResults.Ok(await service.LendAsync(id, new LoanOrder(request.Purpose ?? "", request.Note, request.Borrower, request.Days), ct)))
            .WithTags("Copies").WithMetadata(gate)
            .WithName("LendCustomerArchive").WithSummary("Record that the customer's paper archive is lent, to whom, why and until when (PRT-3)")
            .ProducesProblem(400).ProducesProblem(404);

        var copies = api.MapGroup("/copies").WithTags("Copies").WithMetadata(gate);

        api.MapPost("/exports", async (ExportRequest request, CopyService service, CancellationToken ct) =>
            {
                var file = await service.ExportAsync(new ExportOrder(
                    request.Purpose ?? "", request.Passphrase ?? "", request.Note, request.Department, request.Customers, request.Fields, request.Format ?? ExportFormat.Csv,
                    request.Share is { } s ? new ShareTerms(s.Partner) : null), ct);
                return TypedResults.File(file.Content, file.ContentType, file.FileName);
            })
            .WithTags("Copies").WithMetadata(gate)
            .WithName("ExportCustomers")
            .WithSummary("Export customers (or, with share, provide them to a partner from the register whose NDA is in force) as an OpenPGP package sealed with the caller's passphrase")
            .Produces(200, contentType: "application/pgp-encrypted").ProducesProblem(400).ProducesProblem(403).ProducesProblem(404);

        copies.MapGet("/", async ([FromQuery] bool? open, CopyService service, CancellationToken ct) => TypedResults.Ok(await service.ListAsync(open ?? false, ct)))
            .WithName("ListCopies").WithSummary("The ledger of copies: one's own, or everyone's for those who audit; open=true lists paper copies still out");

        copies.MapPost("/{id:guid}/return", async (Guid id, CloseRequest request, CopyService service, CancellationToken ct) =>
                TypedResults.Ok(await service.CloseAsync(id, CopyStatus.Returned, null, request.Note, ct)))
            .WithName("ReturnCopy").WithSummary("A printed copy or a lent archive was brought back").ProducesProblem(400).ProducesProblem(404).ProducesProblem(409);

        copies.MapPost("/{id:guid}/destroy", async (Guid id, CloseRequest request, CopyService service, CancellationToken ct) =>
                TypedResults.Ok(await service.CloseAsync(id, CopyStatus.Destroyed, request.Witness, request.Note, ct)))
            .WithName("DestroyCopy").WithSummary("A printed copy was shredded, watched by a witness (user name)").ProducesProblem(400).ProducesProblem(404).ProducesProblem(409);

        // A leaked value is protected: it travels in the body, never in a URL.
        copies.MapPost("/trace", async (TraceRequest request, CopyService service, CancellationToken ct) =>
                TypedResults.Ok(await service.TraceAsync(request.Value ?? "", ct)))
            .WithName("TraceCopy").WithSummary("Which copy a leaked value came from: a canary's row id or mobile, or a customer's phone, ID number or name")
            .ProducesProblem(400).ProducesProblem(403);
    }
}
