using System.Net;

namespace Custos.Kernel.Policy;

/// <summary>Which customers a role reaches without a grant (ACC-1).</summary>
public enum CustomerScope
{
    /// <summary>No customers at all (IT administrator, auditor).</summary>
    None = 0,

    /// <summary>Only the customers of the person's projects (partners, outsourced staff).</summary>
    Projects = 1,

    /// <summary>The customers of the person's departments and projects: least knowledge.</summary>
    Own = 2,

    /// <summary>Every customer.</summary>
    All = 3,
}

/// <summary>A daily window in the policy's time zone; <c>End</c> before <c>Start</c> spans midnight.</summary>
public readonly record struct TimeWindow(TimeOnly Start, TimeOnly End)
{
    public bool Contains(TimeOnly time) => Start <= End ? time >= Start && time < End : time >= Start || time < End;

    public override string ToString() => $"{Start:HH\\:mm}-{End:HH\\:mm}";
}

/// <summary>What one role may do: directly, or only with an approved request (a grant).</summary>
/// <param name="Networks">Where the role may work from; empty means the policy's default networks.</param>
/// <param name="Hours">When the role may work; null means at any time.</param>
public sealed record RolePolicy(
    string Name,
    CustomerScope Scope,
    ActionSet Allow,
    ActionSet WithApproval,
    IReadOnlyList<string> Networks,
    TimeWindow? Hours);

/// <summary>Who approves one kind of request: every step in order, each by <c>Count</c> different people.</summary>
public sealed record ApprovalStep(string Role, ApproverRelation Of, int Count);

public enum ApproverRelation
{
    /// <summary>Anyone with the role.</summary>
    Anyone = 0,

    /// <summary>Someone with the role in the department of the customers concerned (department head).</summary>
    Department = 1,

    /// <summary>Someone with the role in the project of the customers concerned (project manager).</summary>
    Project = 2,
}

/// <summary>The kinds of request that go through approval.</summary>
public enum RequestKind
{
    Access = 0,
    Reveal = 1,
    Import = 2,
    Export = 3,
    Print = 4,
    ShareExternal = 5,
    Destroy = 6,

    /// <summary>Giving a person customer access: a role that reaches customers, a department or project, a higher clearance.</summary>
    RoleChange = 7,

    /// <summary>Giving a person a privileged role: one that approves, audits or administers, or reaches every customer.</summary>
    PrivilegeChange = 8,

    /// <summary>Putting a new version of the access policy in force.</summary>
    PolicyChange = 9,
}

/// <summary>Timing of requests: unanswered requests expire, approvers are reminded, grants are bounded.</summary>
public sealed record RequestTimings(int ExpireAfterHours, int RemindAfterHours, int MaxGrantDays);

/// <summary>Conditions on the person before any customer information is shown (PPL-1, PPL-2).</summary>
public sealed record Preconditions(bool RequireNda, bool RequireTraining);

/// <summary>
/// A whole access policy: roles, networks, working hours, preconditions and approval chains. Built by
/// the policy file reader or by <see cref="DefaultPolicy"/>; compiled into a <see cref="PolicyEngine"/>.
/// </summary>
public sealed record PolicyDocument(
    int Version,
    IReadOnlyDictionary<string, RolePolicy> Roles,
    IReadOnlyDictionary<string, IReadOnlyList<IPNetwork>> Networks,
    IReadOnlyList<string> DefaultNetworks,
    TimeSpan UtcOffset,
    Preconditions Preconditions,
    IReadOnlyDictionary<RequestKind, IReadOnlyList<ApprovalStep>> Approvals,
    RequestTimings Requests);
