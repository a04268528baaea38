using System.Net;
using Custos.Features.Audit;
using Custos.Features.People;
using Custos.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Custos.Tests.Audit;

/// <summary>
/// Audit plans (AUD-2): audits at set frequencies, their results fed back as follow-up actions that are tracked
/// until closed, overdue ones first; for auditors and the compliance officer; every step recorded.
/// </summary>
public abstract class AuditPlanTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : CustosApp
{
    private async Task<(WebSession Web, Person Auditor)> AuditorAsync()
    {
        var auditor = await app.CreatePersonAsync(Roles.Auditor);
        var web = app.Session();
        await web.SignInAsync(auditor.UserName!);
        await web.EnrolMfaAsync();
        return (web, auditor);
    }

    private static string Day(DateTimeOffset at) => at.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task An_auditor_plans_audits_records_findings_and_closes_the_follow_up()
    {
        var (web, auditor) = await AuditorAsync();
        var today = app.Factory.Time.GetUtcNow();
        var title = app.UniqueName("每月显示明文抽查");
        await web.SubmitAsync("/audit/plans", "form:has(#create-plan)", new Dictionary<string, string>
        {
            ["title"] = title, ["scope"] = "销售部：显示明文与导出记录", ["interval"] = "1", ["firstDue"] = Day(today.AddDays(-3)),
        });
        var plan = await app.WithDbAsync(db => db.AuditPlans.AsNoTracking().SingleAsync(p => p.Title == title));
        Assert.Equal(1, plan.IntervalMonths);
        var (_, page) = await web.GetPageAsync("/audit/plans");
        var row = page.QuerySelectorAll("#plans tr").Single(r => r.TextContent.Contains(title, StringComparison.Ordinal));
        Assert.Contains("已逾期", row.TextContent, StringComparison.Ordinal); // due three days ago

        // A finding needs an action and a due date; without them nothing is stored.
        await web.SubmitAsync("/audit/plans", $"form:has(#perform-{plan.Id})", new Dictionary<string, string>
        {
            ["performedOn"] = Day(today), ["summary"] = "发现两次无正当用途的显示明文", ["severity"] = "Major",
        });
        Assert.Equal(0, await app.WithDbAsync(db => db.AuditFindings.CountAsync(f => f.PlanId == plan.Id)));

        await web.SubmitAsync("/audit/plans", $"form:has(#perform-{plan.Id})", new Dictionary<string, string>
        {
            ["performedOn"] = Day(today), ["summary"] = "发现两次无正当用途的显示明文", ["severity"] = "Major",
            ["action"] = "约谈当事人并重新培训", ["owner"] = "销售部负责人", ["actionDue"] = Day(today.AddDays(14)),
        });
        var finding = await app.WithDbAsync(db => db.AuditFindings.AsNoTracking().SingleAsync(f => f.PlanId == plan.Id));
        Assert.Equal(FindingSeverity.Major, finding.Severity);
        var moved = await app.WithDbAsync(db => db.AuditPlans.AsNoTracking().SingleAsync(p => p.Id == plan.Id));
        Assert.Equal(DateOnly.Parse(Day(today), System.Globalization.CultureInfo.InvariantCulture).AddMonths(1), moved.NextDue);

        (_, page) = await web.GetPageAsync("/audit/plans");
        Assert.Contains("约谈当事人并重新培训", page.QuerySelector("#followups")!.TextContent, StringComparison.Ordinal);
        await web.SubmitAsync("/audit/plans", $"form:has(#close-{finding.Id})", new Dictionary<string, string> { ["note"] = "已约谈，培训已完成" });
        var closed = await app.WithDbAsync(db => db.AuditFindings.AsNoTracking().SingleAsync(f => f.Id == finding.Id));
        Assert.NotNull(closed.ClosedAt);
        Assert.Equal("已约谈，培训已完成", closed.ClosingNote);

        var recorded = await app.WithDbAsync(db => db.AuditRecords.Where(a => a.ActorId == auditor.Id.ToString()).Select(a => a.Action).ToListAsync());
        Assert.Contains("audit.plan.create", recorded);
        Assert.Contains("audit.plan.perform", recorded);
        Assert.Contains("audit.followup.close", recorded);
    }

    [Fact]
    public async Task Bad_input_is_explained_and_clerks_and_administrators_are_refused()
    {
        var (web, _) = await AuditorAsync();
        var response = await web.SubmitAsync("/audit/plans", "form:has(#create-plan)", new Dictionary<string, string>
        {
            ["title"] = "x", ["scope"] = "y", ["interval"] = "5", ["firstDue"] = "2026-12-01",
        });
        var page = await WebSession.ParseAsync(response);
        Assert.Contains("1、2、3、6 或 12", page.QuerySelector("#plan-error")!.TextContent, StringComparison.Ordinal);

        var clerk = await app.CreatePersonAsync(Roles.Staff);
        using var clerkWeb = app.Session();
        await clerkWeb.SignInAsync(clerk.UserName!);
        Assert.NotEqual(HttpStatusCode.OK, (await clerkWeb.Client.GetAsync("/audit/plans")).StatusCode);
        using var admin = await app.AdminSessionAsync();
        Assert.NotEqual(HttpStatusCode.OK, (await admin.Client.GetAsync("/audit/plans")).StatusCode);
    }
}

public sealed class AuditPlanTestsOnSqlite(SqliteApp app) : AuditPlanTests<SqliteApp>(app);

public sealed class AuditPlanTestsOnPostgres(PostgresApp app) : AuditPlanTests<PostgresApp>(app);
