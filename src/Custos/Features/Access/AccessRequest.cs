using Custos.Kernel.Policy;

namespace Custos.Features.Access;

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

    /// <summary>Changes on every decision, so two approvers acting at once cannot both decide.</summary>
    public Guid Stamp { get; set; }

    public List<AccessApproval> Approvals { get; set; } = [];
}

/// <summary>One approver's answer to one step of a request, possibly on behalf of someone away (delegation).</summary>
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
