using Custos.Hosting;
using Custos.Web;
using Microsoft.Extensions.Localization;

namespace Custos.Features.Incidents;

/// <summary>Leak incidents over REST (INC-1..3).</summary>
internal static class IncidentsApi
{
    public sealed record NoteRequest(string? Note = null);

    public sealed record StepRequest(string? Note = null);

    public sealed record ScopeRequest(DateTimeOffset? From = null, DateTimeOffset? To = null);

    public static void Map(RouteGroupBuilder api)
    {
        var incidents = api.MapGroup("/incidents").WithTags("Incidents").WithMetadata(new GateAttribute(Gate.RoleChecked));

        incidents.MapGet("/", async (bool? closed, IncidentService service, CancellationToken ct) => TypedResults.Ok(await service.ListAsync(closed ?? false, ct)))
            .WithName("ListIncidents").WithSummary("Incidents: handlers (general manager, compliance officers) see all but those about themselves; others those they reported");

        incidents.MapPost("/", async (NewIncident request, IncidentService service, CancellationToken ct) =>
            {
                var incident = await service.ReportAsync(request, ct);
                return TypedResults.Created($"/api/v1/incidents/{incident.Id}", incident);
            })
            .WithName("ReportIncident").WithSummary("Report a suspected leak (anyone signed in); the GM office and compliance officers are told at once")
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(404);

        incidents.MapPost("/from-alert/{alert:long}", async (long alert, IncidentService service, CancellationToken ct) =>
            {
                var incident = await service.OpenFromAlertAsync(alert, ct);
                return TypedResults.Created($"/api/v1/incidents/{incident.Id}", incident);
            })
            .WithName("OpenIncidentFromAlert").WithSummary("Open an incident from an alert (handlers)").ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);

        incidents.MapPost("/from-copy/{serial}", async (string serial, IncidentService service, CancellationToken ct) =>
            {
                var incident = await service.OpenFromCopyAsync(serial, ct);
                return TypedResults.Created($"/api/v1/incidents/{incident.Id}", incident);
            })
            .WithName("OpenIncidentFromCopy").WithSummary("Open an incident for a leaked file traced to its copy (handlers)").ProducesProblem(403).ProducesProblem(404);

        incidents.MapGet("/{id:guid}", async (Guid id, IncidentService service, CancellationToken ct) => TypedResults.Ok(await service.GetAsync(id, ct)))
            .WithName("GetIncident").WithSummary("One incident with its timeline, clocks and plan").ProducesProblem(404);

        incidents.MapPost("/{id:guid}/triage", async (Guid id, TriageInput request, IncidentService service, CancellationToken ct) => TypedResults.Ok(await service.TriageAsync(id, request, ct)))
            .WithName("TriageIncident").WithSummary("INC-1's two questions: beyond the permitted circle? can it be shown nobody unauthorised learnt it?")
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);

        incidents.MapPost("/{id:guid}/assess", async (Guid id, AssessInput request, IncidentService service, CancellationToken ct) => TypedResults.Ok(await service.AssessAsync(id, request, ct)))
            .WithName("AssessIncident").WithSummary("People affected and grade; 较大 and above start the clock of the report to the authority")
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);

        incidents.MapPost("/{id:guid}/contain", async (Guid id, ContainInput request, IncidentService service, CancellationToken ct) => TypedResults.Ok(await service.ContainAsync(id, request, ct)))
            .WithName("ContainIncident").WithSummary("A containment action: SuspendPerson, RevokeAccess, RecallCopies, BlockPartner")
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);

        incidents.MapPost("/{id:guid}/steps/{step:guid}/reverse", async (Guid id, Guid step, NoteRequest request, IncidentService service, CancellationToken ct) =>
                TypedResults.Ok(await service.ReverseAsync(id, step, request.Note, ct)))
            .WithName("ReverseContainment").WithSummary("Reverse a suspension or a partner's block").ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);

        incidents.MapPost("/{id:guid}/contained", async (Guid id, NoteRequest request, IncidentService service, CancellationToken ct) => TypedResults.Ok(await service.MarkContainedAsync(id, request.Note, ct)))
            .WithName("MarkIncidentContained").WithSummary("Say the spread is stopped").ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);

        incidents.MapPost("/{id:guid}/scope", async (Guid id, ScopeRequest request, IncidentService service, CancellationToken ct) =>
                TypedResults.Ok(await service.ScopeAsync(id, request.From, request.To, ct)))
            .WithName("IncidentScope").WithSummary("Customers and fields reached, from the audit log and the copy ledger (default: the last 90 days)")
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(404);

        incidents.MapGet("/{id:guid}/evidence.json", async (Guid id, DateTimeOffset? from, DateTimeOffset? to, IncidentService service, CancellationToken ct) =>
            {
                var evidence = await service.EvidenceAsync(id, from, to, ct);
                return TypedResults.File(IncidentService.ToJson(evidence), "application/json", $"{evidence.Incident}-scope.json");
            })
            .WithName("IncidentEvidence").WithSummary("The scope with each entry's inclusion proof against the newest signed checkpoint")
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(404);

        incidents.MapPost("/{id:guid}/authority-reports", async (Guid id, AuthorityReportInput request, IncidentService service, CancellationToken ct) =>
                TypedResults.Ok(await service.RecordAuthorityReportAsync(id, request, ct)))
            .WithName("RecordAuthorityReport").WithSummary("Record a report to the cyberspace authority: Initial (stops the clock), FollowUp, Summary")
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);

        incidents.MapPut("/{id:guid}/notice", async (Guid id, NoticeInput request, IncidentService service, CancellationToken ct) => TypedResults.Ok(await service.DraftNoticeAsync(id, request, ct)))
            .WithName("DraftIncidentNotice").WithSummary("Draft the PIPL art. 57 notice").ProducesProblem(400).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);

        incidents.MapGet("/{id:guid}/notice.txt", async (Guid id, IncidentService service, IStringLocalizer<Strings> text, CancellationToken ct) =>
                TypedResults.Text(await service.NoticeTextAsync(id, text, ct), "text/plain; charset=utf-8"))
            .WithName("IncidentNoticeText").WithSummary("The notice to the people affected, as text for each channel").ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);

        incidents.MapGet("/{id:guid}/notice-plan.{format}", async (Guid id, string format, DateTimeOffset? from, DateTimeOffset? to, IncidentService service, IStringLocalizer<Strings> text, CancellationToken ct) =>
            {
                var (content, type, name) = await service.NoticePlanAsync(id, from, to, format, text, ct);
                return TypedResults.File(content, type, name);
            })
            .WithName("IncidentNoticePlan").WithSummary("The notice per affected customer's channel (text message, e-mail, letter, announcement) as xlsx or pdf")
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);

        incidents.MapPost("/{id:guid}/playbook/{code}", async (Guid id, string code, StepRequest request, IncidentService service, CancellationToken ct) =>
                TypedResults.Ok(await service.CompleteStepAsync(id, code, request.Note, ct)))
            .WithName("CompletePlaybookStep").WithSummary("Mark a step of the emergency plan done").ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);

        incidents.MapPost("/{id:guid}/close", async (Guid id, CloseInput request, IncidentService service, CancellationToken ct) => TypedResults.Ok(await service.CloseAsync(id, request, ct)))
            .WithName("CloseIncident").WithSummary("Close with the review and accountability findings; the summary report then falls due")
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);

        incidents.MapGet("/{id:guid}/report.{format}", async (Guid id, string format, IncidentService service, IStringLocalizer<Strings> text, CancellationToken ct) =>
            {
                var (content, type, name) = await service.ExportAsync(id, format, text, ct);
                return TypedResults.File(content, type, name);
            })
            .WithName("ExportIncident").WithSummary("The incident report as pdf or xlsx").ProducesProblem(400).ProducesProblem(403).ProducesProblem(404);
    }
}
