using Custos.Data;
using Custos.Hosting;
using Custos.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Custos.Features.Audit;

/// <summary>An audit done at a set frequency (AUD-2): what is looked at, how often, and when it is next due.</summary>
public sealed class AuditPlan
{
    public Guid Id { get; set; }

    public string Title { get; set; } = "";

    /// <summary>What the audit covers, e.g. a department's reveals and exports.</summary>
    public string Scope { get; set; } = "";

    public int IntervalMonths { get; set; }

    public DateOnly NextDue { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public List<AuditFinding> Findings { get; set; } = [];
}

public enum FindingSeverity
{
    None = 0,
    Minor = 1,
    Major = 2,
}

/// <summary>The result of one audit, fed back with a follow-up action until that is closed (AUD-2).</summary>
public sealed class AuditFinding
{
    public Guid Id { get; set; }

    public Guid PlanId { get; set; }

    public DateOnly PerformedOn { get; set; }

    public string PerformedBy { get; set; } = "";

    public string Summary { get; set; } = "";

    public FindingSeverity Severity { get; set; }

    public string? Action { get; set; }

    public string? Owner { get; set; }

    public DateOnly? ActionDue { get; set; }

    public DateTimeOffset? ClosedAt { get; set; }

    public string? ClosedBy { get; set; }

    public string? ClosingNote { get; set; }
}

public sealed record PlanView(Guid Id, string Title, string Scope, int IntervalMonths, DateOnly NextDue, bool Overdue, DateOnly? LastPerformed);

public sealed record FollowUpView(Guid Id, string Plan, DateOnly PerformedOn, string Summary, FindingSeverity Severity, string Action, string? Owner, DateOnly? Due, bool Overdue);

/// <summary>
/// Audit plans (AUD-2): audits at set frequencies, their findings, and follow-up actions tracked until closed.
/// Overdue audits and actions are shown first; every change is recorded in the audit log.
/// </summary>
public sealed class AuditPlanService(CustosDbContext db, IAuditTrail audit, ICurrentActor actor, TimeProvider time)
{
    public static readonly int[] Intervals = [1, 2, 3, 6, 12];

    private DateOnly Today => DateOnly.FromDateTime(time.GetUtcNow().ToOffset(TimeSpan.FromHours(8)).DateTime);

    public async Task<Guid> CreatePlanAsync(string title, string scope, int intervalMonths, DateOnly firstDue, CancellationToken ct)
    {
        title = (title ?? "").Trim();
        scope = (scope ?? "").Trim();
        if (title.Length is 0 or > 200 || scope.Length is 0 or > 500)
        {
            throw CustosException.Invalid("AuditPlanText");
        }

        if (!Intervals.Contains(intervalMonths))
        {
            throw CustosException.Invalid("AuditPlanInterval");
        }

        var plan = new AuditPlan { Id = Guid.CreateVersion7(), Title = title, Scope = scope, IntervalMonths = intervalMonths, NextDue = firstDue, CreatedAt = time.GetUtcNow() };
        db.AuditPlans.Add(plan);
        audit.Record(AuditActions.AuditPlanCreate, "audit-plan", plan.Id.ToString(), detail: new { title, intervalMonths, firstDue });
        await db.SaveChangesAsync(ct);
        return plan.Id;
    }

    /// <summary>Records an audit done under a plan; the plan's next due date moves on by its interval.</summary>
    public async Task<Guid> RecordAsync(Guid planId, DateOnly performedOn, string summary, FindingSeverity severity, string? action, string? owner, DateOnly? actionDue, CancellationToken ct)
    {
        var plan = await db.AuditPlans.SingleOrDefaultAsync(p => p.Id == planId, ct) ?? throw CustosException.NotFound("AuditPlanNotFound");
        summary = (summary ?? "").Trim();
        action = string.IsNullOrWhiteSpace(action) ? null : action.Trim();
        owner = string.IsNullOrWhiteSpace(owner) ? null : owner.Trim();
        if (summary.Length is 0 or > 2000 || action?.Length > 1000 || owner?.Length > 100)
        {
            throw CustosException.Invalid("AuditFindingText");
        }

        if (performedOn > Today)
        {
            throw CustosException.Invalid("AuditFindingFuture");
        }

        if (severity != FindingSeverity.None && (action is null || actionDue is null))
        {
            // A finding is fed back and acted on: it needs an action and a date.
            throw CustosException.Invalid("AuditFindingNeedsAction");
        }

        var finding = new AuditFinding
        {
            Id = Guid.CreateVersion7(), PlanId = plan.Id, PerformedOn = performedOn, PerformedBy = actor.Name, Summary = summary,
            Severity = severity, Action = action, Owner = owner, ActionDue = action is null ? null : actionDue,
        };
        db.AuditFindings.Add(finding);
        var from = performedOn > plan.NextDue ? performedOn : plan.NextDue;
        plan.NextDue = from.AddMonths(plan.IntervalMonths);
        audit.Record(AuditActions.AuditPlanPerform, "audit-plan", plan.Id.ToString(), detail: new { finding = finding.Id, severity = severity.ToString(), performedOn, nextDue = plan.NextDue });
        await db.SaveChangesAsync(ct);
        return finding.Id;
    }

    public async Task CloseFollowUpAsync(Guid findingId, string note, CancellationToken ct)
    {
        note = (note ?? "").Trim();
        if (note.Length is 0 or > 1000)
        {
            throw CustosException.Invalid("AuditFollowUpNote");
        }

        var finding = await db.AuditFindings.SingleOrDefaultAsync(f => f.Id == findingId && f.Action != null, ct) ?? throw CustosException.NotFound("AuditFindingNotFound");
        if (finding.ClosedAt is not null)
        {
            throw CustosException.Conflict("AuditFollowUpClosed");
        }

        finding.ClosedAt = time.GetUtcNow();
        finding.ClosedBy = actor.Name;
        finding.ClosingNote = note;
        audit.Record(AuditActions.AuditFollowupClose, "audit-finding", finding.Id.ToString(), detail: new { plan = finding.PlanId });
        await db.SaveChangesAsync(ct);
    }

    public async Task<IReadOnlyList<PlanView>> PlansAsync(CancellationToken ct)
    {
        var today = Today;
        var plans = await db.AuditPlans.AsNoTracking()
            .Select(p => new { p.Id, p.Title, p.Scope, p.IntervalMonths, p.NextDue, Last = p.Findings.Max(f => (DateOnly?)f.PerformedOn) })
            .ToListAsync(ct);
        return [.. plans.Select(p => new PlanView(p.Id, p.Title, p.Scope, p.IntervalMonths, p.NextDue, p.NextDue < today, p.Last))
            .OrderByDescending(p => p.Overdue).ThenBy(p => p.NextDue)];
    }

    public async Task<IReadOnlyList<FollowUpView>> OpenFollowUpsAsync(CancellationToken ct)
    {
        var today = Today;
        var open = await db.AuditFindings.AsNoTracking()
            .Where(f => f.Action != null && f.ClosedAt == null)
            .Join(db.AuditPlans, f => f.PlanId, p => p.Id, (f, p) => new { f, p.Title })
            .ToListAsync(ct);
        return [.. open.Select(x => new FollowUpView(x.f.Id, x.Title, x.f.PerformedOn, x.f.Summary, x.f.Severity, x.f.Action!, x.f.Owner, x.f.ActionDue, x.f.ActionDue < today))
            .OrderByDescending(f => f.Overdue).ThenBy(f => f.Due)];
    }
}

/// <summary>How <see cref="AuditPlan"/> is stored.</summary>
internal sealed class AuditPlanMapping : IEntityTypeConfiguration<AuditPlan>
{
    public void Configure(EntityTypeBuilder<AuditPlan> e)
    {
        ArgumentNullException.ThrowIfNull(e);
        e.Property(p => p.Title).HasMaxLength(200);
        e.Property(p => p.Scope).HasMaxLength(500);
        e.HasMany(p => p.Findings).WithOne().HasForeignKey(f => f.PlanId).OnDelete(DeleteBehavior.Restrict);
    }
}

/// <summary>How <see cref="AuditFinding"/> is stored.</summary>
internal sealed class AuditFindingMapping : IEntityTypeConfiguration<AuditFinding>
{
    public void Configure(EntityTypeBuilder<AuditFinding> e)
    {
        ArgumentNullException.ThrowIfNull(e);
        e.Property(f => f.PerformedBy).HasMaxLength(256);
        e.Property(f => f.Summary).HasMaxLength(2000);
        e.Property(f => f.Severity).HasConversion<string>().HasMaxLength(16);
        e.Property(f => f.Action).HasMaxLength(1000);
        e.Property(f => f.Owner).HasMaxLength(100);
        e.Property(f => f.ClosedBy).HasMaxLength(256);
        e.Property(f => f.ClosingNote).HasMaxLength(1000);
        e.HasIndex(f => f.ClosedAt);
    }
}
