namespace Custos.Kernel.Policy;

/// <summary>A request as the approval rules see it: who asked, for which department and project, who has approved so far.</summary>
/// <param name="Approvals">Every approval so far, step by step, in order; a delegate's approval is its principal's.</param>
/// <param name="Operator">For a destruction: the person who will carry it out; never its witness.</param>
/// <param name="Delegates">People who approved as someone's delegate: they may not approve again either.</param>
/// <param name="Beneficiary">Whom the request gives something to when that is not the requester (a role change for a colleague): they may not approve it.</param>
public sealed record ApprovalSubject(
    RequestKind Kind,
    Guid Requester,
    Guid? Department,
    Guid? Project,
    IReadOnlyList<(int Step, Guid Approver)> Approvals,
    Guid? Operator = null,
    IReadOnlyCollection<Guid>? Delegates = null,
    Guid? Beneficiary = null)
{
    public bool Answered(Guid person) => Approvals.Any(a => a.Approver == person) || (Delegates?.Contains(person) ?? false);
}

public enum ApprovalVerdict
{
    MayApprove = 0,
    OwnRequest = 1,
    AlreadyApproved = 2,
    NotAnApprover = 3,
    OperatorIsWitness = 4,
    NoStepLeft = 5,

    /// <summary>A change of rights, and the approver administers rights.</summary>
    AdministersRights = 6,
}

/// <summary>Approver chains and separation of duties (ACC-4, PRT-1, EXP-1, DST-2).</summary>
public static class ApprovalRules
{
    /// <summary>The step waiting for approvals, or -1 when every step has its count.</summary>
    public static int CurrentStep(IReadOnlyList<ApprovalStep> chain, ApprovalSubject request)
    {
        ArgumentNullException.ThrowIfNull(chain);
        ArgumentNullException.ThrowIfNull(request);
        for (var i = 0; i < chain.Count; i++)
        {
            if (request.Approvals.Count(a => a.Step == i) < chain[i].Count)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>
    /// Whether the approver may approve the current step. Nobody approves their own request or twice.
    /// <paramref name="chain"/> is the chain the request was filed under (a policy loaded since does not move its steps);
    /// by default the engine's.
    /// </summary>
    public static ApprovalVerdict Check(PolicyEngine engine, ApprovalSubject request, PolicySubject approver, PolicyContext context, IReadOnlyList<ApprovalStep>? chain = null)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(approver);
        chain ??= engine.ChainFor(request.Kind);
        var step = CurrentStep(chain, request);
        if (step < 0)
        {
            return ApprovalVerdict.NoStepLeft;
        }

        if (approver.Id == request.Requester || approver.Id == request.Beneficiary)
        {
            return ApprovalVerdict.OwnRequest;
        }

        if (request.Operator == approver.Id)
        {
            return ApprovalVerdict.OperatorIsWitness;
        }

        if (request.Answered(approver.Id))
        {
            return ApprovalVerdict.AlreadyApproved;
        }

        if (IsRightsChange(request.Kind) && engine.Administers(approver))
        {
            // Those who administer rights never approve them: two administrators cannot approve each other's requests.
            return ApprovalVerdict.AdministersRights;
        }

        var rule = chain[step];
        if (!approver.Roles.Contains(rule.Role, StringComparer.Ordinal) || !Related(rule.Of, approver, request))
        {
            return ApprovalVerdict.NotAnApprover;
        }

        // The approver's own standing: active, from an allowed network, at an allowed time.
        return engine.Decide(approver, PolicyAction.Approve, PolicyResource.Nothing, context).Allowed
            ? ApprovalVerdict.MayApprove
            : ApprovalVerdict.NotAnApprover;
    }

    /// <summary>Requests that change who may see what: roles, memberships, clearance, the policy.</summary>
    public static bool IsRightsChange(RequestKind kind) => kind is RequestKind.RoleChange or RequestKind.PrivilegeChange or RequestKind.PolicyChange;

    /// <summary>Whether the person could ever be asked for the step (used to find whom to notify).</summary>
    public static bool Eligible(PolicyEngine engine, ApprovalStep step, PolicySubject person, ApprovalSubject request)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(step);
        ArgumentNullException.ThrowIfNull(person);
        ArgumentNullException.ThrowIfNull(request);
        return person.Active && !(IsRightsChange(request.Kind) && engine.Administers(person)) && person.Id != request.Requester && person.Id != request.Operator && person.Id != request.Beneficiary
            && person.Roles.Contains(step.Role, StringComparer.Ordinal) && Related(step.Of, person, request)
            && !request.Answered(person.Id);
    }

    private static bool Related(ApproverRelation relation, PolicySubject approver, ApprovalSubject request) => relation switch
    {
        ApproverRelation.Department => request.Department is { } d && approver.Departments.Contains(d),
        ApproverRelation.Project => request.Project is { } p && approver.Projects.Contains(p),
        _ => true,
    };
}
