using System.Globalization;
using System.Security.Cryptography;
using Custos.Data;
using Custos.Features.Copies;
using Custos.Features.Notifications;
using Custos.Features.People;
using Custos.Hosting;
using Custos.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;

namespace Custos.Features.Premises;

public sealed record NewMeeting(
    string? Title = null, string? Venue = null, bool VenueChecked = false, DateTimeOffset? StartsAt = null, DateTimeOffset? EndsAt = null, Clearance Grade = Clearance.Secret,
    PassOn PassOn = PassOn.None, string? PassOnTo = null, IReadOnlyList<string>? Attendees = null);

public sealed record AttendeeView(Guid PersonId, string Name, DateTimeOffset? ConfirmedAt);

public sealed record MaterialView(Guid Id, string Serial, string Holder, DateTimeOffset HandedOutAt, DateTimeOffset? CollectedAt);

public sealed record MeetingView(
    Guid Id, string Number, string Title, string Venue, bool VenueChecked, DateTimeOffset StartsAt, DateTimeOffset EndsAt, Clearance Grade, PassOn PassOn, string? PassOnTo,
    string Organiser, MeetingStatus Status, DateTimeOffset? ClosedAt, string? Minutes, Guid Stamp, IReadOnlyList<AttendeeView> Attendees, IReadOnlyList<MaterialView> Materials,
    bool Organising, bool MayConfirm);

public sealed record AreaView(Guid Id, string Code, string Name, bool RequiresNda);

public sealed record NewVisit(string? Area = null, string? VisitorName = null, string? Organisation = null, string? IdDocument = null, string? Purpose = null, DateOnly? VisitOn = null);

public sealed record VisitView(
    Guid Id, string Number, string Area, bool AreaRequiresNda, string VisitorName, string Organisation, string IdDocument, string Purpose, DateOnly VisitOn, string Host,
    VisitStatus Status, string? DecidedBy, DateTimeOffset? DecidedAt, string? DecisionNote, string? NdaReference, DateTimeOffset? CheckedInAt, DateTimeOffset? CheckedOutAt,
    bool MayDecide, bool MayCheck, bool Overstaying);

/// <summary>
/// Meetings on classified customer information (ORG-2) and visitors to restricted areas (ORG-3). A meeting: a venue
/// checked fit, designated attendees cleared for its grade who confirm, how far it may be passed on, printed
/// materials from the copy ledger handed out and collected back before it closes. A visit: requested by a host,
/// approved by a compliance officer or a department head (never the host), the visitor's identity document sealed and
/// shown masked, the area's agreement signed, checked in and out; a register per area. Every step in the audit log.
/// </summary>
public sealed class PremisesService(
    CustosDbContext db, Callers callers, IAuditTrail audit, Notifier notifier, PeopleService people, CopyService copies, Keys.KeyRing keys, TimeProvider time)
{
    public const int MaxText = 2000;

    public const int MaxAttendees = 200;

    /// <summary>Rows of the register read at once; an export that would hold more is refused with a narrower period asked for.</summary>
    public const int MaxRegister = 5000;

    /// <summary>A visitor still inside this long after checking in: the host and compliance are told.</summary>
    public static readonly TimeSpan Overstay = TimeSpan.FromHours(12);

    public async Task<MeetingView> CreateMeetingAsync(NewMeeting order, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(order);
        var caller = await RequireActiveAsync(AuditActions.MeetingCreate, ct);
        var title = Required(order.Title, "title", 200, "Meeting.TitleField");
        var venue = Required(order.Venue, "venue", 200, "Meeting.Venue");
        if (!order.VenueChecked)
        {
            throw CustosException.Invalid("MeetingVenueUnchecked");
        }

        var now = time.GetUtcNow();
        if (order.StartsAt is not { } starts || order.EndsAt is not { } ends || ends <= starts || starts < now.AddDays(-1) || ends - starts > TimeSpan.FromDays(3))
        {
            throw CustosException.Invalid("MeetingTimes");
        }

        if (!Enum.IsDefined(order.Grade) || !Enum.IsDefined(order.PassOn))
        {
            throw CustosException.Invalid("InvalidEnum", "grade");
        }

        var passOnTo = TextInput.CleanOptional(order.PassOnTo, "passOnTo", multiline: true);
        if (order.PassOn == PassOn.Named && passOnTo is null)
        {
            throw CustosException.Invalid("Required", new TextKey("Meeting.PassOnTo"));
        }

        if (passOnTo?.Length > 500)
        {
            throw CustosException.Invalid("TooLong", 500);
        }

        var names = (order.Attendees ?? []).Select(a => TextInput.Clean(a, "attendees")).Where(a => a.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (names.Count is 0 or > MaxAttendees)
        {
            throw CustosException.Invalid("MeetingAttendees", MaxAttendees);
        }

        var organiser = await db.Users.AsNoTracking().SingleAsync(u => u.Id == caller.PersonId, ct);
        if (organiser.Clearance < order.Grade)
        {
            throw CustosException.Invalid("MeetingGradeAboveOrganiser");
        }

        var meeting = new Meeting
        {
            Id = Guid.CreateVersion7(now), Number = NewNumber("MT", now), Title = title, Venue = venue, VenueChecked = true, StartsAt = starts.ToUniversalTime(), EndsAt = ends.ToUniversalTime(),
            Grade = order.Grade, PassOn = order.PassOn, PassOnTo = order.PassOn == PassOn.Named ? passOnTo : null, OrganiserId = caller.PersonId, OrganiserName = caller.Name, CreatedAt = now,
            Stamp = Guid.NewGuid(),
        };
        foreach (var name in names)
        {
            Person? person = null;
            try
            {
                person = await people.FindAsync(name, ct);
            }
            catch (CustosException e) when (e.Kind == CustosError.NotFound)
            {
            }

            // Only people active and cleared for what is discussed are designated (the seed: 限定参加会议的人员范围);
            // one answer for a name nobody has, someone who left and someone not cleared, echoing only what was typed.
            if (person is not { EmploymentStatus: EmploymentStatus.Active } || person.Clearance < order.Grade)
            {
                await audit.RecordNowAsync(AuditActions.MeetingCreate, "meeting", null, AuditOutcome.Denied, new { reason = "attendee" }, ct);
                throw CustosException.Invalid("MeetingAttendeeNotCleared", name);
            }

            if (meeting.Attendees.Any(a => a.PersonId == person.Id))
            {
                continue;
            }

            meeting.Attendees.Add(new MeetingAttendee { MeetingId = meeting.Id, PersonId = person.Id, Name = person.DisplayName, ConfirmedAt = person.Id == caller.PersonId ? now : null });
        }

        db.Add(meeting);
        notifier.Add(meeting.Attendees.Select(a => a.PersonId).Where(p => p != caller.PersonId), "Notify.MeetingDesignated", null, meeting.Number,
            meeting.StartsAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC");
        audit.Record(AuditActions.MeetingCreate, "meeting", meeting.Id.ToString(), detail: new { meeting.Number, meeting.Grade, meeting.PassOn, attendees = meeting.Attendees.Count });
        await db.SaveChangesAsync(ct);
        return View(caller, meeting);
    }

    /// <summary>Meetings the caller organises or attends; all of them for compliance officers, auditors and the general manager.</summary>
    public async Task<IReadOnlyList<MeetingView>> MeetingsAsync(CancellationToken ct)
    {
        var caller = await callers.CurrentAsync(ct);
        var query = db.Set<Meeting>().AsNoTracking().Include(m => m.Attendees).Include(m => m.Materials).AsSplitQuery();
        if (!IsOverseer(caller))
        {
            var me = caller.PersonId;
            query = query.Where(m => m.OrganiserId == me || m.Attendees.Any(a => a.PersonId == me));
        }

        var rows = await query.OrderByDescending(m => m.StartsAt).Take(500).ToListAsync(ct);
        await audit.RecordNowAsync(AuditActions.MeetingView, "meeting", null, AuditOutcome.Success, new { list = true }, ct);
        return [.. rows.Select(m => View(caller, m))];
    }

    public async Task<MeetingView> MeetingAsync(Guid id, CancellationToken ct)
    {
        var (caller, meeting) = await LoadMeetingAsync(id, AuditActions.MeetingView, write: false, ct);
        await audit.RecordNowAsync(AuditActions.MeetingView, "meeting", meeting.Id.ToString(), AuditOutcome.Success, new { meeting.Number }, ct);
        return View(caller, meeting);
    }

    /// <summary>A designated attendee confirms they attend (the register shows who confirmed).</summary>
    public async Task<MeetingView> ConfirmAsync(Guid id, CancellationToken ct)
    {
        var (caller, meeting) = await LoadMeetingAsync(id, AuditActions.MeetingConfirm, write: true, ct);
        var attendee = meeting.Attendees.SingleOrDefault(a => a.PersonId == caller.PersonId) ?? throw new CustosException(CustosError.Forbidden, "NotAnAttendee");
        if (meeting.Status != MeetingStatus.Planned)
        {
            throw CustosException.Conflict("MeetingClosed");
        }

        attendee.ConfirmedAt ??= time.GetUtcNow();
        audit.Record(AuditActions.MeetingConfirm, "meeting", meeting.Id.ToString(), detail: new { meeting.Number });
        await SaveAsync(meeting, ct);
        return View(caller, meeting);
    }

    /// <summary>The organiser hands a print of theirs from the copy ledger to an attendee.</summary>
    public async Task<MeetingView> HandOutAsync(Guid id, string? serial, Guid attendee, CancellationToken ct)
    {
        var (caller, meeting) = await LoadForOrganiserAsync(id, AuditActions.MeetingMaterial, ct);
        var key = TextInput.Clean(serial, "serial").ToUpperInvariant();
        var copy = await db.Set<CopyRecord>().AsNoTracking().SingleOrDefaultAsync(c => c.Serial == key, ct);
        if (copy is null || copy.PersonId != caller.PersonId || copy.Kind != CopyKind.Print || copy.Status != CopyStatus.Issued)
        {
            throw CustosException.Invalid("MeetingMaterialNotYours");
        }

        if (await db.Set<MeetingMaterial>().AnyAsync(m => m.CopyId == copy.Id, ct))
        {
            throw CustosException.Conflict("MeetingMaterialHandedOut");
        }

        var holder = meeting.Attendees.SingleOrDefault(a => a.PersonId == attendee) ?? throw CustosException.Invalid("NotAnAttendee");
        // The paper is no higher than the meeting, and its holder is still active and cleared for it.
        var grades = await db.CopyItems.Where(i => i.CopyId == copy.Id).Join(db.Customers, i => i.CustomerId, c => c.Id, (i, c) => c.Grade).ToListAsync(ct);
        var top = grades.Count == 0 ? Clearance.Secret : grades.Max();
        var person = await db.Users.AsNoTracking().SingleAsync(u => u.Id == holder.PersonId, ct);
        if (top > meeting.Grade || person.EmploymentStatus != EmploymentStatus.Active || person.Clearance < top)
        {
            await audit.RecordNowAsync(AuditActions.MeetingMaterial, "meeting", meeting.Id.ToString(), AuditOutcome.Denied, new { meeting.Number, copy.Serial, reason = "grade" }, ct);
            throw CustosException.Invalid("MeetingMaterialAboveGrade");
        }
        var now = time.GetUtcNow();
        // Added as new (a set key would otherwise make it an update of a row that does not exist).
        var handed = new MeetingMaterial
        {
            Id = Guid.CreateVersion7(now), MeetingId = meeting.Id, CopyId = copy.Id, Serial = copy.Serial, HolderId = holder.PersonId, HolderName = holder.Name, HandedOutAt = now,
        };
        db.Add(handed); // fix-up puts it in meeting.Materials
        audit.Record(AuditActions.MeetingMaterial, "meeting", meeting.Id.ToString(), detail: new { meeting.Number, copy.Serial, holder = holder.PersonId, handed = true });
        await SaveAsync(meeting, ct);
        return View(caller, meeting);
    }

    /// <summary>The organiser collects a material back: it is marked collected here and returned in the copy ledger.</summary>
    public async Task<MeetingView> CollectAsync(Guid id, Guid material, CancellationToken ct)
    {
        var (caller, meeting) = await LoadForOrganiserAsync(id, AuditActions.MeetingMaterial, ct);
        var item = meeting.Materials.SingleOrDefault(m => m.Id == material) ?? throw CustosException.NotFound("MeetingMaterialNotFound");
        if (item.CollectedAt is not null)
        {
            throw CustosException.Conflict("MeetingMaterialCollected");
        }

        // Already returned or shredded through the copies page: the ledger has it; the meeting records that.
        var status = await db.Set<CopyRecord>().Where(c => c.Id == item.CopyId).Select(c => c.Status).SingleAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        item.CollectedAt = time.GetUtcNow();
        audit.Record(AuditActions.MeetingMaterial, "meeting", meeting.Id.ToString(), detail: new { meeting.Number, item.Serial, collected = true, ledger = status.ToString() });
        await SaveAsync(meeting, ct);
        if (status == CopyStatus.Issued)
        {
            await copies.CloseAsync(item.CopyId, CopyStatus.Returned, null, meeting.Number, ct);
        }

        await tx.CommitAsync(ct);
        return View(caller, meeting);
    }

    /// <summary>The organiser closes the meeting once every material is back, with the minutes' summary if any.</summary>
    public async Task<MeetingView> CloseMeetingAsync(Guid id, string? minutes, bool cancel, CancellationToken ct)
    {
        var (caller, meeting) = await LoadForOrganiserAsync(id, AuditActions.MeetingClose, ct);
        var outstanding = meeting.Materials.Count(m => m.CollectedAt is null);
        if (outstanding > 0)
        {
            throw CustosException.Conflict("MeetingMaterialsOut", outstanding);
        }

        if (!cancel && time.GetUtcNow() < meeting.StartsAt)
        {
            // Held means it took place: not before it starts (a meeting called off is cancelled).
            throw CustosException.Conflict("MeetingNotStarted");
        }

        var text = TextInput.CleanOptional(minutes, "minutes", multiline: true);
        if (text?.Length > MaxText)
        {
            throw CustosException.Invalid("TooLong", MaxText);
        }

        (meeting.Status, meeting.ClosedAt, meeting.Minutes) = (cancel ? MeetingStatus.Cancelled : MeetingStatus.Held, time.GetUtcNow(), text);
        audit.Record(AuditActions.MeetingClose, "meeting", meeting.Id.ToString(), detail: new { meeting.Number, cancel });
        await SaveAsync(meeting, ct);
        return View(caller, meeting);
    }

    /// <summary>The meeting's confidentiality record as PDF or XLSX.</summary>
    public async Task<(byte[] Content, string ContentType, string FileName)> ExportMeetingAsync(Guid id, string format, IStringLocalizer text, CustosSettings custos, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(custos);
        format = Web.Documents.RegisterDocument.CheckFormat(format);
        var (caller, meeting) = await LoadMeetingAsync(id, AuditActions.MeetingView, write: false, ct);
        var v = View(caller, meeting);
        var offset = caller.Engine.Document.UtcOffset;
        string At(DateTimeOffset? at) => at is { } a ? a.ToOffset(offset).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) : "";
        var rows = new List<IReadOnlyList<string>>
        {
            new[] { text["Meeting.TitleField"].Value, v.Title },
            new[] { text["Meeting.Venue"].Value, v.Venue + " ✓" },
            new[] { text["Meeting.Time"].Value, $"{At(v.StartsAt)} — {At(v.EndsAt)}" },
            new[] { text["Meeting.Grade"].Value, text["Clearance." + v.Grade] },
            new[] { text["Meeting.PassOn"].Value, text["PassOn." + v.PassOn] + (v.PassOnTo is null ? "" : ": " + v.PassOnTo) },
            new[] { text["Meeting.Organiser"].Value, v.Organiser },
        };
        rows.AddRange(v.Attendees.Select(a => (IReadOnlyList<string>)[text["Meeting.Attendee"], a.Name + (a.ConfirmedAt is { } c ? " ✓ " + At(c) : " —")]));
        rows.AddRange(v.Materials.Select(m => (IReadOnlyList<string>)[text["Meeting.Material"], $"{m.Serial} → {m.Holder} {At(m.HandedOutAt)} / {(m.CollectedAt is { } c ? At(c) : "—")}"]));
        rows.Add([text["Meeting.Minutes"], v.Minutes ?? ""]);
        var table = new Web.Documents.RegisterTable(text["Meeting.RecordTitle", v.Number], text["Meeting.RecordCaption", text["MeetingStatus." + v.Status], At(time.GetUtcNow()), caller.Name],
            [text["Incident.Item"], text["Incident.Content"]], rows);
        await audit.RecordNowAsync(AuditActions.MeetingExport, "meeting", meeting.Id.ToString(), AuditOutcome.Success, new { meeting.Number, format }, ct);
        return Web.Documents.RegisterDocument.Write(table, format, custos.Copies.PrintFont, text["Register.Page"], v.Number, time.GetUtcNow());
    }

    public async Task<IReadOnlyList<AreaView>> AreasAsync(CancellationToken ct) =>
        [.. (await db.Set<RestrictedArea>().AsNoTracking().OrderBy(a => a.Code).ToListAsync(ct)).Select(a => new AreaView(a.Id, a.Code, a.Name, a.RequiresNda))];

    /// <summary>A compliance officer registers a restricted area.</summary>
    public async Task<AreaView> AddAreaAsync(string? code, string? name, bool requiresNda, CancellationToken ct)
    {
        var caller = await callers.CurrentAsync(ct);
        if (!IsCompliance(caller))
        {
            await audit.RecordNowAsync(AuditActions.AreaAdd, "area", null, AuditOutcome.Denied, new { reason = "role" }, ct);
            throw new CustosException(CustosError.Forbidden, "MayNotManageAreas");
        }

        var key = TextInput.Clean(code, "code").ToUpperInvariant();
        if (!System.Text.RegularExpressions.Regex.IsMatch(key, "^[A-Z0-9-]{1,32}$", System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1)))
        {
            throw CustosException.Invalid("AreaCode");
        }

        var area = new RestrictedArea { Id = Guid.NewGuid(), Code = key, Name = Required(name, "name", 200, "Visit.AreaName"), RequiresNda = requiresNda, CreatedAt = time.GetUtcNow() };
        if (await db.Set<RestrictedArea>().AnyAsync(a => a.Code == key, ct))
        {
            throw CustosException.Conflict("AreaExists");
        }

        db.Add(area);
        audit.Record(AuditActions.AreaAdd, "area", area.Id.ToString(), detail: new { area.Code, area.RequiresNda });
        await db.SaveChangesAsync(ct);
        return new AreaView(area.Id, area.Code, area.Name, area.RequiresNda);
    }

    /// <summary>A host asks for a visitor to enter an area on a day; the identity document is sealed at once; compliance officers are told.</summary>
    public async Task<VisitView> RequestVisitAsync(NewVisit order, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(order);
        var caller = await RequireActiveAsync(AuditActions.VisitRequest, ct);
        var code = TextInput.Clean(order.Area, "area").ToUpperInvariant();
        var area = await db.Set<RestrictedArea>().AsNoTracking().SingleOrDefaultAsync(a => a.Code == code, ct) ?? throw CustosException.Invalid("AreaUnknown", code);
        var visitor = Required(order.VisitorName, "visitorName", 100, "Visit.VisitorName");
        var organisation = Required(order.Organisation, "organisation", 200, "Visit.Organisation");
        var purpose = Required(order.Purpose, "purpose", 500, "Visit.Purpose");
        var document = new string([.. (order.IdDocument ?? "").Where(c => !char.IsWhiteSpace(c))]).ToUpperInvariant();
        if (document.Length is < 8 or > 32 || !document.All(char.IsAsciiLetterOrDigit))
        {
            throw CustosException.Invalid("VisitIdDocument");
        }

        var today = caller.Engine.Today(time.GetUtcNow());
        if (order.VisitOn is not { } day || day < today || day > today.AddDays(90))
        {
            throw CustosException.Invalid("VisitOn");
        }

        var now = time.GetUtcNow();
        var visit = new Visit
        {
            Id = Guid.CreateVersion7(now), Number = NewNumber("VS", now), AreaId = area.Id, VisitorName = visitor, Organisation = organisation, IdDocumentTail = document[^4..],
            Purpose = purpose, VisitOn = day, HostId = caller.PersonId, HostName = caller.Name, RequestedAt = now, Stamp = Guid.NewGuid(),
        };
        visit.IdDocumentCipher = keys.Secrets.Protect(DocumentPurpose(visit.Id), document);
        db.Add(visit);
        notifier.Add((await db.InRoleAsync(Roles.ComplianceOfficer, ct)).Where(p => p != caller.PersonId), "Notify.VisitRequested", null, visit.Number, area.Name, day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        // The log has the number and the area, never the visitor's document.
        audit.Record(AuditActions.VisitRequest, "visit", visit.Id.ToString(), detail: new { visit.Number, area = area.Code, day });
        await db.SaveChangesAsync(ct);
        return await VisitViewAsync(caller, visit, ct);
    }

    /// <summary>A compliance officer or a department head (never the host) approves or rejects (with a reason).</summary>
    public async Task<VisitView> DecideVisitAsync(Guid id, bool approve, string? note, CancellationToken ct)
    {
        var (caller, visit) = await LoadVisitAsync(id, AuditActions.VisitDecide, ct);
        if (!await MayDecideAsync(caller, visit, ct))
        {
            await audit.RecordNowAsync(AuditActions.VisitDecide, "visit", id.ToString(), AuditOutcome.Denied, new { reason = visit.HostId == caller.PersonId ? "host" : "role" }, ct);
            throw new CustosException(CustosError.Forbidden, "MayNotDecideVisit");
        }

        if (visit.Status != VisitStatus.Requested)
        {
            throw CustosException.Conflict("VisitDecided");
        }

        var reason = TextInput.CleanOptional(note, "note", multiline: true);
        if (!approve && reason is null)
        {
            throw CustosException.Invalid("Required", new TextKey("Visit.RejectReason"));
        }

        if (reason?.Length > 500)
        {
            throw CustosException.Invalid("TooLong", 500);
        }

        (visit.Status, visit.DecidedBy, visit.DecidedAt, visit.DecisionNote) = (approve ? VisitStatus.Approved : VisitStatus.Rejected, caller.Name, time.GetUtcNow(), reason);
        notifier.Add([visit.HostId], approve ? "Notify.VisitApproved" : "Notify.VisitRejected", null, visit.Number);
        audit.Record(AuditActions.VisitDecide, "visit", visit.Id.ToString(), detail: new { visit.Number, approve });
        await SaveVisitAsync(visit, ct);
        return await VisitViewAsync(caller, visit, ct);
    }

    /// <summary>The visitor arrives (the host or a compliance officer at the desk): approved, on the day, the area's agreement signed if it asks for one.</summary>
    public async Task<VisitView> CheckInAsync(Guid id, string? ndaReference, CancellationToken ct)
    {
        var (caller, visit) = await LoadVisitAsync(id, AuditActions.VisitCheckIn, ct);
        RequireDesk(caller, visit);
        if (visit.Status != VisitStatus.Approved)
        {
            throw CustosException.Conflict(visit.Status == VisitStatus.Requested ? "VisitNotApproved" : "VisitNotExpected");
        }

        if (visit.VisitOn != caller.Engine.Today(time.GetUtcNow()))
        {
            throw CustosException.Conflict("VisitNotToday", visit.VisitOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        }

        var area = await db.Set<RestrictedArea>().AsNoTracking().SingleAsync(a => a.Id == visit.AreaId, ct);
        var nda = TextInput.CleanOptional(ndaReference, "ndaReference");
        if (area.RequiresNda && nda is null)
        {
            throw CustosException.Invalid("VisitNdaRequired");
        }

        if (nda?.Length > 100)
        {
            throw CustosException.Invalid("TooLong", 100);
        }

        (visit.Status, visit.CheckedInAt, visit.CheckedInBy, visit.NdaReference) = (VisitStatus.CheckedIn, time.GetUtcNow(), caller.Name, nda);
        audit.Record(AuditActions.VisitCheckIn, "visit", visit.Id.ToString(), detail: new { visit.Number, nda = nda is not null });
        await SaveVisitAsync(visit, ct);
        return await VisitViewAsync(caller, visit, ct);
    }

    /// <summary>The host (or a compliance officer) calls off a visit not yet begun; it can no longer be checked in.</summary>
    public async Task<VisitView> CancelVisitAsync(Guid id, CancellationToken ct)
    {
        var (caller, visit) = await LoadVisitAsync(id, AuditActions.VisitCancel, ct);
        RequireDesk(caller, visit);
        if (visit.Status is not (VisitStatus.Requested or VisitStatus.Approved))
        {
            throw CustosException.Conflict("VisitNotExpected");
        }

        visit.Status = VisitStatus.Cancelled;
        audit.Record(AuditActions.VisitCancel, "visit", visit.Id.ToString(), detail: new { visit.Number });
        await SaveVisitAsync(visit, ct);
        return await VisitViewAsync(caller, visit, ct);
    }

    public async Task<VisitView> CheckOutAsync(Guid id, CancellationToken ct)
    {
        var (caller, visit) = await LoadVisitAsync(id, AuditActions.VisitCheckOut, ct);
        RequireDesk(caller, visit);
        if (visit.Status != VisitStatus.CheckedIn)
        {
            throw CustosException.Conflict("VisitNotIn");
        }

        (visit.Status, visit.CheckedOutAt, visit.CheckedOutBy) = (VisitStatus.CheckedOut, time.GetUtcNow(), caller.Name);
        audit.Record(AuditActions.VisitCheckOut, "visit", visit.Id.ToString(), detail: new { visit.Number });
        await SaveVisitAsync(visit, ct);
        return await VisitViewAsync(caller, visit, ct);
    }

    /// <summary>The visitor's whole document number, for a compliance officer with a reason; recorded (the reason too).</summary>
    public async Task<string> RevealDocumentAsync(Guid id, string? reason, CancellationToken ct)
    {
        var (caller, visit) = await LoadVisitAsync(id, AuditActions.VisitReveal, ct);
        if (!IsCompliance(caller))
        {
            await audit.RecordNowAsync(AuditActions.VisitReveal, "visit", id.ToString(), AuditOutcome.Denied, new { reason = "role" }, ct);
            throw new CustosException(CustosError.Forbidden, "MayNotRevealVisitor");
        }

        var why = Required(reason, "reason", 64, "Visit.RevealReason");
        await audit.RecordNowAsync(AuditActions.VisitReveal, "visit", visit.Id.ToString(), AuditOutcome.Success, new { visit.Number }, ct, purpose: why);
        return keys.Secrets.Unprotect(DocumentPurpose(visit.Id), visit.IdDocumentCipher);
    }

    /// <summary>The register: visits to an area (or all) between two days; compliance, auditors and the general manager see every visit, a host their own.</summary>
    public async Task<IReadOnlyList<VisitView>> VisitsAsync(string? area, DateOnly? from, DateOnly? to, CancellationToken ct)
    {
        var caller = await callers.CurrentAsync(ct);
        var query = db.Set<Visit>().AsNoTracking();
        var decidable = new HashSet<Guid>();
        if (!IsOverseer(caller))
        {
            // A host their own visits; a department head also the requests of their departments' people, to decide.
            var me = caller.PersonId;
            var hosts = (await HeadedHostsAsync(caller, ct)).Where(h => h != me).ToList();
            decidable = [.. hosts];
            query = query.Where(v => v.HostId == me || (v.Status == VisitStatus.Requested && hosts.Contains(v.HostId)));
        }

        if (TextInput.CleanOptional(area, "area")?.ToUpperInvariant() is { } code)
        {
            query = query.Where(v => db.Set<RestrictedArea>().Any(a => a.Id == v.AreaId && a.Code == code));
        }

        if (from is { } f)
        {
            query = query.Where(v => v.VisitOn >= f);
        }

        if (to is { } t)
        {
            query = query.Where(v => v.VisitOn <= t);
        }

        var rows = await query.OrderByDescending(v => v.VisitOn).ThenBy(v => v.Number).Take(MaxRegister).ToListAsync(ct);
        await audit.RecordNowAsync(AuditActions.VisitView, "visit", null, AuditOutcome.Success, new { area, from, to }, ct);
        var areas = await db.Set<RestrictedArea>().AsNoTracking().ToDictionaryAsync(a => a.Id, ct);
        return [.. rows.Select(v => VisitView(caller, v, areas[v.AreaId], IsCompliance(caller) || decidable.Contains(v.HostId)))];
    }

    /// <summary>An area's register (登记) for a period, as PDF or XLSX: who came, from where, for whom, when in and out.</summary>
    public async Task<(byte[] Content, string ContentType, string FileName)> ExportRegisterAsync(string? area, DateOnly from, DateOnly to, string format, IStringLocalizer text, CustosSettings custos, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(custos);
        format = Web.Documents.RegisterDocument.CheckFormat(format);
        if (to < from || to.DayNumber - from.DayNumber > 366)
        {
            throw CustosException.Invalid("VisitPeriod");
        }

        var caller = await callers.CurrentAsync(ct);
        var visits = await VisitsAsync(string.IsNullOrWhiteSpace(area) ? null : area, from, to, ct);
        if (visits.Count >= MaxRegister)
        {
            throw CustosException.Invalid("VisitPeriodTooLarge", MaxRegister);
        }
        var offset = caller.Engine.Document.UtcOffset;
        string At(DateTimeOffset? at) => at is { } a ? a.ToOffset(offset).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) : "";
        var table = new Web.Documents.RegisterTable(
            text["Visit.RegisterTitle", string.IsNullOrWhiteSpace(area) ? text["Visit.AllAreas"] : area.Trim().ToUpperInvariant()], text["Visit.RegisterCaption", from.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), to.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), caller.Name],
            [text["Visit.Number"], text["Visit.Area"], text["Visit.VisitorName"], text["Visit.Organisation"], text["Visit.IdDocument"], text["Visit.Host"], text["Visit.VisitOn"], text["Visit.Status"], text["Visit.CheckedIn"], text["Visit.CheckedOut"], text["Visit.Nda"]],
            [.. visits.Select(v => (IReadOnlyList<string>)[v.Number, v.Area, v.VisitorName, v.Organisation, v.IdDocument, v.Host, v.VisitOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                text["VisitStatus." + v.Status], At(v.CheckedInAt), At(v.CheckedOutAt), v.NdaReference ?? ""])]);
        await audit.RecordNowAsync(AuditActions.VisitExport, "visit", null, AuditOutcome.Success, new { area, from, to, format }, ct);
        return Web.Documents.RegisterDocument.Write(table, format, custos.Copies.PrintFont, text["Register.Page"], "visitors", time.GetUtcNow());
    }

    /// <summary>Visitors still in long after checking in: the host and the compliance officers are told, once.</summary>
    public async Task<int> RunDueAsync(CancellationToken ct)
    {
        var since = time.GetUtcNow() - Overstay;
        var told = 0;
        var set = db.Set<Visit>();
        foreach (var v in await set.AsNoTracking().Where(v => v.Status == VisitStatus.CheckedIn && v.CheckedInAt <= since && v.OverstayNotifiedAt == null).Take(200).ToListAsync(ct))
        {
            var now = time.GetUtcNow();
            try
            {
                await using var tx = await db.Database.BeginTransactionAsync(ct);
                if (await set.Where(x => x.Id == v.Id && x.OverstayNotifiedAt == null && x.Status == VisitStatus.CheckedIn).ExecuteUpdateAsync(s => s.SetProperty(x => x.OverstayNotifiedAt, now), ct) != 1)
                {
                    continue;
                }

                notifier.Add((await db.InRoleAsync(Roles.ComplianceOfficer, ct)).Append(v.HostId).Distinct(), "Notify.VisitOverstay", null, v.Number);
                audit.Record(AuditActions.VisitOverstay, "visit", v.Id.ToString(), detail: new { v.Number });
                await db.SaveChangesAsync(ct);
                await tx.CommitAsync(ct);
                told++;
            }
            catch (Exception e) when (e is DbUpdateException or Audit.AuditWriteException)
            {
                db.ChangeTracker.Clear();
            }
        }

        return told;
    }

    public async Task<bool> IsComplianceAsync(CancellationToken ct) => IsCompliance(await callers.CurrentAsync(ct));

    private static bool IsCompliance(Caller caller) => caller.PersonId != Guid.Empty && caller.Subject.Active && caller.Subject.Roles.Contains(Roles.ComplianceOfficer);

    private static bool IsOverseer(Caller caller) =>
        caller.PersonId != Guid.Empty && caller.Subject.Active
        && (caller.Subject.Roles.Contains(Roles.ComplianceOfficer) || caller.Subject.Roles.Contains(Roles.Auditor) || caller.Subject.Roles.Contains(Roles.GeneralManager));

    /// <summary>A compliance officer, or a head of one of the host's departments; never the host.</summary>
    private async Task<bool> MayDecideAsync(Caller caller, Visit visit, CancellationToken ct)
    {
        if (caller.PersonId == visit.HostId || !caller.Subject.Active)
        {
            return false;
        }

        if (IsCompliance(caller))
        {
            return true;
        }

        var departments = caller.Departments.ToList();
        return caller.Subject.Roles.Contains(Roles.DepartmentHead) && await db.DepartmentMemberships.AnyAsync(m => m.PersonId == visit.HostId && departments.Contains(m.DepartmentId), ct);
    }

    private async Task<HashSet<Guid>> HeadedHostsAsync(Caller caller, CancellationToken ct)
    {
        if (!caller.Subject.Active || !caller.Subject.Roles.Contains(Roles.DepartmentHead))
        {
            return [];
        }

        var departments = caller.Departments.ToList();
        return [.. await db.DepartmentMemberships.AsNoTracking().Where(m => departments.Contains(m.DepartmentId)).Select(m => m.PersonId).ToListAsync(ct)];
    }

    private static void RequireDesk(Caller caller, Visit visit)
    {
        if (!(visit.HostId == caller.PersonId && caller.Subject.Active) && !IsCompliance(caller))
        {
            throw new CustosException(CustosError.Forbidden, "MayNotCheckVisit");
        }
    }

    private async Task<Caller> RequireActiveAsync(string action, CancellationToken ct)
    {
        var caller = await callers.CurrentAsync(ct);
        if (caller.PersonId == Guid.Empty || !caller.Subject.Active)
        {
            await audit.RecordNowAsync(action, "premises", null, AuditOutcome.Denied, new { reason = "no-person" }, ct);
            throw new CustosException(CustosError.Forbidden, "MayNotActHere");
        }

        return caller;
    }

    private async Task<(Caller Caller, Meeting Meeting)> LoadMeetingAsync(Guid id, string action, bool write, CancellationToken ct)
    {
        var caller = await callers.CurrentAsync(ct);
        var set = write ? db.Set<Meeting>() : db.Set<Meeting>().AsNoTracking();
        var meeting = await set.Include(m => m.Attendees).Include(m => m.Materials).AsSplitQuery().SingleOrDefaultAsync(m => m.Id == id, ct);
        if (meeting is null || !(IsOverseer(caller) || meeting.OrganiserId == caller.PersonId || meeting.Attendees.Any(a => a.PersonId == caller.PersonId)))
        {
            await audit.RecordNowAsync(action, "meeting", id.ToString(), AuditOutcome.Denied, new { reason = "not-found" }, ct);
            throw CustosException.NotFound("MeetingNotFound");
        }

        return (caller, meeting);
    }

    private async Task<(Caller Caller, Meeting Meeting)> LoadForOrganiserAsync(Guid id, string action, CancellationToken ct)
    {
        var (caller, meeting) = await LoadMeetingAsync(id, action, write: true, ct);
        if (meeting.OrganiserId != caller.PersonId || !caller.Subject.Active)
        {
            await audit.RecordNowAsync(action, "meeting", id.ToString(), AuditOutcome.Denied, new { reason = "not-organiser" }, ct);
            throw new CustosException(CustosError.Forbidden, "NotTheOrganiser");
        }

        if (meeting.Status != MeetingStatus.Planned)
        {
            throw CustosException.Conflict("MeetingClosed");
        }

        return (caller, meeting);
    }

    private async Task<(Caller Caller, Visit Visit)> LoadVisitAsync(Guid id, string action, CancellationToken ct)
    {
        var caller = await callers.CurrentAsync(ct);
        var visit = await db.Set<Visit>().SingleOrDefaultAsync(v => v.Id == id, ct);
        if (visit is null || !(IsOverseer(caller) || visit.HostId == caller.PersonId || await MayDecideAsync(caller, visit, ct)))
        {
            await audit.RecordNowAsync(action, "visit", id.ToString(), AuditOutcome.Denied, new { reason = "not-found" }, ct);
            throw CustosException.NotFound("VisitNotFound");
        }

        return (caller, visit);
    }

    private async Task SaveAsync(Meeting meeting, CancellationToken ct)
    {
        meeting.Stamp = Guid.NewGuid();
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            throw CustosException.Conflict("MeetingChanged");
        }
    }

    private async Task SaveVisitAsync(Visit visit, CancellationToken ct)
    {
        visit.Stamp = Guid.NewGuid();
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            db.ChangeTracker.Clear();
            throw CustosException.Conflict("VisitChanged");
        }
    }

    private static MeetingView View(Caller caller, Meeting m) => new(
        m.Id, m.Number, m.Title, m.Venue, m.VenueChecked, m.StartsAt, m.EndsAt, m.Grade, m.PassOn, m.PassOnTo, m.OrganiserName, m.Status, m.ClosedAt, m.Minutes, m.Stamp,
        [.. m.Attendees.OrderBy(a => a.Name, StringComparer.Ordinal).Select(a => new AttendeeView(a.PersonId, a.Name, a.ConfirmedAt))],
        [.. m.Materials.OrderBy(x => x.HandedOutAt).Select(x => new MaterialView(x.Id, x.Serial, x.HolderName, x.HandedOutAt, x.CollectedAt))],
        m.OrganiserId == caller.PersonId && m.Status == MeetingStatus.Planned,
        m.Status == MeetingStatus.Planned && m.Attendees.Any(a => a.PersonId == caller.PersonId && a.ConfirmedAt is null));

    private async Task<VisitView> VisitViewAsync(Caller caller, Visit v, CancellationToken ct) =>
        VisitView(caller, v, await db.Set<RestrictedArea>().AsNoTracking().SingleAsync(a => a.Id == v.AreaId, ct), await MayDecideAsync(caller, v, ct));

    private VisitView VisitView(Caller caller, Visit v, RestrictedArea area, bool mayDecide) => new(
        v.Id, v.Number, area.Name, area.RequiresNda, v.VisitorName, v.Organisation, "****" + v.IdDocumentTail, v.Purpose, v.VisitOn, v.HostName, v.Status, v.DecidedBy, v.DecidedAt,
        v.DecisionNote, v.NdaReference, v.CheckedInAt, v.CheckedOutAt,
        v.Status == VisitStatus.Requested && mayDecide,
        (v.Status is VisitStatus.Requested or VisitStatus.Approved or VisitStatus.CheckedIn) && ((v.HostId == caller.PersonId && caller.Subject.Active) || IsCompliance(caller)),
        v.Status == VisitStatus.CheckedIn && v.CheckedInAt <= time.GetUtcNow() - Overstay);

    private static string DocumentPurpose(Guid visit) => $"visit:{visit:N}:id-document";

    private static string NewNumber(string prefix, DateTimeOffset now) => $"{prefix}-{now:yyyyMMdd}-{Convert.ToHexString(RandomNumberGenerator.GetBytes(3))}";

    private static string Required(string? value, string field, int max, string label)
    {
        var text = TextInput.CleanOptional(value, field) ?? throw CustosException.Invalid("Required", new TextKey(label));
        return text.Length <= max ? text : throw CustosException.Invalid("TooLong", max);
    }
}
