using Custos.Features.People;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Custos.Features.Premises;

public enum MeetingStatus
{
    Planned = 0,

    /// <summary>Held and closed: every material handed out is back.</summary>
    Held = 1,

    Cancelled = 2,
}

/// <summary>How far what was said may go (the seed: 确定会议内容是否传达及传达范围).</summary>
public enum PassOn
{
    /// <summary>Not passed on: the attendees only.</summary>
    None = 0,

    /// <summary>To the attendees' own departments.</summary>
    Departments = 1,

    /// <summary>To those named in <see cref="Meeting.PassOnTo"/>.</summary>
    Named = 2,
}

/// <summary>
/// A meeting that discusses classified customer information (ORG-2): a venue fit for it, designated attendees who
/// confirm, the grade of what is discussed, how far it may be passed on, and the printed materials handed out and
/// collected back through the copy ledger.
/// </summary>
public sealed class Meeting
{
    public Guid Id { get; set; }

    public string Number { get; set; } = "";

    public string Title { get; set; } = "";

    public string Venue { get; set; } = "";

    /// <summary>The organiser confirmed the venue is fit (closed room, no recording devices, no outsiders).</summary>
    public bool VenueChecked { get; set; }

    public DateTimeOffset StartsAt { get; set; }

    public DateTimeOffset EndsAt { get; set; }

    public Clearance Grade { get; set; }

    public PassOn PassOn { get; set; }

    public string? PassOnTo { get; set; }

    public Guid OrganiserId { get; set; }

    public string OrganiserName { get; set; } = "";

    public MeetingStatus Status { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? ClosedAt { get; set; }

    public string? Minutes { get; set; }

    public Guid Stamp { get; set; }

    public List<MeetingAttendee> Attendees { get; } = [];

    public List<MeetingMaterial> Materials { get; } = [];
}

public sealed class MeetingAttendee
{
    public Guid MeetingId { get; set; }

    public Guid PersonId { get; set; }

    public string Name { get; set; } = "";

    public DateTimeOffset? ConfirmedAt { get; set; }
}

/// <summary>A print from the copy ledger handed to an attendee, and when it came back.</summary>
public sealed class MeetingMaterial
{
    public Guid Id { get; set; }

    public Guid MeetingId { get; set; }

    public Guid CopyId { get; set; }

    public string Serial { get; set; } = "";

    public Guid HolderId { get; set; }

    public string HolderName { get; set; } = "";

    public DateTimeOffset HandedOutAt { get; set; }

    public DateTimeOffset? CollectedAt { get; set; }
}

/// <summary>A restricted area (e.g. the call-centre floor 座席大厅): visitors only approved and registered (ORG-3).</summary>
[Contract]
public sealed class RestrictedArea
{
    public Guid Id { get; set; }

    public string Code { get; set; } = "";

    public string Name { get; set; } = "";

    /// <summary>Visitors sign a confidentiality agreement before they enter.</summary>
    public bool RequiresNda { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

public enum VisitStatus
{
    Requested = 0,
    Approved = 1,
    Rejected = 2,
    CheckedIn = 3,
    CheckedOut = 4,
    Cancelled = 5,
}

/// <summary>A visit to a restricted area: requested by a host, approved by someone else, the visitor's identity document encrypted, checked in and out.</summary>
public sealed class Visit
{
    public Guid Id { get; set; }

    public string Number { get; set; } = "";

    public Guid AreaId { get; set; }

    public string VisitorName { get; set; } = "";

    public string Organisation { get; set; } = "";

    /// <summary>The identity document's number, sealed (like a customer's value, never stored in clear).</summary>
    public string IdDocumentCipher { get; set; } = "";

    /// <summary>The document's last four characters, for the register and the desk.</summary>
    public string IdDocumentTail { get; set; } = "";

    public string Purpose { get; set; } = "";

    public DateOnly VisitOn { get; set; }

    public Guid HostId { get; set; }

    public string HostName { get; set; } = "";

    public VisitStatus Status { get; set; }

    public DateTimeOffset RequestedAt { get; set; }

    public string? DecidedBy { get; set; }

    public DateTimeOffset? DecidedAt { get; set; }

    public string? DecisionNote { get; set; }

    /// <summary>The visitor's signed agreement (its reference), when the area asks for one.</summary>
    public string? NdaReference { get; set; }

    public DateTimeOffset? CheckedInAt { get; set; }

    public string? CheckedInBy { get; set; }

    public DateTimeOffset? CheckedOutAt { get; set; }

    public string? CheckedOutBy { get; set; }

    public DateTimeOffset? OverstayNotifiedAt { get; set; }

    public Guid Stamp { get; set; }
}

internal sealed class MeetingMapping : IEntityTypeConfiguration<Meeting>
{
    public void Configure(EntityTypeBuilder<Meeting> e)
    {
        e.ToTable("Meetings");
        e.HasKey(m => m.Id);
        e.HasIndex(m => m.Number).IsUnique();
        e.HasIndex(m => new { m.Status, m.StartsAt });
        e.Property(m => m.Number).HasMaxLength(32);
        e.Property(m => m.Title).HasMaxLength(200);
        e.Property(m => m.Venue).HasMaxLength(200);
        e.Property(m => m.PassOnTo).HasMaxLength(500);
        e.Property(m => m.OrganiserName).HasMaxLength(256);
        e.Property(m => m.Minutes).HasMaxLength(PremisesService.MaxText);
        e.Property(m => m.Stamp).IsConcurrencyToken();
        e.HasMany(m => m.Attendees).WithOne().HasForeignKey(a => a.MeetingId).OnDelete(DeleteBehavior.Cascade);
        e.HasMany(m => m.Materials).WithOne().HasForeignKey(a => a.MeetingId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class MeetingAttendeeMapping : IEntityTypeConfiguration<MeetingAttendee>
{
    public void Configure(EntityTypeBuilder<MeetingAttendee> e)
    {
        e.ToTable("MeetingAttendees");
        e.HasKey(a => new { a.MeetingId, a.PersonId });
        e.HasIndex(a => a.PersonId);
        e.Property(a => a.Name).HasMaxLength(256);
    }
}

internal sealed class MeetingMaterialMapping : IEntityTypeConfiguration<MeetingMaterial>
{
    public void Configure(EntityTypeBuilder<MeetingMaterial> e)
    {
        e.ToTable("MeetingMaterials");
        e.HasKey(m => m.Id);
        e.HasIndex(m => m.CopyId).IsUnique();
        e.Property(m => m.Serial).HasMaxLength(64);
        e.Property(m => m.HolderName).HasMaxLength(256);
    }
}

internal sealed class RestrictedAreaMapping : IEntityTypeConfiguration<RestrictedArea>
{
    public void Configure(EntityTypeBuilder<RestrictedArea> e)
    {
        e.ToTable("RestrictedAreas");
        e.HasKey(a => a.Id);
        e.HasIndex(a => a.Code).IsUnique();
        e.Property(a => a.Code).HasMaxLength(32);
        e.Property(a => a.Name).HasMaxLength(200);
    }
}

internal sealed class VisitMapping : IEntityTypeConfiguration<Visit>
{
    public void Configure(EntityTypeBuilder<Visit> e)
    {
        e.ToTable("Visits");
        e.HasKey(v => v.Id);
        e.HasIndex(v => v.Number).IsUnique();
        e.HasIndex(v => new { v.AreaId, v.VisitOn });
        e.HasIndex(v => new { v.Status, v.CheckedInAt });
        e.Property(v => v.Number).HasMaxLength(32);
        e.Property(v => v.VisitorName).HasMaxLength(100);
        e.Property(v => v.Organisation).HasMaxLength(200);
        e.Property(v => v.IdDocumentTail).HasMaxLength(4);
        e.Property(v => v.Purpose).HasMaxLength(500);
        e.Property(v => v.HostName).HasMaxLength(256);
        e.Property(v => v.DecidedBy).HasMaxLength(256);
        e.Property(v => v.DecisionNote).HasMaxLength(500);
        e.Property(v => v.NdaReference).HasMaxLength(100);
        e.Property(v => v.CheckedInBy).HasMaxLength(256);
        e.Property(v => v.CheckedOutBy).HasMaxLength(256);
        e.Property(v => v.Stamp).IsConcurrencyToken();
    }
}
