using System.Security.Cryptography;
using Custos.Data;
using Custos.Features.Customers;
using Custos.Features.People;
using Custos.Hosting;
using Custos.Kernel.Classification;
using Custos.Kernel.Policy;
using Microsoft.EntityFrameworkCore;
using Custos.Security;

namespace Custos.Features.Audit;

public sealed record DecoyView(Guid Id, string Department, string Name, DateTimeOffset PlantedAt);

/// <summary>
/// Decoy customers (AUD-1 monitoring): plausible, synthetic customers planted in a department so that anyone who
/// opens, reveals, prints or exports one is noticed (the decoy alert rule, which may also suspend them). Planting,
/// listing and retiring decoys is the compliance officer's explicit action, recorded as <c>decoy.*</c> — never a
/// customer action, so it never trips the rule — and nobody else can mark a customer as a decoy or unmark one.
/// </summary>
public sealed class DecoyService(CustosDbContext db, Callers callers, CustomerAccess access, IAuditTrail audit, CustosSettings settings)
{
    public async Task<DecoyView> PlantAsync(string departmentCode, CancellationToken ct)
    {
        await RequireAsync(AuditActions.DecoyPlant, ct);
        var code = (departmentCode ?? "").Trim().ToUpperInvariant();
        var department = await db.Departments.SingleOrDefaultAsync(d => d.Code == code, ct) ?? throw CustosException.Invalid("UnknownDepartment", code);
#pragma warning disable RS0030 // the seed comes from the CSPRNG; the generator only shapes plausible values
        var fake = new Demo.SyntheticCustomers(RandomNumberGenerator.GetInt32(int.MaxValue)).Next();
#pragma warning restore RS0030
        var customer = access.Build(CustomerKind.Individual, department.Id, null, Clearance.Secret, new Dictionary<string, string?>
        {
            [FieldCatalogue.Name] = fake.Name,
            [FieldCatalogue.Mobile] = fake.Mobile,
            [FieldCatalogue.IdNumber] = fake.IdNumber,
        });
        customer.Tags.Add(new CustomerTag { CustomerId = customer.Id, Tag = settings.Audit.Alerts.DecoyTag });
        db.Customers.Add(customer);
        audit.Record(AuditActions.DecoyPlant, "customer", customer.Id.ToString(), detail: new { department = department.Code });
        await db.SaveChangesAsync(ct);
        return new DecoyView(customer.Id, department.Code, Kernel.Masking.Masks.KeepEnds(fake.Name, 1, 0), customer.CreatedAt);
    }

    public async Task<IReadOnlyList<DecoyView>> ListAsync(CancellationToken ct)
    {
        await RequireAsync(AuditActions.DecoyList, ct);
        var tag = settings.Audit.Alerts.DecoyTag;
        var list = await (from t in db.CustomerTags
                          join c in db.Customers on t.CustomerId equals c.Id
                          join d in db.Departments on c.DepartmentId equals d.Id
                          where t.Tag == tag
                          orderby c.CreatedAt descending
                          select new { c.Id, d.Code, c.CreatedAt }).Take(500).ToListAsync(ct);
        audit.Record(AuditActions.DecoyList, "customer", null, detail: new { count = list.Count });
        await db.SaveChangesAsync(ct);
        return [.. list.Select(d => new DecoyView(d.Id, d.Code, "", d.CreatedAt))];
    }

    /// <summary>Removes a decoy entirely (it was never a real customer); recorded.</summary>
    public async Task RetireAsync(Guid id, CancellationToken ct)
    {
        await RequireAsync(AuditActions.DecoyRetire, ct);
        var tag = settings.Audit.Alerts.DecoyTag;
        if (!await db.CustomerTags.AnyAsync(t => t.CustomerId == id && t.Tag == tag, ct))
        {
            throw CustosException.NotFound("DecoyNotFound");
        }

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        audit.Record(AuditActions.DecoyRetire, "customer", id.ToString());
        await db.SaveChangesAsync(ct);
        await db.Customers.Where(c => c.Id == id).ExecuteDeleteAsync(ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>Only the compliance officer (who watches the log) plants and sees decoys; a refusal is recorded like any other.</summary>
    private async Task RequireAsync(string action, CancellationToken ct)
    {
        var viewer = await callers.CurrentAsync(ct);
        var decision = viewer.Decide(PolicyAction.Audit);
        if (!decision.Allowed || !viewer.Subject.Roles.Contains(Roles.ComplianceOfficer))
        {
            await audit.RecordNowAsync(action, "customer", null, AuditOutcome.Denied, new { reason = decision.Allowed ? "no-role" : Refusals.AuditReason(decision) }, ct);
            throw new CustosException(CustosError.Forbidden, "MayNotManageDecoys");
        }

        if (string.IsNullOrWhiteSpace(settings.Audit.Alerts.DecoyTag))
        {
            throw CustosException.Invalid("DecoysOff");
        }
    }
}
