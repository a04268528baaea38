using Custos.Hosting;
using Microsoft.AspNetCore.Mvc;

namespace Custos.Features.Partners;

/// <summary>The partner register over REST (PPL-4, EXP-1).</summary>
internal static class PartnersApi
{
    public sealed record LinkRequest(string? User = null, string? Project = null);

    public sealed record EndRequest(string? Reason = null);

    public static void Map(RouteGroupBuilder api)
    {
        var partners = api.MapGroup("/partners").WithTags("Partners").WithMetadata(new GateAttribute(Gate.RoleChecked));

        partners.MapGet("/", async (PartnerService service, CancellationToken ct) => TypedResults.Ok(await service.ListAsync(ct)))
            .WithName("ListPartners").WithSummary("The partner register: organisations, their agreements, users and projects").ProducesProblem(403);

        partners.MapPost("/", async (NewPartner request, PartnerService service, CancellationToken ct) => TypedResults.Ok(await service.AddAsync(request, ct)))
            .WithName("AddPartner").WithSummary("Register a partner (compliance officer): name, unified social credit code, contact")
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(409);

        partners.MapPost("/{id:guid}/agreements", async (Guid id, [FromForm] string reference, [FromForm] string scope, [FromForm] DateOnly startsOn,
                [FromForm] DateOnly endsOn, [FromForm] string signedBy, IFormFile scan, PartnerService service, CancellationToken ct) =>
            {
                using var buffer = new MemoryStream();
                await using (var content = scan.OpenReadStream())
                {
                    await content.CopyToAsync(buffer, ct);
                }

                return TypedResults.Ok(await service.RecordAgreementAsync(id, new NewPartnerAgreement(reference, scope, startsOn, endsOn, signedBy, buffer.ToArray()), ct));
            })
            .DisableAntiforgery() // an API call (bearer or same-site cookie), not a page form
            .WithName("RecordPartnerAgreement").WithSummary("Record a partner's signed agreement: reference, scope, term, signatory, scan (PDF, PNG or JPEG; encrypted)")
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(404);

        partners.MapPost("/{id:guid}/links", async (Guid id, LinkRequest request, PartnerService service, CancellationToken ct) =>
            {
                if (!string.IsNullOrWhiteSpace(request.User))
                {
                    await service.LinkUserAsync(id, request.User, ct);
                }

                if (!string.IsNullOrWhiteSpace(request.Project))
                {
                    await service.LinkProjectAsync(id, request.Project, ct);
                }

                return TypedResults.NoContent();
            })
            .WithName("LinkPartner").WithSummary("Link a user (with the partner role) or a project (by code) to a partner").ProducesProblem(400).ProducesProblem(403).ProducesProblem(404);

        partners.MapPost("/agreements/{id:guid}/end", async (Guid id, EndRequest request, PartnerService service, CancellationToken ct) =>
                TypedResults.Ok(await service.EndAgreementAsync(id, request.Reason, ct)))
            .WithName("EndPartnerAgreement").WithSummary("End a partner's agreement before its term, with the reason (compliance officer): its users are refused from now")
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);

        partners.MapDelete("/{id:guid}/users/{userName}", async (Guid id, string userName, PartnerService service, CancellationToken ct) =>
            {
                await service.UnlinkUserAsync(id, userName, ct);
                return TypedResults.NoContent();
            })
            .WithName("UnlinkPartnerUser").WithSummary("Take a user off a partner (compliance officer)").ProducesProblem(403).ProducesProblem(404);

        partners.MapGet("/agreements/{id:guid}/scan", async (Guid id, PartnerService service, CancellationToken ct) =>
            {
                var file = await service.ScanAsync(id, ct);
                return TypedResults.File(file.Content, file.ContentType, file.FileName);
            })
            .WithName("GetPartnerAgreementScan").WithSummary("The scan of a partner's agreement (compliance officer, auditors; recorded)").ProducesProblem(404);
    }
}
