using Custos.Data;
using Custos.Features.Audit;
using Custos.Features.Customers;
using Custos.Features.Notifications;
using Custos.Features.People;
using Custos.Features.Policy;
using Custos.Hosting;
using Custos.Kernel.Classification;
using Custos.Kernel.Policy;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Custos.Security;
using Custos.Features;

namespace Custos.Features.Access;

/// <summary>What a person asks for. Exactly one target: a customer, a department (by code) or, for a role change, a person.</summary>
[Contract]
public sealed record NewRequest(
    RequestKind Kind,
    string Reason,
    Guid? Customer = null,
    string? Department = null,
    string? Field = null,
    IReadOnlyList<string>? Actions = null,
    bool ViewOnly = false,
    int Hours = 24,
    string? Operator = null,
    string? Person = null,
    string? Role = null,
    Guid? Partner = null);

/// <summary>One part of a change of rights, with the kind of request (and the department and project) that approves it.</summary>
[Contract]
public sealed record RoutedChange(RequestKind Kind, RightsChange Change, Guid? Department, Guid? Project);

public sealed record ApprovalView(int Step, string Approver, bool OnBehalf, bool Approved, string? Note, DateTimeOffset At);

[Contract]
public sealed record RequestView(
    Guid Id, RequestKind Kind, RequestStatus Status, string Requester, Guid? Customer, string? Department, string? Field,
    string Actions, bool ViewOnly, int Hours, string Reason, string? Role, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt,
    DateTimeOffset? DecidedAt, int Step, IReadOnlyList<string> Chain, IReadOnlyList<ApprovalView> Approvals, Guid? Grant,
    string? Person = null, RightsChange? Rights = null, string? PolicySha256 = null, string? Partner = null);

/// <summary>
/// The one workflow every kind of request goes through (ACC-4): checked against the policy when made (a request
/// that could not help, or is not needed, is refused), approved step by step by the people the policy names,
/// never by the requester, a destruction never witnessed by its operator; unanswered requests expire. The
/// final approval creates the time-limited grant (or the role) in the same transaction. Every step is recorded
/// in the audit log and told to the people concerned.
/// </summary>
[Contract]
public sealed class RequestService(
    CustosDbContext db,
    Callers callers, CustomerAccess access,
    PolicyStore policy,
    PolicyService policyService,
    Notifier notifier,
    IAuditTrail audit,
    ICurrentActor actor,
    UserManager<Person> users,
    Partners.PartnerService partners,
    TimeProvider time)
{
    public const int MaxReason = 500;

    public async Task<RequestView> SubmitAsync(NewRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var viewer = await callers.CurrentAsync(ct);
        if (viewer.PersonId == Guid.Empty)
        {
            throw new CustosException(CustosError.Forbidden, "RequestNeedsPerson");
        }

        var reason = TextInput.Clean(request.Reason, "reason", multiline: true);
        if (reason.Length < 4 || reason.Length > MaxReason)
        {
            throw CustosException.Invalid("RequestReason", MaxReason);
        }

        if (request.Kind is RequestKind.RoleChange or RequestKind.PrivilegeChange)
        {
            // A role for someone (a department head asking for their clerk): the policy decides which chain it takes.
            var person = await FindPersonAsync(request.Person, ct);
            if (request.Role is not { } role || !Roles.IsKnown(role))
            {
                throw CustosException.Invalid("UnknownRole", request.Role ?? "");
            }

            if (role == Roles.CommitteeMember)
            {
                throw CustosException.Invalid("CommitteeRoleBySeat"); // comes only with a seat on the committee
            }

            if (await users.IsInRoleAsync(person, role))
            {
                throw CustosException.Conflict("RequestNotNeeded");
            }

            var routed = (await RouteAsync(viewer.Engine, person.Id, RightsChange.OfRoles(role), ct)).Single();
            if (routed.Kind == RequestKind.Access)
            {
                // The role reaches customers only through departments and projects, and the person is in none: there is
                // nothing to approve yet; ask for the membership (an administrator adds the role itself).
                throw CustosException.Invalid("RoleNeedsMembership", new TextKey("Role." + role));
            }

            return await SubmitRightsAsync(person, routed, reason, ct);
        }

        if (request.Kind == RequestKind.PolicyChange)
        {
            throw CustosException.Invalid("PolicyChangeByLoad");
        }

        var engine = viewer.Engine;
        var chain = engine.ChainFor(request.Kind);
        if (chain.Count == 0)
        {
            throw CustosException.Invalid("NoApprovalChain", new TextKey("RequestKind." + PolicyFile.KindName(request.Kind)));
        }

        if (request.ViewOnly && request.Kind is RequestKind.Export or RequestKind.Print or RequestKind.ShareExternal or RequestKind.Destroy)
        {
            // View-only means no copy leaves (ACC-5): it fits access and reveals, never a print or an export.
            throw CustosException.Invalid("ViewOnlyNotFor", new TextKey("RequestKind." + PolicyFile.KindName(request.Kind)));
        }

        var maxHours = engine.Document.Requests.MaxGrantDays * 24;
        if (request.Hours < 1 || request.Hours > maxHours)
        {
            throw CustosException.Invalid("GrantHours", maxHours);
        }

        var now = time.GetUtcNow();
        var entity = new AccessRequest
        {
            Id = Guid.CreateVersion7(now),
            Kind = request.Kind,
            Status = RequestStatus.Pending,
            RequesterId = viewer.PersonId,
            RequesterName = viewer.Name,
            Reason = reason,
            ViewOnly = request.ViewOnly,
            GrantHours = request.Hours,
            PolicyVersion = engine.Document.Version,
            CreatedAt = now,
            ExpiresAt = now.AddHours(engine.Document.Requests.ExpireAfterHours),
            Stamp = Guid.NewGuid(),
        };

        if (request.Kind == RequestKind.ShareExternal)
        {
            // Approvers approve giving it to someone: the partner, from the register, with an agreement in force now (EXP-1).
            entity.PartnerId = request.Partner is { } partner && await partners.InForceAsync(partner, ct) is not null
                ? partner
                : throw CustosException.Invalid(request.Partner is null ? "SharePartnerRequired" : "ShareNdaInvalid");
        }

        await TargetAsync(viewer, request, entity, ct);
        await FileAsync(entity, engine, ct);
        return await ViewAsync(entity, engine, ct);
    }

    /// <summary>Approves or rejects the current step. Refused for one's own request, a decided or expired request, or someone the policy does not name.</summary>
    public async Task<RequestView> DecideAsync(Guid id, bool approve, string? note, CancellationToken ct)
    {
        note = TextInput.CleanOptional(note, "note", multiline: true);
        if (note is { Length: > MaxReason })
        {
            throw CustosException.Invalid("RequestReason", MaxReason);
        }

        if (actor.FromCommandLine)
        {
            // A decision is the approver's own: made signed in, or with their own token — never by naming them on the server.
            throw new CustosException(CustosError.Forbidden, "DecideNotFromCommandLine");
        }

        var viewer = await callers.CurrentAsync(ct);
        var entity = await db.AccessRequests.Include(r => r.Approvals).SingleOrDefaultAsync(r => r.Id == id, ct);
        if (entity is null || !await MayReadAsync(viewer, entity, ct))
        {
            throw CustosException.NotFound("RequestNotFound");
        }

        var now = time.GetUtcNow();
        if (entity.Status == RequestStatus.Pending && entity.ExpiresAt <= now && !await ExpireAsync(entity, ct))
        {
            // The timer (or another node) closed it at the same moment.
            throw CustosException.Conflict("RequestDecided", new TextKey("RequestStatus." + RequestStatus.Expired));
        }

        if (entity.Status != RequestStatus.Pending)
        {
            throw CustosException.Conflict("RequestDecided", new TextKey("RequestStatus." + entity.Status));
        }

        var engine = viewer.Engine;
        var chain = await ChainAsync(entity, ct);
        var (verdict, onBehalf) = await VerdictAsync(engine, entity, viewer, ct);
        if (verdict != ApprovalVerdict.MayApprove)
        {
            await audit.RecordNowAsync(approve ? AuditActions.RequestApprove : AuditActions.RequestReject, "request", entity.Id.ToString(), AuditOutcome.Denied, new { reason = verdict.ToString() }, ct);
            throw new CustosException(CustosError.Forbidden, "Approval." + verdict);
        }

        var step = ApprovalRules.CurrentStep(chain, ApprovalSubjectOf(entity, entity.Approvals));
        var answer = new AccessApproval
        {
            Id = Guid.CreateVersion7(now),
            RequestId = entity.Id,
            Step = step,
            ApproverId = viewer.PersonId,
            ApproverName = viewer.Name,
            OnBehalfOfId = onBehalf,
            Approved = approve,
            Note = note,
            At = now,
        };
        // Added through its set (a new row with its own key); fix-up puts it in the request's list.
        db.AccessApprovals.Add(answer);
        if (!entity.Approvals.Contains(answer))
        {
            entity.Approvals.Add(answer);
        }

        entity.Stamp = Guid.NewGuid();

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        if (!approve)
        {
            entity.Status = RequestStatus.Rejected;
            entity.DecidedAt = now;
            audit.Record(AuditActions.RequestReject, "request", entity.Id.ToString(), detail: new { step, onBehalf, note = note is not null });
            notifier.Add([entity.RequesterId], "Notify.RequestRejected", entity.Id, viewer.Name, PolicyFile.KindName(entity.Kind));
        }
        else
        {
            audit.Record(AuditActions.RequestApprove, "request", entity.Id.ToString(), detail: new { step, onBehalf });
            var next = ApprovalRules.CurrentStep(chain, ApprovalSubjectOf(entity, entity.Approvals));
            if (next < 0 && !await StillRoutedAsync(engine, entity, ct))
            {
                // The person's rights changed since it was filed, and the change now needs other approvers: it is closed,
                // never carried out along the old route; whoever asked files it again.
                entity.Status = RequestStatus.Withdrawn;
                entity.DecidedAt = now;
                audit.Record(AuditActions.RequestWithdraw, "request", entity.Id.ToString(), detail: new { reason = "route-changed" });
                notifier.Add([entity.RequesterId], "Notify.RequestRerouted", entity.Id, viewer.Name, PolicyFile.KindName(entity.Kind));
                await SaveDecisionAsync(ct);
                await transaction.CommitAsync(ct);
                throw CustosException.Conflict("RequestRouteChanged");
            }

            if (next < 0)
            {
                entity.Status = RequestStatus.Approved;
                entity.DecidedAt = now;
                // The decision lands first (a concurrent one fails here), then what it puts in force, in the same transaction.
                await SaveDecisionAsync(ct);
                await CarryOutAsync(entity, now, ct);
                notifier.Add([entity.RequesterId, .. entity.OperatorId is { } op ? [op] : Array.Empty<Guid>()], "Notify.RequestApproved", entity.Id, viewer.Name, PolicyFile.KindName(entity.Kind));
            }
            else
            {
                var approvers = await EligibleAsync(engine, chain[next], ApprovalSubjectOf(entity, entity.Approvals), ct);
                notifier.Add(approvers, "Notify.RequestWaiting", entity.Id, entity.RequesterName, PolicyFile.KindName(entity.Kind));
            }
        }

        await SaveDecisionAsync(ct);
        await transaction.CommitAsync(ct);
        return await ViewAsync(entity, engine, ct);
    }

    /// <summary>The approver chain the request was filed under: a policy loaded since does not move its steps.</summary>
    private async Task<IReadOnlyList<ApprovalStep>> ChainAsync(AccessRequest request, CancellationToken ct) =>
        (await policy.AtAsync(db, request.PolicyVersion, ct)).ChainFor(request.Kind);

    /// <summary>
    /// Whether a change of rights still goes where it was filed, judged now: a person who has since gained a privilege,
    /// or a change that would now go to another department's head, needs other approvers. The privilege chain covers all.
    /// </summary>
    private async Task<bool> StillRoutedAsync(PolicyEngine engine, AccessRequest request, CancellationToken ct)
    {
        if (request.Kind is not (RequestKind.RoleChange or RequestKind.PrivilegeChange) || request.SubjectPersonId is not { } person
            || request.Kind == RequestKind.PrivilegeChange)
        {
            return true;
        }

        var change = request.Change is { } json ? RightsChange.FromJson(json) : RightsChange.OfRoles(request.Role!);
        var needs = (await RouteAsync(engine, person, change, ct)).Where(r => r.Kind != RequestKind.Access).ToList();
        return needs.All(r => r.Kind == RequestKind.RoleChange && r.Department == request.DepartmentId);
    }

    private async Task SaveDecisionAsync(CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            // Another approver decided at the same moment; nothing of this decision is kept.
            throw CustosException.Conflict("RequestChanged");
        }
    }

    /// <summary>
    /// Splits what a change gives into the requests that must approve it (ACC-2, ACC-4): a privileged role, or any
    /// membership of someone who holds one, goes to the privilege chain; customer access goes to the head of the
    /// department concerned — each department joined is its own request — with roles and clearance going to the
    /// person's first department (or, with none, to the privilege chain). Roles that give nothing — none that reach
    /// customers or carry privilege, or customer roles of someone in no department or project — are returned as
    /// needing no approval (kind <see cref="RequestKind.Access"/>).
    /// </summary>
    public async Task<IReadOnlyList<RoutedChange>> RouteAsync(PolicyEngine engine, Guid person, RightsChange change, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(change);
        var held = await (from ur in db.UserRoles join r in db.Roles on ur.RoleId equals r.Id where ur.UserId == person select r.Name!).ToListAsync(ct);
        var clearance = await db.Users.Where(u => u.Id == person).Select(u => u.Clearance).SingleAsync(ct);
        if (change.Clearance is { } asked && asked <= clearance)
        {
            change = change with { Clearance = null };
        }

        change = change with { Roles = [.. change.Roles.Except(held, StringComparer.Ordinal)] };
        var privileged = change.Roles.Where(r => engine.WeightOf(r) == RoleWeight.Privileged).ToList();
        var customerRoles = change.Roles.Where(r => engine.WeightOf(r) == RoleWeight.CustomerAccess).ToList();
        var free = change.Roles.Except(privileged).Except(customerRoles).ToList();
        var approver = held.Concat(change.Roles).Any(r => engine.WeightOf(r) == RoleWeight.Privileged);

        var departments = await db.Departments.AsNoTracking().Where(d => change.Departments.Contains(d.Code)).ToDictionaryAsync(d => d.Code, d => d.Id, ct);
        var projects = await db.Projects.AsNoTracking().Where(p => change.Projects.Contains(p.Code)).ToDictionaryAsync(p => p.Code, p => (p.Id, p.DepartmentId), ct);
        var home = await db.DepartmentMemberships.AsNoTracking().Where(m => m.PersonId == person).OrderBy(m => m.Department!.Code).Select(m => (Guid?)m.DepartmentId).FirstOrDefaultAsync(ct)
            ?? change.Departments.Order(StringComparer.Ordinal).Select(c => (Guid?)departments.GetValueOrDefault(c)).FirstOrDefault(d => d is not null);

        var member = home is not null || change.Projects.Count > 0 || await db.ProjectMemberships.AnyAsync(m => m.PersonId == person, ct);
        if (!member)
        {
            // A role that reaches customers only through the person's departments and projects gives nothing to someone in none:
            // the approval falls on the membership, when it comes.
            free.AddRange(customerRoles);
            customerRoles.Clear();
        }

        var routed = new List<RoutedChange>();
        var privilege = RightsChange.None with { Roles = privileged };
        if (free.Count > 0)
        {
            routed.Add(new RoutedChange(RequestKind.Access, RightsChange.None with { Roles = free }, null, null));
        }

        var homeChange = RightsChange.None with { Roles = customerRoles, Clearance = change.Clearance };
        if (!homeChange.IsEmpty && (approver || home is null))
        {
            privilege = privilege.Plus(homeChange);
            homeChange = RightsChange.None;
        }

        foreach (var code in change.Departments.Order(StringComparer.Ordinal))
        {
            var joining = RightsChange.None with { Departments = [code] };
            if (approver)
            {
                privilege = privilege.Plus(joining);
            }
            else if (departments.TryGetValue(code, out var d) && d == home)
            {
                homeChange = homeChange.Plus(joining);
            }
            else
            {
                routed.Add(new RoutedChange(RequestKind.RoleChange, joining, departments.GetValueOrDefault(code), null));
            }
        }

        foreach (var code in change.Projects.Order(StringComparer.Ordinal))
        {
            var joining = RightsChange.None with { Projects = [code] };
            if (approver)
            {
                privilege = privilege.Plus(joining);
            }
            else
            {
                var (id, department) = projects.GetValueOrDefault(code);
                routed.Add(new RoutedChange(RequestKind.RoleChange, joining, department, id));
            }
        }

        if (!homeChange.IsEmpty)
        {
            routed.Add(new RoutedChange(RequestKind.RoleChange, homeChange, home, null));
        }

        if (!privilege.IsEmpty)
        {
            routed.Add(new RoutedChange(RequestKind.PrivilegeChange, privilege, null, null));
        }

        return routed;
    }

    /// <summary>
    /// Files a change of <paramref name="person"/>'s rights for approval, asked by the caller. The same change already
    /// waiting is returned instead of a second request. A role change nobody can take the first step of goes to the
    /// privilege-change chain; any other request is refused when its first step has nobody who could approve it.
    /// </summary>
    public async Task<RequestView> SubmitRightsAsync(Person person, RoutedChange routed, string? reason, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(person);
        ArgumentNullException.ThrowIfNull(routed);
        var viewer = await callers.CurrentAsync(ct);
        if (viewer.PersonId == Guid.Empty)
        {
            throw new CustosException(CustosError.Forbidden, "RequestNeedsPerson");
        }

        reason = TextInput.CleanOptional(reason, "reason", multiline: true);
        if (reason is { Length: > MaxReason })
        {
            throw CustosException.Invalid("RequestReason", MaxReason);
        }

        if (routed.Kind == RequestKind.RoleChange && viewer.Engine.ChainFor(RequestKind.RoleChange) is [var first, ..]
            && (await EligibleAsync(viewer.Engine, first, new ApprovalSubject(RequestKind.RoleChange, viewer.PersonId, routed.Department, routed.Project, [], null, [], person.Id), ct)).Count == 0)
        {
            // Nobody can take the first step — a new department without a head, or the head is the one changed: the
            // change goes to those who approve privilege instead of being refused or left to nobody.
            routed = routed with { Kind = RequestKind.PrivilegeChange };
        }

        var now = time.GetUtcNow();
        var json = routed.Change.ToJson();
        var waiting = await db.AccessRequests.AsNoTracking().Include(r => r.Approvals)
            .FirstOrDefaultAsync(r => r.SubjectPersonId == person.Id && r.Status == RequestStatus.Pending && r.Kind == routed.Kind && r.Change == json && r.ExpiresAt > now, ct);
        if (waiting is not null)
        {
            return await ViewAsync(waiting, viewer.Engine, ct);
        }

        var engine = viewer.Engine;
        var entity = new AccessRequest
        {
            Id = Guid.CreateVersion7(now),
            Kind = routed.Kind,
            Status = RequestStatus.Pending,
            RequesterId = viewer.PersonId,
            RequesterName = viewer.Name,
            Reason = reason ?? "—",
            SubjectPersonId = person.Id,
            Role = routed.Change.Roles.Count == 1 ? routed.Change.Roles[0] : null,
            Change = json,
            DepartmentId = routed.Department,
            ProjectId = routed.Project,
            PolicyVersion = engine.Document.Version,
            CreatedAt = now,
            ExpiresAt = now.AddHours(engine.Document.Requests.ExpireAfterHours),
            Stamp = Guid.NewGuid(),
        };
        await FileAsync(entity, engine, ct);
        return await ViewAsync(entity, engine, ct);
    }

    /// <summary>Files a new version of the policy for approval: it is validated whole now, and again when it would be put in force.</summary>
    public async Task<RequestView> SubmitPolicyAsync(string text, string? note, CancellationToken ct)
    {
        var viewer = await callers.CurrentAsync(ct);
        await policyService.ValidateCandidateAsync(viewer, text, ct);
        note = TextInput.CleanOptional(note, "note", multiline: true);
        var now = time.GetUtcNow();
        var waiting = await db.AccessRequests.AsNoTracking().Include(r => r.Approvals)
            .FirstOrDefaultAsync(r => r.Kind == RequestKind.PolicyChange && r.Status == RequestStatus.Pending && r.ExpiresAt > now && r.Change == text, ct);
        if (waiting is not null)
        {
            return await ViewAsync(waiting, viewer.Engine, ct);
        }

        var entity = new AccessRequest
        {
            Id = Guid.CreateVersion7(now),
            Kind = RequestKind.PolicyChange,
            Status = RequestStatus.Pending,
            RequesterId = viewer.PersonId,
            RequesterName = viewer.Name,
            Reason = note is { Length: > MaxReason } ? note[..MaxReason] : note ?? "—",
            Change = text,
            PolicyVersion = viewer.Engine.Document.Version,
            CreatedAt = now,
            ExpiresAt = now.AddHours(viewer.Engine.Document.Requests.ExpireAfterHours),
            Stamp = Guid.NewGuid(),
        };
        await FileAsync(entity, viewer.Engine, ct);
        return await ViewAsync(entity, viewer.Engine, ct);
    }

    /// <summary>Saves a new request once someone can approve its first step, and tells them.</summary>
    private async Task FileAsync(AccessRequest entity, PolicyEngine engine, CancellationToken ct)
    {
        var chain = engine.ChainFor(entity.Kind);
        var approvers = await EligibleAsync(engine, chain[0], ApprovalSubjectOf(entity, []), ct);
        if (approvers.Count == 0)
        {
            throw CustosException.Invalid("NoApprover", new TextKey("Role." + chain[0].Role));
        }

        db.AccessRequests.Add(entity);
        audit.Record(AuditActions.RequestSubmit, "request", entity.Id.ToString(), detail: Detail(entity));
        notifier.Add(approvers, "Notify.RequestWaiting", entity.Id, entity.RequesterName, PolicyFile.KindName(entity.Kind));
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Withdraws every pending request made by or for a person who leaves (PPL-3), in the caller's transaction and save; returns their ids.</summary>
    public async Task<IReadOnlyList<Guid>> WithdrawAllOfAsync(Guid person, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var requests = await db.AccessRequests.Where(r => r.Status == RequestStatus.Pending && (r.RequesterId == person || r.SubjectPersonId == person)).ToListAsync(ct);
        foreach (var request in requests)
        {
            request.Status = RequestStatus.Withdrawn;
            request.DecidedAt = now;
            request.Stamp = Guid.NewGuid();
        }

        return [.. requests.Select(r => r.Id)];
    }

    /// <summary>Withdraws a request another room filed and no longer needs (a committee seat ended before its role was approved), in the caller's transaction.</summary>
    public async Task<bool> WithdrawFiledAsync(Guid id, CancellationToken ct)
    {
        var entity = await db.AccessRequests.SingleOrDefaultAsync(r => r.Id == id && r.Status == RequestStatus.Pending, ct);
        if (entity is null)
        {
            return false;
        }

        entity.Status = RequestStatus.Withdrawn;
        entity.DecidedAt = time.GetUtcNow();
        entity.Stamp = Guid.NewGuid();
        audit.Record(AuditActions.RequestWithdraw, "request", entity.Id.ToString(), detail: new { filed = true });
        return true;
    }

    /// <summary>The projects pending rights requests would put a person in (for a partner's user, who may join only their partner's).</summary>
    public async Task<IReadOnlyList<string>> PendingProjectsForAsync(Guid person, CancellationToken ct)
    {
        var changes = await db.AccessRequests.Where(r => r.SubjectPersonId == person && r.Status == RequestStatus.Pending && r.Change != null).Select(r => r.Change!).ToListAsync(ct);
        return [.. changes.Where(c => c.TrimStart().StartsWith('{')).SelectMany(c => RightsChange.FromJson(c).Projects).Distinct(StringComparer.Ordinal)];
    }

    /// <summary>How many requests to give a person rights are still waiting for approval (their joining checklist).</summary>
    public Task<int> PendingRightsOfAsync(Guid person, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        return db.AccessRequests.CountAsync(r => r.SubjectPersonId == person && r.Status == RequestStatus.Pending && r.ExpiresAt > now, ct);
    }

    /// <summary>The pending requests that were put to a person as an approver (their inbox), for a hand-over list: id, kind and who asked.</summary>
    public async Task<IReadOnlyList<(Guid Id, string Kind, string Requester)>> WaitingForAsync(Guid person, CancellationToken ct)
    {
        var told = notifier.RequestsToldTo(person);
        var waiting = await db.AccessRequests.Where(r => r.Status == RequestStatus.Pending && told.Contains(r.Id))
            .OrderBy(r => r.Id).Select(r => new { r.Id, r.Kind, r.RequesterName }).Take(200).ToListAsync(ct);
        return [.. waiting.Select(w => (w.Id, PolicyFile.KindName(w.Kind), w.RequesterName))];
    }

    public async Task WithdrawAsync(Guid id, CancellationToken ct)
    {
        var viewer = await callers.CurrentAsync(ct);
        var entity = await db.AccessRequests.SingleOrDefaultAsync(r => r.Id == id && r.RequesterId == viewer.PersonId, ct)
            ?? throw CustosException.NotFound("RequestNotFound");
        if (entity.Status != RequestStatus.Pending)
        {
            throw CustosException.Conflict("RequestDecided", new TextKey("RequestStatus." + entity.Status));
        }

        entity.Status = RequestStatus.Withdrawn;
        entity.DecidedAt = time.GetUtcNow();
        entity.Stamp = Guid.NewGuid();
        audit.Record(AuditActions.RequestWithdraw, "request", entity.Id.ToString());
        await db.SaveChangesAsync(ct);
    }

    /// <summary>The status of each of <paramref name="ids"/> (for a room that filed them, e.g. a retention batch); unknown ids are left out.</summary>
    public async Task<IReadOnlyDictionary<Guid, RequestStatus>> StatusOfAsync(IReadOnlyCollection<Guid> ids, CancellationToken ct) =>
        await db.AccessRequests.AsNoTracking().Where(r => ids.Contains(r.Id)).ToDictionaryAsync(r => r.Id, r => r.Status, ct);

    public async Task<RequestView> GetAsync(Guid id, CancellationToken ct)
    {
        var viewer = await callers.CurrentAsync(ct);
        var entity = await db.AccessRequests.AsNoTracking().Include(r => r.Approvals).SingleOrDefaultAsync(r => r.Id == id, ct);
        return entity is not null && await MayReadAsync(viewer, entity, ct)
            ? await ViewAsync(entity, viewer.Engine, ct)
            : throw CustosException.NotFound("RequestNotFound");
    }

    /// <summary>The caller's own requests, newest first.</summary>
    public async Task<IReadOnlyList<RequestView>> MineAsync(CancellationToken ct)
    {
        var viewer = await callers.CurrentAsync(ct);
        var items = await db.AccessRequests.AsNoTracking().Include(r => r.Approvals)
            .Where(r => r.RequesterId == viewer.PersonId).OrderByDescending(r => r.CreatedAt).Take(200).ToListAsync(ct);
        return await ViewsAsync(items, viewer.Engine, ct);
    }

    /// <summary>Pending requests whose current step the caller may approve now (in person or as a delegate).</summary>
    public async Task<IReadOnlyList<RequestView>> ToApproveAsync(CancellationToken ct)
    {
        var viewer = await callers.CurrentAsync(ct);
        var now = time.GetUtcNow();
        var pending = await db.AccessRequests.AsNoTracking().Include(r => r.Approvals)
            .Where(r => r.Status == RequestStatus.Pending && r.ExpiresAt > now && r.RequesterId != viewer.PersonId)
            .OrderBy(r => r.CreatedAt).Take(500).ToListAsync(ct);
        var mine = new List<AccessRequest>();
        foreach (var request in pending)
        {
            if ((await VerdictAsync(viewer.Engine, request, viewer, ct)).Verdict == ApprovalVerdict.MayApprove)
            {
                mine.Add(request);
            }
        }

        return await ViewsAsync(mine, viewer.Engine, ct);
    }

    /// <summary>Marks unanswered requests past their time as expired and tells the requesters. Returns how many.</summary>
    public async Task<int> ExpireDueAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var due = await db.AccessRequests.Where(r => r.Status == RequestStatus.Pending && r.ExpiresAt <= now).Select(r => r.Id).Take(500).ToListAsync(ct);
        var expired = 0;
        foreach (var id in due)
        {
            var request = await db.AccessRequests.SingleAsync(r => r.Id == id, ct);
            if (request.Status == RequestStatus.Pending && await ExpireAsync(request, ct))
            {
                expired++;
            }
        }

        return expired;
    }

    /// <summary>
    /// Reminds the approvers of requests waiting longer than the policy's reminder time, and after twice that tells
    /// the compliance officers too. Each request is one unit of work guarded by its stamp, so two nodes never both remind.
    /// </summary>
    public async Task<int> RemindDueAsync(CancellationToken ct)
    {
        var engine = await policy.CurrentAsync(db, ct);
        var now = time.GetUtcNow();
        var after = TimeSpan.FromHours(engine.Document.Requests.RemindAfterHours);
        var remindBefore = now - after;
        var escalateBefore = now - (after * 2);
        var waiting = await db.AccessRequests
            .Where(r => r.Status == RequestStatus.Pending && r.ExpiresAt > now
                && ((r.RemindedAt == null && r.CreatedAt <= remindBefore) || (r.EscalatedAt == null && r.CreatedAt <= escalateBefore)))
            .Select(r => r.Id).Take(500).ToListAsync(ct);
        var reminded = 0;
        foreach (var id in waiting)
        {
            var request = await db.AccessRequests.Include(r => r.Approvals).SingleAsync(r => r.Id == id, ct);
            var chain = await ChainAsync(request, ct);
            var subject = ApprovalSubjectOf(request, request.Approvals);
            var step = ApprovalRules.CurrentStep(chain, subject);
            if (step < 0)
            {
                continue;
            }

            var approvers = await EligibleAsync(engine, chain[step], subject, ct);
            if (request.RemindedAt is null)
            {
                request.RemindedAt = now;
                notifier.Add(approvers, "Notify.RequestReminder", request.Id, request.RequesterName, PolicyFile.KindName(request.Kind));
            }

            if (request.EscalatedAt is null && request.CreatedAt <= escalateBefore)
            {
                request.EscalatedAt = now;
                var officers = await db.InRoleAsync(Roles.ComplianceOfficer, ct);
                notifier.Add(officers.Where(o => o != request.RequesterId), "Notify.RequestEscalated", request.Id, request.RequesterName, PolicyFile.KindName(request.Kind));
            }

            request.Stamp = Guid.NewGuid();
            audit.Record(AuditActions.RequestRemind, "request", request.Id.ToString(), detail: new { step, escalated = request.EscalatedAt == now });
            try
            {
                await db.SaveChangesAsync(ct);
                reminded++;
            }
            catch (DbUpdateConcurrencyException)
            {
                // Decided or reminded elsewhere at the same moment.
                db.ChangeTracker.Clear();
            }
        }

        return reminded;
    }

    /// <summary>Closes the request as expired; false when someone else changed it first (nothing of this attempt is kept).</summary>
    private async Task<bool> ExpireAsync(AccessRequest request, CancellationToken ct)
    {
        request.Status = RequestStatus.Expired;
        request.DecidedAt = request.ExpiresAt;
        request.Stamp = Guid.NewGuid();
        audit.Record(AuditActions.RequestExpire, "request", request.Id.ToString());
        notifier.Add([request.RequesterId], "Notify.RequestExpired", request.Id, PolicyFile.KindName(request.Kind));
        try
        {
            await db.SaveChangesAsync(ct);
            return true;
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            return false;
        }
    }

    /// <summary>Fills the request's target from the form and checks that approval could give what is asked and is needed.</summary>
    private async Task TargetAsync(Caller viewer, NewRequest request, AccessRequest entity, CancellationToken ct)
    {
        var targets = (request.Customer is not null ? 1 : 0) + (string.IsNullOrWhiteSpace(request.Department) ? 0 : 1) + (string.IsNullOrWhiteSpace(request.Person) ? 0 : 1);
        if (targets != 1)
        {
            throw CustosException.Invalid("RequestTarget");
        }

        var (action, actions) = ActionsFor(request);
        entity.Actions = actions.ToString();
        Decision decision;
        if (request.Customer is { } id)
        {
            var customer = await db.Customers.AsNoTracking().SingleOrDefaultAsync(c => c.Id == id, ct) ?? throw CustosException.NotFound("CustomerNotFound");
            // Only access requests may name a customer the requester cannot see; for everything else it does not exist.
            if (request.Kind != RequestKind.Access && !viewer.Decide(PolicyAction.ViewMasked, customer).Allowed)
            {
                throw CustosException.NotFound("CustomerNotFound");
            }

            entity.CustomerId = customer.Id;
            entity.DepartmentId = customer.DepartmentId;
            entity.ProjectId = customer.ProjectId;
            var protection = 0;
            if (request.Field is { Length: > 0 } field)
            {
                var definition = access.Catalogue.Find(field) ?? throw CustosException.Invalid("UnknownField", field);
                entity.Field = definition.Name;
                protection = FieldCatalogue.EffectiveProtection(definition.Level, (int)customer.Grade);
            }
            else if (request.Kind == RequestKind.Reveal)
            {
                throw CustosException.Invalid("RequestField");
            }

            decision = viewer.Decide(action, customer, entity.Field, protection);
        }
        else if (!string.IsNullOrWhiteSpace(request.Department))
        {
            var code = request.Department.Trim().ToUpperInvariant();
            var department = await db.Departments.AsNoTracking().SingleOrDefaultAsync(d => d.Code == code, ct) ?? throw CustosException.Invalid("UnknownDepartment", code);
            if (request.Kind is RequestKind.Reveal or RequestKind.Print or RequestKind.ShareExternal or RequestKind.Destroy)
            {
                throw CustosException.Invalid("RequestNeedsCustomer");
            }

            entity.DepartmentId = department.Id;
            decision = viewer.DecideIn(action, department.Id, null);
        }
        else
        {
            throw CustosException.Invalid("RequestTarget");
        }

        if (request.Kind == RequestKind.Destroy)
        {
            var op = string.IsNullOrWhiteSpace(request.Operator) ? null : await FindPersonAsync(request.Operator, ct);
            entity.OperatorId = op?.Id ?? viewer.PersonId;
        }

        if (decision.Allowed)
        {
            throw CustosException.Conflict("RequestNotNeeded");
        }

        if (decision.Remedy != request.Kind)
        {
            // Approval would not help: no role of the requester could do this, or they are refused for another reason.
            throw decision.Reason is DecisionReason.NoRole or DecisionReason.OutOfScope or DecisionReason.ApprovalRequired or DecisionReason.AboveClearance
                ? new CustosException(CustosError.Forbidden, "RequestCannotHelp")
                : Refusals.ToException(decision, "RequestCannotHelp");
        }
    }

    private static (PolicyAction Main, ActionSet All) ActionsFor(NewRequest request)
    {
        switch (request.Kind)
        {
            case RequestKind.Access:
                var set = ActionSet.None;
                foreach (var name in request.Actions is { Count: > 0 } a ? a : ["list", "view-masked", "reveal"])
                {
                    if (!PolicyActions.TryParse(name, out var action) || action is not (PolicyAction.List or PolicyAction.ViewMasked or PolicyAction.Reveal))
                    {
                        throw CustosException.Invalid("UnknownAction", name);
                    }

                    set = set.Union(ActionSet.Of(action));
                }

                return (PolicyAction.ViewMasked, set.Union(ActionSet.Of(PolicyAction.ViewMasked)));
            case RequestKind.Reveal:
                return (PolicyAction.Reveal, ActionSet.Of(PolicyAction.Reveal));
            case RequestKind.Import:
                return (PolicyAction.Import, ActionSet.Of(PolicyAction.Import));
            case RequestKind.Export:
                return (PolicyAction.Export, ActionSet.Of(PolicyAction.Export));
            case RequestKind.Print:
                return (PolicyAction.Print, ActionSet.Of(PolicyAction.Print));
            case RequestKind.ShareExternal:
                return (PolicyAction.ShareExternal, ActionSet.Of(PolicyAction.ShareExternal));
            case RequestKind.Destroy:
                return (PolicyAction.Destroy, ActionSet.Of(PolicyAction.Destroy));
            default:
                throw CustosException.Invalid("UnknownRequestKind");
        }
    }

    /// <summary>What an approved request does: a grant to the requester (or the operator of a destruction), or the role asked for.</summary>
    private async Task CarryOutAsync(AccessRequest request, DateTimeOffset now, CancellationToken ct)
    {
        if (request.Kind is RequestKind.RoleChange or RequestKind.PrivilegeChange)
        {
            var person = await users.FindByIdAsync(request.SubjectPersonId!.Value.ToString()) ?? throw CustosException.NotFound("PersonNotFound");
            var change = request.Change is { } json ? RightsChange.FromJson(json) : RightsChange.OfRoles(request.Role!);
            await RightsChanges.ApplyAsync(db, users, audit, person, change, request.Id, now, ct);
            return;
        }

        if (request.Kind == RequestKind.PolicyChange)
        {
            await policyService.PutInForceAsync(request.Change ?? "", request.Reason == "—" ? null : request.Reason, request.RequesterName, request.Id, ct);
            return;
        }

        var grant = new AccessGrant
        {
            Id = Guid.CreateVersion7(now),
            PersonId = request.Kind == RequestKind.Destroy ? request.OperatorId ?? request.RequesterId : request.RequesterId,
            CustomerId = request.CustomerId,
            DepartmentId = request.CustomerId is null ? request.DepartmentId : null,
            Field = request.Field,
            Actions = request.Actions,
            ViewOnly = request.ViewOnly,
            NotBefore = now,
            NotAfter = now.AddHours(request.GrantHours),
            RequestId = request.Id,
            PartnerId = request.PartnerId,
            GrantedAt = now,
        };
        db.AccessGrants.Add(grant);
        request.GrantId = grant.Id;
        audit.Record(AuditActions.GrantCreate, "grant", grant.Id.ToString(), detail: new
        {
            person = grant.PersonId, customer = grant.CustomerId, department = grant.DepartmentId, grant.Field, actions = grant.Actions,
            viewOnly = grant.ViewOnly, notAfter = grant.NotAfter, request = request.Id,
        });
    }

    /// <summary>Whether the caller may approve the current step: in person, or as the delegate of someone who may.</summary>
    private async Task<(ApprovalVerdict Verdict, Guid? OnBehalf)> VerdictAsync(PolicyEngine engine, AccessRequest request, Caller viewer, CancellationToken ct)
    {
        var subject = ApprovalSubjectOf(request, request.Approvals);
        var chain = await ChainAsync(request, ct);
        var own = ApprovalRules.Check(engine, subject, viewer.Subject, viewer.Context, chain);
        if (own != ApprovalVerdict.NotAnApprover)
        {
            return (own, null);
        }

        var now = time.GetUtcNow();
        var principals = await db.Delegations.AsNoTracking()
            .Where(d => d.ToId == viewer.PersonId && d.RevokedAt == null && d.Starts <= now && d.Ends > now)
            .Select(d => d.FromId).ToListAsync(ct);
        foreach (var principal in principals)
        {
            if (await PolicySubjects.LoadAsync(db, principal, now, ct) is not { } loaded)
            {
                continue;
            }

            // The delegate stands in for the principal's standing, but keeps their own: they may not be the requester or have approved already.
            var standIn = loaded.Subject with { Id = viewer.PersonId };
            if (ApprovalRules.Check(engine, subject, standIn, viewer.Context, chain) == ApprovalVerdict.MayApprove
                && ApprovalRules.Check(engine, subject, loaded.Subject, viewer.Context, chain) == ApprovalVerdict.MayApprove)
            {
                return (ApprovalVerdict.MayApprove, principal);
            }
        }

        return (own, null);
    }

    private async Task<List<Guid>> EligibleAsync(PolicyEngine engine, ApprovalStep step, ApprovalSubject subject, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var eligible = new List<Guid>();
        foreach (var id in await db.InRoleAsync(step.Role, ct))
        {
            if (await PolicySubjects.LoadAsync(db, id, now, ct) is { } loaded && ApprovalRules.Eligible(engine, step, loaded.Subject, subject))
            {
                eligible.Add(id);
            }
        }

        return eligible;
    }

    /// <summary>The requester, the person whose rights it changes, the operator, anyone who answered, anyone who may answer now, and administrators.</summary>
    private async Task<bool> MayReadAsync(Caller viewer, AccessRequest request, CancellationToken ct)
    {
        if (viewer.PersonId == request.RequesterId || viewer.PersonId == request.OperatorId || viewer.PersonId == request.SubjectPersonId
            || request.Approvals.Any(a => a.ApproverId == viewer.PersonId))
        {
            return true;
        }

        if (viewer.Decide(PolicyAction.Administer).Allowed || viewer.Decide(PolicyAction.Audit).Allowed)
        {
            return true;
        }

        // Anyone the policy names for a step of it, whatever its state now (so an approver who comes late learns it was closed).
        var subject = ApprovalSubjectOf(request, request.Approvals);
        if ((await ChainAsync(request, ct)).Any(step => ApprovalRules.Eligible(viewer.Engine, step, viewer.Subject, subject)))
        {
            return true;
        }

        return request.Status == RequestStatus.Pending && (await VerdictAsync(viewer.Engine, request, viewer, ct)).Verdict is ApprovalVerdict.MayApprove or ApprovalVerdict.AlreadyApproved;
    }

    private static ApprovalSubject ApprovalSubjectOf(AccessRequest request, IEnumerable<AccessApproval> approvals)
    {
        var approved = approvals.Where(a => a.Approved).ToList();
        return new(request.Kind, request.RequesterId, request.DepartmentId, request.ProjectId,
            [.. approved.Select(a => (a.Step, a.OnBehalfOfId ?? a.ApproverId))],
            request.OperatorId,
            [.. approved.Where(a => a.OnBehalfOfId is not null).Select(a => a.ApproverId)],
            request.SubjectPersonId);
    }

    private async Task<Person> FindPersonAsync(string? userName, CancellationToken ct)
    {
        var name = userName?.Trim() ?? "";
        return await db.Users.AsNoTracking().SingleOrDefaultAsync(p => p.UserName == name, ct) ?? throw CustosException.NotFound("PersonNotFound");
    }

    private async Task<IReadOnlyList<RequestView>> ViewsAsync(List<AccessRequest> items, PolicyEngine engine, CancellationToken ct)
    {
        var views = new List<RequestView>(items.Count);
        foreach (var item in items)
        {
            views.Add(await ViewAsync(item, engine, ct));
        }

        return views;
    }

    private async Task<RequestView> ViewAsync(AccessRequest r, PolicyEngine engine, CancellationToken ct)
    {
        var department = r.DepartmentId is { } d ? await db.Departments.Where(x => x.Id == d).Select(x => x.Code).SingleOrDefaultAsync(ct) : null;
        var chain = await ChainAsync(r, ct);
        var step = r.Status == RequestStatus.Pending ? ApprovalRules.CurrentStep(chain, ApprovalSubjectOf(r, r.Approvals)) : -1;
        return new RequestView(
            r.Id, r.Kind, r.Status, r.RequesterName, r.CustomerId, department, r.Field, r.Actions, r.ViewOnly, r.GrantHours, r.Reason, r.Role,
            r.CreatedAt, r.ExpiresAt, r.DecidedAt, step, [.. chain.Select(s => s.Role)],
            [.. r.Approvals.OrderBy(a => a.At).Select(a => new ApprovalView(a.Step, a.ApproverName, a.OnBehalfOfId is not null, a.Approved, a.Note, a.At))],
            r.GrantId,
            r.SubjectPersonId is { } p ? await db.Users.Where(u => u.Id == p).Select(u => u.DisplayName).SingleOrDefaultAsync(ct) : null,
            await NamedAsync(RightsOf(r), ct),
            r.Kind == RequestKind.PolicyChange ? PolicyService.Sha256(r.Change ?? "") : null,
            r.PartnerId is { } partner ? await partners.NameOfAsync(partner, ct) : null);
    }

    /// <summary>The change as people read it: departments and projects by name (with their code).</summary>
    private async Task<RightsChange?> NamedAsync(RightsChange? change, CancellationToken ct)
    {
        if (change is null || (change.Departments.Count == 0 && change.Projects.Count == 0))
        {
            return change;
        }

        var departments = await db.Departments.AsNoTracking().Where(d => change.Departments.Contains(d.Code)).ToDictionaryAsync(d => d.Code, d => d.Name, ct);
        var projects = await db.Projects.AsNoTracking().Where(p => change.Projects.Contains(p.Code)).ToDictionaryAsync(p => p.Code, p => p.Name, ct);
        return change with
        {
            Departments = [.. change.Departments.Select(c => departments.TryGetValue(c, out var n) ? $"{n} ({c})" : c)],
            Projects = [.. change.Projects.Select(c => projects.TryGetValue(c, out var n) ? $"{n} ({c})" : c)],
        };
    }

    private static RightsChange? RightsOf(AccessRequest r) =>
        r.Kind is not (RequestKind.RoleChange or RequestKind.PrivilegeChange) ? null
        : r.Change is { } json ? RightsChange.FromJson(json)
        : r.Role is { } role ? RightsChange.OfRoles(role)
        : null;

    private static object Detail(AccessRequest r) => new
    {
        kind = PolicyFile.KindName(r.Kind), customer = r.CustomerId, department = r.DepartmentId, r.Field, actions = r.Actions,
        viewOnly = r.ViewOnly, hours = r.GrantHours, person = r.SubjectPersonId, rights = RightsOf(r), op = r.OperatorId, policy = r.PolicyVersion,
        proposed = r.Kind == RequestKind.PolicyChange ? PolicyService.Sha256(r.Change ?? "") : null, partner = r.PartnerId,
    };
}
