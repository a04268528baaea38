using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Custos.Features.Access;
using Custos.Features.Audit;
using Custos.Features.Copies;
using Custos.Features.People;
using Custos.Features.Premises;
using Custos.Kernel.Policy;
using Custos.Security;
using Custos.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using MiniExcelLibs;

namespace Custos.Tests.Oversight;

/// <summary>
/// Meetings on classified information (ORG-2): the venue confirmed, designated attendees cleared for the grade who
/// confirm, materials from the copy ledger handed out and collected back (returned in the ledger) before closing.
/// Visitors to restricted areas (ORG-3): approved by someone other than the host, the document sealed and masked,
/// the area's agreement before entry, in and out times, an overstay told once, the register per area.
/// </summary>
public abstract class PremisesTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : CustosApp
{
    private DateOnly Today => DateOnly.FromDateTime(app.Factory.Time.GetUtcNow().ToOffset(TimeSpan.FromHours(8)).DateTime);

    private static async Task<string?> CodeAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).TryGetProperty("code", out var code) ? code.GetString() : null;

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        Assert.True(response.IsSuccessStatusCode, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private SignIns? signIns;

    private Task<WebSession> SignedInAsync(Person person, bool mfa = true) => (signIns ??= new SignIns(app)).AsAsync(person, mfa);

    private static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task A_meeting_has_cleared_attendees_who_confirm_and_closes_only_with_every_material_back_in_the_ledger_ORG_2()
    {
        var department = await app.DepartmentAsync();
        var head = await app.CreatePersonAsync(Roles.DepartmentHead, departments: [department]);
        var organiser = await app.CreatePersonAsync(Roles.Staff, departments: [department]);
        var attendee = await app.CreatePersonAsync(Roles.Staff, departments: [department]);
        var outsider = await app.CreatePersonAsync(Roles.Staff);
        var left = await app.CreatePersonAsync(Roles.Staff);
        await app.WithDbAsync(async db =>
        {
            (await db.Users.SingleAsync(u => u.Id == left.Id)).EmploymentStatus = EmploymentStatus.Departed;
            return await db.SaveChangesAsync();
        });
        var (customer, _) = await app.CustomerAsync(head, department, 951);
        await app.ApprovedAsync(organiser, new NewRequest(RequestKind.Print, "会议材料", Customer: customer.Id), head);
        var print = await app.AsAsync(organiser, s => s.GetRequiredService<CopyService>().PrintAsync(customer.Id, new PrintOrder("service"), default));
        using var web = await SignedInAsync(organiser, mfa: false);
        using var attendeeWeb = await SignedInAsync(attendee, mfa: false);
        using var outsiderWeb = await SignedInAsync(outsider, mfa: false);
        var now = app.Factory.Time.GetUtcNow();
        object Order(bool checkedVenue, string grade, params string[] people) => new
        {
            title = "重点客户续约方案讨论", venue = "三楼小会议室", venueChecked = checkedVenue, startsAt = Iso(now.AddHours(1)), endsAt = Iso(now.AddHours(2)), grade, passOn = "None", attendees = people,
        };

        Assert.Equal("MeetingVenueUnchecked", await CodeAsync(await web.Client.PostAsJsonAsync("/api/v1/meetings", Order(false, "Secret", attendee.UserName!))));
        Assert.Equal("MeetingGradeAboveOrganiser", await CodeAsync(await web.Client.PostAsJsonAsync("/api/v1/meetings", Order(true, "TopSecret", attendee.UserName!))));
        Assert.Equal("MeetingAttendeeNotCleared", await CodeAsync(await web.Client.PostAsJsonAsync("/api/v1/meetings", Order(true, "Secret", attendee.UserName!, left.UserName!))));
        Assert.Equal("MeetingAttendees", await CodeAsync(await web.Client.PostAsJsonAsync("/api/v1/meetings", Order(true, "Secret"))));
        var meeting = await JsonAsync(await web.Client.PostAsJsonAsync("/api/v1/meetings", Order(true, "Secret", attendee.UserName!)));
        var id = meeting.GetProperty("id").GetGuid();
        var number = meeting.GetProperty("number").GetString()!;
        Assert.Equal(1, await app.WithDbAsync(db => db.Notifications.CountAsync(n => n.RecipientId == attendee.Id && n.Kind == "Notify.MeetingDesignated" && n.Args.StartsWith(number))));

        // Nobody else sees it; an attendee confirms but does not hand out.
        Assert.Equal(HttpStatusCode.NotFound, (await outsiderWeb.Client.GetAsync($"/api/v1/meetings/{id}")).StatusCode);
        Assert.NotNull((await JsonAsync(await attendeeWeb.Client.PostAsync($"/api/v1/meetings/{id}/confirm", null))).GetProperty("attendees").EnumerateArray().Single().GetProperty("confirmedAt").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, (await attendeeWeb.Client.PostAsJsonAsync($"/api/v1/meetings/{id}/materials", new { serial = print.Serial, attendee = attendee.Id })).StatusCode);

        // Materials from the ledger: the organiser's own print only; the meeting does not close while one is out.
        Assert.Equal("MeetingMaterialNotYours", await CodeAsync(await web.Client.PostAsJsonAsync($"/api/v1/meetings/{id}/materials", new { serial = "P-NOPE", attendee = attendee.Id })));
        var handed = await JsonAsync(await web.Client.PostAsJsonAsync($"/api/v1/meetings/{id}/materials", new { serial = print.Serial, attendee = attendee.Id }));
        Assert.Equal(HttpStatusCode.Conflict, (await web.Client.PostAsJsonAsync($"/api/v1/meetings/{id}/materials", new { serial = print.Serial, attendee = attendee.Id })).StatusCode);
        Assert.Equal("MeetingMaterialsOut", await CodeAsync(await web.Client.PostAsJsonAsync($"/api/v1/meetings/{id}/close", new { minutes = "x" })));
        // Not held before it starts.
        var material0 = handed.GetProperty("materials").EnumerateArray().Single().GetProperty("id").GetGuid();
        await JsonAsync(await web.Client.PostAsync($"/api/v1/meetings/{id}/materials/{material0}/collect", null));
        Assert.Equal("MeetingNotStarted", await CodeAsync(await web.Client.PostAsJsonAsync($"/api/v1/meetings/{id}/close", new { minutes = "x" })));
        app.Factory.Time.Advance(TimeSpan.FromHours(1.5));
        using var later = await SignedInAsync(organiser, mfa: false); // sessions end when idle this long
        Assert.Equal(CopyStatus.Returned, await app.WithDbAsync(db => db.Set<CopyRecord>().Where(c => c.Serial == print.Serial).Select(c => c.Status).SingleAsync()));
        Assert.Equal("Held", (await JsonAsync(await later.Client.PostAsJsonAsync($"/api/v1/meetings/{id}/close", new { minutes = "确定续约报价，不向外传达" }))).GetProperty("status").GetString());

        var text = PdfText.Of(await later.Client.GetByteArrayAsync($"/api/v1/meetings/{id}/record.pdf"));
        Assert.Contains(number, text, StringComparison.Ordinal);
        Assert.Contains(print.Serial, text, StringComparison.Ordinal);
        Assert.True(await app.WithDbAsync(db => db.AuditRecords.AnyAsync(a => a.Action == AuditActions.MeetingMaterial && a.TargetId == id.ToString())));
    }

    [Fact]
    public async Task A_visitor_is_approved_by_someone_else_registered_with_a_sealed_document_and_told_when_overstaying_ORG_3()
    {
        var officer = await app.CreatePersonAsync(Roles.ComplianceOfficer);
        var host = await app.CreatePersonAsync(Roles.Staff);
        var head = await app.CreatePersonAsync(Roles.DepartmentHead);
        var bystander = await app.CreatePersonAsync(Roles.Staff);
        var otherHead = await app.CreatePersonAsync(Roles.DepartmentHead, departments: [await app.DepartmentAsync()]);
        using var otherHeadWeb = await SignedInAsync(otherHead);
        using var officerWeb = await SignedInAsync(officer);
        using var hostWeb = await SignedInAsync(host, mfa: false);
        using var headWeb = await SignedInAsync(head);
        using var bystanderWeb = await SignedInAsync(bystander, mfa: false);
        var code = "FLOOR" + Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();
        Assert.Equal(HttpStatusCode.Forbidden, (await hostWeb.Client.PostAsJsonAsync("/api/v1/visits/areas", new { code, name = "座席大厅", requiresNda = true })).StatusCode);
        await JsonAsync(await officerWeb.Client.PostAsJsonAsync("/api/v1/visits/areas", new { code, name = "座席大厅", requiresNda = true }));

        const string Document = "110101199001011234";
        Assert.Equal("VisitIdDocument", await CodeAsync(await hostWeb.Client.PostAsJsonAsync("/api/v1/visits", new { area = code, visitorName = "赵工", organisation = "某系统集成商", idDocument = "123456", purpose = "维修座席电话", visitOn = Today })));
        Assert.Equal("AreaUnknown", await CodeAsync(await hostWeb.Client.PostAsJsonAsync("/api/v1/visits", new { area = "NOPE", visitorName = "赵工", organisation = "某系统集成商", idDocument = Document, purpose = "维修座席电话", visitOn = Today })));
        var visit = await JsonAsync(await hostWeb.Client.PostAsJsonAsync("/api/v1/visits", new { area = code, visitorName = "赵工", organisation = "某系统集成商", idDocument = Document, purpose = "维修座席电话", visitOn = Today }));
        var id = visit.GetProperty("id").GetGuid();
        Assert.Equal("****1234", visit.GetProperty("idDocument").GetString());
        // The document is sealed: not in the row, not in the log.
        var row = await app.WithDbAsync(db => db.Set<Visit>().SingleAsync(v => v.Id == id));
        Assert.DoesNotContain(Document, row.IdDocumentCipher, StringComparison.Ordinal);
        Assert.False(await app.WithDbAsync(db => db.AuditRecords.AnyAsync(a => a.Detail != null && a.Detail.Contains(Document))));

        // Not before approval; not approved by the host or a bystander.
        Assert.Equal("VisitNotApproved", await CodeAsync(await hostWeb.Client.PostAsJsonAsync($"/api/v1/visits/{id}/check-in", new { ndaReference = "NDA-1" })));
        Assert.Equal(HttpStatusCode.Forbidden, (await hostWeb.Client.PostAsJsonAsync($"/api/v1/visits/{id}/decision", new { approve = true })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await bystanderWeb.Client.PostAsJsonAsync($"/api/v1/visits/{id}/decision", new { approve = true })).StatusCode);
        // A head of another department neither sees the request nor decides it.
        Assert.DoesNotContain((await JsonAsync(await otherHeadWeb.Client.GetAsync("/api/v1/visits"))).EnumerateArray(), v => v.GetProperty("id").GetGuid() == id);
        Assert.Equal(HttpStatusCode.NotFound, (await otherHeadWeb.Client.PostAsJsonAsync($"/api/v1/visits/{id}/decision", new { approve = true })).StatusCode);
        await JsonAsync(await headWeb.Client.PostAsJsonAsync($"/api/v1/visits/{id}/decision", new { approve = true }));

        // The area asks for an agreement before entry.
        Assert.Equal("VisitNdaRequired", await CodeAsync(await hostWeb.Client.PostAsJsonAsync($"/api/v1/visits/{id}/check-in", new { })));
        Assert.Equal("CheckedIn", (await JsonAsync(await hostWeb.Client.PostAsJsonAsync($"/api/v1/visits/{id}/check-in", new { ndaReference = "NDA-2026-118" }))).GetProperty("status").GetString());

        // Still inside after twelve hours: the host and compliance are told, once.
        app.Factory.Time.Advance(TimeSpan.FromHours(13));
        using (var scope = app.AsSystem())
        {
            await scope.ServiceProvider.GetRequiredService<PremisesService>().RunDueAsync(default);
            await scope.ServiceProvider.GetRequiredService<PremisesService>().RunDueAsync(default);
        }

        Assert.Equal(1, await app.WithDbAsync(db => db.Notifications.CountAsync(n => n.RecipientId == host.Id && n.Kind == "Notify.VisitOverstay")));
        using var hostAgain = await SignedInAsync(host, mfa: false);
        using var officerAgain = await SignedInAsync(officer);
        Assert.Equal("CheckedOut", (await JsonAsync(await hostAgain.Client.PostAsync($"/api/v1/visits/{id}/check-out", null))).GetProperty("status").GetString());

        // The whole number for compliance with a reason, recorded; not for the host.
        Assert.Equal(HttpStatusCode.Forbidden, (await hostAgain.Client.PostAsJsonAsync($"/api/v1/visits/{id}/reveal", new { reason = "核对" })).StatusCode);
        Assert.Equal(Document, (await JsonAsync(await officerAgain.Client.PostAsJsonAsync($"/api/v1/visits/{id}/reveal", new { reason = "公安机关协查" }))).GetProperty("idDocument").GetString());
        Assert.Equal("公安机关协查", (await app.WithDbAsync(db => db.AuditRecords.Where(a => a.Action == AuditActions.VisitReveal && a.Outcome == AuditOutcome.Success && a.TargetId == id.ToString()).SingleAsync())).Purpose);

        // A visit called off can no longer be checked in; only its host or compliance calls it off.
        var second = (await JsonAsync(await hostAgain.Client.PostAsJsonAsync("/api/v1/visits", new { area = code, visitorName = "孙工", organisation = "某系统集成商", idDocument = "B7654321", purpose = "复查", visitOn = Today.AddDays(1) }))).GetProperty("id").GetGuid();
        using var bystanderAgain = await SignedInAsync(bystander, mfa: false);
        Assert.Equal(HttpStatusCode.NotFound, (await bystanderAgain.Client.PostAsync($"/api/v1/visits/{second}/cancel", null)).StatusCode);
        Assert.Equal("Cancelled", (await JsonAsync(await hostAgain.Client.PostAsync($"/api/v1/visits/{second}/cancel", null))).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.Conflict, (await hostAgain.Client.PostAsJsonAsync($"/api/v1/visits/{second}/check-in", new { ndaReference = "N" })).StatusCode);

        // The area's register: masked, with the times.
        var from = Today.AddDays(-2).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var to = Today.AddDays(1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var xlsx = await officerAgain.Client.GetByteArrayAsync($"/api/v1/visits/register.xlsx?area={code}&from={from}&to={to}");
        using var stream = new MemoryStream(xlsx);
        var cells = stream.Query(useHeaderRow: false).Cast<IDictionary<string, object?>>().SelectMany(r => r.Values).Select(v => v?.ToString()).ToList();
        Assert.Contains("赵工", cells);
        Assert.Contains("****1234", cells);
        Assert.DoesNotContain(Document, cells);
        Assert.Contains("NDA-2026-118", cells);
    }

    [Fact]
    public async Task The_pages_take_a_meeting_a_visit_its_approval_and_a_penalty_as_a_clerk_would_ORG_2_ORG_3_INC_5()
    {
        var officer = await app.CreatePersonAsync(Roles.ComplianceOfficer);
        var host = await app.CreatePersonAsync(Roles.Staff);
        var head = await app.CreatePersonAsync(Roles.DepartmentHead);
        using var officerWeb = await SignedInAsync(officer);
        using var hostWeb = await SignedInAsync(host, mfa: false);
        using var headWeb = await SignedInAsync(head);
        var code = "ROOM" + Guid.NewGuid().ToString("N")[..6].ToUpperInvariant();

        // An area registered on the page; a visit asked for on the page; approved from the register's row.
        await officerWeb.SubmitAsync("/visits", "#area-form", new Dictionary<string, string> { ["AreaCode"] = code, ["AreaName"] = "档案室", ["AreaNda"] = "true" });
        Assert.True(await app.WithDbAsync(db => db.Set<RestrictedArea>().AnyAsync(a => a.Code == code && a.RequiresNda)));
        var day = Today.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        await hostWeb.SubmitAsync("/visits", "#visit-form", new Dictionary<string, string>
        {
            ["Input.Area"] = code, ["Input.VisitorName"] = "钱经理", ["Input.Organisation"] = "审计事务所", ["Input.IdDocument"] = "A1234567", ["Input.Purpose"] = "年度审计取证", ["Input.VisitOn"] = day,
        });
        var visit = await app.WithDbAsync(db => db.Set<Visit>().SingleAsync(v => v.HostId == host.Id));
        var (_, register) = await headWeb.GetPageAsync("/visits");
        var row = register.QuerySelector($"tr[data-visit='{visit.Number}']")!;
        Assert.Contains("****4567", row.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("A1234567", register.Source.Text, StringComparison.Ordinal);
        var decide = await headWeb.SubmitAsync("/visits", $"form[name='decide-{visit.Id}'], tr[data-visit='{visit.Number}'] form", new Dictionary<string, string> { ["Note"] = "", ["Approve"] = "true" });
        Assert.Equal(HttpStatusCode.OK, decide.StatusCode);
        Assert.Equal(VisitStatus.Approved, await app.WithDbAsync(db => db.Set<Visit>().Where(v => v.Id == visit.Id).Select(v => v.Status).SingleAsync()));

        // A meeting registered on the page, in company time, with its attendees by user name.
        var starts = app.Factory.Time.GetUtcNow().ToOffset(TimeSpan.FromHours(8)).AddHours(2);
        var created = await hostWeb.SubmitAsync("/meetings", "#meeting-form", new Dictionary<string, string>
        {
            ["Input.Title"] = "季度保密例会", ["Input.Venue"] = "二楼会议室", ["Input.VenueChecked"] = "true",
            ["Input.StartsAt"] = starts.ToString("yyyy-MM-ddTHH:mm", System.Globalization.CultureInfo.InvariantCulture),
            ["Input.EndsAt"] = starts.AddHours(1).ToString("yyyy-MM-ddTHH:mm", System.Globalization.CultureInfo.InvariantCulture),
            ["Input.Grade"] = "Secret", ["Input.PassOn"] = "None", ["Input.Attendees"] = head.UserName + "，" + officer.UserName,
        });
        var meeting = await app.WithDbAsync(db => db.Set<Meeting>().Include(m => m.Attendees).SingleAsync(m => m.OrganiserId == host.Id));
        Assert.Equal(2, meeting.Attendees.Count);
        Assert.Equal(starts.UtcDateTime, meeting.StartsAt.UtcDateTime, TimeSpan.FromMinutes(1));

        // A penalty proposed on the register's page by the compliance officer.
        await officerWeb.SubmitAsync("/accountability", "#propose-form", new Dictionary<string, string>
        {
            ["Input.Person"] = host.UserName!, ["Input.Type"] = "Warning", ["Input.Ground"] = "BreachOfRules", ["Input.Amount"] = "", ["Input.Incident"] = "", ["Input.Reason"] = "未经批准带访客进入档案室",
        });
        Assert.True(await app.WithDbAsync(db => db.Set<Features.Accountability.AccountabilityEntry>().AnyAsync(e => e.PersonId == host.Id && e.Type == Features.Accountability.EntryType.Warning)));
    }
}

public sealed class PremisesTestsOnSqlite(SqliteApp app) : PremisesTests<SqliteApp>(app);

public sealed class PremisesTestsOnPostgres(PostgresApp app) : PremisesTests<PostgresApp>(app);
