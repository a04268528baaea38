using Custos.Features.People;
using Custos.Kernel.Crypto;
using Custos.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Custos.Features.Customers;

/// <summary>
/// A customer record (CLS-4). Only what is needed to scope and label it is stored in clear: kind,
/// department, project, secrecy grade (CLS-2). Every piece of customer information is a
/// <see cref="CustomerValue"/>, encrypted under the customer's own data key, whose wrapped form is kept here.
/// </summary>
[Contract]
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

    /// <summary>
    /// Since when the record is known to be accurate (SEC-4): its last accuracy review, or its creation when never
    /// reviewed. Indexed, so the records due for review are a range of an index, never a walk through all customers.
    /// </summary>
    public DateTimeOffset AccurateAsOf { get; set; }

    /// <summary>
    /// The customer came in a list received from a third party (EXP-3): shared view-only, for everyone — no print,
    /// export or share, nothing taken away in clear. The policy engine decides it (<c>PolicyResource.ViewOnly</c>).
    /// </summary>
    public bool ViewOnly { get; set; }

    /// <summary>Version of the data key; part of every field's associated data.</summary>
    public int DataKeyVersion { get; set; } = 1;

    /// <summary>Version of the key-encryption key that wrapped the data key.</summary>
    public int KekVersion { get; set; }

    public byte[] WrappedKey { get; set; } = [];

    /// <summary>
    /// The data key is split (ADR 0018): <see cref="WrappedKey"/> wraps the key XOR a share kept in the key-share store,
    /// apart from the database. False only for customers from before splitting, until the key service splits them.
    /// </summary>
    public bool KeySplit { get; set; }

    /// <summary>The share of a customer just built, written to the key-share store before the customer is saved.</summary>
    [System.ComponentModel.DataAnnotations.Schema.NotMapped]
    public KeyShare? NewShare { get; set; }

    public List<CustomerValue> Values { get; } = [];

    public List<CustomerIndex> Indexes { get; } = [];

    /// <summary>Labels for finding and grouping customers (e.g. 重点客户); organisational, not customer information.</summary>
    public List<CustomerTag> Tags { get; } = [];

    public WrappedDataKey Wrapped => new(KekVersion, WrappedKey);
}

[Contract]
public enum CustomerKind
{
    Individual = 0,
    Business = 1,
}

/// <summary>One encrypted field value (AES-256-GCM, bound to customer, field and data-key version).</summary>
[Contract]
public sealed class CustomerValue
{
    public Guid CustomerId { get; set; }

    public string Field { get; set; } = "";

    public byte[] Cipher { get; set; } = [];

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>A blind index (keyed HMAC of the normalised value) for exact search without decryption.</summary>
[Contract]
public sealed class CustomerIndex
{
    public Guid CustomerId { get; set; }

    public IndexedKind Kind { get; set; }

    public byte[] Hash { get; set; } = [];
}

/// <summary>One label on a customer.</summary>
[Contract]
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

/// <summary>How <see cref="Customer"/> is stored.</summary>
internal sealed class CustomerMapping : IEntityTypeConfiguration<Customer>
{
    public void Configure(EntityTypeBuilder<Customer> e)
    {
        ArgumentNullException.ThrowIfNull(e);
        e.Property(c => c.Kind).HasConversion<string>().HasMaxLength(16);
        e.Property(c => c.Grade).HasConversion<string>().HasMaxLength(20);
        e.Property(c => c.WrappedKey).HasMaxLength(128);
        e.Ignore(c => c.Wrapped);
        // Lists walk these in id (creation) order from a cursor and stop after a page (CustomerLists): one per part of a scope.
        e.HasIndex(c => new { c.DepartmentId, c.Id });
        e.HasIndex(c => new { c.DepartmentId, c.Grade, c.Id });
        e.HasIndex(c => new { c.ProjectId, c.Id });
        e.HasIndex(c => new { c.Grade, c.Id });
        e.HasIndex(c => c.KekVersion);
        e.Ignore(c => c.NewShare);
        // Records due for an accuracy review (SEC-4): a range of (department, accurate-as-of), oldest first.
        e.HasIndex(c => new { c.DepartmentId, c.AccurateAsOf, c.Id });
        e.HasIndex(c => new { c.AccurateAsOf, c.Id });
        e.HasMany(c => c.Values).WithOne().HasForeignKey(v => v.CustomerId).OnDelete(DeleteBehavior.Cascade);
        e.HasMany(c => c.Indexes).WithOne().HasForeignKey(i => i.CustomerId).OnDelete(DeleteBehavior.Cascade);
        e.HasMany(c => c.Tags).WithOne().HasForeignKey(t => t.CustomerId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>How <see cref="CustomerTag"/> is stored.</summary>
internal sealed class CustomerTagMapping : IEntityTypeConfiguration<CustomerTag>
{
    public void Configure(EntityTypeBuilder<CustomerTag> e)
    {
        ArgumentNullException.ThrowIfNull(e);
        e.HasKey(t => new { t.CustomerId, t.Tag });
        e.Property(t => t.Tag).HasMaxLength(CustomerTag.MaxLength);
        e.HasIndex(t => new { t.Tag, t.CustomerId });
    }
}

/// <summary>How <see cref="CustomerValue"/> is stored.</summary>
internal sealed class CustomerValueMapping : IEntityTypeConfiguration<CustomerValue>
{
    public void Configure(EntityTypeBuilder<CustomerValue> e)
    {
        ArgumentNullException.ThrowIfNull(e);
        e.HasKey(v => new { v.CustomerId, v.Field });
        e.Property(v => v.Field).HasMaxLength(40);
    }
}

/// <summary>How <see cref="CustomerIndex"/> is stored.</summary>
internal sealed class CustomerIndexMapping : IEntityTypeConfiguration<CustomerIndex>
{
    public void Configure(EntityTypeBuilder<CustomerIndex> e)
    {
        ArgumentNullException.ThrowIfNull(e);
        e.HasKey(i => new { i.CustomerId, i.Kind });
        e.Property(i => i.Kind).HasConversion<string>().HasMaxLength(16);
        e.Property(i => i.Hash).HasMaxLength(16);
        e.HasIndex(i => new { i.Kind, i.Hash });
    }
}

/// <summary>How <see cref="CustomerValueHistory"/> is stored.</summary>
internal sealed class CustomerValueHistoryMapping : IEntityTypeConfiguration<CustomerValueHistory>
{
    public void Configure(EntityTypeBuilder<CustomerValueHistory> e)
    {
        ArgumentNullException.ThrowIfNull(e);
        e.Property(h => h.Field).HasMaxLength(40);
        e.Property(h => h.ChangedBy).HasMaxLength(64);
        e.HasIndex(h => new { h.CustomerId, h.ChangedAt });
        e.HasOne<Customer>().WithMany().HasForeignKey(h => h.CustomerId).OnDelete(DeleteBehavior.Cascade);
    }
}
