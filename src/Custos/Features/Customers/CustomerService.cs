using Custos.Data;
using Custos.Features.Keys;
using Custos.Features.Organisation;
using Custos.Features.People;
using Custos.Hosting;
using Custos.Kernel.Classification;
using Custos.Kernel.Crypto;
using Custos.Kernel.Masking;
using Custos.Kernel.Policy;
using Custos.Kernel.Recognisers;
using Custos.Security;
using Microsoft.EntityFrameworkCore;
using Custos.Features;

namespace Custos.Features.Customers;

public sealed record NewCustomer(CustomerKind Kind, string? DepartmentCode, string? ProjectCode, Clearance Grade, IReadOnlyDictionary<string, string?> Values, IReadOnlyList<string>? Tags = null);

public sealed record CustomerRow(Guid Id, CustomerKind Kind, string Name, string Mobile, Clearance Grade, string Department);

/// <summary>Narrows a list to one department, project or secrecy grade (codes are not protected; they may travel in a URL).</summary>
public sealed record CustomerFilter(string? Department = null, string? Project = null, Clearance? Grade = null, string? Tag = null)
{
    public static CustomerFilter None { get; } = new();
}

/// <summary>A department or project the viewer may filter by.</summary>
[Contract]
public sealed record ScopeOption(string Code, string Name);

/// <summary>A page of customers: <paramref name="Total"/> is exact unless <paramref name="TotalIsAtLeast"/> (then "more than");
/// <paramref name="Next"/> and <paramref name="Previous"/> are cursors for the pages after and before, null at either end.</summary>
public sealed record CustomerPage(IReadOnlyList<CustomerRow> Items, int PageSize, int Total, bool TotalIsAtLeast, string? Next, string? Previous);

/// <summary>One field as a person sees it: masked, labelled with its level and the effective protection (CLS-3).</summary>
public sealed record FieldView(string Field, FieldGroup Group, Sensitivity Level, int Protection, string Masked, bool MayReveal);

/// <summary>One change of a field: which, when and by whom — never the values.</summary>
public sealed record HistoryEntry(string Field, DateTimeOffset ChangedAt, string ChangedBy);

/// <param name="ViewOnly">The caller sees this customer through a view-only grant: no print, copy, export or forward (ACC-5).</param>
/// <param name="FromThirdParty">The customer came in a list received from a third party: view-only for everyone (EXP-3).</param>
/// <param name="MayPrint">The policy lets the caller print this customer now (a role, or an approved print request).</param>
/// <param name="MayDestroy">The policy lets the caller destroy this customer now (normally an approved destruction request).</param>
/// <param name="CanAsk">What the caller may ask approval for on this customer (print, export, external share, destruction): the page offers only those requests.</param>
public sealed record CustomerDetail(
    Guid Id, CustomerKind Kind, Clearance Grade, string Department, string? Project,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, IReadOnlyList<FieldView> Fields, IReadOnlyList<string> Tags, bool ViewOnly = false,
    bool MayPrint = false, bool MayDestroy = false, IReadOnlyList<RequestKind>? CanAsk = null, bool MayExport = false, bool FromThirdParty = false);

/// <summary>
/// Protected customer records (CLS-1..4, ACC-1, ACC-3, SEC-1, SEC-4). Values are validated, normalised,
/// encrypted under the customer's data key and indexed blind; people see masked values of the customers in
/// their scope; revealing one needs a purpose and clearance and is recorded before the value is returned.
/// A customer outside the caller's scope does not exist for them (404).
/// A contract: a subject's correction request (PIPL art. 46) goes through the same edit path (<see cref="UpdateAsync"/>).
/// </summary>
[Contract]
public sealed class CustomerService(
    CustosDbContext db,
    KeyRing keys,
    FieldCatalogue catalogue,
    IAuditTrail audit,
    ICurrentActor actor,
    CustosSettings settings,
    Callers callers,
    CustomerAccess access,
    CustomerLists lists,
    TimeProvider time)
{
    private const string Entity = CustomerAccess.Entity;
    private const string HistoryEntity = "customer-history";

    public static readonly string[] ListFields = [FieldCatalogue.Name, FieldCatalogue.Mobile];

    public FieldCatalogue Catalogue => catalogue;

    private Task<Caller> ViewerAsync(CancellationToken ct) => callers.CurrentAsync(ct);

    public Task<CustomerPage> ListAsync(string? query, string? cursor, int pageSize, CancellationToken ct) =>
        ListAsync(query, CustomerFilter.None, cursor, pageSize, ct);

    /// <summary>
    /// Customers in the caller's scope (ACC-1), masked, newest first, a page at a time from a cursor: all of them,
    /// those matching an exact search (blind index), narrowed by department, project, grade or tag. A filter outside
    /// the scope simply finds nothing. Every part of it follows an index, so a page costs the same at ten thousand
    /// customers as at a million (<see cref="CustomerLists"/>).
    /// </summary>
    public async Task<CustomerPage> ListAsync(string? query, CustomerFilter filter, string? cursor, int pageSize, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var at = PageCursor.Parse(cursor);
        var viewer = await ViewerAsync(ct);
        pageSize = Math.Clamp(pageSize, 1, 200);
        var scope = viewer.ListScope();
        if (!scope.Decision.Allowed && scope.Decision.Reason != DecisionReason.NoRole)
        {
            await callers.RequireAsync(scope.Decision, AuditActions.CustomerList, null, "MayNotListCustomers", ct);
        }

        string? term = null;
        IReadOnlyCollection<Guid>? candidates = null;
        if (!string.IsNullOrWhiteSpace(query))
        {
            // An exact search starts from the blind index: every customer with that value (ids only, however many share
            // a common name), then the scope in the database.
            var kind = CustomerAccess.Classify(query);
            var hash = keys.BlindIndex.Compute(kind, query);
            candidates = await db.CustomerIndexes.Where(i => i.Kind == kind && i.Hash == hash).Select(i => i.CustomerId).ToListAsync(ct);
            term = keys.AuditHash.Of(kind, query); // matchable by an auditor, readable by nobody
        }

        var parts = scope.Decision.Allowed ? await lists.PartsAsync(viewer, scope, filter, candidates, ct) : [];
        List<Guid> ids;
        bool more;
        int total;
        bool atLeast;
        if (!string.IsNullOrWhiteSpace(filter.Tag))
        {
            // Driven from the tag's own index (Tag, CustomerId), so neither a rare tag in a large scope nor a common one is a walk through the scope.
            var tag = NormaliseTag(filter.Tag);
            (ids, more) = await lists.TaggedPageAsync(parts, tag, at, pageSize, ct);
            (total, atLeast) = await lists.TaggedCountAsync(parts, tag, ct);
        }
        else
        {
            (ids, more) = await CustomerLists.PageAsync(parts, at, pageSize, ct);
            (total, atLeast) = await CustomerLists.CountAsync(parts, ct);
        }
        var items = (await db.Customers.AsNoTracking()
            .Where(c => ids.Contains(c.Id))
            .Select(c => new
            {
                Customer = c,
                Department = db.Departments.Where(d => d.Id == c.DepartmentId).Select(d => d.Code).First(),
                Values = c.Values.Where(v => ListFields.Contains(v.Field)).ToList(),
            })
            .ToListAsync(ct))
            .OrderBy(i => ids.IndexOf(i.Customer.Id))
            .ToList();

        var rows = items.Select(i =>
        {
            RecordCipher cipher;
            try
            {
                cipher = access.OpenCipher(i.Customer);
            }
            catch (CustosException e) when (e.Code == "CustomerKeyDestroyed")
            {
                // Destroyed after the backup this database came from: listed as unreadable, not failing the page.
                return new CustomerRow(i.Customer.Id, i.Customer.Kind, "—", "—", i.Customer.Grade, i.Department);
            }

            using var owned = cipher;
            string Masked(string field) =>
                i.Values.FirstOrDefault(v => v.Field == field) is { } value ? catalogue.Find(field)!.Mask.Apply(CustomerAccess.Decrypt(cipher, i.Customer, value)) : "";
            return new CustomerRow(i.Customer.Id, i.Customer.Kind, Masked(FieldCatalogue.Name), Masked(FieldCatalogue.Mobile), i.Customer.Grade, i.Department);
        }).ToList();

        await audit.RecordNowAsync(AuditActions.CustomerList, "customer", null, AuditOutcome.Success, new
        {
            term, filter.Department, filter.Project, grade = filter.Grade?.ToString(), filter.Tag, cursor = at?.ToString(), count = rows.Count,
        }, ct);

        // Next: older than the last shown (if there are more that way, or we came back from there); previous: newer than the first.
        var backwards = at is { Before: true };
        var next = rows.Count > 0 && (backwards || more) ? new PageCursor(rows[^1].Id, false).ToString() : null;
        var previous = rows.Count > 0 && at is not null && (!backwards || more) ? new PageCursor(rows[0].Id, true).ToString() : null;
        return new CustomerPage(rows, pageSize, total, atLeast, next, previous);
    }

    public async Task<CustomerDetail> GetAsync(Guid id, CancellationToken ct)
    {
        var viewer = await ViewerAsync(ct);
        var customer = await access.LoadInScopeAsync(viewer, id, AuditActions.CustomerView, ct);
        using (var cipher = access.OpenCipher(customer))
        {
            var fields = customer.Values
                .Select(v => (Value: v, Definition: catalogue.Find(v.Field)))
                .Where(x => x.Definition is not null)
                .OrderBy(x => FieldOrder(x.Definition!))
                .Select(x =>
                {
                    var protection = FieldCatalogue.EffectiveProtection(x.Definition!.Level, (int)customer.Grade);
                    return new FieldView(x.Definition.Name, x.Definition.Group, x.Definition.Level, protection,
                        x.Definition.Mask.Apply(CustomerAccess.Decrypt(cipher, customer, x.Value)), viewer.Decide(PolicyAction.Reveal, customer, x.Definition.Name, protection).Allowed);
                })
                .ToList();
            var department = await db.Departments.Where(d => d.Id == customer.DepartmentId).Select(d => d.Code).SingleAsync(ct);
            var project = customer.ProjectId is { } p ? await db.Projects.Where(x => x.Id == p).Select(x => x.Code).SingleAsync(ct) : null;
            await audit.RecordNowAsync(AuditActions.CustomerView, "customer", customer.Id.ToString(), AuditOutcome.Success, new { masked = true }, ct);
            var tags = await db.CustomerTags.Where(t => t.CustomerId == customer.Id).Select(t => t.Tag).OrderBy(t => t).ToListAsync(ct);
            var viewOnly = viewer.Decide(PolicyAction.ViewMasked, customer).Obligations.HasFlag(Obligations.ViewOnly);
            var copies = new[] { PolicyAction.Print, PolicyAction.Export, PolicyAction.ShareExternal, PolicyAction.Destroy }.ToDictionary(a => a, a => viewer.Decide(a, customer));
            return new CustomerDetail(customer.Id, customer.Kind, customer.Grade, department, project, customer.CreatedAt, customer.UpdatedAt, fields, tags, viewOnly,
                copies[PolicyAction.Print].Allowed, copies[PolicyAction.Destroy].Allowed,
                [.. copies.Values.Where(d => !d.Allowed && d.Remedy is not null).Select(d => d.Remedy!.Value)],
                copies[PolicyAction.Export].Allowed || copies[PolicyAction.ShareExternal].Allowed, customer.ViewOnly);
        }
    }

    /// <summary>
    /// Reveals one value for a stated purpose (ACC-3). The record of who revealed which field, when and why is
    /// committed before the value is decrypted; if it cannot be written, nothing is revealed.
    /// </summary>
    public async Task<string> RevealAsync(Guid id, string field, string purpose, string? note, CancellationToken ct)
    {
        var viewer = await ViewerAsync(ct);
        var customer = await access.LoadInScopeAsync(viewer, id, AuditActions.CustomerReveal, ct);
        var definition = catalogue.Find(field) ?? throw CustosException.Invalid("UnknownField", field);
        var value = customer.Values.FirstOrDefault(v => v.Field == field) ?? throw CustosException.NotFound("FieldEmpty");
        note = callers.CheckPurpose(purpose, note);

        var protection = FieldCatalogue.EffectiveProtection(definition.Level, (int)customer.Grade);
        var decision = viewer.Decide(PolicyAction.Reveal, customer, field, protection);
        if (!decision.Allowed)
        {
            await audit.RecordNowAsync(AuditActions.CustomerReveal, "customer", customer.Id.ToString(), AuditOutcome.Denied,
                new { field, reason = Refusals.AuditReason(decision), protection, clearance = viewer.Subject.Clearance }, ct, purpose);
            throw Refusals.ToException(decision, "MayNotReveal");
        }

        try
        {
            // The customer's record of processing: consent withdrawn stops it, and the purpose must be one they allowed (SEC-3).
            await Retention.ProcessingBasis.CheckAsync(db, customer.Id, purpose, ct);
        }
        catch (CustosException refused)
        {
            await audit.RecordNowAsync(AuditActions.CustomerReveal, "customer", customer.Id.ToString(), AuditOutcome.Denied, new { field, reason = refused.Code }, ct, purpose);
            throw;
        }

        await audit.RecordNowAsync(AuditActions.CustomerReveal, "customer", customer.Id.ToString(), AuditOutcome.Success,
            new { field, note, level = (int)definition.Level, protection, grant = decision.Grant }, ct, purpose);
        using var cipher = access.OpenCipher(customer);
        return CustomerAccess.Decrypt(cipher, customer, value);
    }

    public async Task<Customer> CreateAsync(NewCustomer request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var viewer = await ViewerAsync(ct);
        await callers.RequireAsync(viewer.Decide(PolicyAction.Create), AuditActions.CustomerCreate, null, "MayNotEditCustomers", ct);
        var department = await access.DepartmentForAsync(viewer, PolicyAction.Create, request.DepartmentCode, ct);
        Project? project = null;
        if (request.ProjectCode is { Length: > 0 } projectCode)
        {
            project = await db.Projects.SingleOrDefaultAsync(p => p.Code == projectCode.Trim().ToUpperInvariant() && p.DepartmentId == department.Id, ct)
                ?? throw CustosException.Invalid("UnknownProject", projectCode);
        }

        // A department outside the caller's scope is reported like one that does not exist.
        if (!viewer.DecideIn(PolicyAction.Create, department.Id, project?.Id).Allowed)
        {
            throw CustosException.Invalid("UnknownDepartment", department.Code);
        }

        var customer = access.Build(request.Kind, department.Id, project?.Id, request.Grade, request.Values);
        customer.Tags.AddRange(NotReserved(CleanTags(request.Tags ?? [])).Select(t => new CustomerTag { CustomerId = customer.Id, Tag = t }));
        db.Customers.Add(customer);
        audit.Record(AuditActions.CustomerCreate, "customer", customer.Id.ToString(), detail: new
        {
            fields = customer.Values.Select(v => v.Field).Order(StringComparer.Ordinal),
            department = department.Code,
            grade = customer.Grade.ToString(),
            tags = customer.Tags.Count,
        });
        await db.SaveChangesAsync(ct);
        return customer;
    }

    /// <summary>Changes values; each previous value is kept, encrypted, with who and when (SEC-4). Returns the names of the fields that changed (never their values).</summary>
    public async Task<IReadOnlyList<string>> UpdateAsync(Guid id, IReadOnlyDictionary<string, string?> values, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(values);
        var (_, customer, _) = await access.LoadForAsync(id, PolicyAction.Edit, AuditActions.CustomerUpdate, "MayNotEditCustomers", ct);

        var cleaned = access.Validate(values);
        var now = time.GetUtcNow();
        var changed = new List<string>();
        using (var cipher = access.OpenCipher(customer))
        {
            foreach (var (field, newValue) in cleaned)
            {
                var current = customer.Values.FirstOrDefault(v => v.Field == field);
                var old = current is null ? null : CustomerAccess.Decrypt(cipher, customer, current);
                if (old == newValue)
                {
                    continue;
                }

                if (old is not null)
                {
                    db.CustomerHistory.Add(new CustomerValueHistory
                    {
                        CustomerId = customer.Id,
                        Field = field,
                        Cipher = cipher.Encrypt(HistoryContext(customer, field, now), old),
                        ChangedAt = now,
                        ChangedBy = actor.Id,
                    });
                }

                if (newValue is null)
                {
                    customer.Values.Remove(current!);
                }
                else if (current is null)
                {
                    customer.Values.Add(new CustomerValue { CustomerId = customer.Id, Field = field, Cipher = cipher.Encrypt(CustomerAccess.Context(customer, field), newValue), UpdatedAt = now });
                }
                else
                {
                    current.Cipher = cipher.Encrypt(CustomerAccess.Context(customer, field), newValue);
                    current.UpdatedAt = now;
                }

                access.Reindex(customer, field, newValue);
                changed.Add(field);
            }
        }

        if (changed.Count == 0)
        {
            return changed;
        }

        customer.UpdatedAt = now;
        audit.Record(AuditActions.CustomerUpdate, "customer", customer.Id.ToString(), detail: new { fields = changed });
        await db.SaveChangesAsync(ct);
        return changed;
    }

    /// <summary>Replaces a customer's tags; the change is recorded with the tags before and after.</summary>
    public async Task SetTagsAsync(Guid id, IReadOnlyList<string> tags, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tags);
        var (_, customer, _) = await access.LoadForAsync(id, PolicyAction.Edit, AuditActions.CustomerTags, "MayNotEditCustomers", ct);

        var wanted = CleanTags(tags);
        var current = await db.CustomerTags.Where(t => t.CustomerId == customer.Id).ToListAsync(ct);
        if (current.Any(t => IsDecoyTag(t.Tag)) || wanted.Any(IsDecoyTag))
        {
            // A decoy is planted and kept by the compliance officer only (decoy.*), and never changed here.
            throw CustosException.Invalid("TagReserved", settings.Audit.Alerts.DecoyTag);
        }

        var before = current.Select(t => t.Tag).Order(StringComparer.Ordinal).ToList();
        if (before.SequenceEqual(wanted))
        {
            return;
        }

        db.CustomerTags.RemoveRange(current.Where(t => !wanted.Contains(t.Tag)));
        db.CustomerTags.AddRange(wanted.Except(before).Select(t => new CustomerTag { CustomerId = customer.Id, Tag = t }));
        customer.UpdatedAt = time.GetUtcNow();
        audit.Record(AuditActions.CustomerTags, "customer", customer.Id.ToString(), detail: new { before, after = wanted });
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Whether a tag is the one that marks decoy customers (it is reserved for the compliance officer's decoys).</summary>
    public bool IsDecoyTag(string tag) =>
        !string.IsNullOrWhiteSpace(settings.Audit.Alerts.DecoyTag) && string.Equals(NormaliseTag(tag), NormaliseTag(settings.Audit.Alerts.DecoyTag), StringComparison.OrdinalIgnoreCase);

    private List<string> NotReserved(List<string> tags) =>
        tags.FirstOrDefault(IsDecoyTag) is null ? tags : throw CustosException.Invalid("TagReserved", settings.Audit.Alerts.DecoyTag);

    /// <summary>Trimmed, inner spaces collapsed, distinct, sorted; an empty, too long or comma-containing tag, or too many, is refused.</summary>
    public static List<string> CleanTags(IEnumerable<string> tags)
    {
        ArgumentNullException.ThrowIfNull(tags);
        var cleaned = tags.Where(t => !string.IsNullOrWhiteSpace(t)).Select(NormaliseTag).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (cleaned.FirstOrDefault(t => t.Length > CustomerTag.MaxLength || t.Contains(',', StringComparison.Ordinal) || t.Contains('，', StringComparison.Ordinal) || TextInput.FirstForbidden(t) is not null) is { } bad)
        {
            var shown = new string([.. bad.Where(c => !TextInput.IsForbidden(c))]);
            throw CustosException.Invalid("TagInvalid", shown.Length > CustomerTag.MaxLength ? shown[..CustomerTag.MaxLength] + "…" : shown);
        }

        return cleaned.Count <= CustomerTag.MaxPerCustomer ? cleaned : throw CustosException.Invalid("TooManyTags", CustomerTag.MaxPerCustomer);
    }

    private static string NormaliseTag(string tag) => string.Join(' ', Normalise.Width(tag).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    /// <summary>The change history of a customer in scope (SEC-4): field, time and person; values stay encrypted.</summary>
    public async Task<IReadOnlyList<HistoryEntry>> HistoryAsync(Guid id, CancellationToken ct)
    {
        var viewer = await ViewerAsync(ct);
        var customer = await access.LoadInScopeAsync(viewer, id, AuditActions.CustomerHistory, ct);
        var entries = await db.CustomerHistory.AsNoTracking().Where(h => h.CustomerId == customer.Id)
            .OrderByDescending(h => h.ChangedAt).ThenByDescending(h => h.Id).Take(500).ToListAsync(ct);
        var ids = entries.Select(e => Guid.TryParse(e.ChangedBy, out var g) ? g : Guid.Empty).Distinct().ToList();
        var names = await db.Users.Where(u => ids.Contains(u.Id)).ToDictionaryAsync(u => u.Id.ToString(), u => u.DisplayName, ct);
        audit.Record(AuditActions.CustomerHistory, "customer", customer.Id.ToString());
        await db.SaveChangesAsync(ct);
        return [.. entries.Select(e => new HistoryEntry(e.Field, e.ChangedAt, names.GetValueOrDefault(e.ChangedBy, e.ChangedBy)))];
    }

    /// <summary>
    /// The customers a list may show (ACC-1): the widest scope of the caller's roles that may list, plus the
    /// customers and departments of live grants. No role that lists: nothing; a refusal for another reason
    /// (network, hours, preconditions) is recorded and said.
    /// </summary>
    /// <summary>
    /// How many customers the policy lets the caller list (ACC-1) — roles, departments, projects and grants, as every
    /// list decides — for the home page. Nothing of a customer is shown, so nothing is recorded; a refusal is 0.
    /// </summary>
    /// <summary>
    /// How many customers the caller may list, as the list counts them: exact up to <see cref="CustomerLists.CountCap"/>,
    /// above it the cap and true — so the home page costs the same in a department of a million as in one of ten.
    /// </summary>
    public async Task<(int Total, bool AtLeast)> CountInScopeAsync(CancellationToken ct)
    {
        var viewer = await ViewerAsync(ct);
        var scope = viewer.ListScope();
        return scope.Decision.Allowed ? await CustomerLists.CountAsync(await lists.PartsAsync(viewer, scope, CustomerFilter.None, null, ct), ct) : (0, false);
    }

    private static FieldContext HistoryContext(Customer customer, string field, DateTimeOffset at) =>
        new(HistoryEntity, customer.Id, field + "@" + at.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture), customer.DataKeyVersion);

    private int FieldOrder(FieldDefinition definition)
    {
        for (var i = 0; i < catalogue.Fields.Count; i++)
        {
            if (catalogue.Fields[i].Name == definition.Name)
            {
                return i;
            }
        }

        return int.MaxValue;
    }
}
