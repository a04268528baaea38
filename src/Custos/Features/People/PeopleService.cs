using System.Security.Cryptography;
using Custos.Data;
using Custos.Features.Audit;
using Custos.Features.Organisation;
using Custos.Hosting;
using Custos.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Custos.Features;

namespace Custos.Features.People;

/// <summary>What an administrator supplies to create a person.</summary>
[Contract]
public sealed record NewPerson(
    string UserName,
    string DisplayName,
    string? Email,
    IReadOnlyList<string> Roles,
    IReadOnlyList<string> DepartmentCodes,
    IReadOnlyList<string> ProjectCodes,
    Clearance Clearance,
    string? Password,
    string? Reason = null);

/// <summary>A person as administrators see them (never a secret).</summary>
[Contract]
public sealed record PersonView(
    Guid Id,
    string UserName,
    string DisplayName,
    string? Email,
    EmploymentStatus EmploymentStatus,
    Clearance Clearance,
    bool TwoFactorEnabled,
    bool IsBuiltIn,
    bool IsLockedOut,
    IReadOnlyList<string> Roles,
    IReadOnlyList<string> Departments,
    IReadOnlyList<string> Projects,
    DateOnly? DepartsOn = null);

/// <summary>What became of a change to a person's rights: applied at once, and the requests now waiting for approval.</summary>
[Contract]
public sealed record RightsOutcome(bool Applied, IReadOnlyList<Access.RequestView> Pending)
{
    public bool Complete => Pending.Count == 0;
}

/// <summary>
/// Every change to people, their roles and memberships (ACC-2) goes through here, from the UI, the API and
/// the CLI alike, and is recorded with its before and after state in the same transaction. Separation of
/// duties: nobody changes their own rights by this path; what takes rights away is done at once; what gives
/// customer access or privilege (a role, a department or project, a higher clearance) becomes a request
/// that the people the policy names approve (role-change, privilege-change) — never an administrator.
/// </summary>
[Contract]
public sealed class PeopleService(
    CustosDbContext db,
    UserManager<Person> users,
    IAuditTrail audit,
    ICurrentActor actor,
    PolicyStore policy,
    IServiceProvider services,
    TimeProvider time)
{
    public async Task<IReadOnlyList<PersonView>> ListAsync(CancellationToken ct)
    {
        var people = await db.Users.AsNoTracking().OrderBy(p => p.UserName).ToListAsync(ct);
        return await ViewsAsync(people, ct);
    }

    public async Task<PersonView> GetAsync(Guid id, CancellationToken ct)
    {
        var person = await db.Users.AsNoTracking().SingleOrDefaultAsync(p => p.Id == id, ct)
            ?? throw CustosException.NotFound("PersonNotFound");
        return (await ViewsAsync([person], ct))[0];
    }

    /// <summary>Finds a person by user name or id, for the CLI.</summary>
    public async Task<Person> FindAsync(string userNameOrId, CancellationToken ct)
    {
        var normalised = users.NormalizeName(userNameOrId);
        var person = Guid.TryParse(userNameOrId, out var id)
            ? await db.Users.SingleOrDefaultAsync(p => p.Id == id, ct)
            : await db.Users.SingleOrDefaultAsync(p => p.NormalizedUserName == normalised, ct);
        return person ?? throw CustosException.NotFound("PersonNotFound");
    }

    /// <summary>
    /// Creates a person with no rights, then asks for the roles, memberships and clearance wanted (given at once when
    /// the system itself acts: set-up and the demo). Returns the generated initial password when none was supplied.
    /// </summary>
    public async Task<(Person Person, string? GeneratedPassword, RightsOutcome Rights)> CreateAsync(NewPerson request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrWhiteSpace(request.UserName))
        {
            throw CustosException.Invalid("UserNameRequired");
        }

        if (string.IsNullOrWhiteSpace(request.DisplayName))
        {
            throw CustosException.Invalid("DisplayNameRequired");
        }

        var userName = TextInput.Clean(request.UserName, "userName");
        var displayName = TextInput.Clean(request.DisplayName, "displayName");
        if (userName.Length > MaxUserName)
        {
            throw CustosException.Invalid("FieldTooLong", "userName", MaxUserName);
        }

        if (displayName.Length > MaxDisplayName)
        {
            throw CustosException.Invalid("FieldTooLong", "displayName", MaxDisplayName);
        }

        var email = string.IsNullOrWhiteSpace(request.Email) ? null : CheckedEmail(request.Email);
        ValidateRoles(request.Roles);
        var departments = await ResolveDepartmentsAsync(request.DepartmentCodes, ct);
        var projects = await ResolveProjectsAsync(request.ProjectCodes, ct);
        if (!Enum.IsDefined(request.Clearance))
        {
            throw CustosException.Invalid("InvalidEnum", "clearance");
        }

        var generated = request.Password is null ? GeneratePassword() : null;
        var person = new Person
        {
            Id = Guid.CreateVersion7(time.GetUtcNow()),
            UserName = userName,
            DisplayName = displayName,
            Email = email,
            Clearance = Clearance.Secret,
            CreatedAt = time.GetUtcNow(),
            LockoutEnabled = true,
        };

        // Inside a caller's transaction (a SCIM client's, which adds to the person), as part of it; otherwise its own.
        await using var tx = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(ct) : null;
        Check(await users.CreateAsync(person, request.Password ?? generated!));
        audit.Record(AuditActions.PersonCreate, "person", person.Id.ToString(), detail: new
        {
            after = new { person.UserName, person.DisplayName, Clearance = person.Clearance.ToString() },
            asked = new
            {
                roles = request.Roles,
                departments = departments.Select(d => d.Code),
                projects = projects.Select(p => p.Code),
                clearance = request.Clearance.ToString(),
            },
        });
        await db.SaveChangesAsync(ct);

        // What the new person is to have: given at once by the system (set-up, demo), otherwise asked for (ACC-4).
        var outcome = await GiveAsync(person, new RightsChange(request.Roles, [.. departments.Select(d => d.Code)], [.. projects.Select(p => p.Code)], request.Clearance), request.Reason, ct);
        if (tx is not null)
        {
            await tx.CommitAsync(ct);
        }
        return (person, generated, outcome);
    }

    /// <summary>Replaces a person's roles: roles taken away go at once; roles given go through approval.</summary>
    public async Task<RightsOutcome> SetRolesAsync(Guid id, IReadOnlyList<string> roles, CancellationToken ct, string? reason = null)
    {
        ArgumentNullException.ThrowIfNull(roles);
        ValidateRoles(roles, seat: true);
        var person = await LoadForChangeAsync(id, ct);
        var before = await users.GetRolesAsync(person);
        if (actor.Id != FixedActor.System.Id)
        {
            // The committee's role comes and goes with a seat only: kept exactly as held, whatever the list says.
            roles = [.. roles.Where(r => r != Roles.CommitteeMember), .. before.Where(r => r == Roles.CommitteeMember)];
        }

        if (person.IsBuiltIn && !roles.Contains(Roles.ItAdministrator))
        {
            throw CustosException.Invalid("BuiltInKeepsAdmin");
        }

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var remove = before.Except(roles, StringComparer.Ordinal).ToList();
        var applied = false;
        if (remove.Count > 0)
        {
            Check(await users.RemoveFromRolesAsync(person, remove));
            audit.Record(AuditActions.PersonRolesChange, "person", person.Id.ToString(), detail: new { before = before.Order(), after = before.Except(remove).Order() });
            await EndSessionsAsync(person, ct);
            applied = true;
        }

        var outcome = await GiveAsync(person, RightsChange.None with { Roles = [.. roles.Except(before, StringComparer.Ordinal)] }, reason, ct);
        await tx.CommitAsync(ct);
        return outcome with { Applied = applied || outcome.Applied };
    }

    /// <summary>Replaces a person's departments and projects: those left go at once; those joined go through approval.</summary>
    public async Task<RightsOutcome> SetMembershipsAsync(Guid id, IReadOnlyList<string> departmentCodes, IReadOnlyList<string> projectCodes, CancellationToken ct, string? reason = null)
    {
        var person = await LoadForChangeAsync(id, ct);
        var departments = await ResolveDepartmentsAsync(departmentCodes, ct);
        var projects = await ResolveProjectsAsync(projectCodes, ct);
        var beforeDepartments = await db.DepartmentMemberships.Where(m => m.PersonId == id).Select(m => new { m.DepartmentId, m.Department!.Code }).ToListAsync(ct);
        var beforeProjects = await db.ProjectMemberships.Where(m => m.PersonId == id).Select(m => new { m.ProjectId, m.Project!.Code }).ToListAsync(ct);
        var leftDepartments = beforeDepartments.Where(b => departments.All(d => d.Id != b.DepartmentId)).ToList();
        var leftProjects = beforeProjects.Where(b => projects.All(p => p.Id != b.ProjectId)).ToList();
        if (await OutsidePartnerProjectsAsync(id, [.. projects.Where(p => beforeProjects.All(b => b.ProjectId != p.Id)).Select(p => p.Code)], ct) is { Length: > 0 } outside)
        {
            // Refused and recorded before anything changes.
            await audit.RecordNowAsync(AuditActions.PersonChange, "person", id.ToString(), AuditOutcome.Denied, new { reason = "partner-projects", projects = outside }, ct);
            throw CustosException.Invalid("PartnerProjectOnly", outside);
        }

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var applied = false;
        if (leftDepartments.Count > 0 || leftProjects.Count > 0)
        {
            var leftDepartmentIds = leftDepartments.Select(l => l.DepartmentId).ToList();
            var leftProjectIds = leftProjects.Select(l => l.ProjectId).ToList();
            // Through the change tracker, so the person's rights version rises with the change (RightsStamps).
            db.DepartmentMemberships.RemoveRange(await db.DepartmentMemberships.Where(m => m.PersonId == id && leftDepartmentIds.Contains(m.DepartmentId)).ToListAsync(ct));
            db.ProjectMemberships.RemoveRange(await db.ProjectMemberships.Where(m => m.PersonId == id && leftProjectIds.Contains(m.ProjectId)).ToListAsync(ct));
            audit.Record(AuditActions.PersonMembershipsChange, "person", person.Id.ToString(), detail: new
            {
                before = new { departments = beforeDepartments.Select(b => b.Code).Order(), projects = beforeProjects.Select(b => b.Code).Order() },
                after = new
                {
                    departments = beforeDepartments.Except(leftDepartments).Select(b => b.Code).Order(),
                    projects = beforeProjects.Except(leftProjects).Select(b => b.Code).Order(),
                },
            });
            await db.SaveChangesAsync(ct);
            applied = true;
        }

        var joined = RightsChange.None with
        {
            Departments = [.. departments.Where(d => beforeDepartments.All(b => b.DepartmentId != d.Id)).Select(d => d.Code)],
            Projects = [.. projects.Where(p => beforeProjects.All(b => b.ProjectId != p.Id)).Select(p => p.Code)],
        };
        var outcome = await GiveAsync(person, joined, reason, ct);
        await tx.CommitAsync(ct);
        return outcome with { Applied = applied || outcome.Applied };
    }

    /// <summary>Sets a person's clearance: a lower one at once, a higher one through approval.</summary>
    public async Task<RightsOutcome> SetClearanceAsync(Guid id, Clearance clearance, CancellationToken ct, string? reason = null)
    {
        if (!Enum.IsDefined(clearance))
        {
            throw CustosException.Invalid("InvalidEnum", "clearance");
        }

        var person = await LoadForChangeAsync(id, ct);
        var before = person.Clearance;
        if (clearance > before)
        {
            return await GiveAsync(person, RightsChange.None with { Clearance = clearance }, reason, ct);
        }

        if (clearance < before)
        {
            person.Clearance = clearance;
            audit.Record(AuditActions.PersonClearanceChange, "person", person.Id.ToString(), detail: new { before = before.ToString(), after = clearance.ToString() });
            await db.SaveChangesAsync(ct);
        }

        return new RightsOutcome(clearance < before, []);
    }

    /// <summary>
    /// Links the person to their subject at the single sign-on provider, or with null unlinks them (a new way in, never
    /// a right); one person per subject; never one's own; recorded.
    /// </summary>
    public async Task LinkSsoAsync(Guid id, string? subject, CancellationToken ct)
    {
        var person = await LoadForChangeAsync(id, ct);
        var clean = subject is null ? null : TextInput.Clean(subject, "subject");
        if (clean is { Length: 0 or > 200 })
        {
            throw CustosException.Invalid("FieldTooLong", "subject", 200);
        }

        if (clean is not null)
        {
            // A way in that skips the password: never for the built-in account or anyone holding a privileged role
            // (approving, auditing, administering), whose sign-in an administrator could otherwise take over.
            var engine = await policy.CurrentAsync(db, ct);
            var held = await users.GetRolesAsync(person);
            if (person.IsBuiltIn || held.Any(r => engine.WeightOf(r) == Kernel.Policy.RoleWeight.Privileged))
            {
                await audit.RecordNowAsync(AuditActions.PersonSsoLink, "person", person.Id.ToString(), AuditOutcome.Denied, new { reason = "privileged" }, ct);
                throw CustosException.Invalid("SsoPrivileged");
            }
        }

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var removed = 0;
        foreach (var login in (await users.GetLoginsAsync(person)).Where(l => l.LoginProvider == Accounts.ExternalLogins.OpenIdConnect))
        {
            Check(await users.RemoveLoginAsync(person, login.LoginProvider, login.ProviderKey));
            removed++;
        }

        if (removed > 0)
        {
            // A way in taken away: sessions that came through it end too.
            await EndSessionsAsync(person, ct, "sso");
        }

        if (clean is not null)
        {
            var result = await users.AddLoginAsync(person, new UserLoginInfo(Accounts.ExternalLogins.OpenIdConnect, clean, "SSO"));
            if (!result.Succeeded && result.Errors.Any(e => e.Code == "LoginAlreadyAssociated"))
            {
                throw CustosException.Conflict("SsoSubjectTaken");
            }

            Check(result);
        }

        audit.Record(AuditActions.PersonSsoLink, "person", person.Id.ToString(), detail: new { linked = clean is not null });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>Changes a person's name or e-mail as their HR system or identity provider keeps them (not rights); recorded. Runs inside the caller's transaction.</summary>
    public async Task UpdateContactAsync(Guid id, string? displayName, string? email, CancellationToken ct)
    {
        var person = await LoadForChangeAsync(id, ct);
        var before = new { person.DisplayName, person.Email };
        if (displayName is not null)
        {
            var name = TextInput.Clean(displayName, "displayName");
            person.DisplayName = name.Length is > 0 and <= MaxDisplayName ? name : throw CustosException.Invalid("FieldTooLong", "displayName", MaxDisplayName);
        }

        if (email is not null)
        {
            person.Email = email.Length == 0 ? null : CheckedEmail(email);
            person.NormalizedEmail = person.Email is null ? null : users.NormalizeEmail(person.Email);
        }

        audit.Record(AuditActions.PersonContactChange, "person", person.Id.ToString(), detail: new { before, after = new { person.DisplayName, person.Email } });
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Asks for roles a person lacks (a committee seat's), through the usual approvals; never for oneself. Runs inside the caller's transaction.</summary>
    public async Task<RightsOutcome> RequestRolesAsync(Guid id, IReadOnlyList<string> roles, string reason, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(roles);
        ValidateRoles(roles, seat: true);
        var person = await LoadForChangeAsync(id, ct);
        var held = await users.GetRolesAsync(person);
        return await GiveAsync(person, RightsChange.None with { Roles = [.. roles.Except(held, StringComparer.Ordinal)] }, reason, ct);
    }

    /// <summary>Takes one role away at once (a committee seat that ended), ending the person's sessions; never one's own. Runs inside the caller's transaction.</summary>
    public async Task<bool> TakeRoleAsync(Guid id, string role, CancellationToken ct)
    {
        var person = await LoadForChangeAsync(id, ct);
        var before = await users.GetRolesAsync(person);
        if (!before.Contains(role, StringComparer.Ordinal))
        {
            return false;
        }

        Check(await users.RemoveFromRoleAsync(person, role));
        audit.Record(AuditActions.PersonRolesChange, "person", person.Id.ToString(), detail: new { before = before.Order(), after = before.Where(r => r != role).Order() });
        await EndSessionsAsync(person, ct);
        return true;
    }

    /// <summary>
    /// Asks for what a successor takes over from someone leaving (PPL-3): the departments and projects they are not yet
    /// in and a clearance above theirs, through the usual approvals — never for oneself, and nothing given at once
    /// that the policy routes to approvers. Runs inside the caller's transaction.
    /// </summary>
    public async Task<RightsOutcome> RequestTakeOverAsync(Guid id, IReadOnlyList<string> departmentCodes, IReadOnlyList<string> projectCodes, Clearance? clearance, string reason, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(departmentCodes);
        ArgumentNullException.ThrowIfNull(projectCodes);
        var person = await LoadForChangeAsync(id, ct);
        var departments = await ResolveDepartmentsAsync(departmentCodes, ct);
        var projects = await ResolveProjectsAsync(projectCodes, ct);
        var inDepartments = await db.DepartmentMemberships.Where(m => m.PersonId == id).Select(m => m.DepartmentId).ToListAsync(ct);
        var inProjects = await db.ProjectMemberships.Where(m => m.PersonId == id).Select(m => m.ProjectId).ToListAsync(ct);
        var change = RightsChange.None with
        {
            Departments = [.. departments.Where(d => !inDepartments.Contains(d.Id)).Select(d => d.Code)],
            Projects = [.. projects.Where(p => !inProjects.Contains(p.Id)).Select(p => p.Code)],
            Clearance = clearance > person.Clearance ? clearance : null,
        };
        return await GiveAsync(person, change, reason, ct);
    }

    /// <summary>The projects among <paramref name="codes"/> a partner's user may not join (their partner does not work on them), comma-separated; empty for anyone else.</summary>
    private async Task<string> OutsidePartnerProjectsAsync(Guid person, IReadOnlyList<string> codes, CancellationToken ct)
    {
        if (codes.Count == 0 || await services.GetRequiredService<Partners.PartnerService>().ProjectsOpenToAsync(person, ct) is not { } open)
        {
            return "";
        }

        return string.Join(", ", (await ResolveProjectsAsync(codes, ct)).Where(p => !open.Contains(p.Id)).Select(p => p.Code).Order(StringComparer.Ordinal));
    }

    /// <summary>
    /// Gives what <paramref name="change"/> adds: at once when the system itself acts (set-up, demo) or for roles that
    /// give nothing; otherwise as requests routed by the policy, which the person's approvers decide.
    /// </summary>
    private async Task<RightsOutcome> GiveAsync(Person person, RightsChange change, string? reason, CancellationToken ct)
    {
        if (change.IsEmpty)
        {
            return new RightsOutcome(false, []);
        }

        // A partner's user is asked only into their partner's projects (PPL-4), whoever asks and however it would be approved.
        if (await OutsidePartnerProjectsAsync(person.Id, change.Projects, ct) is { Length: > 0 } outside)
        {
            throw CustosException.Invalid("PartnerProjectOnly", outside);
        }

        if (actor.Id == FixedActor.System.Id)
        {
            await RightsChanges.ApplyAsync(db, users, audit, person, change, null, time.GetUtcNow(), ct);
            return new RightsOutcome(true, []);
        }

        var requests = services.GetRequiredService<Access.RequestService>();
        var engine = await policy.CurrentAsync(db, ct);
        var pending = new List<Access.RequestView>();
        var applied = false;
        foreach (var part in await requests.RouteAsync(engine, person.Id, change, ct))
        {
            if (part.Kind == Kernel.Policy.RequestKind.Access)
            {
                // Roles that reach no customer and carry no privilege.
                await RightsChanges.ApplyAsync(db, users, audit, person, part.Change, null, time.GetUtcNow(), ct);
                applied = true;
                continue;
            }

            pending.Add(await requests.SubmitRightsAsync(person, part, reason, ct));
        }

        return new RightsOutcome(applied, pending);
    }

    /// <summary>
    /// Fills an approving role that nobody holds — the first general manager and compliance officer of a new
    /// installation, or after the last one left — so that changes of rights can be approved at all. Only from the
    /// command line (whoever runs it holds the key file and the database already), never for oneself, and only
    /// for a role a rights chain names; recorded, and told to the compliance officers by the alert rules.
    /// </summary>
    public async Task AppointAsync(Guid id, string role, CancellationToken ct)
    {
        if (!actor.FromCommandLine || !Guid.TryParse(actor.Id, out _))
        {
            throw new CustosException(CustosError.Forbidden, "AppointFromCommandLine");
        }

        var person = await LoadForChangeAsync(id, ct);
        var engine = await policy.CurrentAsync(db, ct);
        var approving = new[] { Kernel.Policy.RequestKind.RoleChange, Kernel.Policy.RequestKind.PrivilegeChange, Kernel.Policy.RequestKind.PolicyChange }
            .SelectMany(engine.ChainFor).Select(s => s.Role).ToHashSet(StringComparer.Ordinal);
        if (!approving.Contains(role))
        {
            throw CustosException.Invalid("AppointOnlyApprovers", string.Join(", ", approving.Order(StringComparer.Ordinal)));
        }

        // Never someone who administers rights: they would then approve them.
        var held = await (from ur in db.UserRoles join r in db.Roles on ur.RoleId equals r.Id where ur.UserId == person.Id select r.Name!).ToListAsync(ct);
        if (held.Any(engine.AdministersAsRole))
        {
            throw CustosException.Invalid("AppointNotAdministrator");
        }

        // Held while anyone holds it who has not left — suspended included, or suspending the holder would empty it on demand.
        var holders = await db.InRoleAsync(role, ct);
        var standing = await db.Users.Where(u => holders.Contains(u.Id) && u.EmploymentStatus != EmploymentStatus.Departed).Select(u => u.DepartsOn).ToListAsync(ct);
        var now = time.GetUtcNow();
        if (standing.Any(departsOn => !engine.HasLeft(departsOn, now)))
        {
            throw CustosException.Conflict("AppointRoleHeld", new TextKey("Role." + role));
        }

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        audit.Record(AuditActions.PersonAppoint, "person", person.Id.ToString(), detail: new { role });
        await RightsChanges.ApplyAsync(db, users, audit, person, RightsChange.OfRoles(role), null, time.GetUtcNow(), ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>The person to change, never the caller: nobody changes their own rights or standing by this path.</summary>
    private async Task<Person> LoadForChangeAsync(Guid id, CancellationToken ct)
    {
        if (actor.Id == id.ToString())
        {
            await audit.RecordNowAsync(AuditActions.PersonChange, "person", id.ToString(), AuditOutcome.Denied, new { reason = "self" }, ct);
            throw new CustosException(CustosError.Forbidden, "CannotChangeOwnRights");
        }

        return await LoadAsync(id, ct);
    }

    /// <summary>Ends every session of the person on every node (the security stamp is checked on each request).</summary>
    private async Task EndSessionsAsync(Person person, CancellationToken ct, string reason = "rights")
    {
        Check(await users.UpdateSecurityStampAsync(person));
        await Accounts.Sessions.EndAllAsync(db, person.Id, reason, time.GetUtcNow(), ct);
    }

    /// <summary>Records (or, with null, withdraws) a person's announced departure; recorded with before and after (PPL-3).</summary>
    public async Task SetDepartureAsync(Guid id, DateOnly? departsOn, CancellationToken ct)
    {
        var person = await LoadForChangeAsync(id, ct);
        var before = person.DepartsOn;
        person.DepartsOn = departsOn;
        audit.Record(AuditActions.PersonDeparture, "person", person.Id.ToString(), detail: new { before, after = departsOn });
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Suspends a person: every session and sign-in is refused from the next request on (PPL-3).</summary>
    public async Task DisableAsync(Guid id, CancellationToken ct)
    {
        var person = await LoadForChangeAsync(id, ct);
        if (person.IsBuiltIn)
        {
            throw CustosException.Invalid("BuiltInCannotBeDisabled");
        }

        var before = person.EmploymentStatus;
        person.EmploymentStatus = EmploymentStatus.Suspended;
        person.SecurityStamp = Guid.NewGuid().ToString("N");
        audit.Record(AuditActions.PersonDisable, "person", person.Id.ToString(), detail: new { before = before.ToString(), after = person.EmploymentStatus.ToString() });
        await db.SaveChangesAsync(ct);
        await Accounts.Sessions.EndAllAsync(db, person.Id, "disabled", time.GetUtcNow(), ct);
    }

    /// <summary>Lifts a suspension. Never for someone who has left: their file is closed, a return is a new account (PPL-3).</summary>
    public async Task EnableAsync(Guid id, CancellationToken ct)
    {
        var person = await LoadForChangeAsync(id, ct);
        if (person.EmploymentStatus == EmploymentStatus.Departed)
        {
            await audit.RecordNowAsync(AuditActions.PersonEnable, "person", person.Id.ToString(), AuditOutcome.Denied, new { reason = "departed" }, ct);
            throw CustosException.Conflict("PersonDeparted");
        }

        var before = person.EmploymentStatus;
        person.EmploymentStatus = EmploymentStatus.Active;
        person.LockoutEnd = null;
        person.AccessFailedCount = 0;
        audit.Record(AuditActions.PersonEnable, "person", person.Id.ToString(), detail: new { before = before.ToString(), after = person.EmploymentStatus.ToString() });
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Removes the authenticator so the person enrols again at the next sign-in; ends their sessions.</summary>
    public async Task ResetMfaAsync(Guid id, CancellationToken ct)
    {
        var person = await LoadForChangeAsync(id, ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        Check(await users.SetTwoFactorEnabledAsync(person, false));
        Check(await users.ResetAuthenticatorKeyAsync(person));
        audit.Record(AuditActions.PersonMfaReset, "person", person.Id.ToString());
        await db.SaveChangesAsync(ct);
        await Accounts.Sessions.EndAllAsync(db, person.Id, "mfa-reset", time.GetUtcNow(), ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>Sets a new password chosen by an administrator and ends the person's sessions.</summary>
    public async Task SetPasswordAsync(Guid id, string password, CancellationToken ct)
    {
        var person = await LoadForChangeAsync(id, ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var token = await users.GeneratePasswordResetTokenAsync(person);
        Check(await users.ResetPasswordAsync(person, token, password));
        audit.Record(AuditActions.PersonPasswordReset, "person", person.Id.ToString());
        await db.SaveChangesAsync(ct);
        await Accounts.Sessions.EndAllAsync(db, person.Id, "password", time.GetUtcNow(), ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>A random password that meets the policy, for people created without one.</summary>
    public static string GeneratePassword()
    {
        const string alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
        var chars = new char[16];
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)];
        }

        // Guarantee every character class the policy asks for.
        return "Cu-" + new string(chars) + "7a";
    }

    private async Task<Person> LoadAsync(Guid id, CancellationToken ct) =>
        await db.Users.SingleOrDefaultAsync(p => p.Id == id, ct) ?? throw CustosException.NotFound("PersonNotFound");

    public const int MaxUserName = 64;
    public const int MaxDisplayName = 100;

    /// <summary>An address mail can be sent to, one only, nothing around it (no second line, no display name).</summary>
    private static string CheckedEmail(string email)
    {
        var trimmed = email.Trim();
        if (trimmed.Length > 254 || trimmed.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is ',' or ';' or '<' or '>' or '"')
            || !System.Net.Mail.MailAddress.TryCreate(trimmed, out var parsed) || parsed.Address != trimmed || !parsed.Host.Contains('.', StringComparison.Ordinal))
        {
            throw CustosException.Invalid("InvalidEmail");
        }

        return trimmed;
    }

    private void ValidateRoles(IEnumerable<string?> roles, bool seat = false)
    {
        foreach (var role in roles)
        {
            if (string.IsNullOrWhiteSpace(role))
            {
                throw CustosException.Invalid("EmptyListItem", "roles");
            }

            if (!Roles.IsKnown(role))
            {
                throw CustosException.Invalid("UnknownRole", role);
            }

            // The committee's role comes with a seat (its term, its end), never on its own.
            if (role == Roles.CommitteeMember && !seat && actor.Id != FixedActor.System.Id)
            {
                throw CustosException.Invalid("CommitteeRoleBySeat");
            }
        }
    }

    private async Task<List<Department>> ResolveDepartmentsAsync(IReadOnlyList<string?> codes, CancellationToken ct)
    {
        if (codes.Any(string.IsNullOrWhiteSpace))
        {
            throw CustosException.Invalid("EmptyListItem", "departments");
        }

        var wanted = codes.Select(c => c!.Trim().ToUpperInvariant()).Distinct().ToList();
        var found = await db.Departments.Where(d => wanted.Contains(d.Code)).ToListAsync(ct);
        var missing = wanted.Except(found.Select(d => d.Code)).FirstOrDefault();
        return missing is null ? found : throw CustosException.Invalid("UnknownDepartment", missing);
    }

    private async Task<List<Project>> ResolveProjectsAsync(IReadOnlyList<string?> codes, CancellationToken ct)
    {
        if (codes.Any(string.IsNullOrWhiteSpace))
        {
            throw CustosException.Invalid("EmptyListItem", "projects");
        }

        var wanted = codes.Select(c => c!.Trim().ToUpperInvariant()).Distinct().ToList();
        var found = await db.Projects.Where(p => wanted.Contains(p.Code)).ToListAsync(ct);
        var missing = wanted.Except(found.Select(p => p.Code)).FirstOrDefault();
        return missing is null ? found : throw CustosException.Invalid("UnknownProject", missing);
    }

    private async Task<List<PersonView>> ViewsAsync(List<Person> people, CancellationToken ct)
    {
        var ids = people.Select(p => p.Id).ToList();
        var roles = await (from ur in db.UserRoles
                           join r in db.Roles on ur.RoleId equals r.Id
                           where ids.Contains(ur.UserId)
                           select new { ur.UserId, r.Name }).ToListAsync(ct);
        var departments = await db.DepartmentMemberships.Where(m => ids.Contains(m.PersonId))
            .Select(m => new { m.PersonId, m.Department!.Code }).ToListAsync(ct);
        var projects = await db.ProjectMemberships.Where(m => ids.Contains(m.PersonId))
            .Select(m => new { m.PersonId, m.Project!.Code }).ToListAsync(ct);
        var now = time.GetUtcNow();
        return people.Select(p => new PersonView(
            p.Id,
            p.UserName ?? "",
            p.DisplayName,
            p.Email,
            p.EmploymentStatus,
            p.Clearance,
            p.TwoFactorEnabled,
            p.IsBuiltIn,
            p.LockoutEnd is { } end && end > now,
            [.. roles.Where(r => r.UserId == p.Id).Select(r => r.Name!).Order(StringComparer.Ordinal)],
            [.. departments.Where(d => d.PersonId == p.Id).Select(d => d.Code).Order(StringComparer.Ordinal)],
            [.. projects.Where(d => d.PersonId == p.Id).Select(d => d.Code).Order(StringComparer.Ordinal)],
            p.DepartsOn)).ToList();
    }

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            var error = result.Errors.First();
            throw error.Code == "DuplicateUserName"
                ? CustosException.Conflict("DuplicateUserName")
                : CustosException.Invalid("Identity." + error.Code);
        }
    }
}
