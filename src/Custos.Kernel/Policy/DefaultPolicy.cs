namespace Custos.Kernel.Policy;

/// <summary>
/// The policy Custos starts with, following the seed policies: the IT administrator manages accounts
/// and permissions; information officers may do everything but bulk import and export; staff enter and
/// view; prints need the department manager's approval (PRT-1); information leaves the company only with
/// the general manager's approval (EXP-1); destruction is approved by the department head and witnessed
/// by the compliance officer (DST-2). Only private networks reach customer information (ACC-6).
/// </summary>
public static class DefaultPolicy
{
    public const string PrivateNetworks = "private";

    public static readonly string Yaml = """
        # Custos access policy. Load a changed copy with: custos policy load FILE
        version: 1
        timezone: "+08:00"
        preconditions:
          nda: false          # true: nobody sees customer information without a signed confidentiality agreement
          training: false     # true: ... nor with confidentiality training out of date
        networks:
          private: [10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 127.0.0.0/8, "::1/128", "fc00::/7"]
        default-networks: [private]
        roles:
          it-admin:
            scope: none
            allow: [administer, approve]
          information-officer:
            scope: own
            allow: [list, view-masked, reveal, edit, create]
            with-approval: [print, destroy]
          staff:
            scope: own
            allow: [list, view-masked, reveal, edit, create]
            with-approval: [print]
          department-head:
            scope: own
            allow: [list, view-masked, reveal, edit, create, import, approve]
            with-approval: [export, print, share-external, destroy]
          project-manager:
            scope: own
            allow: [list, view-masked, reveal, edit, create, import, approve]
            with-approval: [export, print, share-external, destroy]
          compliance-officer:
            scope: own
            allow: [list, view-masked, reveal, approve, audit]
          general-manager:
            scope: own
            allow: [list, view-masked, reveal, approve]
            with-approval: [export, share-external]
          auditor:
            scope: none
            allow: [audit]
          partner:
            scope: projects
            allow: [list, view-masked, reveal]
          committee-member:     # the confidentiality committee (ORG-1): a chain may name it, e.g. [{role: committee-member, count: 3}]
            scope: none
            allow: [approve]
        approvals:
          access: [{role: department-head, of: department}]
          reveal: [{role: department-head, of: department}]
          import: [{role: department-head, of: department}]
          export: [{role: department-head, of: department}]
          print: [{role: department-head, of: department}]
          share-external: [{role: department-head, of: department}, {role: general-manager}]
          destroy: [{role: department-head, of: department}, {role: compliance-officer}]
          # Rights are never approved by those who administer them (ACC-2, ACC-4): customer access by the head of the
          # department concerned and the compliance officer; privileged roles and the policy itself by the compliance
          # officer and the general manager (the policy is issued after the general manager's approval).
          role-change: [{role: department-head, of: department}, {role: compliance-officer}]
          privilege-change: [{role: compliance-officer}, {role: general-manager}]
          policy-change: [{role: compliance-officer}, {role: general-manager}]
        requests:
          expire-after-hours: 72
          remind-after-hours: 24
          max-grant-days: 30
        """;

    /// <summary>The chain a change of rights takes when the policy in force names none (a file written before such chains were required).</summary>
    public static IReadOnlyList<ApprovalStep> RightsChain(RequestKind kind) => kind switch
    {
        RequestKind.RoleChange => [new("department-head", ApproverRelation.Department, 1), new("compliance-officer", ApproverRelation.Anyone, 1)],
        RequestKind.PrivilegeChange or RequestKind.PolicyChange => [new("compliance-officer", ApproverRelation.Anyone, 1), new("general-manager", ApproverRelation.Anyone, 1)],
        _ => [],
    };

    /// <summary>The default policy, parsed; it is valid by construction (a kernel test checks).</summary>
    public static PolicyDocument Document(IReadOnlyCollection<string> knownRoles) =>
        PolicyFile.Parse(Yaml, knownRoles).Document ?? throw new InvalidOperationException("The built-in policy is invalid.");
}
