using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Custos.Features.Oversight;

public enum InspectionStatus
{
    /// <summary>In the plan; the checklist is filled in on the day.</summary>
    Planned = 0,

    /// <summary>The report is issued; rectification orders run until re-inspection.</summary>
    Reported = 1,

    /// <summary>Re-inspected and passed.</summary>
    Closed = 2,
}

public enum CheckResult
{
    Pass = 0,
    Fail = 1,
    NotApplicable = 2,
}

/// <summary>
/// The compliance department's inspection of one project in a two-month cycle (AUD-4): planned, the checklist filled
/// in with evidence from the log for the two months before, findings graded (a major hidden danger names the project
/// in a bulletin to the general manager and the committee), rectification orders with deadlines, re-inspection.
/// </summary>
public sealed class Inspection
{
    public Guid Id { get; set; }

    /// <summary>IN-{project code}-{yyyyMM of the cycle's first month}.</summary>
    public string Number { get; set; } = "";

    public Guid ProjectId { get; set; }

    public Guid DepartmentId { get; set; }

    /// <summary>The cycle's first month, yyyy-MM (January, March, May, July, September, November).</summary>
    public string Cycle { get; set; } = "";

    public DateOnly PlannedOn { get; set; }

    public Guid? InspectorId { get; set; }

    public string? InspectorName { get; set; }

    public InspectionStatus Status { get; set; }

    public int TemplateVersion { get; set; }

    public string Title { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset MeasuredFrom { get; set; }

    public DateTimeOffset MeasuredTo { get; set; }

    public DateTimeOffset? ReportedAt { get; set; }

    public string? ReportedBy { get; set; }

    public string? Summary { get; set; }

    public DateTimeOffset? ReInspectedAt { get; set; }

    public string? ReInspectedBy { get; set; }

    public string? ReInspectionNote { get; set; }

    public DateTimeOffset? EscalatedAt { get; set; }

    public Guid Stamp { get; set; }

    public List<InspectionItem> Items { get; } = [];
}

public sealed class InspectionItem
{
    public Guid Id { get; set; }

    public Guid InspectionId { get; set; }

    public int Order { get; set; }

    public string Code { get; set; } = "";

    public string? Title { get; set; }

    public string? Measure { get; set; }

    public long? Value { get; set; }

    public CheckResult? Result { get; set; }

    public string? Note { get; set; }
}

internal sealed class InspectionMapping : IEntityTypeConfiguration<Inspection>
{
    public void Configure(EntityTypeBuilder<Inspection> e)
    {
        e.ToTable("Inspections");
        e.HasKey(i => i.Id);
        e.HasIndex(i => i.Number).IsUnique();
        e.HasIndex(i => new { i.ProjectId, i.Cycle }).IsUnique();
        e.HasIndex(i => new { i.Status, i.PlannedOn });
        e.Property(i => i.Number).HasMaxLength(64);
        e.Property(i => i.Cycle).HasMaxLength(7);
        e.Property(i => i.InspectorName).HasMaxLength(256);
        e.Property(i => i.Title).HasMaxLength(200);
        e.Property(i => i.ReportedBy).HasMaxLength(256);
        e.Property(i => i.Summary).HasMaxLength(RiskAssessmentService.MaxText);
        e.Property(i => i.ReInspectedBy).HasMaxLength(256);
        e.Property(i => i.ReInspectionNote).HasMaxLength(RiskAssessmentService.MaxText);
        e.Property(i => i.Stamp).IsConcurrencyToken();
        e.HasMany(i => i.Items).WithOne().HasForeignKey(x => x.InspectionId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class InspectionItemMapping : IEntityTypeConfiguration<InspectionItem>
{
    public void Configure(EntityTypeBuilder<InspectionItem> e)
    {
        e.ToTable("InspectionItems");
        e.HasKey(i => i.Id);
        e.HasIndex(i => new { i.InspectionId, i.Code }).IsUnique();
        e.Property(i => i.Code).HasMaxLength(32);
        e.Property(i => i.Title).HasMaxLength(200);
        e.Property(i => i.Measure).HasMaxLength(32);
        e.Property(i => i.Note).HasMaxLength(RiskAssessmentService.MaxText);
    }
}
