using System.Globalization;
using Custos.Hosting;
using Custos.Security;
using Custos.Web;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Custos.Features.Audit;

/// <summary>The auditor's API (AUD-2): search, who saw a customer, what a person saw, and CSV export. Auditors and the compliance officer only.</summary>
internal static class AuditApi
{
    public sealed record PlantDecoyRequest(string? Department = null);

    public static void Map(RouteGroupBuilder api)
    {
        var audit = api.MapGroup("/audit").RequireAuthorization(Policies.Audit).WithTags("Audit");

        audit.MapGet("/entries", async (string? person, Guid? customer, string? action, AuditOutcome? outcome, DateTimeOffset? from, DateTimeOffset? to, string? term,
                int? page, int? pageSize, AuditSearch search, CancellationToken ct) =>
                TypedResults.Ok(await search.SearchAsync(new AuditQuery(person, customer, action, outcome, from, to, term), page ?? 1, pageSize ?? 50, ct)))
            .WithName("SearchAuditEntries")
            .WithSummary("Search the audit log by person, customer, action (exact, or a prefix ending in '.'), outcome, time and the keyed hash of a value (term, from POST /audit/hash)");

        // Decoy customers: the compliance officer plants, lists and retires them; recorded as decoy.*, never as a customer action.
        audit.MapGet("/decoys", async (DecoyService decoys, CancellationToken ct) => TypedResults.Ok(await decoys.ListAsync(ct)))
            .WithName("ListDecoys").WithSummary("The decoy customers planted (compliance officers)").ProducesProblem(403);
        audit.MapPost("/decoys", async (PlantDecoyRequest request, DecoyService decoys, CancellationToken ct) =>
                TypedResults.Ok(await decoys.PlantAsync(request.Department ?? "", ct)))
            .WithName("PlantDecoy").WithSummary("Plant a synthetic decoy customer in a department: anyone else's touch raises the decoy alert").ProducesProblem(400).ProducesProblem(403);
        audit.MapDelete("/decoys/{id:guid}", async (Guid id, DecoyService decoys, CancellationToken ct) =>
            {
                await decoys.RetireAsync(id, ct);
                return TypedResults.NoContent();
            })
            .WithName("RetireDecoy").WithSummary("Remove a decoy customer").ProducesProblem(403).ProducesProblem(404);

        // The value is protected: it travels in the body; only its keyed hash goes into a search URL.
        audit.MapPost("/hash", async (HashRequest request, AuditSearch search, CancellationToken ct) =>
                TypedResults.Ok(new HashResponse(await search.HashAsync(request.Value ?? "", ct))))
            .WithName("AuditHash").WithSummary("The keyed hash under which the log records a protected value (a search term, a traced value), to search by");

        audit.MapGet("/entries.csv", async (string? person, Guid? customer, string? action, AuditOutcome? outcome, DateTimeOffset? from, DateTimeOffset? to, string? term,
                HttpContext http, AuditSearch search, CancellationToken ct) =>
            {
                var query = new AuditQuery(person, customer, action, outcome, from, to, term);
                StreamWriter? writer = null;
                async Task<StreamWriter> StartAsync()
                {
                    // The response starts with the first row, once the query was accepted and the export recorded: a refusal is still a problem.
                    if (writer is null)
                    {
                        http.Response.ContentType = "text/csv; charset=utf-8";
                        http.Response.Headers.ContentDisposition = "attachment; filename=\"custos-audit.csv\"";
                        http.Response.Headers.CacheControl = "no-store";
                        writer = new StreamWriter(http.Response.Body, CsvText.Encoding, bufferSize: 65536);
                        await writer.WriteAsync(CsvText.Line(Header));
                    }

                    return writer;
                }

                try
                {
                    await search.ExportAsync(query, async e => await (await StartAsync()).WriteAsync(CsvText.Line(Row(e))), ct);
                    await StartAsync();
                }
                finally
                {
                    if (writer is not null)
                    {
                        await writer.DisposeAsync();
                    }
                }

                return Results.Empty;
            })
            .WithName("ExportAuditEntries").WithSummary("Export the matching entries as CSV (recorded, at most 100,000 rows)")
            .Produces(StatusCodes.Status200OK, contentType: "text/csv");

        audit.MapGet("/customers/{id:guid}/viewers", async Task<Ok<IReadOnlyList<AccessSummary>>> (Guid id, AuditSearch search, CancellationToken ct) =>
                TypedResults.Ok(await search.WhoSawAsync(id, ct)))
            .WithName("CustomerViewers").WithSummary("Everyone who viewed, revealed, changed or was refused a customer");

        audit.MapGet("/people/{person}/seen", async Task<Ok<IReadOnlyList<AccessSummary>>> (string person, AuditSearch search, CancellationToken ct) =>
                TypedResults.Ok(await search.WhatSawAsync(person, ct)))
            .WithName("PersonSeen").WithSummary("Every customer a person viewed, revealed or changed (by user name or id)");
    }

    public sealed record HashRequest(string? Value = null);

    public sealed record HashResponse(string Term);

    public static readonly string[] Header =
        ["id", "sequence", "time_utc", "actor_id", "actor", "client", "action", "target_type", "target", "purpose", "outcome", "detail"];

    public static string?[] Row(AuditEntryView e) =>
    [
        e.Id.ToString(CultureInfo.InvariantCulture), e.Sequence?.ToString(CultureInfo.InvariantCulture),
        e.At.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture), e.ActorId, e.ActorName, e.ClientAddress,
        e.Action, e.TargetType, e.TargetId, e.Purpose, AuditRecord.OutcomeName(e.Outcome), e.Detail,
    ];
}
