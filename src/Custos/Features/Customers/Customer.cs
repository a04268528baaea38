using Custos.Features.People;

namespace Custos.Features.Customers;

/// <summary>
/// A customer record in its first, minimal shape: enough for the demo organisation and for scoping by
/// department. Field-level envelope encryption, blind indexes and masking (SEC-1, ACC-3) replace these
/// plain columns in the protected-records work; until then only synthetic data belongs here.
/// </summary>
public sealed class Customer
{
    public Guid Id { get; set; }

    public CustomerKind Kind { get; set; }

    public string Name { get; set; } = "";

    public string? IdNumber { get; set; }

    public string? Mobile { get; set; }

    public Guid DepartmentId { get; set; }

    public Guid? ProjectId { get; set; }

    /// <summary>Secrecy grade of the customer (CLS-2).</summary>
    public Clearance Grade { get; set; } = Clearance.Secret;

    public DateTimeOffset CreatedAt { get; set; }
}

public enum CustomerKind
{
    Individual = 0,
    Business = 1,
}
