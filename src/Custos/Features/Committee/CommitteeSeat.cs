using Custos.Features.People;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Custos.Features.Committee;

/// <summary>A seat on the confidentiality committee (保密工作小组, ORG-1).</summary>
[Contract]
public enum CommitteePosition
{
    /// <summary>组长: leads the committee.</summary>
    Chair = 0,

    /// <summary>副组长.</summary>
    ViceChair = 1,

    /// <summary>组员.</summary>
    Member = 2,

    /// <summary>秘书: keeps the committee's records.</summary>
    Secretary = 3,
}

/// <summary>
/// One person's seat on the confidentiality committee (ORG-1): position, duties, term, and whether they own and
/// interpret the policy. The seat is the organisation's record; the power to decide — the <c>committee-member</c>
/// role the policy's approval chains can name, N of M — comes through the usual privilege approval and goes at once
/// when the seat ends.
/// </summary>
[Contract]
public sealed class CommitteeSeat
{
    public Guid Id { get; set; }

    public Guid PersonId { get; set; }

    public CommitteePosition Position { get; set; }

    public string Duties { get; set; } = "";

    /// <summary>The owner and interpreter of the confidentiality policy (制度解释).</summary>
    public bool PolicyOwner { get; set; }

    public DateOnly StartsOn { get; set; }

    public DateOnly EndsOn { get; set; }

    public DateTimeOffset AppointedAt { get; set; }

    public string AppointedByName { get; set; } = "";

    /// <summary>The request that gives the seat its role, decided by the privilege approvers.</summary>
    public Guid? RoleRequestId { get; set; }

    /// <summary>When the compliance officers were told that the term ends soon.</summary>
    public DateTimeOffset? RemindedAt { get; set; }

    public DateTimeOffset? EndedAt { get; set; }

    public string? EndedReason { get; set; }

    /// <summary>Designated to read and answer anonymous reports (INC-4): only such members see them.</summary>
    public bool HandlesReports { get; set; }
}

internal sealed class CommitteeSeatMapping : IEntityTypeConfiguration<CommitteeSeat>
{
    public void Configure(EntityTypeBuilder<CommitteeSeat> e)
    {
        ArgumentNullException.ThrowIfNull(e);
        e.Property(s => s.Position).HasConversion<string>().HasMaxLength(20);
        e.Property(s => s.Duties).HasMaxLength(500);
        e.Property(s => s.AppointedByName).HasMaxLength(256);
        e.Property(s => s.EndedReason).HasMaxLength(500);
        e.HasIndex(s => new { s.PersonId, s.EndedAt });
        e.HasOne<Person>().WithMany().HasForeignKey(s => s.PersonId).OnDelete(DeleteBehavior.Restrict);
    }
}
