using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Custos.Features.Access;
using Custos.Features.Audit;
using Custos.Features.Copies;
using Custos.Features.Customers;
using Custos.Features.Incidents;
using Custos.Features.People;
using Custos.Kernel.Audit;
using Custos.Kernel.Classification;
using Custos.Kernel.Policy;
using Custos.Security;
using Custos.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using MiniExcelLibs;

namespace Custos.Tests.Incidents;

/// <summary>
/// Leak incidents (INC-1, INC-2, INC-3): reported by anyone and told to the GM office at once; handled by the general
/// manager and the compliance officers, never by the person it is about; triaged against INC-1's definition; graded
/// by the people affected, which starts the legal clock (with an injected clock); contained from the incident;
/// scoped from the audit log with inclusion proofs; closed with a review and reported.
/// </summary>
public abstract class IncidentTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : CustosApp
{
    private static async Task<string?> CodeAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).TryGetProperty("code", out var code) ? code.GetString() : null;

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        Assert.True(response.IsSuccessStatusCode, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<WebSession> SignedInAsync(Person person, bool mfa)
    {
        var web = app.Session();
        await web.SignInAsync(person.UserName!);
        if (mfa)
        {
            await web.EnrolMfaAsync();
        }

        return web;
    }

    private Task<int> NotifiedAsync(Guid person, string kind, string number) =>
        app.WithDbAsync(db => db.Notifications.CountAsync(n => n.RecipientId == person && n.Kind == kind && n.Args.StartsWith(number)));

    /// <summary>Times as stored: SQLite keeps them to about a millisecond.</summary>
    private static void AssertClose(DateTimeOffset expected, DateTimeOffset actual) => Assert.InRange((actual - expected).Duration(), TimeSpan.Zero, TimeSpan.FromMilliseconds(2));

    private static string Iso(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task Anyone_reports_the_gm_office_is_told_at_once_and_only_handlers_and_the_reporter_see_it_INC_2()
    {
        var gm = await app.CreatePersonAsync(Roles.GeneralManager);
        var officer = await app.CreatePersonAsync(Roles.ComplianceOfficer);
        var suspectOfficer = await app.CreatePersonAsync(Roles.ComplianceOfficer);
        var reporter = await app.CreatePersonAsync(Roles.Staff);
        var bystander = await app.CreatePersonAsync(Roles.Staff);
        using var reporterWeb = await SignedInAsync(reporter, mfa: false);

        // Bad input: nothing saved, a clear error.
        Assert.Equal("Required", await CodeAsync(await reporterWeb.Client.PostAsJsonAsync("/api/v1/incidents", new { title = " ", description = "x" })));
        Assert.Equal("IncidentDiscoveredAt", await CodeAsync(await reporterWeb.Client.PostAsJsonAsync("/api/v1/incidents",
            new { title = "t", description = "d", discoveredAt = Iso(app.Factory.Time.GetUtcNow().AddHours(2)) })));
        Assert.Equal(HttpStatusCode.NotFound, (await reporterWeb.Client.PostAsJsonAsync("/api/v1/incidents", new { title = "t", description = "d", copySerial = "NO-SUCH" })).StatusCode);

        var created = await JsonAsync(await reporterWeb.Client.PostAsJsonAsync("/api/v1/incidents", new
        {
            title = "客户名单出现在外部群", description = "同事在微信群看到疑似本公司客户名单截图", suspect = suspectOfficer.UserName,
        }));
        var id = created.GetProperty("id").GetGuid();
        var number = created.GetProperty("number").GetString()!;
        Assert.False(created.GetProperty("handler").GetBoolean());
        Assert.Equal(0, created.GetProperty("steps").GetArrayLength()); // the reporter sees the status, not the handling

        // The GM office and compliance are told at once (INC-2); the person it is about is not.
        Assert.Equal(1, await NotifiedAsync(gm.Id, "Notify.IncidentReported", number));
        Assert.Equal(1, await NotifiedAsync(officer.Id, "Notify.IncidentReported", number));
        Assert.Equal(0, await NotifiedAsync(suspectOfficer.Id, "Notify.IncidentReported", number));
        // Messages go on to e-mail and group robots: the number and the source, never the reporter's words.
        Assert.False(await app.WithDbAsync(db => db.Notifications.AnyAsync(n => n.Kind == "Notify.IncidentReported" && n.Args.Contains("微信群"))));
        // Nor does the log say whom it is about: a compliance officer reads the log.
        Assert.DoesNotContain(suspectOfficer.Id.ToString(), (await app.WithDbAsync(db => db.AuditRecords.SingleAsync(a => a.Action == AuditActions.IncidentReport && a.TargetId == id.ToString()))).Detail!, StringComparison.Ordinal);

        using var gmWeb = await SignedInAsync(gm, mfa: true);
        var full = await JsonAsync(await gmWeb.Client.GetAsync($"/api/v1/incidents/{id}"));
        Assert.True(full.GetProperty("handler").GetBoolean());
        Assert.Equal(suspectOfficer.DisplayName, full.GetProperty("suspectName").GetString());

        // Nobody else sees it; the compliance officer it is about gets a 404, as if it did not exist, and no listing.
        using var bystanderWeb = await SignedInAsync(bystander, mfa: false);
        Assert.Equal(HttpStatusCode.NotFound, (await bystanderWeb.Client.GetAsync($"/api/v1/incidents/{id}")).StatusCode);
        using var suspectWeb = await SignedInAsync(suspectOfficer, mfa: true);
        Assert.Equal(HttpStatusCode.NotFound, (await suspectWeb.Client.GetAsync($"/api/v1/incidents/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await suspectWeb.Client.PostAsJsonAsync($"/api/v1/incidents/{id}/contain", new { action = "RevokeAccess" })).StatusCode);
        Assert.DoesNotContain((await JsonAsync(await suspectWeb.Client.GetAsync("/api/v1/incidents"))).EnumerateArray(), i => i.GetProperty("id").GetGuid() == id);
        Assert.True(await app.WithDbAsync(db => db.AuditRecords.AnyAsync(a => a.ActorId == suspectOfficer.Id.ToString() && a.Action == AuditActions.IncidentContain && a.Outcome == AuditOutcome.Denied)));
        Assert.Equal(EmploymentStatus.Active, (await app.WithDbAsync(db => db.Users.SingleAsync(u => u.Id == suspectOfficer.Id))).EmploymentStatus);

        // The reporter may follow, not handle.
        var triage = await reporterWeb.Client.PostAsJsonAsync($"/api/v1/incidents/{id}/triage", new { wentBeyondCircle = true, noneLearntShown = false });
        Assert.Equal(HttpStatusCode.Forbidden, triage.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await bystanderWeb.Client.PostAsJsonAsync($"/api/v1/incidents/{id}/triage", new { wentBeyondCircle = true, noneLearntShown = false })).StatusCode);
        Assert.Null((await app.WithDbAsync(db => db.Set<Incident>().SingleAsync(i => i.Id == id))).TriagedAt);

        // INC-1: beyond the circle and not shown that nobody learnt it is a leak; shown that nobody learnt it is not.
        Assert.False((await JsonAsync(await gmWeb.Client.PostAsJsonAsync($"/api/v1/incidents/{id}/triage", new { wentBeyondCircle = true, noneLearntShown = true }))).GetProperty("isLeak").GetBoolean());
        Assert.True((await JsonAsync(await gmWeb.Client.PostAsJsonAsync($"/api/v1/incidents/{id}/triage", new { wentBeyondCircle = true, noneLearntShown = false, note = "截图已传播" }))).GetProperty("isLeak").GetBoolean());
        Assert.False((await JsonAsync(await gmWeb.Client.PostAsJsonAsync($"/api/v1/incidents/{id}/triage", new { wentBeyondCircle = false, noneLearntShown = false }))).GetProperty("isLeak").GetBoolean());
    }

    [Fact]
    public async Task Grading_starts_the_four_hour_clock_which_reminds_then_escalates_once_and_the_summary_falls_due_in_working_days()
    {
        var gm = await app.CreatePersonAsync(Roles.GeneralManager);
        var officer = await app.CreatePersonAsync(Roles.ComplianceOfficer);
        var member = await app.CreatePersonAsync(Roles.CommitteeMember);
        var web = app.Session();
        await web.SignInAsync(officer.UserName!);
        var key = await web.EnrolMfaAsync();
        var incident = await JsonAsync(await web.Client.PostAsJsonAsync("/api/v1/incidents", new { title = "数据库备份外泄", description = "备份文件出现在公网网盘" }));
        var id = incident.GetProperty("id").GetGuid();
        var number = incident.GetProperty("number").GetString()!;
        var discovered = incident.GetProperty("discoveredAt").GetDateTimeOffset();

        // Below the threshold: 一般, no clock.
        var general = await JsonAsync(await web.Client.PostAsJsonAsync($"/api/v1/incidents/{id}/assess", new { affectedPeople = 999_999 }));
        Assert.Equal("General", general.GetProperty("grade").GetString());
        Assert.Equal(JsonValueKind.Null, general.GetProperty("authorityDueAt").ValueKind);
        // A higher grade by other criteria needs its reason.
        Assert.Equal("Required", await CodeAsync(await web.Client.PostAsJsonAsync($"/api/v1/incidents/{id}/assess", new { affectedPeople = 10, grade = "Major" })));

        // 1.5 million people: 较大, the report to the authority due 4 hours after discovery.
        var larger = await JsonAsync(await web.Client.PostAsJsonAsync($"/api/v1/incidents/{id}/assess", new { affectedPeople = 1_500_000 }));
        Assert.Equal("Larger", larger.GetProperty("grade").GetString());
        AssertClose(discovered.AddHours(4), larger.GetProperty("authorityDueAt").GetDateTimeOffset());
        var lower = await web.Client.PostAsJsonAsync($"/api/v1/incidents/{id}/assess", new { affectedPeople = 5 });
        Assert.Equal(HttpStatusCode.Conflict, lower.StatusCode);
        Assert.Equal("IncidentGradeLower", await CodeAsync(lower));

        async Task RunClocksAsync()
        {
            using var scope = app.AsSystem();
            await scope.ServiceProvider.GetRequiredService<IncidentService>().RunDueAsync(default);
        }

        // Two hours in: nothing yet. Three hours and a bit: reminded once. Past four: escalated once, to the committee too.
        app.Factory.Time.Advance(TimeSpan.FromHours(2));
        await RunClocksAsync();
        Assert.Equal(0, await NotifiedAsync(officer.Id, "Notify.IncidentClockSoon", number));
        app.Factory.Time.Advance(TimeSpan.FromMinutes(65));
        await RunClocksAsync();
        await RunClocksAsync();
        Assert.Equal(1, await NotifiedAsync(officer.Id, "Notify.IncidentClockSoon", number));
        Assert.Equal(1, await NotifiedAsync(gm.Id, "Notify.IncidentClockSoon", number));
        Assert.Equal(0, await NotifiedAsync(member.Id, "Notify.IncidentClockOverdue", number));
        app.Factory.Time.Advance(TimeSpan.FromMinutes(60));
        await RunClocksAsync();
        await RunClocksAsync();
        Assert.Equal(1, await NotifiedAsync(gm.Id, "Notify.IncidentClockOverdue", number));
        Assert.Equal(1, await NotifiedAsync(member.Id, "Notify.IncidentClockOverdue", number));
        // Hours later the session has lapsed: the officer signs in again.
        web.Dispose();
        web = app.Session();
        await web.SignInAsync(officer.UserName!);
        await web.SubmitTotpAsync(key);
        var overdue = await JsonAsync(await web.Client.GetAsync($"/api/v1/incidents/{id}"));
        Assert.True(overdue.GetProperty("authorityOverdue").GetBoolean());
        Assert.Contains(overdue.GetProperty("steps").EnumerateArray(), s => s.GetProperty("kind").GetString() == "Escalation");

        // Not closed before the report; the first report stops the clock, a follow-up after it.
        Assert.Equal("IncidentInitialFirst", await CodeAsync(await web.Client.PostAsJsonAsync($"/api/v1/incidents/{id}/authority-reports", new { kind = "FollowUp", recipient = "省网信办" })));
        Assert.Equal("IncidentNotAssessed", await CodeAsync(await web.Client.PostAsJsonAsync($"/api/v1/incidents/{id}/close", new { review = "r", accountability = "a" })));
        await JsonAsync(await web.Client.PostAsJsonAsync($"/api/v1/incidents/{id}/triage", new { wentBeyondCircle = true, noneLearntShown = false }));
        Assert.Equal("IncidentAuthorityNotReported", await CodeAsync(await web.Client.PostAsJsonAsync($"/api/v1/incidents/{id}/close", new { review = "r", accountability = "a" })));
        await JsonAsync(await web.Client.PostAsJsonAsync($"/api/v1/incidents/{id}/authority-reports", new { kind = "Initial", recipient = "省网信办", reference = "GD-2026-118" }));
        Assert.Equal("IncidentReportedAlready", await CodeAsync(await web.Client.PostAsJsonAsync($"/api/v1/incidents/{id}/authority-reports", new { kind = "Initial", recipient = "省网信办" })));
        await JsonAsync(await web.Client.PostAsJsonAsync($"/api/v1/incidents/{id}/authority-reports", new { kind = "FollowUp", recipient = "省网信办", summary = "已确认影响范围" }));
        Assert.True(await app.WithDbAsync(db => db.AuditRecords.AnyAsync(a => a.Action == AuditActions.IncidentAuthorityReport && a.TargetId == id.ToString() && a.Detail!.Contains("\"late\":true"))));

        // A leak closes once contained and with the notice to the people affected drafted.
        Assert.Equal("IncidentLeakOpen", await CodeAsync(await web.Client.PostAsJsonAsync($"/api/v1/incidents/{id}/close", new { review = "r", accountability = "a" })));
        await JsonAsync(await web.Client.PostAsJsonAsync($"/api/v1/incidents/{id}/contained", new { note = "网盘链接已删除" }));
        await JsonAsync(await web.Client.PutAsJsonAsync($"/api/v1/incidents/{id}/notice", new { kinds = "姓名", cause = "备份外泄", harm = "骚扰", measures = "已删除", advice = "警惕来电", contact = "400" }));

        // Closed with a review; the summary report falls due five working days later (never on a weekend).
        var closed = await JsonAsync(await web.Client.PostAsJsonAsync($"/api/v1/incidents/{id}/close", new { review = "备份未加密存放于个人网盘", accountability = "运维人员违反制度第十二条" }));
        var closedAt = closed.GetProperty("closedAt").GetDateTimeOffset();
        var summaryDue = closed.GetProperty("summaryDueAt").GetDateTimeOffset();
        AssertClose(IncidentService.AddWorkingDays(closedAt, 5, TimeSpan.FromHours(8)), summaryDue);
        Assert.InRange((summaryDue - closedAt).TotalDays, 5, 9);
        Assert.NotEqual(DayOfWeek.Saturday, summaryDue.ToOffset(TimeSpan.FromHours(8)).DayOfWeek);
        Assert.Equal("IncidentClosed", await CodeAsync(await web.Client.PostAsJsonAsync($"/api/v1/incidents/{id}/contain", new { action = "RecallCopies" })));
        await JsonAsync(await web.Client.PostAsJsonAsync($"/api/v1/incidents/{id}/authority-reports", new { kind = "Summary", recipient = "省网信办" }));
        Assert.Equal("IncidentSummaryNotDue", await CodeAsync(await web.Client.PostAsJsonAsync($"/api/v1/incidents/{id}/authority-reports", new { kind = "Summary", recipient = "省网信办" })));
        web.Dispose();
    }

    [Fact]
    public async Task An_incident_found_five_hours_ago_is_overdue_the_moment_it_is_graded_and_escalated_without_waiting()
    {
        var gm = await app.CreatePersonAsync(Roles.GeneralManager);
        var officer = await app.CreatePersonAsync(Roles.ComplianceOfficer);
        using var web = await SignedInAsync(officer, mfa: true);
        var incident = await JsonAsync(await web.Client.PostAsJsonAsync("/api/v1/incidents", new
        {
            title = "迟报的事件", description = "上周末已发现，今天才报告", discoveredAt = Iso(app.Factory.Time.GetUtcNow().AddHours(-5)),
        }));
        var id = incident.GetProperty("id").GetGuid();
        var graded = await JsonAsync(await web.Client.PostAsJsonAsync($"/api/v1/incidents/{id}/assess", new { affectedPeople = 20_000_000 }));
        Assert.Equal("Major", graded.GetProperty("grade").GetString());
        Assert.True(graded.GetProperty("authorityOverdue").GetBoolean());
        Assert.Equal(1, await NotifiedAsync(gm.Id, "Notify.IncidentClockOverdue", incident.GetProperty("number").GetString()!));

        // An incident left ungraded for an hour is told to the handlers once; the first report waits for a grade.
        var ungraded = await JsonAsync(await web.Client.PostAsJsonAsync("/api/v1/incidents", new { title = "未定级的事件", description = "无人处理" }));
        Assert.Equal("IncidentNotGraded", await CodeAsync(await web.Client.PostAsJsonAsync($"/api/v1/incidents/{ungraded.GetProperty("id").GetGuid()}/authority-reports", new { kind = "Initial", recipient = "省网信办" })));
        app.Factory.Time.Advance(TimeSpan.FromMinutes(61));
        for (var round = 0; round < 2; round++)
        {
            using var scope = app.AsSystem();
            await scope.ServiceProvider.GetRequiredService<IncidentService>().RunDueAsync(default);
        }

        Assert.Equal(1, await NotifiedAsync(gm.Id, "Notify.IncidentUngraded", ungraded.GetProperty("number").GetString()!));
    }

    [Fact]
    public async Task The_scope_comes_from_the_log_and_the_ledger_with_inclusion_proofs_and_no_value_and_containment_suspends_and_reverses()
    {
        var department = await app.DepartmentAsync();
        var head = await app.CreatePersonAsync(Roles.DepartmentHead, departments: [department]);
        var clerk = await app.CreatePersonAsync(Roles.Staff, departments: [department]);
        var colleague = await app.CreatePersonAsync(Roles.Staff, departments: [department]);
        var (revealed, revealedValues) = await app.CustomerAsync(head, department, 701);
        var (printed, _) = await app.CustomerAsync(head, department, 702);
        var (untouched, _) = await app.CustomerAsync(head, department, 703);
        Assert.Equal(revealedValues.Mobile, await app.AsAsync(clerk, s => s.GetRequiredService<CustomerService>().RevealAsync(revealed.Id, FieldCatalogue.Mobile, "verification", null, default)));
        await app.ApprovedAsync(clerk, new NewRequest(RequestKind.Print, "客户要求纸质确认", Customer: printed.Id), head);
        var print = await app.AsAsync(clerk, s => s.GetRequiredService<CopyService>().PrintAsync(printed.Id, new PrintOrder("service"), default));
        // Someone else's reveal is not in the clerk's scope.
        await app.AsAsync(colleague, s => s.GetRequiredService<CustomerService>().RevealAsync(untouched.Id, FieldCatalogue.Mobile, "verification", null, default));

        var gm = await app.CreatePersonAsync(Roles.GeneralManager);
        using var web = await SignedInAsync(gm, mfa: true);
        using var clerkWeb = await SignedInAsync(clerk, mfa: false);
        var id = (await JsonAsync(await web.Client.PostAsJsonAsync("/api/v1/incidents", new { title = "员工疑似外传客户资料", description = "举报称其将客户电话发给竞争对手", suspect = clerk.UserName })))
            .GetProperty("id").GetGuid();

        var scope = await JsonAsync(await web.Client.PostAsJsonAsync($"/api/v1/incidents/{id}/scope", new { }));
        Assert.Equal(2, scope.GetProperty("customers").GetInt32());
        Assert.Equal(1, scope.GetProperty("reveals").GetInt32());
        Assert.Equal(1, scope.GetProperty("copies").GetInt32());
        var lines = scope.GetProperty("lines").EnumerateArray().ToDictionary(l => l.GetProperty("customerId").GetGuid());
        Assert.Equal(["mobile"], lines[revealed.Id].GetProperty("fields").EnumerateArray().Select(f => f.GetString()));
        Assert.Equal([print.Serial], lines[printed.Id].GetProperty("copies").EnumerateArray().Select(f => f.GetString()));
        Assert.False(lines.ContainsKey(untouched.Id));
        // A period before any of it: nothing.
        var before = await JsonAsync(await web.Client.PostAsJsonAsync($"/api/v1/incidents/{id}/scope", new { from = Iso(app.Factory.Time.GetUtcNow().AddDays(-30)), to = Iso(app.Factory.Time.GetUtcNow().AddDays(-29)) }));
        Assert.Equal(0, before.GetProperty("customers").GetInt32());
        Assert.Equal("IncidentScopePeriod", await CodeAsync(await web.Client.PostAsJsonAsync($"/api/v1/incidents/{id}/scope", new { from = Iso(app.Factory.Time.GetUtcNow()), to = Iso(app.Factory.Time.GetUtcNow().AddDays(-1)) })));
        // Grading never below the scope.
        Assert.Equal("IncidentAffected", await CodeAsync(await web.Client.PostAsJsonAsync($"/api/v1/incidents/{id}/assess", new { affectedPeople = 1 })));

        // The evidence: each entry's inclusion proof verifies against the signed checkpoint; no protected value in it.
        // The background sequencer may hold the log a moment: entries not yet under a checkpoint are listed as awaiting one.
        byte[] bytes = [];
        List<JsonElement> proofs = [];
        for (var attempt = 0; attempt < 20 && proofs.Count < 2; attempt++)
        {
            using (var system = app.AsSystem())
            {
                await system.ServiceProvider.GetRequiredService<AuditSequencer>().SequenceAllAsync(default, checkpointNow: true);
            }

            var evidence = await web.Client.GetAsync($"/api/v1/incidents/{id}/evidence.json");
            bytes = await evidence.Content.ReadAsByteArrayAsync();
            var document = JsonDocument.Parse(bytes).RootElement;
            proofs = document.GetProperty("proofs").EnumerateArray().ToList();
            if (proofs.Count < 2)
            {
                Assert.NotEqual(0, document.GetProperty("awaiting_checkpoint").GetArrayLength()); // never silently missing
                await Task.Delay(200);
            }
        }

        Assert.DoesNotContain(revealedValues.Mobile, System.Text.Encoding.UTF8.GetString(bytes), StringComparison.Ordinal);
        Assert.Equal(2, proofs.Count); // the reveal and the print
        foreach (var proof in proofs)
        {
            var leaf = MerkleHash.Leaf(Convert.FromBase64String(proof.GetProperty("entry").GetString()!));
            var path = proof.GetProperty("audit_path").EnumerateArray().Select(p => Convert.FromHexString(p.GetString()!)).ToList();
            var root = Convert.FromHexString(proof.GetProperty("checkpoint").GetProperty("root").GetString()!);
            Assert.True(MerkleTree.VerifyInclusion(proof.GetProperty("leaf_index").GetInt64(), proof.GetProperty("tree_size").GetInt64(), leaf, path, root));
            Assert.Contains(proof.GetProperty("entry_json").GetProperty("action").GetString(), new[] { AuditActions.CustomerReveal, AuditActions.CustomerPrint });
        }

        // Containment: suspend (sessions end at once), recall the print, then reverse the suspension.
        var suspended = await JsonAsync(await web.Client.PostAsJsonAsync($"/api/v1/incidents/{id}/contain", new { action = "SuspendPerson", note = "调查期间暂停" }));
        Assert.Equal(EmploymentStatus.Suspended, (await app.WithDbAsync(db => db.Users.SingleAsync(u => u.Id == clerk.Id))).EmploymentStatus);
        Assert.Equal(HttpStatusCode.Unauthorized, (await clerkWeb.Client.GetAsync("/api/v1/customers")).StatusCode);
        Assert.Equal("IncidentPersonNotActive", await CodeAsync(await web.Client.PostAsJsonAsync($"/api/v1/incidents/{id}/contain", new { action = "SuspendPerson" })));
        await JsonAsync(await web.Client.PostAsJsonAsync($"/api/v1/incidents/{id}/contain", new { action = "RecallCopies" }));
        Assert.True(await app.WithDbAsync(db => db.Notifications.AnyAsync(n => n.RecipientId == clerk.Id && n.Kind == "Notify.IncidentRecall" && n.Args.Contains(print.Serial))));
        Assert.Equal("IncidentNoPartner", await CodeAsync(await web.Client.PostAsJsonAsync($"/api/v1/incidents/{id}/contain", new { action = "BlockPartner" })));
        var step = suspended.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("action").GetString() == "SuspendPerson");
        Assert.True(step.GetProperty("reversible").GetBoolean());
        // Someone else re-decided the account meanwhile (re-enabled it, suspended it again): the incident does not lift their suspension.
        var second = await app.CreatePersonAsync(Roles.Staff, departments: [department]);
        var otherId = (await JsonAsync(await web.Client.PostAsJsonAsync("/api/v1/incidents", new { title = "另一事件", description = "d", suspect = second.UserName }))).GetProperty("id").GetGuid();
        var otherStep = (await JsonAsync(await web.Client.PostAsJsonAsync($"/api/v1/incidents/{otherId}/contain", new { action = "SuspendPerson" })))
            .GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("action").GetString() == "SuspendPerson").GetProperty("id").GetGuid();
        app.Factory.Time.Advance(TimeSpan.FromSeconds(1));
        using (var system = app.AsSystem())
        {
            var people = system.ServiceProvider.GetRequiredService<PeopleService>();
            await people.EnableAsync(second.Id, default);
            await people.DisableAsync(second.Id, default);
        }

        Assert.Equal("IncidentNotReversible", await CodeAsync(await web.Client.PostAsJsonAsync($"/api/v1/incidents/{otherId}/steps/{otherStep}/reverse", new { })));
        Assert.Equal(EmploymentStatus.Suspended, (await app.WithDbAsync(db => db.Users.SingleAsync(u => u.Id == second.Id))).EmploymentStatus);
        await JsonAsync(await web.Client.PostAsJsonAsync($"/api/v1/incidents/{id}/steps/{step.GetProperty("id").GetGuid()}/reverse", new { note = "调查结束" }));
        Assert.Equal(EmploymentStatus.Active, (await app.WithDbAsync(db => db.Users.SingleAsync(u => u.Id == clerk.Id))).EmploymentStatus);
        Assert.Equal("IncidentNotReversible", await CodeAsync(await web.Client.PostAsJsonAsync($"/api/v1/incidents/{id}/steps/{step.GetProperty("id").GetGuid()}/reverse", new { })));

        // Ending access is not reversible: tokens and grants go.
        using (var clerkScope = app.ActAs(clerk))
        {
            await clerkScope.ServiceProvider.GetRequiredService<Features.ApiTokens.ApiTokenService>().CreateAsync("调查测试", [Roles.Staff], 30, default);
        }

        var revoked = await JsonAsync(await web.Client.PostAsJsonAsync($"/api/v1/incidents/{id}/contain", new { action = "RevokeAccess" }));
        Assert.Contains("tokens=1", revoked.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("action").GetString() == "RevokeAccess").GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.False(await app.WithDbAsync(db => db.ApiTokens.AnyAsync(t => t.PersonId == clerk.Id && t.RevokedAt == null)));
        Assert.Equal(3, await app.WithDbAsync(db => db.AuditRecords.CountAsync(a => a.Action == AuditActions.IncidentContain && a.TargetId == id.ToString() && a.Outcome == AuditOutcome.Success)));
    }

    [Fact]
    public async Task An_alert_and_a_traced_copy_open_incidents_and_a_blocked_partner_gets_no_share_until_unblocked()
    {
        var officer = await app.CreatePersonAsync(Roles.ComplianceOfficer);
        var clerk = await app.CreatePersonAsync(Roles.Staff);
        using var web = await SignedInAsync(officer, mfa: true);
        var alertId = await app.WithDbAsync(async db =>
        {
            var alert = new AuditAlert
            {
                Rule = "bulk-reveal", Severity = AlertSeverity.High, PersonId = clerk.Id.ToString(), PersonName = clerk.DisplayName, RaisedAt = app.Factory.Time.GetUtcNow().AddMinutes(-30),
                Sequence = 1, Detail = "{\"reveals\":120}",
            };
            db.Set<AuditAlert>().Add(alert);
            await db.SaveChangesAsync();
            return alert.Id;
        });
        var fromAlert = await JsonAsync(await web.Client.PostAsync($"/api/v1/incidents/from-alert/{alertId}", null));
        Assert.Equal("Alert", fromAlert.GetProperty("source").GetString());
        Assert.Equal(clerk.DisplayName, fromAlert.GetProperty("suspectName").GetString());
        AssertClose(app.Factory.Time.GetUtcNow().AddMinutes(-30), fromAlert.GetProperty("discoveredAt").GetDateTimeOffset()); // the clock runs from the alert
        Assert.Equal("IncidentExists", await CodeAsync(await web.Client.PostAsync($"/api/v1/incidents/from-alert/{alertId}", null)));
        using (var staffWeb = await SignedInAsync(clerk, mfa: false))
        {
            Assert.Equal(HttpStatusCode.Forbidden, (await staffWeb.Client.PostAsync($"/api/v1/incidents/from-alert/{alertId}", null)).StatusCode);
        }

        // A shared file traced to its copy: the partner it went to can be blocked, and unblocked.
        var partner = await app.TestPartnerAsync();
        var serial = "S" + Guid.NewGuid().ToString("N")[..10].ToUpperInvariant();
        await app.WithDbAsync(async db =>
        {
            db.Copies.Add(new CopyRecord
            {
                Id = Guid.NewGuid(), Serial = serial, Kind = CopyKind.Share, PersonId = clerk.Id, PersonName = clerk.DisplayName, Recipient = "测试合作方", PartnerId = partner,
                Purpose = "service", CreatedAt = app.Factory.Time.GetUtcNow(), Sha256 = new byte[32], Status = CopyStatus.Issued,
            });
            return await db.SaveChangesAsync();
        });
        var fromCopy = await JsonAsync(await web.Client.PostAsync($"/api/v1/incidents/from-copy/{serial}", null));
        Assert.Equal("IncidentExists", await CodeAsync(await web.Client.PostAsync($"/api/v1/incidents/from-copy/{serial}", null)));
        var id = fromCopy.GetProperty("id").GetGuid();
        Assert.Equal(serial, fromCopy.GetProperty("copySerial").GetString());
        Assert.NotNull(fromCopy.GetProperty("partnerName").GetString());

        async Task<bool> InForceAsync()
        {
            using var scope = app.AsSystem();
            return await scope.ServiceProvider.GetRequiredService<Features.Partners.PartnerService>().InForceAsync(partner, default) is not null;
        }

        // Reported by anyone with the copy's serial: the copy's holder is who it is about, and does not see it.
        var holderOfficer = await app.CreatePersonAsync(Roles.ComplianceOfficer);
        await app.WithDbAsync(async db =>
        {
            db.Copies.Add(new CopyRecord
            {
                Id = Guid.NewGuid(), Serial = serial + "B", Kind = CopyKind.Print, PersonId = holderOfficer.Id, PersonName = holderOfficer.DisplayName, Recipient = "本人",
                Purpose = "service", CreatedAt = app.Factory.Time.GetUtcNow(), Sha256 = new byte[32], Status = CopyStatus.Issued,
            });
            return await db.SaveChangesAsync();
        });
        using (var holderWeb = await SignedInAsync(holderOfficer, mfa: true))
        {
            var own = await JsonAsync(await holderWeb.Client.PostAsJsonAsync("/api/v1/incidents", new { title = "打印件遗失", description = "我自己的打印件", copySerial = serial + "B" }));
            Assert.False(own.GetProperty("handler").GetBoolean()); // reported by its own holder: followed, never handled
            Assert.Equal(HttpStatusCode.NotFound, (await holderWeb.Client.PostAsJsonAsync($"/api/v1/incidents/{own.GetProperty("id").GetGuid()}/triage", new { wentBeyondCircle = false, noneLearntShown = true })).StatusCode);
        }

        Assert.True(await InForceAsync());
        var blocked = await JsonAsync(await web.Client.PostAsJsonAsync($"/api/v1/incidents/{id}/contain", new { action = "BlockPartner" }));
        Assert.False(await InForceAsync()); // shares refused, its people's sign-in refused
        Assert.Equal("PartnerBlockedAlready", await CodeAsync(await web.Client.PostAsJsonAsync($"/api/v1/incidents/{id}/contain", new { action = "BlockPartner" })));
        var step = blocked.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("action").GetString() == "BlockPartner");
        await JsonAsync(await web.Client.PostAsJsonAsync($"/api/v1/incidents/{id}/steps/{step.GetProperty("id").GetGuid()}/reverse", new { }));
        Assert.True(await InForceAsync());
    }

    [Fact]
    public async Task The_notice_goes_per_customer_by_the_channel_their_kept_contacts_allow_with_no_contact_in_the_file_INC_2()
    {
        var department = await app.DepartmentAsync();
        var head = await app.CreatePersonAsync(Roles.DepartmentHead, departments: [department]);
        var clerk = await app.CreatePersonAsync(Roles.Staff, departments: [department]);
        var (withMobile, values) = await app.CustomerAsync(head, department, 761);
        var withEmail = await app.AsAsync(head, s => s.GetRequiredService<CustomerService>().CreateAsync(new NewCustomer(
            CustomerKind.Individual, department, null, Custos.Features.People.Clearance.Secret,
            new Dictionary<string, string?> { [FieldCatalogue.Name] = "周某", [FieldCatalogue.Email] = "zhou@example.cn" }), default));
        var none = await app.AsAsync(head, s => s.GetRequiredService<CustomerService>().CreateAsync(new NewCustomer(
            CustomerKind.Individual, department, null, Custos.Features.People.Clearance.Secret, new Dictionary<string, string?> { [FieldCatalogue.Name] = "吴某" }), default));
        await app.AsAsync(clerk, s => s.GetRequiredService<CustomerService>().RevealAsync(withMobile.Id, FieldCatalogue.Mobile, "verification", null, default));
        await app.AsAsync(clerk, s => s.GetRequiredService<CustomerService>().RevealAsync(withEmail.Id, FieldCatalogue.Name, "verification", null, default));
        await app.AsAsync(clerk, s => s.GetRequiredService<CustomerService>().RevealAsync(none.Id, FieldCatalogue.Name, "verification", null, default));

        var gm = await app.CreatePersonAsync(Roles.GeneralManager);
        using var web = await SignedInAsync(gm, mfa: true);
        var id = (await JsonAsync(await web.Client.PostAsJsonAsync("/api/v1/incidents", new { title = "员工外传客户信息", description = "举报", suspect = clerk.UserName }))).GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.Conflict, (await web.Client.GetAsync($"/api/v1/incidents/{id}/notice-plan.xlsx")).StatusCode); // the draft first
        await JsonAsync(await web.Client.PutAsJsonAsync($"/api/v1/incidents/{id}/notice", new { kinds = "姓名、手机号码", cause = "员工违规外传", harm = "可能接到诈骗电话", measures = "已停用其账号", advice = "请警惕冒充本公司的来电。", contact = "400-000-0000" }));

        var xlsx = await web.Client.GetByteArrayAsync($"/api/v1/incidents/{id}/notice-plan.xlsx");
        using var stream = new MemoryStream(xlsx);
        var rows = stream.Query(useHeaderRow: false).Cast<IDictionary<string, object?>>().Select(r => r.Values.Select(v => v?.ToString() ?? "").ToList()).ToList();
        string ChannelOf(Guid customer) => rows.Single(r => r.Contains(customer.ToString())).First();
        Assert.Equal("短信", ChannelOf(withMobile.Id));
        Assert.Equal("电子邮件", ChannelOf(withEmail.Id));
        Assert.StartsWith("公告", ChannelOf(none.Id), StringComparison.Ordinal);
        Assert.Contains(rows.Single(r => r.Contains(withMobile.Id.ToString())), c => c.Contains("400-000-0000", StringComparison.Ordinal));
        // The contacts themselves are not in the file: the sending system reads them by customer.
        var cells = rows.SelectMany(r => r).ToList();
        Assert.DoesNotContain(cells, c => c.Contains(values.Mobile, StringComparison.Ordinal) || c.Contains("zhou@example.cn", StringComparison.Ordinal));
        Assert.True(await app.WithDbAsync(db => db.AuditRecords.AnyAsync(a => a.Action == AuditActions.IncidentNotice && a.TargetId == id.ToString() && a.Detail!.Contains("plan"))));
    }

    [Fact]
    public async Task The_plan_is_followed_step_by_step_and_the_report_and_notice_read_back_INC_3()
    {
        var officer = await app.CreatePersonAsync(Roles.ComplianceOfficer);
        using var web = await SignedInAsync(officer, mfa: true);
        var incident = await JsonAsync(await web.Client.PostAsJsonAsync("/api/v1/incidents", new { title = "打印件遗失", description = "会议室遗留一份客户资料打印件" }));
        var id = incident.GetProperty("id").GetGuid();
        var number = incident.GetProperty("number").GetString()!;
        Assert.Equal(IncidentSettings.BuiltInPlaybook.Count, incident.GetProperty("playbook").GetArrayLength());
        await JsonAsync(await web.Client.PostAsJsonAsync($"/api/v1/incidents/{id}/playbook/triage", new { note = "已确认" }));
        Assert.Equal("PlaybookStepDone", await CodeAsync(await web.Client.PostAsJsonAsync($"/api/v1/incidents/{id}/playbook/triage", new { })));
        Assert.Equal(HttpStatusCode.NotFound, (await web.Client.PostAsJsonAsync($"/api/v1/incidents/{id}/playbook/no-such-step", new { })).StatusCode);

        Assert.Equal(HttpStatusCode.Conflict, (await web.Client.GetAsync($"/api/v1/incidents/{id}/notice.txt")).StatusCode);
        Assert.Equal("Required", await CodeAsync(await web.Client.PutAsJsonAsync($"/api/v1/incidents/{id}/notice", new { kinds = "姓名、手机号码" })));
        await JsonAsync(await web.Client.PutAsJsonAsync($"/api/v1/incidents/{id}/notice", new
        {
            kinds = "姓名、手机号码", cause = "打印件遗失", harm = "可能收到骚扰电话", measures = "已收回打印件并调查", advice = "警惕冒充本公司的来电", contact = "合规部 400-000-0000",
        }));
        var notice = await web.Client.GetStringAsync($"/api/v1/incidents/{id}/notice.txt");
        Assert.Contains("第五十七条", notice, StringComparison.Ordinal);
        Assert.Contains("警惕冒充本公司的来电", notice, StringComparison.Ordinal);

        var pdf = await web.Client.GetAsync($"/api/v1/incidents/{id}/report.pdf");
        Assert.Equal("application/pdf", pdf.Content.Headers.ContentType?.MediaType);
        var text = PdfText.Of(await pdf.Content.ReadAsByteArrayAsync());
        Assert.Contains(number, text, StringComparison.Ordinal);
        Assert.Contains("打印件遗失", text, StringComparison.Ordinal);
        var xlsx = await web.Client.GetByteArrayAsync($"/api/v1/incidents/{id}/report.xlsx");
        using var stream = new MemoryStream(xlsx);
        var cells = stream.Query(useHeaderRow: false).Cast<IDictionary<string, object?>>().SelectMany(r => r.Values).Select(v => v?.ToString()).ToList();
        Assert.Contains(number, cells);
        Assert.Contains(cells, c => c is not null && c.Contains("已确认", StringComparison.Ordinal));
        Assert.Equal(2, await app.WithDbAsync(db => db.AuditRecords.CountAsync(a => a.Action == AuditActions.IncidentExport && a.TargetId == id.ToString())));
    }
}

public sealed class IncidentTestsOnSqlite(SqliteApp app) : IncidentTests<SqliteApp>(app);

public sealed class IncidentTestsOnPostgres(PostgresApp app) : IncidentTests<PostgresApp>(app);
