using Custos.Features.Policy;
using Custos.Hosting;
using Custos.Web;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Localization;

namespace Custos.Features.Oversight;

/// <summary>Risk assessments (AUD-3), inspections (AUD-4), corrective actions and the compliance dashboard over REST.</summary>
internal static class OversightApi
{
    public sealed record SignOffRequest(string? Conclusion = null, Guid? Stamp = null);

    public sealed record ReviewRequest(string? Note = null, Guid? Stamp = null);

    public sealed record NoteRequest(string? Note = null);

    public sealed record VerifyRequest(bool Accept, string? Note = null);

    public sealed record TemplateRequest(string Content);

    public sealed record PlanRequest(DateOnly PlannedOn, string? Inspector = null, Guid? Stamp = null);

    public sealed record ChecklistRequest(Dictionary<string, CheckInput> Results, Guid? Stamp = null);

    public sealed record InspectionReportRequest(string? Summary = null, Guid? Stamp = null);

    public sealed record ReInspectRequest(bool Passed, string? Note = null, Guid? Stamp = null);

    private static ProblemHttpResult TemplateInvalid(PolicyInvalidException e, IStringLocalizer<Strings> text) =>
        TypedResults.Problem(
            title: text["Error.TemplateInvalid", e.Errors.Count], statusCode: StatusCodes.Status400BadRequest,
            extensions: new Dictionary<string, object?> { ["code"] = "TemplateInvalid", ["field"] = "content", ["errors"] = e.Errors });

    public static void Map(RouteGroupBuilder api)
    {
        var assessments = api.MapGroup("/assessments").WithTags("Risk assessments").WithMetadata(new GateAttribute(Gate.RoleChecked));

        assessments.MapGet("/", async (string? period, RiskAssessmentService service, CancellationToken ct) => TypedResults.Ok(await service.ListAsync(period, ct)))
            .WithName("ListAssessments").WithSummary("Monthly risk assessments: heads see their departments', compliance officers, auditors and the general manager all");

        assessments.MapGet("/trend", async (int? months, RiskAssessmentService service, CancellationToken ct) => TypedResults.Ok(await service.TrendAsync(months ?? 12, ct)))
            .WithName("AssessmentTrend").WithSummary("Each department's total risk score and high-risk items per month");

        assessments.MapGet("/template", async (RiskAssessmentService service, CancellationToken ct) => TypedResults.Ok(await service.TemplateAsync(ct)))
            .WithName("AssessmentTemplate").WithSummary("The template new forms are made from (YAML; version 0 is the built-in one)");

        assessments.MapPost("/template", async Task<Results<Ok<TemplateView>, ProblemHttpResult>> (TemplateRequest request, RiskAssessmentService service, IStringLocalizer<Strings> text, CancellationToken ct) =>
            {
                try
                {
                    return TypedResults.Ok(await service.PublishTemplateAsync(request.Content, ct));
                }
                catch (PolicyInvalidException e)
                {
                    return TemplateInvalid(e, text);
                }
            })
            .WithName("PublishAssessmentTemplate").WithSummary("Publish a new template version (compliance officers); mistakes come back with their line and column")
            .ProducesProblem(400).ProducesProblem(403);

        assessments.MapGet("/{id:guid}", async (Guid id, RiskAssessmentService service, CancellationToken ct) => TypedResults.Ok(await service.GetAsync(id, ct)))
            .WithName("GetAssessment").WithSummary("One form with its items, scores and corrective actions").ProducesProblem(404);

        assessments.MapGet("/{id:guid}/items/{code}/evidence", async (Guid id, string code, RiskAssessmentService service, CancellationToken ct) =>
                TypedResults.Ok((await service.EvidenceAsync(id, code, ct)).Rows))
            .WithName("AssessmentEvidence").WithSummary("The rows behind a measured item (at most 200; audit entries by sequence number)").ProducesProblem(404);

        assessments.MapPut("/{id:guid}/items/{code}", async (Guid id, string code, AnswerInput request, RiskAssessmentService service, CancellationToken ct) =>
                TypedResults.Ok(await service.AnswerAsync(id, code, request, ct)))
            .WithName("AnswerAssessmentItem").WithSummary("The head's answer, likelihood and impact (1–5) for one item").ProducesProblem(400).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);

        assessments.MapPost("/{id:guid}/findings", async (Guid id, FindingInput request, RiskAssessmentService service, CancellationToken ct) =>
                TypedResults.Ok(await service.AddFindingAsync(id, request, ct)))
            .WithName("AddAssessmentFinding").WithSummary("A finding with its corrective action: owner (user name) and due date required").ProducesProblem(400).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);

        assessments.MapPost("/{id:guid}/sign-off", async (Guid id, SignOffRequest request, RiskAssessmentService service, CancellationToken ct) =>
                TypedResults.Ok(await service.SignOffAsync(id, request.Conclusion, request.Stamp, ct)))
            .WithName("SignOffAssessment").WithSummary("The head signs off: every item scored, every high-risk item with an action").ProducesProblem(400).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);

        assessments.MapPost("/{id:guid}/review", async (Guid id, ReviewRequest request, RiskAssessmentService service, CancellationToken ct) =>
                TypedResults.Ok(await service.ReviewAsync(id, request.Note, request.Stamp, ct)))
            .WithName("ReviewAssessment").WithSummary("A compliance officer (not the signer) reviews a signed-off form").ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);

        assessments.MapGet("/{id:guid}/form.{format}", async (Guid id, string format, RiskAssessmentService service, IStringLocalizer<Strings> text, CancellationToken ct) =>
            {
                var (content, type, name) = await service.ExportAsync(id, format, text, ct);
                return TypedResults.File(content, type, name);
            })
            .WithName("ExportAssessment").WithSummary("The form as pdf or xlsx, with signatures and check code").ProducesProblem(400).ProducesProblem(404);

        var actions = api.MapGroup("/corrective-actions").WithTags("Risk assessments").WithMetadata(new GateAttribute(Gate.RoleChecked));

        actions.MapGet("/", async (bool? verified, RiskAssessmentService service, CancellationToken ct) => TypedResults.Ok(await service.ActionsAsync(verified ?? false, ct)))
            .WithName("ListCorrectiveActions").WithSummary("Corrective actions: your own, your departments' as a head, all for compliance");

        actions.MapPost("/{id:guid}/done", async (Guid id, NoteRequest request, RiskAssessmentService service, CancellationToken ct) =>
                TypedResults.Ok(await service.CompleteActionAsync(id, request.Note, ct)))
            .WithName("CompleteCorrectiveAction").WithSummary("The owner says what was done").ProducesProblem(400).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);

        actions.MapPost("/{id:guid}/verify", async (Guid id, VerifyRequest request, RiskAssessmentService service, CancellationToken ct) =>
                TypedResults.Ok(await service.VerifyActionAsync(id, request.Accept, request.Note, ct)))
            .WithName("VerifyCorrectiveAction").WithSummary("Compliance or the head (not the owner) accepts or sends it back with a reason").ProducesProblem(400).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);

        var inspections = api.MapGroup("/inspections").WithTags("Inspections").WithMetadata(new GateAttribute(Gate.RoleChecked));

        inspections.MapGet("/", async (string? cycle, InspectionService service, CancellationToken ct) => TypedResults.Ok(await service.ListAsync(cycle, ct)))
            .WithName("ListInspections").WithSummary("The inspection plan (a cycle yyyy-MM, or all): compliance, auditors and the general manager all; heads and project managers theirs");

        inspections.MapGet("/checklist", async (RiskAssessmentService service, CancellationToken ct) => TypedResults.Ok(await service.TemplateAsync(ct, TemplateKind.Inspection)))
            .WithName("InspectionChecklist").WithSummary("The checklist new inspections are made from (YAML; version 0 is the built-in one)");

        inspections.MapPost("/checklist", async Task<Results<Ok<TemplateView>, ProblemHttpResult>> (TemplateRequest request, RiskAssessmentService service, IStringLocalizer<Strings> text, CancellationToken ct) =>
            {
                try
                {
                    return TypedResults.Ok(await service.PublishTemplateAsync(request.Content, ct, TemplateKind.Inspection));
                }
                catch (PolicyInvalidException e)
                {
                    return TemplateInvalid(e, text);
                }
            })
            .WithName("PublishInspectionChecklist").WithSummary("Publish a new checklist version (compliance officers)").ProducesProblem(400).ProducesProblem(403);

        inspections.MapGet("/bulletin.{format}", async (string format, string cycle, InspectionService service, IStringLocalizer<Strings> text, CancellationToken ct) =>
            {
                var (content, type, name) = await service.BulletinAsync(cycle, format, text, ct);
                return TypedResults.File(content, type, name);
            })
            .WithName("InspectionBulletin").WithSummary("The cycle's bulletin (通报): projects with major hidden dangers, as pdf or xlsx").ProducesProblem(400).ProducesProblem(403);

        inspections.MapGet("/{id:guid}", async (Guid id, InspectionService service, CancellationToken ct) => TypedResults.Ok(await service.GetAsync(id, ct)))
            .WithName("GetInspection").WithSummary("One inspection with its checklist and graded findings").ProducesProblem(404);

        inspections.MapGet("/{id:guid}/items/{code}/evidence", async (Guid id, string code, InspectionService service, CancellationToken ct) =>
                TypedResults.Ok((await service.EvidenceAsync(id, code, ct)).Rows))
            .WithName("InspectionEvidence").WithSummary("The rows behind a measured checklist line").ProducesProblem(404);

        inspections.MapPut("/{id:guid}/plan", async (Guid id, PlanRequest request, InspectionService service, CancellationToken ct) =>
                TypedResults.Ok(await service.AdjustAsync(id, request.PlannedOn, request.Inspector, request.Stamp, ct)))
            .WithName("PlanInspection").WithSummary("Move a planned inspection within its cycle and name the inspector").ProducesProblem(400).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);

        inspections.MapPut("/{id:guid}/checklist", async (Guid id, ChecklistRequest request, InspectionService service, CancellationToken ct) =>
                TypedResults.Ok(await service.CheckAsync(id, request.Results ?? [], request.Stamp, ct)))
            .WithName("CheckInspection").WithSummary("Results (Pass, Fail, NotApplicable) and notes per checklist line").ProducesProblem(400).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);

        inspections.MapPost("/{id:guid}/findings", async (Guid id, InspectionFindingInput request, InspectionService service, CancellationToken ct) =>
                TypedResults.Ok(await service.AddFindingAsync(id, request, ct)))
            .WithName("AddInspectionFinding").WithSummary("A graded finding (Minor, General, MajorHiddenDanger) with its rectification order").ProducesProblem(400).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);

        inspections.MapPost("/{id:guid}/report", async (Guid id, InspectionReportRequest request, InspectionService service, CancellationToken ct) =>
                TypedResults.Ok(await service.ReportAsync(id, request.Summary, request.Stamp, ct)))
            .WithName("ReportInspection").WithSummary("Issue the report; a major hidden danger is announced to the general manager and the committee").ProducesProblem(400).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);

        inspections.MapPost("/{id:guid}/re-inspect", async (Guid id, ReInspectRequest request, InspectionService service, CancellationToken ct) =>
                TypedResults.Ok(await service.ReInspectAsync(id, request.Passed, request.Note, request.Stamp, ct)))
            .WithName("ReInspect").WithSummary("Re-inspection once every order is done: passed closes it, not passed sends the orders back").ProducesProblem(400).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);

        inspections.MapGet("/{id:guid}/report.{format}", async (Guid id, string format, InspectionService service, IStringLocalizer<Strings> text, CancellationToken ct) =>
            {
                var (content, type, name) = await service.ExportAsync(id, format, text, ct);
                return TypedResults.File(content, type, name);
            })
            .WithName("ExportInspection").WithSummary("The inspection report as pdf or xlsx").ProducesProblem(400).ProducesProblem(404);

        api.MapGet("/compliance/dashboard", async (ComplianceDashboard dashboard, CancellationToken ct) => TypedResults.Ok(await dashboard.ReadAsync(ct)))
            .WithTags("Risk assessments").WithMetadata(new GateAttribute(Gate.RoleChecked))
            .WithName("ComplianceDashboard").WithSummary("Overdue assessments, open corrective actions, incidents with their clocks, reports waiting; trends").ProducesProblem(403);
    }
}
