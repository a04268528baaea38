using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Custos.Features.Audit;
using Custos.Features.Customers;
using Custos.Features.Oversight;
using Custos.Features.People;
using Custos.Kernel.Classification;
using Custos.Security;
using Custos.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using MiniExcelLibs;

namespace Custos.Tests.Oversight;

/// <summary>
/// Monthly departmental risk assessments (AUD-3): opened on the month's first working day with items measured from
/// live data (injected clock), answered and scored by the department's head only, findings as corrective actions with
/// owner and due date, signed off and reviewed, reminders and escalation, exported as PDF and XLSX, and the template as
/// a versioned file with line-level errors.
/// </summary>
public abstract class RiskAssessmentTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : CustosApp
{
    /// <summary>The company's time zone in the test policy.</summary>
    private static readonly TimeSpan Company = TimeSpan.FromHours(8);

    private static async Task<string?> CodeAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).TryGetProperty("code", out var code) ? code.GetString() : null;

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        Assert.True(response.IsSuccessStatusCode, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private SignIns? signIns;

    private Task<WebSession> SignedInAsync(Person person, bool mfa = true) => (signIns ??= new SignIns(app)).AsAsync(person, mfa);

    private Task<int> NotifiedAsync(Guid person, string kind, string number) =>
        app.WithDbAsync(db => db.Notifications.CountAsync(n => n.RecipientId == person && n.Kind == kind && n.Args.StartsWith(number)));

    private async Task RunDueAsync()
    {
        using var scope = app.AsSystem();
        await scope.ServiceProvider.GetRequiredService<RiskAssessmentService>().RunDueAsync(default);
    }

    private Task<RiskAssessment?> FormAsync(string department, string period) =>
        app.WithDbAsync(db => db.Set<RiskAssessment>().Include(a => a.Items).SingleOrDefaultAsync(a => a.Number == $"RA-{department}-{period.Replace("-", "", StringComparison.Ordinal)}"));

    /// <summary>This month's form for the department, opening it (a day later if today is before the month's first working day).</summary>
    private async Task<RiskAssessment> OpenedFormAsync(string department)
    {
        for (var tries = 0; tries < 4; tries++)
        {
            await RunDueAsync();
            var period = app.Factory.Time.GetUtcNow().ToOffset(Company).ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);
            if (await FormAsync(department, period) is { } form)
            {
                return form;
            }

            app.Factory.Time.Advance(TimeSpan.FromDays(1));
        }

        throw new InvalidOperationException("No form was opened.");
    }

    private void AdvanceTo(DateTimeOffset local)
    {
        var now = app.Factory.Time.GetUtcNow();
        Assert.True(local > now, "time only moves forward");
        app.Factory.Time.Advance(local - now);
    }

    [Fact]
    public async Task Forms_open_on_the_first_working_day_measured_from_last_month_then_remind_and_escalate_once_AUD_3()
    {
        // A month whose first day is a Saturday or Sunday, at least a month ahead.
        var local = app.Factory.Time.GetUtcNow().ToOffset(Company);
        var target = new DateTimeOffset(local.Year, local.Month, 1, 9, 0, 0, Company).AddMonths(2);
        while (target.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday))
        {
            target = target.AddMonths(1);
        }

        // Live data in the month before it.
        AdvanceTo(target.AddMonths(-1).AddDays(14));
        var department = await app.DepartmentAsync();
        var head = await app.CreatePersonAsync(Roles.DepartmentHead, departments: [department]);
        var clerk = await app.CreatePersonAsync(Roles.Staff, departments: [department]);
        var outsider = await app.CreatePersonAsync(Roles.Staff);
        var officer = await app.CreatePersonAsync(Roles.ComplianceOfficer);
        var (customer, values) = await app.CustomerAsync(head, department, 811);
        await app.CustomerAsync(head, department, 812);
        Assert.Equal(values.Mobile, await app.AsAsync(clerk, s => s.GetRequiredService<CustomerService>().RevealAsync(customer.Id, FieldCatalogue.Mobile, "verification", null, default)));
        // Someone outside the department reveals nothing of ours and is not counted; a refusal of the clerk is.
        await Assert.ThrowsAsync<Custos.Hosting.CustosException>(() => app.AsAsync(clerk, s => s.GetRequiredService<RiskAssessmentService>().GetAsync(Guid.NewGuid(), default)));
        await app.WithDbAsync(async db =>
        {
            // The clerk's agreement counts; the head's does not.
            var c = await db.Users.SingleAsync(u => u.Id == clerk.Id);
            c.NdaSignedOn = DateOnly.FromDateTime(app.Factory.Time.GetUtcNow().UtcDateTime).AddDays(-3);
            c.TrainingValidUntil = DateOnly.FromDateTime(app.Factory.Time.GetUtcNow().UtcDateTime).AddYears(1);
            return await db.SaveChangesAsync();
        });

        // Not before the month's first working day.
        AdvanceTo(target);
        var period = target.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);
        await RunDueAsync();
        Assert.Null(await FormAsync(department, period));

        var monday = target;
        while (monday.DayOfWeek != DayOfWeek.Monday)
        {
            monday = monday.AddDays(1);
        }

        AdvanceTo(monday.AddHours(-8).AddMinutes(30)); // 01:30 on the Monday, company time
        await RunDueAsync();
        await RunDueAsync(); // twice: still one form, one message
        var form = await FormAsync(department, period);
        Assert.NotNull(form);
        Assert.Equal(1, await app.WithDbAsync(db => db.Set<RiskAssessment>().CountAsync(a => a.DepartmentId == form.DepartmentId && a.Period == period)));
        Assert.Equal(1, await NotifiedAsync(head.Id, "Notify.AssessmentOpened", form.Number));
        Assert.Equal(0, await NotifiedAsync(clerk.Id, "Notify.AssessmentOpened", form.Number));
        Assert.Equal(target.AddMonths(-1).AddHours(-9).UtcDateTime, form.MeasuredFrom.UtcDateTime);
        Assert.Equal(target.AddHours(-9).UtcDateTime, form.MeasuredTo.UtcDateTime);
        long? Value(string code) => form.Items.Single(i => i.Code == code).Value;
        Assert.Equal(2, Value("customers"));
        Assert.Equal(1, Value("reveals"));
        Assert.True(Value("refusals") >= 1);
        Assert.Equal(1, Value("no-agreement")); // the head, not the clerk
        Assert.Null(Value("visitors")); // answered by hand

        // The evidence behind an item: who, what, the log entry.
        using var headWeb = await SignedInAsync(head);
        var reveals = await JsonAsync(await headWeb.Client.GetAsync($"/api/v1/assessments/{form.Id}/items/reveals/evidence"));
        var row = Assert.Single(reveals.EnumerateArray());
        Assert.Contains(clerk.UserName!, row.GetProperty("subject").GetString()!, StringComparison.Ordinal);
        Assert.True(row.GetProperty("entry").GetInt64() != 0);
        var unbound = await JsonAsync(await headWeb.Client.GetAsync($"/api/v1/assessments/{form.Id}/items/no-agreement/evidence"));
        Assert.Equal([head.DisplayName], unbound.EnumerateArray().Select(r => r.GetProperty("subject").GetString()));
        Assert.DoesNotContain(values.Mobile, await (await headWeb.Client.GetAsync($"/assessments/{form.Id}/items/customers")).Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Someone else's department: a 404, recorded.
        using var outsiderWeb = await SignedInAsync(outsider, mfa: false);
        Assert.Equal(HttpStatusCode.NotFound, (await outsiderWeb.Client.GetAsync($"/api/v1/assessments/{form.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await outsiderWeb.Client.GetAsync($"/api/v1/assessments/{form.Id}/items/reveals/evidence")).StatusCode);
        Assert.DoesNotContain((await JsonAsync(await outsiderWeb.Client.GetAsync("/api/v1/assessments"))).EnumerateArray(), a => a.GetProperty("id").GetGuid() == form.Id);

        // Reminded two days before the due day, escalated to compliance after it; each once.
        var due = new DateTimeOffset(target.Year, target.Month, 10, 0, 0, 0, Company).AddDays(1);
        AdvanceTo(due.AddDays(-3));
        await RunDueAsync();
        Assert.Equal(0, await NotifiedAsync(head.Id, "Notify.AssessmentDue", form.Number));
        AdvanceTo(due.AddDays(-2).AddMinutes(1));
        await RunDueAsync();
        await RunDueAsync();
        Assert.Equal(1, await NotifiedAsync(head.Id, "Notify.AssessmentDue", form.Number));
        Assert.Equal(0, await NotifiedAsync(officer.Id, "Notify.AssessmentOverdue", form.Number));
        AdvanceTo(due.AddMinutes(1));
        await RunDueAsync();
        await RunDueAsync();
        Assert.Equal(1, await NotifiedAsync(officer.Id, "Notify.AssessmentOverdue", form.Number));
        Assert.Equal(1, await NotifiedAsync(head.Id, "Notify.AssessmentOverdue", form.Number));
        Assert.Equal(1, await app.WithDbAsync(db => db.AuditRecords.CountAsync(a => a.Action == AuditActions.AssessmentEscalate && a.TargetId == form.Id.ToString())));

        // The dashboard shows it overdue to compliance; not to staff.
        using var officerWeb = await SignedInAsync(officer);
        var dashboard = await JsonAsync(await officerWeb.Client.GetAsync("/api/v1/compliance/dashboard"));
        Assert.Contains(dashboard.GetProperty("overdueAssessments").EnumerateArray(), a => a.GetProperty("id").GetGuid() == form.Id);
        Assert.Equal(12, dashboard.GetProperty("incidentsByMonth").GetArrayLength());
        using var clerkWeb = await SignedInAsync(clerk, mfa: false);
        Assert.Equal(HttpStatusCode.Forbidden, (await clerkWeb.Client.GetAsync("/api/v1/compliance/dashboard")).StatusCode);
        var page = await officerWeb.Client.GetAsync("/compliance");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains(form.Number, await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_the_head_answers_findings_need_owners_sign_off_needs_scores_and_actions_and_compliance_reviews_AUD_3()
    {
        var department = await app.DepartmentAsync();
        var otherDepartment = await app.DepartmentAsync();
        var head = await app.CreatePersonAsync(Roles.DepartmentHead, departments: [department]);
        var otherHead = await app.CreatePersonAsync(Roles.DepartmentHead, departments: [otherDepartment]);
        var clerk = await app.CreatePersonAsync(Roles.Staff, departments: [department]);
        var officer = await app.CreatePersonAsync(Roles.ComplianceOfficer);
        var form = await OpenedFormAsync(department);
        var id = form.Id;
        using var headWeb = await SignedInAsync(head);
        using var otherWeb = await SignedInAsync(otherHead);
        using var officerWeb = await SignedInAsync(officer);
        using var clerkWeb = await SignedInAsync(clerk, mfa: false);

        // Another department's head: as if it did not exist; compliance reads but does not answer.
        Assert.Equal(HttpStatusCode.NotFound, (await otherWeb.Client.PutAsJsonAsync($"/api/v1/assessments/{id}/items/reveals", new { likelihood = 1, impact = 1 })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await clerkWeb.Client.GetAsync($"/api/v1/assessments/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await officerWeb.Client.PutAsJsonAsync($"/api/v1/assessments/{id}/items/reveals", new { likelihood = 1, impact = 1 })).StatusCode);
        Assert.True(await app.WithDbAsync(db => db.AuditRecords.AnyAsync(a => a.ActorId == otherHead.Id.ToString() && a.Action == AuditActions.AssessmentAnswer && a.Outcome == AuditOutcome.Denied)));

        // Bad input: a clear error, nothing saved.
        Assert.Equal("RiskScale", await CodeAsync(await headWeb.Client.PutAsJsonAsync($"/api/v1/assessments/{id}/items/reveals", new { likelihood = 6, impact = 1 })));
        Assert.Equal(HttpStatusCode.NotFound, (await headWeb.Client.PutAsJsonAsync($"/api/v1/assessments/{id}/items/no-such", new { likelihood = 1, impact = 1 })).StatusCode);
        var today = DateOnly.FromDateTime(app.Factory.Time.GetUtcNow().ToOffset(Company).DateTime);
        Assert.Equal("Required", await CodeAsync(await headWeb.Client.PostAsJsonAsync($"/api/v1/assessments/{id}/findings", new { description = "打印件未归还", action = "追回", dueOn = today.AddDays(7) })));
        Assert.Equal("ActionOwnerUnknown", await CodeAsync(await headWeb.Client.PostAsJsonAsync($"/api/v1/assessments/{id}/findings", new { description = "d", action = "a", owner = "no.such.person", dueOn = today.AddDays(7) })));
        Assert.Equal("ActionDueOn", await CodeAsync(await headWeb.Client.PostAsJsonAsync($"/api/v1/assessments/{id}/findings", new { description = "d", action = "a", owner = clerk.UserName, dueOn = today.AddDays(-1) })));
        Assert.Equal(0, await app.WithDbAsync(db => db.Set<CorrectiveAction>().CountAsync(f => f.SourceId == id)));

        // Scores: all low but the last, which is high.
        var view = await JsonAsync(await headWeb.Client.GetAsync($"/api/v1/assessments/{id}"));
        var codes = view.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("code").GetString()!).ToList();
        var high = codes[^1];
        foreach (var code in codes.Skip(1))
        {
            await JsonAsync(await headWeb.Client.PutAsJsonAsync($"/api/v1/assessments/{id}/items/{code}", new { answer = "正常", likelihood = code == high ? 4 : 1, impact = code == high ? 4 : 2 }));
        }

        // A stale page is told.
        Assert.Equal("AssessmentChanged", await CodeAsync(await headWeb.Client.PutAsJsonAsync($"/api/v1/assessments/{id}/items/{codes[0]}", new { likelihood = 1, impact = 1, stamp = view.GetProperty("stamp").GetGuid() })));
        Assert.Equal("AssessmentUnscored", await CodeAsync(await headWeb.Client.PostAsJsonAsync($"/api/v1/assessments/{id}/sign-off", new { })));
        await JsonAsync(await headWeb.Client.PutAsJsonAsync($"/api/v1/assessments/{id}/items/{codes[0]}", new { answer = "本月无异常", likelihood = 1, impact = 1 }));
        Assert.Equal("AssessmentHighWithoutAction", await CodeAsync(await headWeb.Client.PostAsJsonAsync($"/api/v1/assessments/{id}/sign-off", new { })));
        Assert.Equal(AssessmentStatus.Open, (await FormAsync(department, form.Period))!.Status);

        var withAction = await JsonAsync(await headWeb.Client.PostAsJsonAsync($"/api/v1/assessments/{id}/findings",
            new { item = high, description = "两份打印件超期未归还", action = "追回并销毁，登记", owner = clerk.UserName, dueOn = today.AddDays(5) }));
        var action = withAction.GetProperty("actions").EnumerateArray().Single();
        var actionId = action.GetProperty("id").GetGuid();
        Assert.Equal(1, await NotifiedAsync(clerk.Id, "Notify.CorrectiveActionAssigned", form.Number));
        var signed = await JsonAsync(await headWeb.Client.PostAsJsonAsync($"/api/v1/assessments/{id}/sign-off", new { conclusion = "总体风险可控" }));
        Assert.Equal("SignedOff", signed.GetProperty("status").GetString());
        Assert.Equal(1, await NotifiedAsync(officer.Id, "Notify.AssessmentSignedOff", form.Number));

        // Nothing changes after sign-off.
        Assert.Equal(HttpStatusCode.Conflict, (await headWeb.Client.PutAsJsonAsync($"/api/v1/assessments/{id}/items/{codes[0]}", new { likelihood = 5, impact = 5 })).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await headWeb.Client.PostAsJsonAsync($"/api/v1/assessments/{id}/findings", new { description = "d", action = "a", owner = clerk.UserName, dueOn = today.AddDays(3) })).StatusCode);
        Assert.Equal(1, (await FormAsync(department, form.Period))!.Items.Single(i => i.Code == codes[0]).Likelihood);

        // Compliance reviews; the head may not.
        Assert.Equal(HttpStatusCode.Forbidden, (await headWeb.Client.PostAsJsonAsync($"/api/v1/assessments/{id}/review", new { })).StatusCode);
        Assert.Equal("Reviewed", (await JsonAsync(await officerWeb.Client.PostAsJsonAsync($"/api/v1/assessments/{id}/review", new { note = "同意" }))).GetProperty("status").GetString());

        // The corrective action: the owner says it is done; the owner may not verify; sent back needs a reason.
        Assert.Equal(HttpStatusCode.NotFound, (await otherWeb.Client.PostAsJsonAsync($"/api/v1/corrective-actions/{actionId}/done", new { note = "x" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await headWeb.Client.PostAsJsonAsync($"/api/v1/corrective-actions/{actionId}/done", new { note = "x" })).StatusCode);
        Assert.Equal("Required", await CodeAsync(await clerkWeb.Client.PostAsJsonAsync($"/api/v1/corrective-actions/{actionId}/done", new { })));
        Assert.Equal("CorrectiveActionNotDone", await CodeAsync(await headWeb.Client.PostAsJsonAsync($"/api/v1/corrective-actions/{actionId}/verify", new { accept = true })));
        await JsonAsync(await clerkWeb.Client.PostAsJsonAsync($"/api/v1/corrective-actions/{actionId}/done", new { note = "已追回一份" }));
        Assert.Equal(HttpStatusCode.Forbidden, (await clerkWeb.Client.PostAsJsonAsync($"/api/v1/corrective-actions/{actionId}/verify", new { accept = true })).StatusCode);
        Assert.Equal("Required", await CodeAsync(await headWeb.Client.PostAsJsonAsync($"/api/v1/corrective-actions/{actionId}/verify", new { accept = false })));
        Assert.Equal("Open", (await JsonAsync(await headWeb.Client.PostAsJsonAsync($"/api/v1/corrective-actions/{actionId}/verify", new { accept = false, note = "还有一份未追回" }))).GetProperty("status").GetString());
        Assert.Equal(1, await NotifiedAsync(clerk.Id, "Notify.CorrectiveActionRefused", form.Number));

        // Reminded before its due day, escalated after; each once.
        app.Factory.Time.Advance(TimeSpan.FromDays(3).Add(TimeSpan.FromHours(1)));
        await RunDueAsync();
        await RunDueAsync();
        Assert.Equal(1, await NotifiedAsync(clerk.Id, "Notify.CorrectiveActionDue", form.Number));
        app.Factory.Time.Advance(TimeSpan.FromDays(3));
        await RunDueAsync();
        await RunDueAsync();
        Assert.Equal(1, await NotifiedAsync(officer.Id, "Notify.CorrectiveActionOverdue", form.Number));
        Assert.Equal(1, await NotifiedAsync(head.Id, "Notify.CorrectiveActionOverdue", form.Number));

        using var clerkAgain = await SignedInAsync(clerk, mfa: false);
        using var officerAgain = await SignedInAsync(officer);
        Assert.True((await JsonAsync(await officerAgain.Client.GetAsync("/api/v1/corrective-actions"))).EnumerateArray().Single(a => a.GetProperty("id").GetGuid() == actionId).GetProperty("overdue").GetBoolean());
        await JsonAsync(await clerkAgain.Client.PostAsJsonAsync($"/api/v1/corrective-actions/{actionId}/done", new { note = "两份均已追回并销毁" }));
        Assert.Equal("Verified", (await JsonAsync(await officerAgain.Client.PostAsJsonAsync($"/api/v1/corrective-actions/{actionId}/verify", new { accept = true }))).GetProperty("status").GetString());

        // The form as PDF and XLSX, with the answers, the signatures and the check code also in the log.
        var pdf = await officerAgain.Client.GetAsync($"/api/v1/assessments/{id}/form.pdf");
        Assert.Equal("application/pdf", pdf.Content.Headers.ContentType?.MediaType);
        var text = PdfText.Of(await pdf.Content.ReadAsByteArrayAsync());
        Assert.Contains(form.Number, text, StringComparison.Ordinal);
        Assert.Contains("本月无异常", text, StringComparison.Ordinal);
        Assert.Contains("总体风险可控", text, StringComparison.Ordinal);
        var check = System.Text.Json.JsonDocument.Parse((await app.WithDbAsync(db => db.AuditRecords.Where(a => a.Action == AuditActions.AssessmentExport && a.TargetId == id.ToString()).OrderBy(a => a.Id).FirstAsync())).Detail!)
            .RootElement.GetProperty("check").GetString()!;
        Assert.Contains(check, text, StringComparison.Ordinal);
        var xlsx = await officerAgain.Client.GetByteArrayAsync($"/api/v1/assessments/{id}/form.xlsx");
        using var stream = new MemoryStream(xlsx);
        var cells = stream.Query(useHeaderRow: false).Cast<IDictionary<string, object?>>().SelectMany(r => r.Values).Select(v => v?.ToString()).ToList();
        Assert.Contains("两份打印件超期未归还", cells);
        Assert.Contains(cells, c => c is not null && c.Contains(head.DisplayName, StringComparison.Ordinal));
        Assert.Contains(check, cells);

        // The trend: the department's total for the month.
        var trend = (await JsonAsync(await officerAgain.Client.GetAsync("/api/v1/assessments/trend"))).EnumerateArray().Single(t => t.GetProperty("departmentId").GetGuid() == form.DepartmentId);
        Assert.Equal(1 + 16 + (2 * (codes.Count - 2)), trend.GetProperty("points").EnumerateArray().Single(p => p.GetProperty("period").GetString() == form.Period).GetProperty("totalScore").GetInt32());
    }

    [Fact]
    public async Task The_template_is_a_versioned_file_refused_with_line_numbers_and_used_for_the_next_forms_AUD_3()
    {
        var officer = await app.CreatePersonAsync(Roles.ComplianceOfficer);
        var department = await app.DepartmentAsync();
        var head = await app.CreatePersonAsync(Roles.DepartmentHead, departments: [department]);
        using var officerWeb = await SignedInAsync(officer);
        using var headWeb = await SignedInAsync(head);
        var current = await JsonAsync(await officerWeb.Client.GetAsync("/api/v1/assessments/template"));
        Assert.Contains(current.GetProperty("items").EnumerateArray(), i => i.GetProperty("code").GetString() == "no-agreement");

        const string Bad = "title: 评估表\nitems:\n  - code: reveals\n    measure: reveals\n  - code: reveals\n    measure: reveals\n  - code: canteen\n  - code: lists\n    title: 名单\n    measure: lunch\n";
        var refused = await officerWeb.Client.PostAsJsonAsync("/api/v1/assessments/template", new { content = Bad });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        var errors = (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateArray().Select(e => (e.GetProperty("line").GetInt32(), e.GetProperty("code").GetString())).ToList();
        Assert.Contains((5, "Duplicate"), errors);
        Assert.Contains((7, "Missing"), errors);
        Assert.Contains((10, "UnknownMeasure"), errors);
        Assert.Equal(HttpStatusCode.Forbidden, (await headWeb.Client.PostAsJsonAsync("/api/v1/assessments/template", new { content = "title: x\nitems:\n  - code: reveals\n" })).StatusCode);
        var before = await app.WithDbAsync(db => db.Set<AssessmentTemplate>().CountAsync());

        var published = await JsonAsync(await officerWeb.Client.PostAsJsonAsync("/api/v1/assessments/template",
            new { content = "title: 呼叫中心保密评估表\nitems:\n  - code: reveals\n    measure: reveals\n  - code: headsets\n    title: 录音耳机和工位\n" }));
        Assert.Equal(before + 1, published.GetProperty("version").GetInt32());
        Assert.Equal(before + 1, await app.WithDbAsync(db => db.Set<AssessmentTemplate>().CountAsync()));

        var form = await OpenedFormAsync(department);
        Assert.Equal(published.GetProperty("version").GetInt32(), form.TemplateVersion);
        Assert.Equal(["reveals", "headsets"], form.Items.OrderBy(i => i.Order).Select(i => i.Code));
        Assert.Equal("录音耳机和工位", form.Items.Single(i => i.Code == "headsets").Title);
        Assert.Equal("呼叫中心保密评估表", form.Title);

        // The pages: the head fills the form in one go and records a finding; the owner sees it on the actions page.
        var clerk = await app.CreatePersonAsync(Roles.Staff, departments: [department]);
        var saved = await headWeb.SubmitAsync($"/assessments/{form.Id}", "#answers-form", new Dictionary<string, string>
        {
            ["Answers.Answer[reveals]"] = "查看次数正常",
            ["Answers.Likelihood[reveals]"] = "2",
            ["Answers.Impact[reveals]"] = "3",
            ["Answers.Answer[headsets]"] = "",
            ["Answers.Likelihood[headsets]"] = "1",
            ["Answers.Impact[headsets]"] = "",
        });
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        Assert.Contains("已保存", await saved.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var items = (await FormAsync(department, form.Period))!.Items.ToDictionary(i => i.Code);
        Assert.Equal(("查看次数正常", 2, 3), (items["reveals"].Answer, items["reveals"].Likelihood, items["reveals"].Impact));
        Assert.Equal((null, 1, null), (items["headsets"].Answer, items["headsets"].Likelihood, items["headsets"].Impact));
        var today = DateOnly.FromDateTime(app.Factory.Time.GetUtcNow().ToOffset(Company).DateTime);
        var noOwner = await headWeb.SubmitAsync($"/assessments/{form.Id}", "#finding-form", new Dictionary<string, string>
        {
            ["Finding.Item"] = "headsets", ["Finding.Description"] = "耳机未上锁", ["Finding.Action"] = "加锁", ["Finding.Owner"] = "", ["Finding.DueOn"] = today.AddDays(9).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        });
        Assert.Contains("assessment-error", await noOwner.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await headWeb.SubmitAsync($"/assessments/{form.Id}", "#finding-form", new Dictionary<string, string>
        {
            ["Finding.Item"] = "headsets", ["Finding.Description"] = "耳机未上锁", ["Finding.Action"] = "加锁", ["Finding.Owner"] = clerk.UserName!, ["Finding.DueOn"] = today.AddDays(9).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
        });
        Assert.Equal(1, await app.WithDbAsync(db => db.Set<CorrectiveAction>().CountAsync(f => f.SourceId == form.Id && f.OwnerId == clerk.Id && f.ItemCode == "headsets")));
        using var clerkWeb = await SignedInAsync(clerk, mfa: false);
        var (_, actionsPage) = await clerkWeb.GetPageAsync("/actions");
        Assert.Contains("耳机未上锁", actionsPage.QuerySelector("#actions")!.TextContent, StringComparison.Ordinal);
        var (_, listPage) = await headWeb.GetPageAsync("/assessments");
        Assert.NotNull(listPage.QuerySelector($"tr[data-assessment='{form.Number}']"));
        Assert.NotNull(listPage.QuerySelector("svg.trend-bars"));

        // Back to the built-in items for the other tests of this class.
        await JsonAsync(await officerWeb.Client.PostAsJsonAsync("/api/v1/assessments/template", new { content = AssessmentTemplates.BuiltIn }));
    }
}

public sealed class RiskAssessmentTestsOnSqlite(SqliteApp app) : RiskAssessmentTests<SqliteApp>(app);

public sealed class RiskAssessmentTestsOnPostgres(PostgresApp app) : RiskAssessmentTests<PostgresApp>(app);
