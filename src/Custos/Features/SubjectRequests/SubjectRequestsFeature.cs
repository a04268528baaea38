using System.CommandLine;
using System.Globalization;
using Custos.Features.Copies;
using Custos.Features.People;
using Custos.Hosting;
using Custos.Web;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using Spectre.Console;

namespace Custos.Features.SubjectRequests;

/// <summary>Individuals' requests to see, copy, correct or delete their information (PIPL art. 44–47): register, answer or refuse, deadlines.</summary>
internal sealed class SubjectRequestsFeature : Feature
{
    public sealed record RefuseRequest(string? Ground = null, string? Explanation = null);

    public override void AddServices(IServiceCollection services, CustosSettings settings)
    {
        var section = settings.SectionOf<SubjectRequestSettings>("SubjectRequests");
        section.Validate();
        services.AddSingleton(section);
        services.AddScoped<SubjectRequestService>();
    }

    public override void AddWorkers(IServiceCollection services) => services.AddHostedService<SubjectRequestWorker>();

    public override void MapApi(RouteGroupBuilder api)
    {
        var requests = api.MapGroup("/subject-requests").WithTags("Subject requests").WithMetadata(new GateAttribute(Gate.PolicyEngine));
        requests.MapGet("/", async ([FromQuery] bool? open, SubjectRequestService s, CancellationToken ct) => TypedResults.Ok(await s.ListAsync(open ?? false, ct)))
            .WithName("ListSubjectRequests").WithSummary("Individuals' requests of the caller's departments (every one for compliance); open=true lists those not yet answered");
        requests.MapGet("/{id:guid}", async (Guid id, SubjectRequestService s, CancellationToken ct) => TypedResults.Ok(await s.GetAsync(id, ct)))
            .WithName("GetSubjectRequest").WithSummary("One request").ProducesProblem(404);
        requests.MapPost("/", async (NewSubjectRequest request, SubjectRequestService s, CancellationToken ct) =>
            {
                var created = await s.CreateAsync(request, ct);
                return TypedResults.Created($"/api/v1/subject-requests/{created.Id}", created);
            })
            .WithName("CreateSubjectRequest")
            .WithSummary("Register a request (kind Access, Copy, Correct or Delete) with the identity check made (IdCardInPerson, CallbackToStoredPhone, Video); the deadline is counted in working days")
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);
        requests.MapPost("/{id:guid}/answer", async Task<Results<FileContentHttpResult, Ok<SubjectRequestView>>> (Guid id, SubjectAnswer request, SubjectRequestService s, CancellationToken ct) =>
            {
                var (view, copy) = await s.AnswerAsync(id, request, ct);
                return copy is null ? TypedResults.Ok(view) : TypedResults.File(copy.Content, copy.ContentType, copy.FileName);
            })
            .WithName("AnswerSubjectRequest")
            .WithSummary("Answer once: access or copy returns the customer's copy sealed with the passphrase (an approved export, in the copy ledger); a correction changes the values given; a deletion destroys the customer under an approved destruction request")
            .Produces(200, contentType: "application/pgp-encrypted").ProducesProblem(400).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);
        requests.MapPost("/{id:guid}/refuse", async (Guid id, RefuseRequest request, SubjectRequestService s, CancellationToken ct) =>
                TypedResults.Ok(await s.RefuseAsync(id, request.Ground, request.Explanation, ct)))
            .WithName("RefuseSubjectRequest")
            .WithSummary("Refuse with a ground the law allows (RetentionPeriod, OtherLegalBasis, LegalHold, IdentityNotConfirmed, InformationAccurate) and the explanation given to the customer")
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);
    }

    /// <summary>The page's copy answer: a download cannot come from a page handler. A refusal goes back to the page as a one-time message.</summary>
    public override void MapWeb(IEndpointRouteBuilder endpoints) =>
        endpoints.MapPost("/subject-requests/{id:guid}/copy", async Task<IResult> (
                Guid id, [FromForm] string? answer, [FromForm] string? passphrase, [FromForm] string? passphrase2, [FromForm] string? format,
                SubjectRequestService service, IStringLocalizer<Strings> text, HttpContext context) =>
            {
                try
                {
                    if (passphrase != passphrase2)
                    {
                        throw CustosException.Invalid("PassphraseMismatch");
                    }

                    var (_, copy) = await service.AnswerAsync(id, new SubjectAnswer(answer, passphrase, format == "csv" ? ExportFormat.Csv : ExportFormat.Xlsx), context.RequestAborted);
                    return copy is null ? TypedResults.LocalRedirect($"/subject-requests/{id}") : TypedResults.File(copy.Content, copy.ContentType, copy.FileName);
                }
                catch (CustosException e) when (e.Kind == CustosError.NotFound)
                {
                    return TypedResults.NotFound();
                }
                catch (CustosException e)
                {
                    context.Response.Cookies.Append(CopiesWeb.FlashCookie, Messages.For(text, e),
                        new CookieOptions { HttpOnly = true, Secure = context.Request.IsHttps, SameSite = SameSiteMode.Strict, MaxAge = TimeSpan.FromMinutes(2), IsEssential = true });
                    return TypedResults.LocalRedirect($"/subject-requests/{id}");
                }
            })
            .WithMetadata(new GateAttribute(Gate.PolicyEngine))
            .ExcludeFromDescription();

    public override IEnumerable<NavigationItem> Navigation() =>
        [new("/subject-requests", "Nav.SubjectRequests", [Roles.Staff, Roles.InformationOfficer, Roles.DepartmentHead, Roles.ProjectManager, Roles.ComplianceOfficer, Roles.Auditor])];

    /// <summary><c>custos subject-request list [--open]</c>: the requests as the person named by <c>--as</c> sees them.</summary>
    public override IEnumerable<Command> Commands()
    {
        var open = new Option<bool>("--open") { Description = "Only requests not yet answered" };
        var list = new Command("list", "Individuals' requests: number, kind, customer, department, received, deadline, status") { open };
        list.SetAction((parse, ct) => Cli.RunAsync(parse, async (services, text, token) =>
        {
            var table = new Table().AddColumn(text["SubjectRequest.Number"]).AddColumn(text["SubjectRequest.Kind"]).AddColumn(text["SubjectRequest.Customer"])
                .AddColumn(text["SubjectRequest.Department"]).AddColumn(text["SubjectRequest.ReceivedOn"]).AddColumn(text["SubjectRequest.DueOn"]).AddColumn(text["SubjectRequest.Status"]);
            foreach (var r in await services.GetRequiredService<SubjectRequestService>().ListAsync(parse.GetValue(open), token))
            {
                table.AddRow(r.Number, Markup.Escape(text["SubjectRequestKind." + r.Kind]), r.Customer.ToString(), Markup.Escape(r.Department),
                    r.ReceivedOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), r.DueOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + (r.Overdue ? " !" : ""),
                    Markup.Escape(text["SubjectRequestStatus." + r.Status]));
            }

            Cli.Write(table);
        }, ct, requireAdministrator: false, allowedRoles: [Roles.Staff, Roles.InformationOfficer, Roles.DepartmentHead, Roles.ProjectManager, Roles.ComplianceOfficer, Roles.Auditor]));
        return [new Command("subject-request", "Individuals' requests to see, copy, correct or delete their information (PIPL art. 44–47)") { list }];
    }
}

/// <summary>Every ten minutes: handlers reminded before a request's deadline, compliance told after it.</summary>
internal sealed class SubjectRequestWorker(IServiceScopeFactory scopes, StartupReport startup, TimeProvider time, ILogger<SubjectRequestWorker> log)
    : PeriodicWorker(scopes, startup, time, log)
{
    protected override TimeSpan Interval => TimeSpan.FromMinutes(10);

    protected override string ActorName => "custos-subject-requests";

    protected override Task RunAsync(IServiceProvider services, CancellationToken ct) => services.GetRequiredService<SubjectRequestService>().RunDueAsync(ct);
}
