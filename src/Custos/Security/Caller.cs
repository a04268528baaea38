using Custos.Data;
using Custos.Hosting;
using Custos.Features.Customers;
using Custos.Kernel.Policy;
using Microsoft.EntityFrameworkCore;

namespace Custos.Security;

/// <summary>
/// Who is looking at customer information, as the policy sees them (ACC-1..6): roles, departments and
/// projects, clearance, preconditions and live grants, from where and when. Loaded from the database for
/// every request, so a revoked grant or a suspended account holds on the next request on every node.
/// </summary>
public sealed class Caller(Guid personId, string name, PolicySubject subject, PolicyEngine engine, PolicyContext context)
{
    public Guid PersonId { get; } = personId;

    public string Name { get; } = name;

    public PolicySubject Subject { get; } = subject;

    public PolicyEngine Engine { get; } = engine;

    public PolicyContext Context { get; } = context;

    public IReadOnlySet<Guid> Departments => Subject.Departments;

    public IReadOnlySet<Guid> Projects => Subject.Projects;

    /// <summary>The decision for an action on nothing in particular (may this person list, create, import at all).</summary>
    public Decision Decide(PolicyAction action) => Engine.Decide(Subject, action, PolicyResource.Nothing, Context);

    /// <summary>The decision for an action on a customer; <paramref name="protection"/> is the field's effective level, or 0 for the customer's grade.</summary>
    public Decision Decide(PolicyAction action, Customer customer, string? field = null, int protection = 0)
    {
        ArgumentNullException.ThrowIfNull(customer);
        var resource = new PolicyResource(customer.Id, customer.DepartmentId, customer.ProjectId, protection > 0 ? protection : (int)customer.Grade, field) { ViewOnly = customer.ViewOnly };
        return Engine.Decide(Subject, action, resource, Context);
    }

    /// <summary>Whether what this person may see of a customer may also leave with them (a field in clear in a copy, an attachment downloaded): never through a view-only grant (ACC-5).</summary>
    public Decision DecideTakeAway(PolicyAction seeing, Customer customer, string? field = null, int protection = 0)
    {
        ArgumentNullException.ThrowIfNull(customer);
        var resource = new PolicyResource(customer.Id, customer.DepartmentId, customer.ProjectId, protection > 0 ? protection : (int)customer.Grade, field) { ViewOnly = customer.ViewOnly };
        return Engine.DecideTakeAway(Subject, seeing, resource, Context);
    }

    /// <summary>The decision for an action into a department (creating or importing customers there).</summary>
    public Decision DecideIn(PolicyAction action, Guid department, Guid? project) =>
        Engine.Decide(Subject, action, PolicyResource.InDepartment(department, project), Context);

    public ListScope ListScope() => Engine.ListScopeFor(Subject, Context);

    public static async Task<Caller> LoadAsync(CustosDbContext db, ICurrentActor actor, PolicyStore policy, TimeProvider time, CancellationToken ct, SubjectCache? cache = null)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(time);
        var now = time.GetUtcNow();
        var address = PolicySubjects.Address(actor.ClientAddress);
        if (Guid.TryParse(actor.Id, out var person) && cache is not null)
        {
            // One round trip: the person's rights version and the newest policy and agreement versions; the rest from memory while they hold.
            var stamp = await db.Users.AsNoTracking().Where(u => u.Id == person)
                .Select(u => new
                {
                    u.RightsVersion,
                    Policy = db.PolicyVersions.Max(v => (int?)v.Version),
                    Agreement = db.Set<Features.Agreements.AgreementTemplate>().Max(t => (int?)t.Version),
                })
                .SingleOrDefaultAsync(ct) ?? throw CustosException.NotFound("PersonNotFound");
            var current = await policy.NewestAsync(db, stamp.Policy, ct);
            var context = new PolicyContext(address, now, await policy.AgreementTermsAsync(db, stamp.Agreement, ct));
            if (cache.Find(person, stamp.RightsVersion) is not { } entry)
            {
                var read = await PolicySubjects.LoadAsync(db, person, now, ct) ?? throw CustosException.NotFound("PersonNotFound");
                entry = new SubjectCache.Entry(read.Person.RightsVersion, read.Person.DisplayName, read.Subject);
                cache.Keep(person, entry);
            }

            return Narrowed(person, entry.DisplayName, entry.Subject, actor, current, context);
        }

        var engine = await policy.CurrentAsync(db, ct);
        var contextNow = new PolicyContext(address, now, await policy.AgreementTermsAsync(db, ct));
        if (!Guid.TryParse(actor.Id, out var id))
        {
            // API tokens and the system are not people: they have no role, so every decision is a denial.
            var nobody = new PolicySubject(Guid.Empty, [], 0, new HashSet<Guid>(), new HashSet<Guid>(), true, null, null, GrantSet.Empty);
            return new Caller(Guid.Empty, actor.Name, nobody, engine, contextNow);
        }

        var loaded = await PolicySubjects.LoadAsync(db, id, now, ct) ?? throw CustosException.NotFound("PersonNotFound");
        return Narrowed(id, loaded.Person.DisplayName, loaded.Subject, actor, engine, contextNow);
    }

    private static Caller Narrowed(Guid id, string name, PolicySubject subject, ICurrentActor actor, PolicyEngine engine, PolicyContext context) =>
        new(id, name, actor.RoleLimit is { } limit
            ? subject with { Roles = [.. subject.Roles.Where(limit.Contains)], HeldRoles = subject.Roles } // through a token: its scopes narrow the person's roles
            : subject, engine, context);
}
