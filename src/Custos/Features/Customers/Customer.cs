using Custos.Features.People;
using Custos.Kernel.Crypto;

namespace Custos.Features.Customers;

/// <summary>
/// A customer record (CLS-4). Only what is needed to scope and label it is stored in clear: kind,
/// department, project, secrecy grade (CLS-2). Every piece of customer information is a
/// <see cref="CustomerValue"/>, encrypted under the customer's own data key, whose wrapped form is kept here.
/// </summary>
public sealed class Customer
{
    public Guid Id { get; set; }

    public CustomerKind Kind { get; set; }

    public Guid DepartmentId { get; set; }

    public Guid? ProjectId { get; set; }

    /// <summary>The import (collection record) the customer came from, if any (SEC-3).</summary>
    public Guid? CollectionId { get; set; }

    /// <summary>Secrecy grade of the customer (CLS-2).</summary>
    public Clearance Grade { get; set; } = Clearance.Secret;

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>Version of the data key; part of every field's associated data.</summary>
    public int DataKeyVersion { get; set; } = 1;

    /// <summary>Version of the key-encryption key that wrapped the data key.</summary>
    public int KekVersion { get; set; }

    public byte[] WrappedKey { get; set; } = [];

    public List<CustomerValue> Values { get; } = [];

    public List<CustomerIndex> Indexes { get; } = [];

    /// <summary>Labels for finding and grouping customers (e.g. 重点客户); organisational, not customer information.</summary>
    public List<CustomerTag> Tags { get; } = [];

    public WrappedDataKey Wrapped => new(KekVersion, WrappedKey);
}

public enum CustomerKind
{
    Individual = 0,
    Business = 1,
}

/// <summary>One encrypted field value (AES-256-GCM, bound to customer, field and data-key version).</summary>
public sealed class CustomerValue
{
    public Guid CustomerId { get; set; }

    public string Field { get; set; } = "";

    public byte[] Cipher { get; set; } = [];

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>A blind index (keyed HMAC of the normalised value) for exact search without decryption.</summary>
public sealed class CustomerIndex
{
    public Guid CustomerId { get; set; }

    public IndexedKind Kind { get; set; }

    public byte[] Hash { get; set; } = [];
}

/// <summary>One label on a customer.</summary>
public sealed class CustomerTag
{
    public const int MaxLength = 40;

    public const int MaxPerCustomer = 20;

    public Guid CustomerId { get; set; }

    public string Tag { get; set; } = "";
}

/// <summary>The previous value of a changed field (SEC-4), encrypted under the history context.</summary>
public sealed class CustomerValueHistory
{
    public long Id { get; set; }

    public Guid CustomerId { get; set; }

    public string Field { get; set; } = "";

    public byte[] Cipher { get; set; } = [];

    public DateTimeOffset ChangedAt { get; set; }

    public string ChangedBy { get; set; } = "";
}
