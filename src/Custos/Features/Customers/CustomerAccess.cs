using Custos.Data;
using Custos.Features.Organisation;
using Custos.Features.People;
using Custos.Features.Keys;
using Custos.Hosting;
using Custos.Kernel.Classification;
using Custos.Kernel.Crypto;
using Custos.Kernel.Policy;
using Custos.Kernel.Recognisers;
using Custos.Security;
using Microsoft.EntityFrameworkCore;

namespace Custos.Features.Customers;

/// <summary>
/// What Customers offers the other features: a customer loaded only when the caller may see it (else 404, and
/// the attempt recorded), a cipher bound to that customer's data key (the key itself stays in the kernel), and
/// its fields as they may leave in a copy.
/// </summary>
[Contract]
public sealed class CustomerAccess(CustosDbContext db, KeyRing keys, KeyShareStore shares, FieldCatalogue catalogue, IAuditTrail audit, Callers callers, TimeProvider time)
{
    internal const string Entity = "customer";

    public FieldCatalogue Catalogue => catalogue;

    /// <summary>The customer, if it exists and is in scope; otherwise 404, and the attempt is recorded as denied.</summary>
    public async Task<Customer> LoadInScopeAsync(Caller caller, Guid id, string action, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(caller);
        // Refusals that do not depend on the record (network, hours, preconditions) are said before it is looked up.
        var general = caller.Decide(PolicyAction.ViewMasked);
        if (!general.Allowed && general.Reason != DecisionReason.NoRole)
        {
            // Said before the record is looked up, but recorded against the customer asked for: an investigator sees which one.
            await callers.RequireAsync(general, action, id, "CustomerNotFound", ct);
        }

        var customer = await db.Customers.Include(c => c.Values).Include(c => c.Indexes).SingleOrDefaultAsync(c => c.Id == id, ct);
        var decision = customer is null ? general : caller.Decide(PolicyAction.ViewMasked, customer);
        if (customer is null || !decision.Allowed)
        {
            await audit.RecordNowAsync(action, "customer", id.ToString(), AuditOutcome.Denied, new { reason = customer is null ? "not-found" : Refusals.AuditReason(decision) }, ct);
            throw CustosException.NotFound("CustomerNotFound");
        }

        return customer;
    }

    /// <summary>
    /// The customer, if the caller may see it (else 404) and may do <paramref name="action"/> on it (else the
    /// refusal, recorded under <paramref name="auditAction"/>): with the caller and the decision that allowed it.
    /// </summary>
    public async Task<(Caller Caller, Customer Customer, Decision Decision)> LoadForAsync(Guid id, PolicyAction action, string auditAction, string noRole, CancellationToken ct)
    {
        var caller = await callers.CurrentAsync(ct);
        var customer = await LoadInScopeAsync(caller, id, auditAction, ct);
        var decision = caller.Decide(action, customer);
        await callers.RequireAsync(decision, auditAction, customer.Id, noRole, ct);
        return (caller, customer, decision);
    }

    /// <summary>A cipher bound to the customer's data key; dispose it when done. The key never leaves the kernel.</summary>
    public RecordCipher OpenCipher(Customer customer)
    {
        ArgumentNullException.ThrowIfNull(customer);
        try
        {
            return Open(customer.Wrapped, customer.KeySplit);
        }
        catch (System.Security.Cryptography.CryptographicException) when (keys.Keys.Versions.All(v => v.Version != customer.KekVersion || v.State == KekState.Destroyed))
        {
            // Read just before a rotation re-wrapped it and retired the version that wrapped it: read the key as it is now.
            var now = db.Customers.AsNoTracking().Where(c => c.Id == customer.Id).Select(c => new { c.KekVersion, c.WrappedKey, c.KeySplit }).SingleOrDefault()
                ?? throw CustosException.NotFound("CustomerNotFound");
            return Open(new WrappedDataKey(now.KekVersion, now.WrappedKey), now.KeySplit);
        }

        RecordCipher Open(WrappedDataKey wrapped, bool split)
        {
            if (!split)
            {
                return DataKeys.OpenCipher(keys.Keys, Entity, customer.Id, customer.DataKeyVersion, wrapped);
            }

            var share = customer.NewShare ?? shares.Get(customer.Id)
                ?? throw CustosException.NotFound("CustomerKeyDestroyed"); // destroyed after the backup this database came from
            return DataKeys.OpenCipher(keys.Keys, Entity, customer.Id, customer.DataKeyVersion, wrapped, share);
        }
    }

    /// <summary>
    /// The customer's fields for a copy that leaves (print, export, share): in clear where the person may take the value
    /// away — they may reveal it, and not only through a view-only grant (ACC-5) — masked otherwise.
    /// </summary>
    public List<(FieldDefinition Definition, string Value, bool Clear)> Readable(Caller caller, Customer customer, RecordCipher cipher, IReadOnlyCollection<string>? only)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(customer);
        ArgumentNullException.ThrowIfNull(cipher);
        var result = new List<(FieldDefinition, string, bool)>();
        foreach (var definition in catalogue.Fields)
        {
            if (only is not null && !only.Contains(definition.Name))
            {
                continue;
            }

            if (customer.Values.FirstOrDefault(v => v.Field == definition.Name) is not { } value)
            {
                result.Add((definition, "", false));
                continue;
            }

            var plain = Decrypt(cipher, customer, value);
            var protection = FieldCatalogue.EffectiveProtection(definition.Level, (int)customer.Grade);
            var clear = caller.DecideTakeAway(PolicyAction.Reveal, customer, definition.Name, protection).Allowed;
            result.Add((definition, clear ? plain : definition.Mask.Apply(plain), clear));
        }

        return result;
    }

    /// <summary>A new, encrypted and indexed customer entity, not yet added to the context (used by create, import and demo data).</summary>
    public Customer Build(CustomerKind kind, Guid departmentId, Guid? projectId, Clearance grade, IReadOnlyDictionary<string, string?> values)
    {
        var cleaned = Validate(values);
        if (!cleaned.TryGetValue(FieldCatalogue.Name, out var name) || name is null)
        {
            throw CustosException.Invalid("NameRequired");
        }

        var now = time.GetUtcNow();
        var id = Guid.CreateVersion7(now);
        var (cipher, wrapped, share) = DataKeys.CreateSplitCipher(keys.Keys, Entity, id, 1);
        using (cipher)
        {
            var customer = new Customer
            {
                Id = id,
                Kind = kind,
                DepartmentId = departmentId,
                ProjectId = projectId,
                Grade = grade,
                CreatedAt = now,
                UpdatedAt = now,
                AccurateAsOf = now,
                DataKeyVersion = 1,
                KekVersion = wrapped.KekVersion,
                WrappedKey = wrapped.Blob,
                KeySplit = true,
                NewShare = share,
            };
            foreach (var (field, value) in cleaned)
            {
                if (value is null)
                {
                    continue;
                }

                customer.Values.Add(new CustomerValue { CustomerId = id, Field = field, Cipher = cipher.Encrypt(Context(customer, field), value), UpdatedAt = now });
                Reindex(customer, field, value);
            }

            return customer;
        }
    }

    /// <summary>Validates and normalises every value against the field catalogue; the first problem is reported with its field.</summary>
    public Dictionary<string, string?> Validate(IReadOnlyDictionary<string, string?> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var cleaned = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (field, raw) in values)
        {
            var definition = catalogue.Find(field) ?? throw CustosException.Invalid("UnknownField", field);
            if (string.IsNullOrWhiteSpace(raw))
            {
                cleaned[field] = null;
                continue;
            }

            var value = definition.Normalise(raw);
            if (definition.Validate(value, today) is { } reason)
            {
                throw CustosException.Invalid("InvalidField." + reason, new TextKey("Field." + field));
            }

            cleaned[field] = value;
        }

        return cleaned;
    }

    /// <summary>Which blind index a search term belongs to, judged by the recognisers.</summary>
    public static IndexedKind Classify(string query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var compact = Normalise.Compact(query);
        if (MobileNumber.IsValid(Normalise.Phone(query)))
        {
            return IndexedKind.Phone;
        }

        if (compact.Length == 18 && ResidentIdNumber.Validate(compact, DateOnly.MaxValue) is not (ResidentIdCheck.WrongLength or ResidentIdCheck.NotDigits))
        {
            return IndexedKind.IdNumber;
        }

        if (BankCard.IsValid(compact))
        {
            return IndexedKind.CardNumber;
        }

        return query.Contains('@', StringComparison.Ordinal) ? IndexedKind.Email : IndexedKind.Name;
    }

    /// <summary>The departments the caller may put new customers in by <paramref name="action"/> (create or import), by name.</summary>
    public async Task<IReadOnlyList<ScopeOption>> DepartmentsForAsync(PolicyAction action, CancellationToken ct)
    {
        var viewer = await callers.CurrentAsync(ct);
        return [.. (await PlaceableAsync(viewer, action, ct)).Select(d => new ScopeOption(d.Code, d.Name))];
    }

    /// <summary>
    /// The department a new customer goes to: the one named, or — none named — the only one the caller may put
    /// customers in. Several and none named is a question to answer, not a guess.
    /// </summary>
    public async Task<Department> DepartmentForAsync(Caller viewer, PolicyAction action, string? code, CancellationToken ct)
    {
        if (code is { Length: > 0 })
        {
            var wanted = code.Trim().ToUpperInvariant();
            return await db.Departments.SingleOrDefaultAsync(d => d.Code == wanted, ct) ?? throw CustosException.Invalid("UnknownDepartment", code);
        }

        var placeable = await PlaceableAsync(viewer, action, ct);
        return placeable.Count switch
        {
            0 => throw CustosException.Invalid("NoDepartment"),
            1 => placeable[0],
            _ => throw CustosException.Invalid("ChooseDepartment", string.Join("、", placeable.Select(d => $"{d.Name} ({d.Code})"))),
        };
    }

    private async Task<List<Department>> PlaceableAsync(Caller viewer, PolicyAction action, CancellationToken ct) =>
        [.. (await db.Departments.AsNoTracking().OrderBy(d => d.Code).ToListAsync(ct)).Where(d => viewer.DecideIn(action, d.Id, null).Allowed)];

    /// <summary>The departments and projects whose customers the caller may see, to filter by.</summary>
    public async Task<(IReadOnlyList<ScopeOption> Departments, IReadOnlyList<ScopeOption> Projects)> ScopeAsync(CancellationToken ct)
    {
        var viewer = await callers.CurrentAsync(ct);
        var scope = viewer.ListScope();
        if (!scope.Decision.Allowed)
        {
            return ([], []);
        }

        var departmentIds = viewer.Departments.ToList();
        var projectIds = viewer.Projects.ToList();
        var all = scope.Scope == CustomerScope.All;
        var partnerOnly = scope.Scope is CustomerScope.Projects or CustomerScope.None;
        var departments = partnerOnly
            ? []
            : await db.Departments.Where(d => all || departmentIds.Contains(d.Id)).OrderBy(d => d.Code).Select(d => new ScopeOption(d.Code, d.Name)).ToListAsync(ct);
        var projects = await db.Projects.Where(p => all || projectIds.Contains(p.Id) || (!partnerOnly && departmentIds.Contains(p.DepartmentId)))
            .OrderBy(p => p.Code).Select(p => new ScopeOption(p.Code, p.Name)).ToListAsync(ct);
        return (departments, projects);
    }

    internal void Reindex(Customer customer, string field, string? value)
    {
        if (catalogue.Find(field)?.Index is not { } kind)
        {
            return;
        }

        var existing = customer.Indexes.FirstOrDefault(i => i.Kind == kind);
        if (existing is not null)
        {
            customer.Indexes.Remove(existing);
        }

        if (value is not null)
        {
            customer.Indexes.Add(new CustomerIndex { CustomerId = customer.Id, Kind = kind, Hash = keys.BlindIndex.Compute(kind, value) });
        }
    }

    internal static string Decrypt(RecordCipher cipher, Customer customer, CustomerValue value) =>
        cipher.DecryptString(Context(customer, value.Field), value.Cipher);

    internal static FieldContext Context(Customer customer, string field) => new(Entity, customer.Id, field, customer.DataKeyVersion);
}
