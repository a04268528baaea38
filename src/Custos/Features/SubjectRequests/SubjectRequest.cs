using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Custos.Features.SubjectRequests;

/// <summary>What the customer asks for (PIPL art. 44–47).</summary>
public enum SubjectRequestKind
{
    /// <summary>To see what the company holds about them (art. 45).</summary>
    Access = 0,

    /// <summary>A copy of it (art. 45).</summary>
    Copy = 1,

    /// <summary>To correct or complete it (art. 46).</summary>
    Correct = 2,

    /// <summary>To delete it (art. 47).</summary>
    Delete = 3,
}

/// <summary>How the request reached the company.</summary>
public enum SubjectRequestChannel
{
    Counter = 0,
    Phone = 1,
    Letter = 2,
    Email = 3,
    Online = 4,
}

/// <summary>How the customer's identity was checked before anything else happens.</summary>
public enum IdentityCheck
{
    /// <summary>The identity card seen in person at the counter.</summary>
    IdCardInPerson = 0,

    /// <summary>A call back to the phone number already on the customer's record.</summary>
    CallbackToStoredPhone = 1,

    /// <summary>A video call, the identity card shown.</summary>
    Video = 2,
}

public enum SubjectRequestStatus
{
    Open = 0,
    Answered = 1,
    Refused = 2,
}

/// <summary>Why a request is refused: the reasons the law allows (PIPL art. 47 para. 2, art. 18, art. 44), kept with the request.</summary>
public enum RefusalGround
{
    /// <summary>A law or regulation requires the information to be kept for a period not yet over.</summary>
    RetentionPeriod = 0,

    /// <summary>Another legal basis (a contract still in force, a statutory duty) needs it.</summary>
    OtherLegalBasis = 1,

    /// <summary>A legal hold: litigation, an investigation or a regulator's order.</summary>
    LegalHold = 2,

    /// <summary>The person asking could not be confirmed as the customer after all.</summary>
    IdentityNotConfirmed = 3,

    /// <summary>The information is accurate and complete as held (a correction not made).</summary>
    InformationAccurate = 4,
}

/// <summary>
/// An individual's request about their own information (PIPL art. 44–47): who the customer is (by id only), what
/// they ask, how it arrived, how their identity was checked and by whom, the deadline in working days, and how it
/// ended — a written answer with the copy, the fields corrected (names only) or the destruction record, or a
/// refusal with its ground. No protected value is stored here; the answer's text is the clerk's, kept for the file.
/// </summary>
public sealed class SubjectRequest
{
    public Guid Id { get; set; }

    /// <summary>SR-yyyyMMdd-XXXXXX: what the clerk and the customer quote.</summary>
    public string Number { get; set; } = "";

    public Guid CustomerId { get; set; }

    /// <summary>The customer's department and project when the request was registered: who handles it, also after the customer is destroyed.</summary>
    public Guid DepartmentId { get; set; }

    public Guid? ProjectId { get; set; }

    public SubjectRequestKind Kind { get; set; }

    public SubjectRequestChannel Channel { get; set; }

    /// <summary>The day it arrived (company time).</summary>
    public DateOnly ReceivedOn { get; set; }

    /// <summary>The last day for the answer: <see cref="ReceivedOn"/> plus the configured working days (Monday to Friday).</summary>
    public DateOnly DueOn { get; set; }

    public IdentityCheck IdentityMethod { get; set; }

    public Guid IdentityCheckedById { get; set; }

    public string IdentityCheckedByName { get; set; } = "";

    public DateTimeOffset IdentityCheckedAt { get; set; }

    /// <summary>The handler: who registered it, reminded before the deadline.</summary>
    public Guid RegisteredById { get; set; }

    public string RegisteredByName { get; set; } = "";

    public DateTimeOffset RegisteredAt { get; set; }

    public SubjectRequestStatus Status { get; set; }

    /// <summary>The written answer given to the customer, or the explanation of a refusal.</summary>
    public string? Answer { get; set; }

    public RefusalGround? Ground { get; set; }

    public Guid? AnsweredById { get; set; }

    public string? AnsweredByName { get; set; }

    public DateTimeOffset? AnsweredAt { get; set; }

    /// <summary>For a copy: the serial of the sealed package in the copy ledger.</summary>
    public string? CopySerial { get; set; }

    /// <summary>For a correction: the names of the fields changed, comma-separated (never their values).</summary>
    public string? ChangedFields { get; set; }

    /// <summary>For a deletion: the destruction record.</summary>
    public Guid? DestructionId { get; set; }

    /// <summary>When the handler was reminded that the deadline is near.</summary>
    public DateTimeOffset? RemindedAt { get; set; }

    /// <summary>When compliance was told that the deadline passed unanswered.</summary>
    public DateTimeOffset? EscalatedAt { get; set; }
}

/// <summary>How <see cref="SubjectRequest"/> is stored.</summary>
internal sealed class SubjectRequestMapping : IEntityTypeConfiguration<SubjectRequest>
{
    public void Configure(EntityTypeBuilder<SubjectRequest> e)
    {
        ArgumentNullException.ThrowIfNull(e);
        e.ToTable("SubjectRequests");
        e.Property(r => r.Number).HasMaxLength(32);
        e.HasIndex(r => r.Number).IsUnique();
        e.Property(r => r.Kind).HasConversion<string>().HasMaxLength(16);
        e.Property(r => r.Channel).HasConversion<string>().HasMaxLength(16);
        e.Property(r => r.IdentityMethod).HasConversion<string>().HasMaxLength(32);
        e.Property(r => r.Status).HasConversion<string>().HasMaxLength(16);
        e.Property(r => r.Ground).HasConversion<string>().HasMaxLength(32);
        e.Property(r => r.IdentityCheckedByName).HasMaxLength(256);
        e.Property(r => r.RegisteredByName).HasMaxLength(256);
        e.Property(r => r.AnsweredByName).HasMaxLength(256);
        e.Property(r => r.Answer).HasMaxLength(SubjectRequestService.MaxAnswer);
        e.Property(r => r.CopySerial).HasMaxLength(32);
        e.Property(r => r.ChangedFields).HasMaxLength(1000);
        e.HasIndex(r => r.CustomerId);
        e.HasIndex(r => new { r.DepartmentId, r.Status });
        e.HasIndex(r => new { r.Status, r.DueOn });
    }
}
