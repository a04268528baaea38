using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Custos.Features.Customers;

/// <summary>What a periodic accuracy review of a customer found (SEC-4).</summary>
public enum ReviewOutcome
{
    /// <summary>The record was checked and is accurate and complete.</summary>
    Confirmed = 0,

    /// <summary>The record was checked and corrected (the changes themselves are in the customer's history).</summary>
    Corrected = 1,

    /// <summary>The customer could not be reached to check the record.</summary>
    Unreachable = 2,
}

/// <summary>One accuracy review of a customer (SEC-4): who, when, what it found. Never a value of the customer.</summary>
public sealed class AccuracyReview
{
    public Guid Id { get; set; }

    public Guid CustomerId { get; set; }

    public DateTimeOffset ReviewedAt { get; set; }

    public Guid ReviewerId { get; set; }

    public string ReviewerName { get; set; } = "";

    public ReviewOutcome Outcome { get; set; }
}

/// <summary>
/// A department's reminder of customers due for review, once per period (a calendar month, UTC): the key
/// (department, period) makes a second run — or a second node — find it already sent.
/// </summary>
public sealed class AccuracyReminder
{
    public Guid DepartmentId { get; set; }

    /// <summary>The period reminded, <c>yyyy-MM</c>.</summary>
    public string Period { get; set; } = "";

    public int Count { get; set; }

    public DateTimeOffset SentAt { get; set; }
}

/// <summary>How often customers are reviewed (<c>Custos:Accuracy</c>).</summary>
public sealed class AccuracySettings
{
    /// <summary>Months after the last review (or creation) a customer is due for review again.</summary>
    public int ReviewMonths { get; set; } = 12;

    /// <summary>For individual customers, if different from <see cref="ReviewMonths"/>.</summary>
    public int? IndividualMonths { get; set; }

    /// <summary>For business customers, if different from <see cref="ReviewMonths"/>.</summary>
    public int? BusinessMonths { get; set; }

    public int MonthsFor(CustomerKind kind) => Math.Max(1, kind switch
    {
        CustomerKind.Individual => IndividualMonths ?? ReviewMonths,
        CustomerKind.Business => BusinessMonths ?? ReviewMonths,
        _ => ReviewMonths,
    });
}

/// <summary>How <see cref="AccuracyReview"/> is stored.</summary>
internal sealed class AccuracyReviewMapping : IEntityTypeConfiguration<AccuracyReview>
{
    public void Configure(EntityTypeBuilder<AccuracyReview> e)
    {
        ArgumentNullException.ThrowIfNull(e);
        e.Property(r => r.Outcome).HasConversion<string>().HasMaxLength(16);
        e.Property(r => r.ReviewerName).HasMaxLength(200);
        e.HasIndex(r => new { r.CustomerId, r.ReviewedAt });
        e.HasOne<Customer>().WithMany().HasForeignKey(r => r.CustomerId).OnDelete(DeleteBehavior.Cascade);
    }
}

/// <summary>How <see cref="AccuracyReminder"/> is stored.</summary>
internal sealed class AccuracyReminderMapping : IEntityTypeConfiguration<AccuracyReminder>
{
    public void Configure(EntityTypeBuilder<AccuracyReminder> e)
    {
        ArgumentNullException.ThrowIfNull(e);
        e.HasKey(r => new { r.DepartmentId, r.Period });
        e.Property(r => r.Period).HasMaxLength(7);
    }
}
