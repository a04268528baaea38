using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Custos.Features.Whistleblowing;

/// <summary>What an anonymous report is about (INC-4).</summary>
public enum WhistleKind
{
    /// <summary>A leak of customer information.</summary>
    Leak = 0,

    /// <summary>A breach of the confidentiality policy.</summary>
    Breach = 1,
}

public enum WhistleStatus
{
    Received = 0,

    /// <summary>A handler has answered; the reporter has something to read.</summary>
    Answered = 1,

    Closed = 2,
}

/// <summary>
/// An anonymous report (INC-4). Nothing here names the reporter: no account, address or cookie is stored; the text,
/// the identity a reporter may choose to give and every attachment are encrypted under the installation's secret key
/// and read only by the committee's designated handlers. The reporter follows up with the receipt code and the
/// secret they were given once; the secret is kept only as a slow hash.
/// </summary>
public sealed class WhistleReport
{
    public Guid Id { get; set; }

    /// <summary>The receipt code the reporter quotes (random, 60 bits).</summary>
    public string Receipt { get; set; } = "";

    /// <summary>PBKDF2-SHA256 of the secret.</summary>
    public byte[] SecretHash { get; set; } = [];

    public byte[] SecretSalt { get; set; } = [];

    public WhistleKind Kind { get; set; }

    public WhistleStatus Status { get; set; }

    /// <summary>The day it came in: handlers see no time of day, which could point to someone.</summary>
    public DateOnly ReceivedOn { get; set; }

    /// <summary>The summary the reporter gave, encrypted.</summary>
    public string SummaryCipher { get; set; } = "";

    /// <summary>The account of what happened, encrypted.</summary>
    public string BodyCipher { get; set; } = "";

    /// <summary>The identity the reporter chose to give, encrypted; null for a report that stays anonymous.</summary>
    public string? IdentityCipher { get; set; }

    /// <summary>The person the report names, if the reporter gave a user name that matched: never a handler of this report.</summary>
    public Guid? SubjectPersonId { get; set; }

    /// <summary>Wrong secrets in a row for this receipt; at the limit, follow-ups wait (the answer stays the same as for an unknown receipt).</summary>
    public int FailedAttempts { get; set; }

    public DateTimeOffset? LockedUntil { get; set; }

    public Guid? IncidentId { get; set; }

    public DateTimeOffset? ClosedAt { get; set; }

    public string? ClosedBy { get; set; }
}

/// <summary>One message in a report's thread: the reporter's (anonymous) or a handler's.</summary>
public sealed class WhistleMessage
{
    public Guid Id { get; set; }

    public Guid ReportId { get; set; }

    public DateTimeOffset At { get; set; }

    public bool FromReporter { get; set; }

    /// <summary>The handler who wrote it; null for the reporter.</summary>
    public string? HandlerName { get; set; }

    public string BodyCipher { get; set; } = "";
}

/// <summary>A file the reporter attached (PDF, PNG or JPEG, told by its first bytes), encrypted.</summary>
public sealed class WhistleAttachment
{
    public Guid Id { get; set; }

    public Guid ReportId { get; set; }

    public string FileName { get; set; } = "";

    public string ContentType { get; set; } = "";

    public long Size { get; set; }

    public byte[] Cipher { get; set; } = [];
}

/// <summary>A proof-of-work puzzle handed to a browser before it may send a report or follow one up; each is solved once.</summary>
public sealed class WhistleChallenge
{
    public string Id { get; set; } = "";

    public DateTimeOffset IssuedAt { get; set; }

    public int Bits { get; set; }

    public DateTimeOffset? UsedAt { get; set; }
}

internal sealed class WhistleMappings :
    IEntityTypeConfiguration<WhistleReport>, IEntityTypeConfiguration<WhistleMessage>, IEntityTypeConfiguration<WhistleAttachment>, IEntityTypeConfiguration<WhistleChallenge>
{
    public void Configure(EntityTypeBuilder<WhistleReport> e)
    {
        ArgumentNullException.ThrowIfNull(e);
        e.Property(r => r.Receipt).HasMaxLength(20);
        e.HasIndex(r => r.Receipt).IsUnique();
        e.Property(r => r.SecretHash).HasMaxLength(32);
        e.Property(r => r.SecretSalt).HasMaxLength(16);
        e.Property(r => r.Kind).HasConversion<string>().HasMaxLength(16);
        e.Property(r => r.Status).HasConversion<string>().HasMaxLength(16);
        e.Property(r => r.ClosedBy).HasMaxLength(256);
        e.HasIndex(r => new { r.Status, r.ReceivedOn });
    }

    public void Configure(EntityTypeBuilder<WhistleMessage> e)
    {
        ArgumentNullException.ThrowIfNull(e);
        e.Property(m => m.HandlerName).HasMaxLength(256);
        e.HasIndex(m => new { m.ReportId, m.At });
    }

    public void Configure(EntityTypeBuilder<WhistleAttachment> e)
    {
        ArgumentNullException.ThrowIfNull(e);
        e.Property(a => a.FileName).HasMaxLength(200);
        e.Property(a => a.ContentType).HasMaxLength(64);
        e.HasIndex(a => a.ReportId);
    }

    public void Configure(EntityTypeBuilder<WhistleChallenge> e)
    {
        ArgumentNullException.ThrowIfNull(e);
        e.Property(c => c.Id).HasMaxLength(32);
        e.HasIndex(c => c.IssuedAt);
    }
}
