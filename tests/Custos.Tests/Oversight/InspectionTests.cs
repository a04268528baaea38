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
/// Compliance inspections every two months (AUD-4): every project planned at the cycle's start with evidence from
/// the two months before (injected clock), the checklist filled in by the named inspector only, findings graded,
/// a major hidden danger announced in a bulletin to the general manager and the committee, rectification orders,
/// re-inspection, the report and the bulletin as PDF and XLSX.
/// </summary>
public abstract class InspectionTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : CustosApp
{
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
        await scope.ServiceProvider.GetRequiredService<InspectionService>().RunDueAsync(default);
    }

    [Fact]
    public async Task Every_project_is_planned_inspected_by_its_inspector_and_a_major_hidden_danger_is_announced_rectified_and_re_inspected_AUD_4()
    {
        var department = await app.DepartmentAsync();
        var project = await app.ProjectAsync(department);
        var quiet = await app.ProjectAsync(department);
        var head = await app.CreatePersonAsync(Roles.DepartmentHead, departments: [department]);
        var manager = await app.CreatePersonAsync(Roles.ProjectManager, departments: [department], projects: [project]);
        var agent = await app.CreatePersonAsync(Roles.Staff, departments: [department], projects: [project]);
        var outsider = await app.CreatePersonAsync(Roles.Staff);
        var inspector = await app.CreatePersonAsync(Roles.ComplianceOfficer);
        var otherOfficer = await app.CreatePersonAsync(Roles.ComplianceOfficer);
        var gm = await app.CreatePersonAsync(Roles.GeneralManager);
        var member = await app.CreatePersonAsync(Roles.CommitteeMember);
        var (customer, values) = await app.CustomerAsync(head, department, 901);
        Assert.Equal(values.Mobile, await app.AsAsync(agent, s => s.GetRequiredService<CustomerService>().RevealAsync(customer.Id, FieldCatalogue.Mobile, "verification", null, default)));

        // The next cycle's start: the data above is in the two months it looks back on.
        var local = app.Factory.Time.GetUtcNow().ToOffset(Company);
        var cycleStart = new DateTimeOffset(local.Year, local.Month, 1, 0, 0, 0, Company).AddMonths(local.Month % 2 == 1 ? 2 : 1);
        app.Factory.Time.Advance(cycleStart.AddHours(9) - app.Factory.Time.GetUtcNow());
        var cycle = cycleStart.ToString("yyyy-MM", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(1, cycleStart.Month % 2);
        await RunDueAsync();
        await RunDueAsync();
        var number = $"IN-{project}-{cycleStart:yyyyMM}";
        var planned = await app.WithDbAsync(db => db.Set<Inspection>().Include(i => i.Items).SingleAsync(i => i.Number == number));
        Assert.Equal(cycle, planned.Cycle);
        Assert.InRange(planned.PlannedOn, DateOnly.FromDateTime(cycleStart.DateTime), DateOnly.FromDateTime(cycleStart.AddMonths(2).DateTime));
        Assert.Equal(1, planned.Items.Single(i => i.Code == "reveals").Value);
        Assert.Equal(1, await app.WithDbAsync(db => db.Set<Inspection>().CountAsync(i => i.Number == $"IN-{quiet}-{cycleStart:yyyyMM}")));
        Assert.Equal(1, await NotifiedAsync(inspector.Id, "Notify.InspectionsPlanned", cycle));
        var id = planned.Id;

        // Read by compliance, the department's head and the project's manager; anyone else a 404.
        using var inspectorWeb = await SignedInAsync(inspector);
        using var otherWeb = await SignedInAsync(otherOfficer);
        using var headWeb = await SignedInAsync(head);
        using var managerWeb = await SignedInAsync(manager);
        using var outsiderWeb = await SignedInAsync(outsider, mfa: false);
        Assert.Equal(HttpStatusCode.OK, (await headWeb.Client.GetAsync($"/api/v1/inspections/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await managerWeb.Client.GetAsync($"/api/v1/inspections/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await outsiderWeb.Client.GetAsync($"/api/v1/inspections/{id}")).StatusCode);
        Assert.DoesNotContain((await JsonAsync(await outsiderWeb.Client.GetAsync("/api/v1/inspections"))).EnumerateArray(), i => i.GetProperty("id").GetGuid() == id);
        var evidence = await JsonAsync(await managerWeb.Client.GetAsync($"/api/v1/inspections/{id}/items/reveals/evidence"));
        Assert.Contains(agent.UserName!, Assert.Single(evidence.EnumerateArray()).GetProperty("subject").GetString()!, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await headWeb.Client.PutAsJsonAsync($"/api/v1/inspections/{id}/checklist", new { results = new Dictionary<string, object> { ["usb"] = new { result = "Pass" } } })).StatusCode);

        // The plan: moved within its cycle only; the named inspector alone fills it in.
        var today = DateOnly.FromDateTime(app.Factory.Time.GetUtcNow().ToOffset(Company).DateTime);
        Assert.Equal("InspectionPlannedOn", await CodeAsync(await inspectorWeb.Client.PutAsJsonAsync($"/api/v1/inspections/{id}/plan", new { plannedOn = today.AddMonths(3) })));
        Assert.Equal("InspectorNotCompliance", await CodeAsync(await inspectorWeb.Client.PutAsJsonAsync($"/api/v1/inspections/{id}/plan", new { plannedOn = today.AddDays(1), inspector = head.UserName })));
        await JsonAsync(await inspectorWeb.Client.PutAsJsonAsync($"/api/v1/inspections/{id}/plan", new { plannedOn = today.AddDays(1), inspector = inspector.UserName }));
        Assert.Equal(HttpStatusCode.Forbidden, (await otherWeb.Client.PutAsJsonAsync($"/api/v1/inspections/{id}/checklist", new { results = new Dictionary<string, object> { ["usb"] = new { result = "Pass" } } })).StatusCode);

        // The report needs every line and a finding for each failure.
        Assert.Equal("InspectionUnchecked", await CodeAsync(await inspectorWeb.Client.PostAsJsonAsync($"/api/v1/inspections/{id}/report", new { summary = "x" })));
        var results = planned.Items.ToDictionary(i => i.Code, i => (object)new { result = i.Code == "usb" ? "Fail" : "Pass", note = i.Code == "usb" ? "三台电脑 USB 未封闭" : null });
        await JsonAsync(await inspectorWeb.Client.PutAsJsonAsync($"/api/v1/inspections/{id}/checklist", new { results }));
        Assert.Equal("InspectionFailWithoutFinding", await CodeAsync(await inspectorWeb.Client.PostAsJsonAsync($"/api/v1/inspections/{id}/report", new { summary = "x" })));
        Assert.Equal("Required", await CodeAsync(await inspectorWeb.Client.PostAsJsonAsync($"/api/v1/inspections/{id}/findings", new { grade = "MajorHiddenDanger", item = "usb", description = "USB 未封闭", action = "封闭", dueOn = today.AddDays(10) })));
        var withFinding = await JsonAsync(await inspectorWeb.Client.PostAsJsonAsync($"/api/v1/inspections/{id}/findings",
            new { grade = "MajorHiddenDanger", item = "usb", description = "座席区三台电脑 USB 接口未封闭", action = "三日内封闭并登记", owner = manager.UserName, dueOn = today.AddDays(10) }));
        var order = withFinding.GetProperty("findings").EnumerateArray().Single().GetProperty("id").GetGuid();
        Assert.Equal(1, await NotifiedAsync(manager.Id, "Notify.RectificationOrdered", number));
        Assert.Equal(0, await NotifiedAsync(gm.Id, "Notify.InspectionBulletin", number));

        // Issued: the bulletin reaches the general manager and the committee at once, once.
        Assert.Equal("Reported", (await JsonAsync(await inspectorWeb.Client.PostAsJsonAsync($"/api/v1/inspections/{id}/report", new { summary = "存在重大隐患，限期整改" }))).GetProperty("status").GetString());
        Assert.Equal(1, await NotifiedAsync(gm.Id, "Notify.InspectionBulletin", number));
        Assert.Equal(1, await NotifiedAsync(member.Id, "Notify.InspectionBulletin", number));
        Assert.Equal(1, await NotifiedAsync(head.Id, "Notify.InspectionReported", number));
        Assert.Equal(HttpStatusCode.Conflict, (await inspectorWeb.Client.PutAsJsonAsync($"/api/v1/inspections/{id}/checklist", new { results = new Dictionary<string, object> { ["usb"] = new { result = "Pass" } } })).StatusCode);

        // Re-inspection: only once the order is done; not passed sends it back with a reason.
        Assert.Equal("InspectionOrdersOpen", await CodeAsync(await inspectorWeb.Client.PostAsJsonAsync($"/api/v1/inspections/{id}/re-inspect", new { passed = true })));
        await JsonAsync(await managerWeb.Client.PostAsJsonAsync($"/api/v1/corrective-actions/{order}/done", new { note = "已封闭两台" }));
        // A rectification order is verified by re-inspection only: not by the inspected department's head, not by another officer.
        Assert.Equal(HttpStatusCode.Forbidden, (await headWeb.Client.PostAsJsonAsync($"/api/v1/corrective-actions/{order}/verify", new { accept = true })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await otherWeb.Client.PostAsJsonAsync($"/api/v1/corrective-actions/{order}/verify", new { accept = true })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await otherWeb.Client.PostAsJsonAsync($"/api/v1/inspections/{id}/re-inspect", new { passed = true })).StatusCode);
        Assert.Equal("Required", await CodeAsync(await inspectorWeb.Client.PostAsJsonAsync($"/api/v1/inspections/{id}/re-inspect", new { passed = false })));
        await JsonAsync(await inspectorWeb.Client.PostAsJsonAsync($"/api/v1/inspections/{id}/re-inspect", new { passed = false, note = "仍有一台未封闭" }));
        Assert.Equal(FindingStatus.Open, await app.WithDbAsync(db => db.Set<CorrectiveAction>().Where(f => f.Id == order).Select(f => f.Status).SingleAsync()));
        Assert.Equal(1, await NotifiedAsync(manager.Id, "Notify.CorrectiveActionRefused", number));
        await JsonAsync(await managerWeb.Client.PostAsJsonAsync($"/api/v1/corrective-actions/{order}/done", new { note = "三台均已封闭" }));
        Assert.Equal("Closed", (await JsonAsync(await inspectorWeb.Client.PostAsJsonAsync($"/api/v1/inspections/{id}/re-inspect", new { passed = true, note = "复查合格" }))).GetProperty("status").GetString());
        Assert.Equal(FindingStatus.Verified, await app.WithDbAsync(db => db.Set<CorrectiveAction>().Where(f => f.Id == order).Select(f => f.Status).SingleAsync()));

        // The report and the bulletin, read back; the bulletin is not for staff.
        var text = PdfText.Of(await inspectorWeb.Client.GetByteArrayAsync($"/api/v1/inspections/{id}/report.pdf"));
        Assert.Contains(number, text, StringComparison.Ordinal);
        Assert.Contains("重大隐患", text, StringComparison.Ordinal);
        Assert.Contains("三日内封闭并登记", text, StringComparison.Ordinal);
        var bulletin = await inspectorWeb.Client.GetByteArrayAsync($"/api/v1/inspections/bulletin.xlsx?cycle={cycle}");
        using var stream = new MemoryStream(bulletin);
        var cells = stream.Query(useHeaderRow: false).Cast<IDictionary<string, object?>>().SelectMany(r => r.Values).Select(v => v?.ToString()).ToList();
        Assert.Contains("项目" + project, cells);
        Assert.DoesNotContain("项目" + quiet, cells);
        Assert.Contains("项目" + project, PdfText.Of(await inspectorWeb.Client.GetByteArrayAsync($"/api/v1/inspections/bulletin.pdf?cycle={cycle}")), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await outsiderWeb.Client.GetAsync($"/api/v1/inspections/bulletin.pdf?cycle={cycle}")).StatusCode);

        // A planned inspection whose day passes unreported is escalated to compliance, once.
        var quietId = await app.WithDbAsync(db => db.Set<Inspection>().Where(i => i.Number == $"IN-{quiet}-{cycleStart:yyyyMM}").Select(i => i.Id).SingleAsync());
        await JsonAsync(await inspectorWeb.Client.PutAsJsonAsync($"/api/v1/inspections/{quietId}/plan", new { plannedOn = today.AddDays(1) }));
        app.Factory.Time.Advance(TimeSpan.FromDays(2));
        await RunDueAsync();
        await RunDueAsync();
        Assert.Equal(1, await NotifiedAsync(otherOfficer.Id, "Notify.InspectionOverdue", $"IN-{quiet}"));
        Assert.Equal(1, await app.WithDbAsync(db => db.AuditRecords.CountAsync(a => a.Action == AuditActions.InspectionEscalate && a.TargetId == quietId.ToString())));
    }

    [Fact]
    public async Task The_plan_page_and_the_checklist_page_work_for_a_clerk_of_compliance_AUD_4()
    {
        var department = await app.DepartmentAsync();
        var project = await app.ProjectAsync(department);
        var officer = await app.CreatePersonAsync(Roles.ComplianceOfficer);
        var owner = await app.CreatePersonAsync(Roles.Staff, departments: [department], projects: [project]);
        using (var scope = app.AsSystem())
        {
            await scope.ServiceProvider.GetRequiredService<InspectionService>().PlanCycleAsync(default);
        }

        var inspection = await app.WithDbAsync(db => db.Set<Inspection>().Include(i => i.Items).Where(i => i.ProjectId == db.Projects.Single(p => p.Code == project).Id).SingleAsync());
        using var web = await SignedInAsync(officer);
        var (_, plan) = await web.GetPageAsync("/inspections");
        Assert.NotNull(plan.QuerySelector($"tr[data-inspection='{inspection.Number}']"));
        var fields = inspection.Items.ToDictionary(i => $"Checks.Result[{i.Code}]", i => i.Code == "paper" ? "Fail" : "Pass");
        fields["Checks.Note[paper]"] = "档案柜未上锁";
        var saved = await web.SubmitAsync($"/inspections/{inspection.Id}", "#checks-form", fields);
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        var items = (await app.WithDbAsync(db => db.Set<InspectionItem>().Where(i => i.InspectionId == inspection.Id).ToListAsync())).ToDictionary(i => i.Code);
        Assert.Equal(CheckResult.Fail, items["paper"].Result);
        Assert.Equal("档案柜未上锁", items["paper"].Note);
        Assert.All(items.Values.Where(i => i.Code != "paper"), i => Assert.Equal(CheckResult.Pass, i.Result));
        var due = DateOnly.FromDateTime(app.Factory.Time.GetUtcNow().ToOffset(Company).DateTime).AddDays(5).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        await web.SubmitAsync($"/inspections/{inspection.Id}", "#finding-form", new Dictionary<string, string>
        {
            ["Finding.Grade"] = "General", ["Finding.Item"] = "paper", ["Finding.Description"] = "档案柜未上锁", ["Finding.Action"] = "加锁并指定保管人", ["Finding.Owner"] = owner.UserName!, ["Finding.DueOn"] = due,
        });
        var report = await web.SubmitAsync($"/inspections/{inspection.Id}", "#report-form", new Dictionary<string, string> { ["Summary"] = "一般问题一项" });
        Assert.Equal(HttpStatusCode.OK, report.StatusCode);
        Assert.Equal(InspectionStatus.Reported, await app.WithDbAsync(db => db.Set<Inspection>().Where(i => i.Id == inspection.Id).Select(i => i.Status).SingleAsync()));
    }
}

public sealed class InspectionTestsOnSqlite(SqliteApp app) : InspectionTests<SqliteApp>(app);

public sealed class InspectionTestsOnPostgres(PostgresApp app) : InspectionTests<PostgresApp>(app);
