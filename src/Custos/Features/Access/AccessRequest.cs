using Custos.Kernel.Policy;
using Custos.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Custos.Features.Access;

[Contract]
public enum RequestStatus
{
    Pending = 0,
    Approved = 1,
    Rejected = 2,
    Expired = 3,
    Withdrawn = 4,
}

/// <summary>
/// A request for something the policy allows only with approval (ACC-4, PRT-1, EXP-1, DST-2): access to
/// customers outside one's scope, a reveal above one's clearance, an import, export, print, external share,
/// destruction or role change. Its approver chain is fixed by the policy version in force when it was made.
/// </summary>
public sealed class AccessRequest
{
    public Guid Id { get; set; }

    public RequestKind Kind { get; set; }

    public RequestStatus Status { get; set; }

    public Guid RequesterId { get; set; }

    public string RequesterName { get; set; } = "";

    public Guid? CustomerId { get; set; }

    public Guid? DepartmentId { get; set; }

    public Guid? ProjectId { get; set; }

    public string? Field { get; set; }

    /// <summary>Action names the grant will carry, comma-separated.</summary>
    public string Actions { get; set; } = "";

    public bool ViewOnly { get; set; }

    public int GrantHours { get; set; }

    /// <summary>Why, in the requester's words. Shown to approvers; the form says not to put customer data in it.</summary>
    public string Reason { get; set; } = "";

    /// <summary>For a destruction: who will carry it out; the witness must be someone else (DST-2).</summary>
    public Guid? OperatorId { get; set; }

    /// <summary>For a change of rights: whose rights, and (for requests made before <see cref="Change"/>) the one role asked for.</summary>
    public Guid? SubjectPersonId { get; set; }

    public string? Role { get; set; }

    /// <summary>
    /// What the request would put in force: for a change of rights the roles, memberships and clearance asked for
    /// (<see cref="People.RightsChange"/> as JSON); for a policy change the policy file's text.
    /// </summary>
    public string? Change { get; set; }

    public int PolicyVersion { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    public DateTimeOffset? RemindedAt { get; set; }

    public DateTimeOffset? EscalatedAt { get; set; }

    public DateTimeOffset? DecidedAt { get; set; }

    public Guid? GrantId { get; set; }

    /// <summary>For a share outside the company: the partner it may go to, from the register (EXP-1).</summary>
    public Guid? PartnerId { get; set; }

    /// <summary>Changes on every decision, so two approvers acting at once cannot both decide.</summary>
    public Guid Stamp { get; set; }

    public List<AccessApproval> Approvals { get; set; } = [];
}

/// <summary>One approver's answer to one step of a request, possibly on behalf of someone away (delegation).</summary>
[Contract]
public sealed class AccessApproval
{
    public Guid Id { get; set; }

    public Guid RequestId { get; set; }

    public int Step { get; set; }

    public Guid ApproverId { get; set; }

    public string ApproverName { get; set; } = "";

    /// <summary>The person the approver stood in for, when acting as a delegate.</summary>
    public Guid? OnBehalfOfId { get; set; }

    public bool Approved { get; set; }

    public string? Note { get; set; }

    public DateTimeOffset At { get; set; }
}

/// <summary>While someone is away, another person approves in their place (within the same rules).</summary>
public sealed class Delegation
{
    public Guid Id { get; set; }

    public Guid FromId { get; set; }

    public Guid ToId { get; set; }

    public DateTimeOffset Starts { get; set; }

    public DateTimeOffset Ends { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }
}

/// <summary>How <see cref="AccessRequest"/> is stored.</summary>
internal sealed class AccessRequestMapping : IEntityTypeConfiguration<AccessRequest>
{
    public void Configure(EntityTypeBuilder<AccessRequest> e)
    {
        ArgumentNullException.ThrowIfNull(e);
        e.Property(r => r.Kind).HasConversion<string>().HasMaxLength(20);
        e.Property(r => r.Status).HasConversion<string>().HasMaxLength(16);
        e.Property(r => r.RequesterName).HasMaxLength(256);
        e.Property(r => r.Field).HasMaxLength(64);
        e.Property(r => r.Actions).HasMaxLength(200);
        e.Property(r => r.Reason).HasMaxLength(500);
        e.Property(r => r.Role).HasMaxLength(64);
        e.Property(r => r.Stamp).IsConcurrencyToken();
        e.HasMany(r => r.Approvals).WithOne().HasForeignKey(a => a.RequestId).OnDelete(DeleteBehavior.Restrict);
        e.HasIndex(r => new { r.Status, r.ExpiresAt });
        e.HasIndex(r => new { r.RequesterId, r.CreatedAt });
        e.HasIndex(r => new { r.SubjectPersonId, r.Status });
    }
}

/// <summary>How <see cref="AccessApproval"/> is stored.</summary>
internal sealed class AccessApprovalMapping : IEntityTypeConfiguration<AccessApproval>
{
    public void Configure(EntityTypeBuilder<AccessApproval> e)
    {
        ArgumentNullException.ThrowIfNull(e);
        e.Property(a => a.ApproverName).HasMaxLength(256);
        e.Property(a => a.Note).HasMaxLength(500);
        // One answer per person per request, whatever the race.
        e.HasIndex(a => new { a.RequestId, a.ApproverId }).IsUnique();
    }
}

/// <summary>How <see cref="Delegation"/> is stored.</summary>
internal sealed class DelegationMapping : IEntityTypeConfiguration<Delegation>
{
    public void Configure(EntityTypeBuilder<Delegation> e)
    {
        ArgumentNullException.ThrowIfNull(e);
        e.HasIndex(d => new { d.ToId, d.Ends });
    }
}
