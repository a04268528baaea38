using Custos.Hosting;
using Custos.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;

namespace Custos.Features.Agreements;

/// <summary>Confidentiality agreements over REST (PPL-1, PPL-4).</summary>
internal static class AgreementsApi
{
    public sealed record SignRequest(int Version, string? Password = null, string? Code = null);

    public static void Map(RouteGroupBuilder api)
    {
        var agreements = api.MapGroup("/agreements").WithTags("Agreements");
        var own = new GateAttribute(Gate.OwnAccount);
        var roles = new GateAttribute(Gate.RoleChecked);

        agreements.MapGet("/mine", async (AgreementService service, CancellationToken ct) => TypedResults.Ok(await service.MineAsync(ct)))
            .WithMetadata(own).WithName("GetMyAgreement").WithSummary("The agreement in force, whether the caller has signed it and by when they must");

        agreements.MapPost("/sign", async (SignRequest request, AgreementService service, CancellationToken ct) =>
                TypedResults.Ok(await service.SignAsync(request.Version, request.Password, request.Code, ct)))
            .WithMetadata(own).WithName("SignAgreement")
            .WithSummary("Sign the version read, confirmed with the caller's password or authenticator code (a signed-in person, not a token)")
            .ProducesProblem(403).ProducesProblem(409);

        agreements.MapGet("/templates", async (AgreementService service, CancellationToken ct) => TypedResults.Ok(await service.TemplatesAsync(ct)))
            .WithMetadata(new GateAttribute(Gate.Directory)).WithName("ListAgreementTemplates").WithSummary("Every published version of the agreement, newest first");

        agreements.MapPost("/templates", async (NewTemplate request, AgreementService service, CancellationToken ct) =>
                TypedResults.Ok(await service.PublishAsync(request, ct)))
            .WithMetadata(roles).WithName("PublishAgreementTemplate")
            .WithSummary("Publish a new version (compliance officer); those who signed an older one must sign it by signBy (default 30 days)")
            .ProducesProblem(400).ProducesProblem(403);

        agreements.MapPost("/paper", async ([FromForm] string userName, [FromForm] int version, [FromForm] DateOnly signedOn, [FromForm] string? note, IFormFile scan,
                AgreementService service, CancellationToken ct) =>
            {
                using var buffer = new MemoryStream();
                await using (var content = scan.OpenReadStream())
                {
                    await content.CopyToAsync(buffer, ct);
                }

                return TypedResults.Ok(await service.RecordPaperAsync(new PaperAgreement(userName, version, signedOn, buffer.ToArray(), note), ct));
            })
            .DisableAntiforgery() // an API call (bearer or same-site cookie), not a page form
            .WithMetadata(roles).WithName("RecordPaperAgreement")
            .WithSummary("Record a signed paper agreement with its scan (PDF, PNG or JPEG; encrypted), checked by the compliance officer")
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(404);

        agreements.MapGet("/register", async (AgreementService service, CancellationToken ct) => TypedResults.Ok(await service.RegisterAsync(ct)))
            .WithMetadata(roles).WithName("GetAgreementRegister").WithSummary("The NDA register: everyone's standing and signatures (compliance, auditors; department heads for their departments)")
            .ProducesProblem(403);

        agreements.MapGet("/register.{format}", async (string format, AgreementService service, IStringLocalizer<Strings> text, CancellationToken ct) =>
            {
                var file = await service.ExportRegisterAsync(format, text, ct);
                return TypedResults.File(file.Content, file.ContentType, file.FileName);
            })
            .WithMetadata(roles).WithName("ExportAgreementRegister").WithSummary("The NDA register as xlsx or pdf").ProducesProblem(400).ProducesProblem(403);

        agreements.MapGet("/signatures/{id:guid}/scan", async (Guid id, AgreementService service, CancellationToken ct) =>
            {
                var file = await service.ScanAsync(id, ct);
                return TypedResults.File(file.Content, file.ContentType, file.FileName);
            })
            .WithMetadata(roles).WithName("GetAgreementScan").WithSummary("The scan of a paper agreement (decrypted; recorded)").ProducesProblem(404);
    }
}
