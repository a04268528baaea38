using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Custos.Features.Incidents;

/// <summary>Where a suspected leak came to light (INC-2).</summary>
public enum IncidentSource
{
    /// <summary>Someone in the company reported it.</summary>
    Report = 0,

    /// <summary>An alert of the audit log's rules.</summary>
    Alert = 1,

    /// <summary>A leaked file traced to its copy (its canary row, its fingerprint).</summary>
    Copy = 2,

    /// <summary>An anonymous report (INC-4).</summary>
    Anonymous = 3,
}

[Contract]
public enum IncidentStatus
{
    Open = 0,

    /// <summary>The spread is stopped: a handler said so after containment.</summary>
    Contained = 1,

    Closed = 2,
}

/// <summary>The grades of 《国家网络安全事件报告管理办法》's grading guide; 较大 and above are reported to the authority within hours.</summary>
[Contract]
public enum IncidentGrade
{
    /// <summary>一般.</summary>
    General = 1,

    /// <summary>较大.</summary>
    Larger = 2,

    /// <summary>重大.</summary>
    Major = 3,

    /// <summary>特别重大.</summary>
    EspeciallyMajor = 4,
}

/// <summary>What a containment button does (INC-2, INC-3).</summary>
public enum ContainmentAction
{
    /// <summary>Suspends the person: sessions end, sign-in refused; reversible.</summary>
    SuspendPerson = 0,

    /// <summary>Ends the person's API tokens, grants and delegations and withdraws their requests; not reversible (they are asked for again).</summary>
    RevokeAccess = 1,

    /// <summary>Asks the holders of every print and lent archive still out to bring them back, and tells the compliance officers.</summary>
    RecallCopies = 2,

    /// <summary>Blocks a partner: no share to it, no sign-in of its people; reversible.</summary>
    BlockPartner = 3,
}

public enum IncidentStepKind
{
    Reported = 0,
    Triage = 1,
    Assessed = 2,
    Scope = 3,
    Containment = 4,
    Reversal = 5,
    AuthorityReport = 6,
    Notice = 7,
    Playbook = 8,
    Contained = 9,
    Closed = 10,
    Reminder = 11,
    Escalation = 12,
}

/// <summary>What is reported to the cyberspace authority, in order.</summary>
public enum AuthorityReportKind
{
    /// <summary>The first report, due within the legal clock (4 hours, 1 for critical information infrastructure).</summary>
    Initial = 0,

    /// <summary>A later report as the facts change.</summary>
    FollowUp = 1,

    /// <summary>The after-action summary, due within working days of the end of handling.</summary>
    Summary = 2,
}

/// <summary>
/// A suspected leak of customer information and how it was handled (INC-1..3): who reported it and when it was found,
/// the triage answer to INC-1's two questions, the grade and the legal clocks that follow from it, the containment
/// taken, the scope computed from the log, the reports to the authority, the PIPL notice, the review. Its steps are
/// <see cref="IncidentStep"/>s; every change is in the audit log too.
/// </summary>
public sealed class Incident
{
    public Guid Id { get; set; }

    /// <summary>The number people quote, e.g. INC-20261201-3F9A2C.</summary>
    public string Number { get; set; } = "";

    public string Title { get; set; } = "";

    public string Description { get; set; } = "";

    public IncidentSource Source { get; set; }

    /// <summary>The alert's number or the copy's serial it came from.</summary>
    public string? SourceRef { get; set; }

    public Guid? ReportedById { get; set; }

    public string ReportedByName { get; set; } = "";

    public DateTimeOffset ReportedAt { get; set; }

    /// <summary>When the leak was found or learnt of: the legal clocks run from here.</summary>
    public DateTimeOffset DiscoveredAt { get; set; }

    /// <summary>The person whose actions are in question, if one is named; never a handler of this incident.</summary>
    public Guid? SuspectId { get; set; }

    public string? SuspectName { get; set; }

    /// <summary>The holder of the copy in question: like the suspect, never a handler of this incident.</summary>
    public Guid? CopyHolderId { get; set; }

    /// <summary>The leaked copy's serial, if a file is in question.</summary>
    public string? CopySerial { get; set; }

    /// <summary>The partner involved, if any (for blocking).</summary>
    public Guid? PartnerId { get; set; }

    public IncidentStatus Status { get; set; }

    /// <summary>INC-1, first question: did information go beyond its permitted circle?</summary>
    public bool? WentBeyondCircle { get; set; }

    /// <summary>INC-1, second question: can it be shown that no unauthorised person learnt it?</summary>
    public bool? NoneLearntShown { get; set; }

    public DateTimeOffset? TriagedAt { get; set; }

    /// <summary>People whose information is affected, as the handler assessed it (at least the scope computed from the log).</summary>
    public long? AffectedPeople { get; set; }

    public IncidentGrade? Grade { get; set; }

    public DateTimeOffset? GradedAt { get; set; }

    /// <summary>Whether the company operated critical information infrastructure when the incident was graded (the 1-hour clock).</summary>
    public bool CriticalInfrastructure { get; set; }

    public DateTimeOffset? AuthorityDueAt { get; set; }

    public DateTimeOffset? AuthorityReportedAt { get; set; }

    /// <summary>When the handlers are reminded: a quarter of the window before the report is due.</summary>
    public DateTimeOffset? AuthorityRemindAt { get; set; }

    public DateTimeOffset? AuthorityRemindedAt { get; set; }

    public DateTimeOffset? AuthorityEscalatedAt { get; set; }

    public DateTimeOffset? ContainedAt { get; set; }

    public DateTimeOffset? ClosedAt { get; set; }

    public string? ClosedBy { get; set; }

    /// <summary>The post-incident review: cause, what worked, what changes.</summary>
    public string? Review { get; set; }

    /// <summary>The accountability findings (who answers for what; rewards and penalties follow from here).</summary>
    public string? Accountability { get; set; }

    public DateTimeOffset? SummaryDueAt { get; set; }

    public DateTimeOffset? SummaryReportedAt { get; set; }

    public DateTimeOffset? SummaryRemindedAt { get; set; }

    public DateTimeOffset? SummaryEscalatedAt { get; set; }

    /// <summary>When the handlers were told that the incident, an hour old, is still not graded (so its clock may not have started).</summary>
    public DateTimeOffset? GradeRemindedAt { get; set; }

    /// <summary>The PIPL art. 57 notice as drafted: kinds of information, cause, possible harm, measures, what individuals can do, contact.</summary>
    public string? NoticeKinds { get; set; }

    public string? NoticeCause { get; set; }

    public string? NoticeHarm { get; set; }

    public string? NoticeMeasures { get; set; }

    public string? NoticeAdvice { get; set; }

    public string? NoticeContact { get; set; }

    public DateTimeOffset? NoticeDraftedAt { get; set; }

    /// <summary>Customers in the last scope computed from the log.</summary>
    public int? ScopeCustomers { get; set; }

    /// <summary>Changes with every save: two handlers acting on what they read cannot overwrite each other.</summary>
    public Guid Stamp { get; set; }
}

/// <summary>One step of an incident's handling, as its timeline shows it.</summary>
public sealed class IncidentStep
{
    public Guid Id { get; set; }

    public Guid IncidentId { get; set; }

    public DateTimeOffset At { get; set; }

    public string ActorName { get; set; } = "";

    public IncidentStepKind Kind { get; set; }

    public ContainmentAction? Action { get; set; }

    /// <summary>A playbook step's code, a report's kind, a person's or partner's id: what the step concerns.</summary>
    public string? Target { get; set; }

    public string Detail { get; set; } = "";

    public DateTimeOffset? ReversedAt { get; set; }

    public string? ReversedBy { get; set; }
}

internal sealed class IncidentMapping : IEntityTypeConfiguration<Incident>
{
    public void Configure(EntityTypeBuilder<Incident> e)
    {
        ArgumentNullException.ThrowIfNull(e);
        e.Property(i => i.Number).HasMaxLength(32);
        e.HasIndex(i => i.Number).IsUnique();
        e.Property(i => i.Title).HasMaxLength(200);
        e.Property(i => i.Description).HasMaxLength(4000);
        e.Property(i => i.Source).HasConversion<string>().HasMaxLength(16);
        e.Property(i => i.Status).HasConversion<string>().HasMaxLength(16);
        e.Property(i => i.Grade).HasConversion<string>().HasMaxLength(24);
        e.Property(i => i.SourceRef).HasMaxLength(64);
        e.Property(i => i.ReportedByName).HasMaxLength(256);
        e.Property(i => i.SuspectName).HasMaxLength(256);
        e.Property(i => i.CopySerial).HasMaxLength(32);
        e.Property(i => i.ClosedBy).HasMaxLength(256);
        e.Property(i => i.Review).HasMaxLength(4000);
        e.Property(i => i.Accountability).HasMaxLength(2000);
        foreach (var notice in new[] { nameof(Incident.NoticeKinds), nameof(Incident.NoticeCause), nameof(Incident.NoticeHarm), nameof(Incident.NoticeMeasures), nameof(Incident.NoticeAdvice), nameof(Incident.NoticeContact) })
        {
            e.Property(notice).HasMaxLength(1000);
        }

        e.Property(i => i.Stamp).IsConcurrencyToken();
        e.HasIndex(i => new { i.Status, i.ReportedAt });
        // The clocks the worker watches: only incidents with a report still due.
        e.HasIndex(i => i.AuthorityDueAt).HasFilter("\"AuthorityReportedAt\" IS NULL");
        e.HasIndex(i => i.SuspectId);
        e.HasIndex(i => i.CopyHolderId);
        // One incident per alert, per traced copy, per anonymous report: two handlers opening it at once make one.
        e.HasIndex(i => new { i.Source, i.SourceRef }).IsUnique().HasFilter("\"SourceRef\" IS NOT NULL");
    }
}

internal sealed class IncidentStepMapping : IEntityTypeConfiguration<IncidentStep>
{
    public void Configure(EntityTypeBuilder<IncidentStep> e)
    {
        ArgumentNullException.ThrowIfNull(e);
        e.Property(s => s.ActorName).HasMaxLength(256);
        e.Property(s => s.Kind).HasConversion<string>().HasMaxLength(24);
        e.Property(s => s.Action).HasConversion<string>().HasMaxLength(24);
        e.Property(s => s.Target).HasMaxLength(64);
        e.Property(s => s.Detail).HasMaxLength(4000);
        e.Property(s => s.ReversedBy).HasMaxLength(256);
        e.HasIndex(s => new { s.IncidentId, s.At });
    }
}
