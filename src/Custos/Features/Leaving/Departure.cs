using Custos.Features.People;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Custos.Features.Leaving;

/// <summary>Why someone leaves: on a known last working day, or dismissed with effect at once.</summary>
[Contract]
public enum DepartureKind
{
    /// <summary>Resignation, the end of a contract, a transfer out: access ends after the last working day.</summary>
    Departure = 0,

    /// <summary>Dismissal: every session, token and grant ends at once.</summary>
    Dismissal = 1,
}

/// <summary>How the person acknowledged the duties that continue after they leave (PPL-1, PPL-3).</summary>
[Contract]
public enum ExitStatementKind
{
    /// <summary>Signed in Custos by the person, confirmed with their password or authenticator code.</summary>
    Signed = 0,

    /// <summary>Signed on paper; recorded by an administrator or compliance officer who saw it.</summary>
    Paper = 1,

    /// <summary>The person refused to sign; recorded with who witnessed the refusal.</summary>
    Refused = 2,
}

/// <summary>
/// A person's leaving file (PPL-3): the last working day, the end of their access on every node, the hand-over to a
/// named successor (confirmed by the successor, then by the department head), the exit statement, and the closure —
/// which waits until no print or lent archive of theirs is still out. One per person; each step is in the audit log.
/// </summary>
[Contract]
public sealed class Departure
{
    public Guid Id { get; set; }

    public Guid PersonId { get; set; }

    public DepartureKind Kind { get; set; }

    public DateOnly LastWorkingDay { get; set; }

    public string Reason { get; set; } = "";

    public DateTimeOffset RecordedAt { get; set; }

    public string RecordedByName { get; set; } = "";

    public Guid? SuccessorId { get; set; }

    public DateTimeOffset? SuccessorConfirmedAt { get; set; }

    public DateTimeOffset? HeadConfirmedAt { get; set; }

    public string? HeadConfirmedByName { get; set; }

    /// <summary>The requests filed for the successor when the hand-over was confirmed (comma-separated ids), decided by the usual approvers.</summary>
    public string? SuccessorRequests { get; set; }

    /// <summary>When every session, token, grant, delegation and open request of the person was ended.</summary>
    public DateTimeOffset? AccessEndedAt { get; set; }

    public ExitStatementKind? Statement { get; set; }

    public DateTimeOffset? StatementAt { get; set; }

    /// <summary>SHA-256 of the statement's text as signed or shown.</summary>
    public string? StatementSha256 { get; set; }

    /// <summary>How a signature was confirmed (password, totp), or who recorded a paper statement or a refusal.</summary>
    public string? StatementBy { get; set; }

    public string? StatementNote { get; set; }

    /// <summary>When the compliance officers were told that prints or lent archives are still out after the last day.</summary>
    public DateTimeOffset? CopiesEscalatedAt { get; set; }

    public DateTimeOffset? ClosedAt { get; set; }

    public string? ClosedByName { get; set; }

    /// <summary>Changes on every step, so two people acting at once cannot both act on the same state.</summary>
    public Guid Stamp { get; set; }

    public List<HandoverItem> Items { get; } = [];
}

/// <summary>What a leaving person hands over: a department or project the successor is asked into, a role they held, a grant that ended, a decision waiting for them.</summary>
[Contract]
public enum HandoverKind
{
    Department = 0,
    Project = 1,
    Role = 2,
    Clearance = 3,
    Grant = 4,
    Approval = 5,
}

/// <summary>One line of a hand-over list, as it stood when the successor was named. Never customer information: codes, names and ids only.</summary>
[Contract]
public sealed class HandoverItem
{
    public Guid Id { get; set; }

    public Guid DepartureId { get; set; }

    public HandoverKind Kind { get; set; }

    /// <summary>A department or project code, a role name, a clearance, a grant or request id.</summary>
    public string Reference { get; set; } = "";

    /// <summary>What the line says to people: a department's or project's name, a grant's scope.</summary>
    public string Label { get; set; } = "";
}

internal sealed class DepartureMapping : IEntityTypeConfiguration<Departure>
{
    public void Configure(EntityTypeBuilder<Departure> e)
    {
        ArgumentNullException.ThrowIfNull(e);
        e.Property(d => d.Kind).HasConversion<string>().HasMaxLength(20);
        e.Property(d => d.Statement).HasConversion<string>().HasMaxLength(20);
        e.Property(d => d.Reason).HasMaxLength(500);
        e.Property(d => d.RecordedByName).HasMaxLength(256);
        e.Property(d => d.HeadConfirmedByName).HasMaxLength(256);
        e.Property(d => d.StatementSha256).HasMaxLength(64);
        e.Property(d => d.StatementBy).HasMaxLength(256);
        e.Property(d => d.StatementNote).HasMaxLength(500);
        e.Property(d => d.ClosedByName).HasMaxLength(256);
        e.Property(d => d.Stamp).IsConcurrencyToken();
        e.HasIndex(d => d.PersonId).IsUnique();
        e.HasIndex(d => d.SuccessorId);
        e.HasOne<Person>().WithMany().HasForeignKey(d => d.PersonId).OnDelete(DeleteBehavior.Restrict);
        e.HasMany(d => d.Items).WithOne().HasForeignKey(i => i.DepartureId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class HandoverItemMapping : IEntityTypeConfiguration<HandoverItem>
{
    public void Configure(EntityTypeBuilder<HandoverItem> e)
    {
        ArgumentNullException.ThrowIfNull(e);
        e.Property(i => i.Kind).HasConversion<string>().HasMaxLength(20);
        e.Property(i => i.Reference).HasMaxLength(100);
        e.Property(i => i.Label).HasMaxLength(300);
        e.HasIndex(i => i.DepartureId);
    }
}
