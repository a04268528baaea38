using System.Net;

namespace Custos.Kernel.Policy;

/// <summary>The person asking, as the policy sees them. Built once per request.</summary>
public sealed record PolicySubject(
    Guid Id,
    IReadOnlyList<string> Roles,
    int Clearance,
    IReadOnlySet<Guid> Departments,
    IReadOnlySet<Guid> Projects,
    bool Active,
    DateOnly? NdaSignedOn,
    DateOnly? TrainingValidUntil,
    GrantSet Grants)
{
    /// <summary>
    /// Every role the person holds when <see cref="Roles"/> is narrowed (acting through a token's scopes): who
    /// administers rights is judged by what they hold, never by what they chose to act with.
    /// </summary>
    public IReadOnlyList<string>? HeldRoles { get; init; }

    /// <summary>The person's announced last working day (PPL-3): after it, in the organisation's time, they are no longer active.</summary>
    public DateOnly? LastWorkingDay { get; init; }

    /// <summary>The version of the confidentiality agreement the person signed (PPL-1); how long it counts is in <see cref="AgreementTerms"/>.</summary>
    public int? NdaVersion { get; init; }
}

/// <summary>
/// What the action is on. <c>Customer</c> and <c>Department</c> are null for actions on no particular
/// customer (a list, an import into no department yet); <c>Protection</c> is the effective level of the
/// field, or the customer's grade (CLS-1, CLS-2).
/// </summary>
public readonly record struct PolicyResource(Guid? Customer, Guid? Department, Guid? Project, int Protection, string? Field)
{
    /// <summary>
    /// The record itself is view-only, whoever looks at it: a customer received in a third party's list (EXP-3) is
    /// shared view-only — no print, export or share by anyone, and nothing of it taken away in clear (ACC-5).
    /// </summary>
    public bool ViewOnly { get; init; }

    public static readonly PolicyResource Nothing = default;

    public static PolicyResource InDepartment(Guid department, Guid? project = null) => new(null, department, project, 0, null);
}

/// <summary>Where and when: the client's address (null inside the process: the command line) and the time.</summary>
public readonly record struct PolicyContext(IPAddress? Address, DateTimeOffset Now, AgreementTerms? Agreement = null);

/// <summary>
/// The versions of the confidentiality agreement and the deadlines to sign each (PPL-1): a signature of an older
/// version counts until the earliest deadline among the versions published after it, in the organisation's day.
/// Read with the policy on every request (one number, the newest version) and cached by it.
/// </summary>
public sealed class AgreementTerms
{
    private readonly (int Version, DateOnly? SignBy)[] versions;

    public AgreementTerms(IEnumerable<(int Version, DateOnly? SignBy)> versions)
    {
        this.versions = [.. (versions ?? throw new ArgumentNullException(nameof(versions))).OrderBy(v => v.Version)];
        Current = this.versions.Length == 0 ? 0 : this.versions[^1].Version;
    }

    /// <summary>No version published yet: any signature counts.</summary>
    public static AgreementTerms None { get; } = new([]);

    public int Current { get; }

    /// <summary>
    /// The last day a signature of version <paramref name="signed"/> counts: the earliest deadline of a later version;
    /// null when it is of the current version. A signature of no known version is judged as the oldest; one of a
    /// version newer than any published, or an older one when a later version names no deadline, has already lapsed.
    /// </summary>
    public DateOnly? DeadlineFor(int? signed)
    {
        if (signed > Current)
        {
            return DateOnly.MinValue; // a version nobody published: it does not count
        }

        DateOnly? earliest = null;
        foreach (var (version, signBy) in versions)
        {
            // A later version with no deadline (only the first has none when published) asks for a new signature at once.
            var due = signBy ?? (version > 1 ? DateOnly.MinValue : (DateOnly?)null);
            if (version > (signed ?? 0) && due is { } day && (earliest is null || day < earliest))
            {
                earliest = day;
            }
        }

        return earliest;
    }
}

[Flags]
public enum Obligations
{
    None = 0,

    /// <summary>Show protected values masked.</summary>
    Mask = 1,

    /// <summary>The caller must state a purpose, which is recorded (ACC-3).</summary>
    RequirePurpose = 2,

    /// <summary>The access comes from a view-only grant: offer no print, copy, export or forward (ACC-5).</summary>
    ViewOnly = 4,

    /// <summary>A copy that leaves carries the recipient's mark.</summary>
    Watermark = 8,
}

public enum DecisionReason
{
    AllowedByRole = 0,
    AllowedByGrant = 1,
    NotActive = 10,
    NdaMissing = 11,
    TrainingExpired = 12,
    NoRole = 13,
    Network = 14,
    Hours = 15,
    OutOfScope = 16,
    AboveClearance = 17,
    ApprovalRequired = 18,
    ViewOnlyGrant = 19,

    /// <summary>The customer came in a list received from a third party: view-only for everyone (EXP-3).</summary>
    ViewOnlyRecord = 20,
}

/// <summary>
/// A decision with its reason, obligations, the role or grant that allowed it, and — when refused but
/// a request could change that — the kind of request to make.
/// </summary>
public readonly record struct Decision(bool Allowed, DecisionReason Reason, Obligations Obligations, string? Role, Guid? Grant, RequestKind? Remedy)
{
    internal static Decision Deny(DecisionReason reason, RequestKind? remedy = null) => new(false, reason, Obligations.None, null, null, remedy);
}

/// <summary>What holding a role gives: nothing that needs approval, access to customers, or privilege over others and the log.</summary>
public enum RoleWeight
{
    Nothing = 0,
    CustomerAccess = 1,
    Privileged = 2,
}

/// <summary>Which customers a list may show: by role scope, plus customers and departments reached by grants.</summary>
public sealed record ListScope(Decision Decision, CustomerScope Scope, IReadOnlySet<Guid> GrantedCustomers, IReadOnlySet<Guid> GrantedDepartments);

/// <summary>
/// The policy decision point (ACC-1..6): deny by default, then roles (filtered by network and hours),
/// preconditions on the person, customer scope, clearance against protection, approvals and grants.
/// Pure and thread-safe; one instance per policy version.
/// </summary>
public sealed class PolicyEngine
{
    private readonly Dictionary<string, CompiledRole> roles;

    public PolicyEngine(PolicyDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        Document = document;
        roles = document.Roles.Values.ToDictionary(
            r => r.Name,
            r => new CompiledRole(r, [.. (r.Networks.Count > 0 ? r.Networks : document.DefaultNetworks).SelectMany(n => document.Networks.TryGetValue(n, out var list) ? list : throw new ArgumentException($"Unknown network {n}.", nameof(document)))]),
            StringComparer.Ordinal);
    }

    public PolicyDocument Document { get; }

    public Decision Decide(PolicySubject subject, PolicyAction action, PolicyResource resource, PolicyContext context)
    {
        ArgumentNullException.ThrowIfNull(subject);
        if (!subject.Active || HasLeft(subject.LastWorkingDay, context.Now))
        {
            return Decision.Deny(DecisionReason.NotActive);
        }

        var customers = PolicyActions.TouchesCustomers(action);
        if (customers && Precondition(subject, context) is { } unmet)
        {
            return Decision.Deny(unmet);
        }

        // A customer of a third party's list is never copied, by anyone (EXP-3): held view-only by the record itself.
        if (PolicyActions.MakesCopy(action) && resource.ViewOnly)
        {
            return Decision.Deny(DecisionReason.ViewOnlyRecord);
        }

        // A customer seen only through a view-only grant is never copied (ACC-5): the refusal says so, not "out of scope" or "no role".
        if (PolicyActions.MakesCopy(action) && resource.Customer is not null && SeenOnlyViewOnly(subject, resource, context))
        {
            return Decision.Deny(DecisionReason.ViewOnlyGrant);
        }

        // Roles that may act from here and now, and what they give for this action.
        CompiledRole? direct = null;
        CompiledRole? approval = null;
        var excluded = (DecisionReason?)null;
        foreach (var name in subject.Roles)
        {
            if (!roles.TryGetValue(name, out var role))
            {
                continue;
            }

            var allows = role.Policy.Allow.Contains(action);
            var needsApproval = !allows && role.Policy.WithApproval.Contains(action);
            if (!allows && !needsApproval)
            {
                continue;
            }

            if (!role.Reachable(context.Address))
            {
                excluded ??= DecisionReason.Network;
                continue;
            }

            if (role.Policy.Hours is { } hours && !hours.Contains(TimeOnly.FromTimeSpan(context.Now.ToOffset(Document.UtcOffset).TimeOfDay)))
            {
                excluded ??= DecisionReason.Hours;
                continue;
            }

            if (allows && (direct is null || role.Policy.Scope > direct.Policy.Scope))
            {
                direct = role;
            }
            else if (needsApproval && (approval is null || role.Policy.Scope > approval.Policy.Scope))
            {
                approval = role;
            }
        }

        var granting = direct ?? approval;
        if (granting is null)
        {
            return Decision.Deny(excluded ?? DecisionReason.NoRole);
        }

        if (!customers || (resource.Customer is null && resource.Department is null))
        {
            // Nothing in particular: the role decides (a list is narrowed by ListScopeFor).
            return direct is not null
                ? new Decision(true, DecisionReason.AllowedByRole, ObligationsFor(action, false), direct.Policy.Name, null, null)
                : Decision.Deny(DecisionReason.ApprovalRequired, RemedyFor(action));
        }

        var inScope = InScope(granting.Policy.Scope, subject, resource.Department, resource.Project);
        var grant = subject.Grants.Find(action, resource.Customer, resource.Department, resource.Field, context.Now);
        if (grant is not null && grant.ViewOnly && PolicyActions.MakesCopy(action))
        {
            return Decision.Deny(DecisionReason.ViewOnlyGrant);
        }

        if (!inScope && grant is null)
        {
            return Decision.Deny(DecisionReason.OutOfScope, RequestKind.Access);
        }

        if (direct is null && grant is null)
        {
            return Decision.Deny(DecisionReason.ApprovalRequired, RemedyFor(action));
        }

        if (action == PolicyAction.Reveal && resource.Protection > subject.Clearance && grant is null)
        {
            return Decision.Deny(DecisionReason.AboveClearance, RequestKind.Reveal);
        }

        // A grant decides when the role alone would not have: out of scope, above clearance, or by approval only.
        var byGrant = grant is not null && (!inScope || direct is null || (action == PolicyAction.Reveal && resource.Protection > subject.Clearance));
        return byGrant
            ? new Decision(true, DecisionReason.AllowedByGrant, ObligationsFor(action, grant!.ViewOnly || resource.ViewOnly), granting.Policy.Name, grant.Id, null)
            : new Decision(true, DecisionReason.AllowedByRole, ObligationsFor(action, resource.ViewOnly), direct!.Policy.Name, null, null);
    }

    /// <summary>
    /// Whether what the subject may see through <paramref name="seeing"/> may also leave with them — a field in clear
    /// in a print, export or share (<see cref="PolicyAction.Reveal"/>), an attachment downloaded
    /// (<see cref="PolicyAction.ViewMasked"/>). Never when the access comes from a view-only grant: view-only means no
    /// copy of any field by any path (ACC-5).
    /// </summary>
    public Decision DecideTakeAway(PolicySubject subject, PolicyAction seeing, PolicyResource resource, PolicyContext context)
    {
        var decision = Decide(subject, seeing, resource, context);
        return decision.Allowed && decision.Obligations.HasFlag(Obligations.ViewOnly)
            ? Decision.Deny(resource.ViewOnly ? DecisionReason.ViewOnlyRecord : DecisionReason.ViewOnlyGrant)
            : decision;
    }

    /// <summary>What a list may show the subject: the widest scope of the roles that may list, and the grants' reach.</summary>
    public ListScope ListScopeFor(PolicySubject subject, PolicyContext context)
    {
        ArgumentNullException.ThrowIfNull(subject);
        var decision = Decide(subject, PolicyAction.List, PolicyResource.Nothing, context);
        if (!decision.Allowed)
        {
            return new ListScope(decision, CustomerScope.None, new HashSet<Guid>(), new HashSet<Guid>());
        }

        var scope = roles[decision.Role!].Policy.Scope;
        var (customers, departments) = subject.Grants.Reach(PolicyAction.List, context.Now);
        return new ListScope(decision, scope, customers, departments);
    }

    /// <summary>
    /// The approval chain for a kind of request; empty when the policy needs none. A change of rights (roles,
    /// memberships, clearance, the policy itself) always needs one: a policy that names none gets the built-in chain.
    /// </summary>
    public IReadOnlyList<ApprovalStep> ChainFor(RequestKind kind) =>
        Document.Approvals.TryGetValue(kind, out var chain) && chain.Count > 0 ? chain
        : ApprovalRules.IsRightsChange(kind) ? DefaultPolicy.RightsChain(kind)
        : [];

    /// <summary>Whether one of the subject's roles may administer people and permissions (such a person never approves a change of rights).</summary>
    public bool Administers(PolicySubject subject)
    {
        ArgumentNullException.ThrowIfNull(subject);
        return (subject.HeldRoles ?? subject.Roles).Any(AdministersAsRole);
    }

    /// <summary>
    /// The role that administers accounts in the application, whatever a policy file says of it: the pages and
    /// commands that change people are open to it by name, so it counts as administering rights in every policy.
    /// </summary>
    public const string AccountAdministratorRole = "it-admin";

    /// <summary>Whether holding the role administers rights: the account administrator, or a role the policy lets administer.</summary>
    public bool AdministersAsRole(string role) =>
        role == AccountAdministratorRole || (roles.TryGetValue(role, out var compiled) && compiled.Policy.Allow.Contains(PolicyAction.Administer));

    /// <summary>What a role gives, for deciding whether adding it needs approval: nothing, customer access, or privilege.</summary>
    public RoleWeight WeightOf(string role)
    {
        if (role == AccountAdministratorRole)
        {
            return RoleWeight.Privileged; // it opens the people pages by name, whatever the policy gives it
        }

        if (!roles.TryGetValue(role, out var compiled))
        {
            return RoleWeight.Nothing;
        }

        var policy = compiled.Policy;
        var all = policy.Allow.Union(policy.WithApproval);
        if (policy.Scope == CustomerScope.All || all.Contains(PolicyAction.Approve) || all.Contains(PolicyAction.Audit) || all.Contains(PolicyAction.Administer))
        {
            return RoleWeight.Privileged;
        }

        return policy.Scope != CustomerScope.None && !all.IsEmpty ? RoleWeight.CustomerAccess : RoleWeight.Nothing;
    }

    public static RequestKind RemedyFor(PolicyAction action) => action switch
    {
        PolicyAction.Import => RequestKind.Import,
        PolicyAction.Export => RequestKind.Export,
        PolicyAction.Print => RequestKind.Print,
        PolicyAction.ShareExternal => RequestKind.ShareExternal,
        PolicyAction.Destroy => RequestKind.Destroy,
        PolicyAction.Administer => RequestKind.RoleChange,
        PolicyAction.Reveal => RequestKind.Reveal,
        _ => RequestKind.Access,
    };

    internal static bool InScope(CustomerScope scope, PolicySubject subject, Guid? department, Guid? project) => scope switch
    {
        CustomerScope.All => true,
        CustomerScope.Own => (department is { } d && subject.Departments.Contains(d)) || (project is { } p && subject.Projects.Contains(p)),
        CustomerScope.Projects => project is { } p && subject.Projects.Contains(p),
        _ => false,
    };

    /// <summary>Whether the subject sees the customer through a view-only grant and through no role of their own.</summary>
    private bool SeenOnlyViewOnly(PolicySubject subject, PolicyResource resource, PolicyContext context)
    {
        if (subject.Grants.Find(PolicyAction.ViewMasked, resource.Customer, resource.Department, null, context.Now) is not { ViewOnly: true })
        {
            return false;
        }

        foreach (var name in subject.Roles)
        {
            if (roles.TryGetValue(name, out var role) && role.Policy.Allow.Contains(PolicyAction.ViewMasked)
                && InScope(role.Policy.Scope, subject, resource.Department, resource.Project))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The date in the organisation's time zone (the policy's <c>utc-offset</c>).</summary>
    public DateOnly Today(DateTimeOffset now) => DateOnly.FromDateTime(now.ToOffset(Document.UtcOffset).DateTime);

    /// <summary>Whether a person whose last working day is <paramref name="lastWorkingDay"/> has left by <paramref name="now"/> (PPL-3).</summary>
    public bool HasLeft(DateOnly? lastWorkingDay, DateTimeOffset now) => lastWorkingDay is { } last && last < Today(now);

    /// <summary>
    /// Whether the person's confidentiality agreement counts (PPL-1): signed, on or before today, and of the current
    /// version or within the deadline to sign a newer one (<see cref="AgreementTerms"/> in the context).
    /// </summary>
    public bool NdaCurrent(PolicySubject subject, PolicyContext context)
    {
        ArgumentNullException.ThrowIfNull(subject);
        var today = Today(context.Now);
        return subject.NdaSignedOn is { } signed && signed <= today
            && (context.Agreement?.DeadlineFor(subject.NdaVersion) is not { } deadline || deadline >= today);
    }

    private DecisionReason? Precondition(PolicySubject subject, PolicyContext context)
    {
        var today = Today(context.Now);
        if (Document.Preconditions.RequireNda && !NdaCurrent(subject, context))
        {
            return DecisionReason.NdaMissing;
        }

        return Document.Preconditions.RequireTraining && (subject.TrainingValidUntil is not { } until || until < today)
            ? DecisionReason.TrainingExpired
            : null;
    }

    private static Obligations ObligationsFor(PolicyAction action, bool viewOnly)
    {
        var obligations = action switch
        {
            PolicyAction.List or PolicyAction.ViewMasked => Obligations.Mask,
            PolicyAction.Reveal => Obligations.RequirePurpose,
            PolicyAction.Export or PolicyAction.Print or PolicyAction.ShareExternal => Obligations.Watermark | Obligations.RequirePurpose,
            _ => Obligations.None,
        };
        return viewOnly ? obligations | Obligations.ViewOnly : obligations;
    }

    private sealed class CompiledRole(RolePolicy policy, IPNetwork[] networks)
    {
        public RolePolicy Policy { get; } = policy;

        /// <summary>No address means the request comes from inside the process (the command line), which is the server itself.</summary>
        public bool Reachable(IPAddress? address)
        {
            if (address is null)
            {
                return true;
            }

            if (address.IsIPv4MappedToIPv6)
            {
                address = address.MapToIPv4();
            }

            foreach (var network in networks)
            {
                if (network.Contains(address))
                {
                    return true;
                }
            }

            return false;
        }
    }
}
