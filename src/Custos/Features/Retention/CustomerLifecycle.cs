using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Custos.Features.Retention;

/// <summary>The legal basis of processing a customer's information (PIPL art. 13).</summary>
public enum LegalBasis
{
    Consent,
    Contract,
    LegalObligation,
    VitalInterest,
    PublicInterest,
    Published,
}

/// <summary>Where consent stands.</summary>
public enum ConsentState
{
    None,
    Given,
    Withdrawn,
}

/// <summary>
/// What the law and the customer's agreement say about keeping one customer (SEC-3, DST-3): the data kind, the dates
/// retention counts from, the customer's own agreed period, a legal hold, and the basis of processing with the notice
/// given, consent and the purposes allowed. Holds no customer information: dates, codes and the names of who recorded them.
/// </summary>
public sealed class CustomerLifecycle
{
    public Guid CustomerId { get; set; }

    public Guid DepartmentId { get; set; }

    /// <summary>One of <see cref="RetentionRules.Kinds"/>.</summary>
    public string Kind { get; set; } = RetentionRules.Prospect;

    public DateTimeOffset? LastContactAt { get; set; }

    public DateTimeOffset? ContractEndsAt { get; set; }

    /// <summary>The period the customer agreed to, when shorter or longer than the rule: kept until then.</summary>
    public DateTimeOffset? AgreedUntil { get; set; }

    public bool LegalHold { get; set; }

    public string? HoldReason { get; set; }

    public LegalBasis Basis { get; set; } = LegalBasis.Consent;

    public string? NoticeVersion { get; set; }

    public ConsentState Consent { get; set; }

    public DateTimeOffset? ConsentAt { get; set; }

    public string? ConsentChannel { get; set; }

    /// <summary>Reveal purposes the customer allows, comma-separated keys of <c>Custos:RevealPurposes</c>; empty: any configured purpose.</summary>
    public string Purposes { get; set; } = "";

    public DateTimeOffset UpdatedAt { get; set; }

    public string UpdatedByName { get; set; } = "";

    public IReadOnlyList<string> PurposeList => Purposes.Length == 0 ? [] : Purposes.Split(',');
}

/// <summary>One consent given or withdrawn, kept for proof (SEC-3): when, through which channel, under which notice, recorded by whom.</summary>
public sealed class ConsentEvent
{
    public Guid Id { get; set; }

    public Guid CustomerId { get; set; }

    public ConsentState State { get; set; }

    public DateTimeOffset At { get; set; }

    public string Channel { get; set; } = "";

    public string? NoticeVersion { get; set; }

    public string Purposes { get; set; } = "";

    public Guid RecordedById { get; set; }

    public string RecordedByName { get; set; } = "";
}

/// <summary>A batch of due customers filed for destruction together (DST-3): one destruction request each, approved and carried out as one.</summary>
public sealed class RetentionBatch
{
    public Guid Id { get; set; }

    public string Number { get; set; } = "";

    public Guid DepartmentId { get; set; }

    public Guid OperatorId { get; set; }

    public string OperatorName { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? DoneAt { get; set; }

    public List<RetentionBatchItem> Items { get; } = [];
}

public enum BatchItemOutcome
{
    Requested,
    Destroyed,
    Held,
    Refused,

    /// <summary>The customer was gone (destroyed another way) when the batch was carried out.</summary>
    Gone,

    /// <summary>The destruction was refused when carried out (e.g. no witness any more); the reason is in the audit log.</summary>
    Failed,
}

public sealed class RetentionBatchItem
{
    public Guid BatchId { get; set; }

    public Guid CustomerId { get; set; }

    public Guid RequestId { get; set; }

    public BatchItemOutcome Outcome { get; set; }

    public DateTimeOffset? At { get; set; }
}

/// <summary>A reminder or escalation about due customers, sent once per department and day (idempotent across nodes).</summary>
public sealed class RetentionNotice
{
    public Guid DepartmentId { get; set; }

    public DateOnly Day { get; set; }

    public string Kind { get; set; } = "";

    public int Due { get; set; }
}

internal sealed class CustomerLifecycleMapping :
    IEntityTypeConfiguration<CustomerLifecycle>, IEntityTypeConfiguration<ConsentEvent>, IEntityTypeConfiguration<RetentionBatch>,
    IEntityTypeConfiguration<RetentionBatchItem>, IEntityTypeConfiguration<RetentionNotice>
{
    public void Configure(EntityTypeBuilder<CustomerLifecycle> e)
    {
        e.HasKey(l => l.CustomerId);
        e.HasOne<Customers.Customer>().WithOne().HasForeignKey<CustomerLifecycle>(l => l.CustomerId).OnDelete(DeleteBehavior.Cascade);
        e.Property(l => l.Kind).HasMaxLength(20);
        e.Property(l => l.HoldReason).HasMaxLength(500);
        e.Property(l => l.Basis).HasConversion<string>().HasMaxLength(20);
        e.Property(l => l.Consent).HasConversion<string>().HasMaxLength(12);
        e.Property(l => l.NoticeVersion).HasMaxLength(40);
        e.Property(l => l.ConsentChannel).HasMaxLength(40);
        e.Property(l => l.Purposes).HasMaxLength(500);
        e.Property(l => l.UpdatedByName).HasMaxLength(200);
        e.Ignore(l => l.PurposeList);
        e.HasIndex(l => new { l.DepartmentId, l.Kind });
    }

    public void Configure(EntityTypeBuilder<ConsentEvent> e)
    {
        e.HasKey(c => c.Id);
        e.HasOne<Customers.Customer>().WithMany().HasForeignKey(c => c.CustomerId).OnDelete(DeleteBehavior.Cascade);
        e.Property(c => c.State).HasConversion<string>().HasMaxLength(12);
        e.Property(c => c.Channel).HasMaxLength(40);
        e.Property(c => c.NoticeVersion).HasMaxLength(40);
        e.Property(c => c.Purposes).HasMaxLength(500);
        e.Property(c => c.RecordedByName).HasMaxLength(200);
        e.HasIndex(c => new { c.CustomerId, c.At });
    }

    public void Configure(EntityTypeBuilder<RetentionBatch> e)
    {
        e.HasKey(b => b.Id);
        e.Property(b => b.Number).HasMaxLength(20);
        e.HasIndex(b => b.Number).IsUnique();
        e.Property(b => b.OperatorName).HasMaxLength(200);
        e.HasMany(b => b.Items).WithOne().HasForeignKey(i => i.BatchId).OnDelete(DeleteBehavior.Cascade);
        e.HasIndex(b => b.DepartmentId);
    }

    public void Configure(EntityTypeBuilder<RetentionBatchItem> e)
    {
        e.HasKey(i => new { i.BatchId, i.CustomerId });
        e.Property(i => i.Outcome).HasConversion<string>().HasMaxLength(12);
        e.HasIndex(i => i.CustomerId);
    }

    public void Configure(EntityTypeBuilder<RetentionNotice> e)
    {
        e.HasKey(n => new { n.DepartmentId, n.Day, n.Kind });
        e.Property(n => n.Kind).HasMaxLength(20);
    }
}
