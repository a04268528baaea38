using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Custos.Features.Oversight;

public enum AssessmentStatus
{
    /// <summary>Opened for the month; the department head answers and scores.</summary>
    Open = 0,

    /// <summary>Signed off by the department head; no more changes; waits for compliance's review.</summary>
    SignedOff = 1,

    /// <summary>Reviewed by a compliance officer.</summary>
    Reviewed = 2,
}

/// <summary>
/// A department's monthly confidentiality risk assessment 《客户信息保密风险评估表》 (AUD-3): opened on the first working
/// day of the month with its items measured from live data for the month before, answered and scored by the
/// department head, signed off, reviewed by compliance.
/// </summary>
public sealed class RiskAssessment
{
    public Guid Id { get; set; }

    /// <summary>RA-{department code}-{yyyyMM}.</summary>
    public string Number { get; set; } = "";

    public Guid DepartmentId { get; set; }

    /// <summary>The month assessed as yyyy-MM; the measures cover the month before it was opened.</summary>
    public string Period { get; set; } = "";

    /// <summary>The template the items came from: 0 the built-in one.</summary>
    public int TemplateVersion { get; set; }

    /// <summary>The template's title, as the form is headed.</summary>
    public string Title { get; set; } = "";

    public AssessmentStatus Status { get; set; }

    public DateTimeOffset OpenedAt { get; set; }

    /// <summary>Start and end (exclusive) of what the measures cover.</summary>
    public DateTimeOffset MeasuredFrom { get; set; }

    public DateTimeOffset MeasuredTo { get; set; }

    public DateTimeOffset DueAt { get; set; }

    public DateTimeOffset? RemindedAt { get; set; }

    public DateTimeOffset? EscalatedAt { get; set; }

    public Guid? SignedOffById { get; set; }

    public string? SignedOffBy { get; set; }

    public DateTimeOffset? SignedOffAt { get; set; }

    public string? Conclusion { get; set; }

    public Guid? ReviewedById { get; set; }

    public string? ReviewedBy { get; set; }

    public DateTimeOffset? ReviewedAt { get; set; }

    public string? ReviewNote { get; set; }

    /// <summary>Changes with every save: a page acting on a stale copy is told.</summary>
    public Guid Stamp { get; set; }

    public List<RiskItem> Items { get; } = [];
}

/// <summary>One line of the form: what was measured, the head's answer, likelihood and impact (1–5 each).</summary>
public sealed class RiskItem
{
    public Guid Id { get; set; }

    public Guid AssessmentId { get; set; }

    public int Order { get; set; }

    public string Code { get; set; } = "";

    /// <summary>The template's own title; null for the built-in template's items (titled by the page's language).</summary>
    public string? Title { get; set; }

    /// <summary>What was measured (a <see cref="RiskMeasures"/> code), or null for an item answered by hand.</summary>
    public string? Measure { get; set; }

    public long? Value { get; set; }

    public string? Answer { get; set; }

    public int? Likelihood { get; set; }

    public int? Impact { get; set; }

    public int? Score => Likelihood * Impact;
}

public enum FindingSource
{
    Assessment = 0,
    Inspection = 1,
}

/// <summary>An inspection finding's grade; a major hidden danger (重大隐患) names the project in a bulletin (AUD-4).</summary>
public enum FindingGrade
{
    Minor = 1,
    General = 2,

    /// <summary>重大隐患.</summary>
    MajorHiddenDanger = 3,
}

public enum FindingStatus
{
    /// <summary>To be corrected by its owner.</summary>
    Open = 0,

    /// <summary>The owner says it is corrected; waits for verification.</summary>
    Done = 1,

    /// <summary>Someone other than the owner checked it is corrected.</summary>
    Verified = 2,
}

/// <summary>A finding and its corrective action (整改): an owner, a due date, tracked until closed and verified.</summary>
public sealed class CorrectiveAction
{
    public Guid Id { get; set; }

    public FindingSource Source { get; set; }

    /// <summary>How grave an inspection's finding is (none for an assessment's).</summary>
    public FindingGrade? Grade { get; set; }

    /// <summary>The assessment (or inspection) it was found in.</summary>
    public Guid SourceId { get; set; }

    public string SourceNumber { get; set; } = "";

    /// <summary>The item it is about, when it is about one.</summary>
    public string? ItemCode { get; set; }

    public Guid DepartmentId { get; set; }

    public string Description { get; set; } = "";

    public string Action { get; set; } = "";

    public Guid OwnerId { get; set; }

    public string OwnerName { get; set; } = "";

    public DateOnly DueOn { get; set; }

    public FindingStatus Status { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public string CreatedBy { get; set; } = "";

    public DateTimeOffset? DoneAt { get; set; }

    public string? DoneNote { get; set; }

    public Guid? VerifiedById { get; set; }

    public string? VerifiedBy { get; set; }

    public DateTimeOffset? VerifiedAt { get; set; }

    public DateTimeOffset? RemindedAt { get; set; }

    public DateTimeOffset? EscalatedAt { get; set; }

    /// <summary>The last time a verifier sent it back, who and why (shown to the owner).</summary>
    public DateTimeOffset? RefusedAt { get; set; }

    public string? RefusedBy { get; set; }

    public string? RefusalNote { get; set; }

    /// <summary>Changes with every save: two verifiers at once, the second is told.</summary>
    public Guid Stamp { get; set; }
}

public enum TemplateKind
{
    /// <summary>The monthly risk assessment form (AUD-3).</summary>
    Assessment = 0,

    /// <summary>The bimonthly inspection checklist (AUD-4).</summary>
    Inspection = 1,
}

/// <summary>A published version of the assessment template or the inspection checklist (a YAML file, like the policy).</summary>
public sealed class AssessmentTemplate
{
    public TemplateKind Kind { get; set; }

    public int Version { get; set; }

    public string Content { get; set; } = "";

    public string PublishedBy { get; set; } = "";

    public DateTimeOffset PublishedAt { get; set; }
}

internal sealed class RiskAssessmentMapping : IEntityTypeConfiguration<RiskAssessment>
{
    public void Configure(EntityTypeBuilder<RiskAssessment> e)
    {
        e.ToTable("RiskAssessments");
        e.HasKey(a => a.Id);
        e.HasIndex(a => a.Number).IsUnique();
        e.HasIndex(a => new { a.DepartmentId, a.Period }).IsUnique();
        e.HasIndex(a => new { a.Status, a.DueAt });
        e.Property(a => a.Number).HasMaxLength(64);
        e.Property(a => a.Period).HasMaxLength(7);
        e.Property(a => a.Title).HasMaxLength(200);
        e.Property(a => a.SignedOffBy).HasMaxLength(256);
        e.Property(a => a.ReviewedBy).HasMaxLength(256);
        e.Property(a => a.Conclusion).HasMaxLength(RiskAssessmentService.MaxText);
        e.Property(a => a.ReviewNote).HasMaxLength(RiskAssessmentService.MaxText);
        e.Property(a => a.Stamp).IsConcurrencyToken();
        e.HasMany(a => a.Items).WithOne().HasForeignKey(i => i.AssessmentId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class RiskItemMapping : IEntityTypeConfiguration<RiskItem>
{
    public void Configure(EntityTypeBuilder<RiskItem> e)
    {
        e.ToTable("RiskItems");
        e.HasKey(i => i.Id);
        e.HasIndex(i => new { i.AssessmentId, i.Code }).IsUnique();
        e.Property(i => i.Code).HasMaxLength(32);
        e.Property(i => i.Title).HasMaxLength(200);
        e.Property(i => i.Measure).HasMaxLength(32);
        e.Property(i => i.Answer).HasMaxLength(RiskAssessmentService.MaxText);
        e.Ignore(i => i.Score);
    }
}

internal sealed class CorrectiveActionMapping : IEntityTypeConfiguration<CorrectiveAction>
{
    public void Configure(EntityTypeBuilder<CorrectiveAction> e)
    {
        e.ToTable("CorrectiveActions");
        e.HasKey(f => f.Id);
        e.HasIndex(f => f.SourceId);
        e.HasIndex(f => new { f.Status, f.DueOn });
        e.HasIndex(f => f.OwnerId);
        e.Property(f => f.SourceNumber).HasMaxLength(64);
        e.Property(f => f.ItemCode).HasMaxLength(32);
        e.Property(f => f.Description).HasMaxLength(RiskAssessmentService.MaxText);
        e.Property(f => f.Action).HasMaxLength(RiskAssessmentService.MaxText);
        e.Property(f => f.OwnerName).HasMaxLength(256);
        e.Property(f => f.CreatedBy).HasMaxLength(256);
        e.Property(f => f.DoneNote).HasMaxLength(RiskAssessmentService.MaxText);
        e.Property(f => f.VerifiedBy).HasMaxLength(256);
        e.Property(f => f.RefusedBy).HasMaxLength(256);
        e.Property(f => f.RefusalNote).HasMaxLength(RiskAssessmentService.MaxText);
        e.Property(f => f.Stamp).IsConcurrencyToken();
    }
}

internal sealed class AssessmentTemplateMapping : IEntityTypeConfiguration<AssessmentTemplate>
{
    public void Configure(EntityTypeBuilder<AssessmentTemplate> e)
    {
        e.ToTable("AssessmentTemplates");
        e.HasKey(t => new { t.Kind, t.Version });
        e.Property(t => t.Version).ValueGeneratedNever();
        e.Property(t => t.PublishedBy).HasMaxLength(256);
    }
}
