using Custos.Features.People;
using Spectre.Console;
using Custos.Hosting;
using Custos.Web;
using Microsoft.Extensions.Localization;

namespace Custos.Features.Premises;

/// <summary>Meetings on classified information (ORG-2) and visitors to restricted areas (ORG-3).</summary>
internal sealed class PremisesFeature : Feature
{
    public sealed record MaterialRequest(string? Serial = null, Guid? Attendee = null);

    public sealed record CloseRequest(string? Minutes = null, bool Cancel = false);

    public sealed record AreaRequest(string? Code = null, string? Name = null, bool RequiresNda = false);

    public sealed record DecisionRequest(bool Approve, string? Note = null);

    public sealed record CheckInRequest(string? NdaReference = null);

    public sealed record RevealRequest(string? Reason = null);

    public override void AddServices(IServiceCollection services, CustosSettings settings) => services.AddScoped<PremisesService>();

    public override void AddWorkers(IServiceCollection services) => services.AddHostedService<PremisesWorker>();

    public override void MapApi(RouteGroupBuilder api)
    {
        var meetings = api.MapGroup("/meetings").WithTags("Meetings and visitors").WithMetadata(new GateAttribute(Gate.RoleChecked));
        meetings.MapGet("/", async (PremisesService s, CancellationToken ct) => TypedResults.Ok(await s.MeetingsAsync(ct)))
            .WithName("ListMeetings").WithSummary("Meetings the caller organises or attends (all for compliance, auditors, the general manager)");
        meetings.MapPost("/", async (NewMeeting request, PremisesService s, CancellationToken ct) =>
            {
                var meeting = await s.CreateMeetingAsync(request, ct);
                return TypedResults.Created($"/api/v1/meetings/{meeting.Id}", meeting);
            })
            .WithName("CreateMeeting").WithSummary("A meeting on classified information: venue checked, designated attendees (user names) cleared for its grade").ProducesProblem(400).ProducesProblem(404);
        meetings.MapGet("/{id:guid}", async (Guid id, PremisesService s, CancellationToken ct) => TypedResults.Ok(await s.MeetingAsync(id, ct)))
            .WithName("GetMeeting").WithSummary("One meeting").ProducesProblem(404);
        meetings.MapPost("/{id:guid}/confirm", async (Guid id, PremisesService s, CancellationToken ct) => TypedResults.Ok(await s.ConfirmAsync(id, ct)))
            .WithName("ConfirmMeeting").WithSummary("An attendee confirms").ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);
        meetings.MapPost("/{id:guid}/materials", async (Guid id, MaterialRequest request, PremisesService s, CancellationToken ct) => TypedResults.Ok(await s.HandOutAsync(id, request.Serial, request.Attendee ?? Guid.Empty, ct)))
            .WithName("HandOutMaterial").WithSummary("Hand a print of the organiser's (copy ledger serial) to an attendee").ProducesProblem(400).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);
        meetings.MapPost("/{id:guid}/materials/{material:guid}/collect", async (Guid id, Guid material, PremisesService s, CancellationToken ct) => TypedResults.Ok(await s.CollectAsync(id, material, ct)))
            .WithName("CollectMaterial").WithSummary("Collect a material back; it is returned in the copy ledger").ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);
        meetings.MapPost("/{id:guid}/close", async (Guid id, CloseRequest request, PremisesService s, CancellationToken ct) => TypedResults.Ok(await s.CloseMeetingAsync(id, request.Minutes, request.Cancel, ct)))
            .WithName("CloseMeeting").WithSummary("Close (held or cancelled) once every material is back").ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);
        meetings.MapGet("/{id:guid}/record.{format}", async (Guid id, string format, PremisesService s, IStringLocalizer<Strings> text, CustosSettings custos, CancellationToken ct) =>
            {
                var (content, type, name) = await s.ExportMeetingAsync(id, format, text, custos, ct);
                return TypedResults.File(content, type, name);
            })
            .WithName("ExportMeeting").WithSummary("The meeting's confidentiality record as pdf or xlsx").ProducesProblem(400).ProducesProblem(404);

        var visits = api.MapGroup("/visits").WithTags("Meetings and visitors").WithMetadata(new GateAttribute(Gate.RoleChecked));
        visits.MapGet("/areas", async (PremisesService s, CancellationToken ct) => TypedResults.Ok(await s.AreasAsync(ct)))
            .WithName("ListAreas").WithSummary("Restricted areas");
        visits.MapPost("/areas", async (AreaRequest request, PremisesService s, CancellationToken ct) => TypedResults.Ok(await s.AddAreaAsync(request.Code, request.Name, request.RequiresNda, ct)))
            .WithName("AddArea").WithSummary("Register a restricted area (compliance officers)").ProducesProblem(400).ProducesProblem(403).ProducesProblem(409);
        visits.MapGet("/", async (string? area, DateOnly? from, DateOnly? to, PremisesService s, CancellationToken ct) => TypedResults.Ok(await s.VisitsAsync(area, from, to, ct)))
            .WithName("ListVisits").WithSummary("The visitor register (identity documents masked)");
        visits.MapPost("/", async (NewVisit request, PremisesService s, CancellationToken ct) =>
            {
                var visit = await s.RequestVisitAsync(request, ct);
                return TypedResults.Created($"/api/v1/visits/{visit.Id}", visit);
            })
            .WithName("RequestVisit").WithSummary("A host asks for a visitor to enter an area on a day").ProducesProblem(400);
        visits.MapPost("/{id:guid}/decision", async (Guid id, DecisionRequest request, PremisesService s, CancellationToken ct) => TypedResults.Ok(await s.DecideVisitAsync(id, request.Approve, request.Note, ct)))
            .WithName("DecideVisit").WithSummary("A compliance officer or department head (not the host) decides").ProducesProblem(400).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);
        visits.MapPost("/{id:guid}/check-in", async (Guid id, CheckInRequest request, PremisesService s, CancellationToken ct) => TypedResults.Ok(await s.CheckInAsync(id, request.NdaReference, ct)))
            .WithName("CheckInVisit").WithSummary("The visitor arrives (approved, on the day, the area's agreement signed)").ProducesProblem(400).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);
        visits.MapPost("/{id:guid}/cancel", async (Guid id, PremisesService s, CancellationToken ct) => TypedResults.Ok(await s.CancelVisitAsync(id, ct)))
            .WithName("CancelVisit").WithSummary("The host or a compliance officer calls off a visit not yet begun").ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);
        visits.MapPost("/{id:guid}/check-out", async (Guid id, PremisesService s, CancellationToken ct) => TypedResults.Ok(await s.CheckOutAsync(id, ct)))
            .WithName("CheckOutVisit").WithSummary("The visitor leaves").ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);
        visits.MapPost("/{id:guid}/reveal", async (Guid id, RevealRequest request, PremisesService s, CancellationToken ct) => TypedResults.Ok(new { idDocument = await s.RevealDocumentAsync(id, request.Reason, ct) }))
            .WithName("RevealVisitorDocument").WithSummary("The whole identity document number, for a compliance officer with a reason (recorded)").ProducesProblem(400).ProducesProblem(403).ProducesProblem(404);
        visits.MapGet("/register.{format}", async (string format, string? area, DateOnly from, DateOnly to, PremisesService s, IStringLocalizer<Strings> text, CustosSettings custos, CancellationToken ct) =>
            {
                var (content, type, name) = await s.ExportRegisterAsync(area, from, to, format, text, custos, ct);
                return TypedResults.File(content, type, name);
            })
            .WithName("ExportVisitRegister").WithSummary("An area's visitor register for a period as pdf or xlsx").ProducesProblem(400);
    }

    /// <summary><c>custos meeting list</c> and <c>custos visit list</c>: the registers as the acting person may see them.</summary>
    public override IEnumerable<System.CommandLine.Command> Commands()
    {
        var meetings = new System.CommandLine.Command("list", "Meetings: number, time, venue, grade, organiser, status");
        meetings.SetAction((parse, ct) => Cli.RunAsync(parse, async (services, text, token) =>
        {
            var table = new Spectre.Console.Table().AddColumn(text["Meeting.Number"]).AddColumn(text["Meeting.Time"]).AddColumn(text["Meeting.Venue"]).AddColumn(text["Meeting.Grade"])
                .AddColumn(text["Meeting.Organiser"]).AddColumn(text["Meeting.Status"]);
            foreach (var m in await services.GetRequiredService<PremisesService>().MeetingsAsync(token))
            {
                table.AddRow(m.Number, m.StartsAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture) + " UTC", Spectre.Console.Markup.Escape(m.Venue),
                    text["Clearance." + m.Grade], Spectre.Console.Markup.Escape(m.Organiser), text["MeetingStatus." + m.Status]);
            }

            Cli.Write(table);
        }, ct, requireAdministrator: false, allowedRoles: [Roles.ComplianceOfficer, Roles.Auditor, Roles.GeneralManager]));
        var area = new System.CommandLine.Option<string?>("--area") { Description = "Only this area (its code)" };
        var visits = new System.CommandLine.Command("list", "Visits: number, area, visitor, document (masked), host, day, status") { area };
        visits.SetAction((parse, ct) => Cli.RunAsync(parse, async (services, text, token) =>
        {
            var table = new Spectre.Console.Table().AddColumn(text["Visit.Number"]).AddColumn(text["Visit.Area"]).AddColumn(text["Visit.VisitorName"]).AddColumn(text["Visit.IdDocument"])
                .AddColumn(text["Visit.Host"]).AddColumn(text["Visit.VisitOn"]).AddColumn(text["Visit.Status"]);
            foreach (var v in await services.GetRequiredService<PremisesService>().VisitsAsync(parse.GetValue(area), null, null, token))
            {
                table.AddRow(v.Number, Spectre.Console.Markup.Escape(v.Area), Spectre.Console.Markup.Escape(v.VisitorName), v.IdDocument, Spectre.Console.Markup.Escape(v.Host),
                    v.VisitOn.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), text["VisitStatus." + v.Status]);
            }

            Cli.Write(table);
        }, ct, requireAdministrator: false, allowedRoles: [Roles.ComplianceOfficer, Roles.Auditor, Roles.GeneralManager]));
        return [new System.CommandLine.Command("meeting", "Meetings on classified information (ORG-2)") { meetings }, new System.CommandLine.Command("visit", "Visitors to restricted areas (ORG-3)") { visits }];
    }

    public override IEnumerable<NavigationItem> Navigation() => [new("/meetings", "Nav.Meetings", []), new("/visits", "Nav.Visits", [])];
}

/// <summary>Every ten minutes: visitors still in long after checking in.</summary>
internal sealed class PremisesWorker(IServiceScopeFactory scopes, StartupReport startup, TimeProvider time, ILogger<PremisesWorker> log)
    : PeriodicWorker(scopes, startup, time, log)
{
    protected override TimeSpan Interval => TimeSpan.FromMinutes(10);

    protected override string ActorName => "custos-premises";

    protected override Task RunAsync(IServiceProvider services, CancellationToken ct) => services.GetRequiredService<PremisesService>().RunDueAsync(ct);
}
