using System.Globalization;
using Custos.Data;
using Custos.Features.Access;
using Custos.Features.Notifications;
using Custos.Features.People;
using Custos.Hosting;
using Custos.Kernel.Policy;
using Custos.Security;
using Microsoft.EntityFrameworkCore;

namespace Custos.Features.Committee;

/// <summary>What the compliance officer records to seat someone on the committee.</summary>
[Contract]
public sealed record NewSeat(
    string? Person = null, CommitteePosition Position = CommitteePosition.Member, string? Duties = null, bool PolicyOwner = false, DateOnly? StartsOn = null, DateOnly? EndsOn = null);

/// <summary>A seat as everyone in the company sees it: who, which position, what they answer for, until when, and whether they may decide yet.</summary>
[Contract]
public sealed record CommitteeSeatView(
    Guid Id, Guid PersonId, string Name, string UserName, CommitteePosition Position, string Duties, bool PolicyOwner, DateOnly StartsOn, DateOnly EndsOn,
    bool HoldsRole, Guid? RoleRequestId, DateTimeOffset AppointedAt, string AppointedBy, DateTimeOffset? EndedAt, string? EndedReason, bool Current, bool HandlesReports);

/// <summary>
/// The confidentiality committee (ORG-1): its members, their positions and duties, the owner and interpreter of the
/// policy, and their terms. The compliance officer seats and unseats members in person; a seat's power to decide is
/// the <c>committee-member</c> role, asked for through the privilege approvers (never given by the one who seats) and
/// taken away at once when the seat ends — by hand, or when its term runs out. Chains in the policy name the role,
/// N of M (<c>{role: committee-member, count: 3}</c>), so committee decisions are approvals in the usual workflow.
/// </summary>
[Contract]
public sealed class CommitteeService(
    CustosDbContext db, Callers callers, ICurrentActor actor, IAuditTrail audit, PeopleService people, RequestService requests, Notifier notifier, TimeProvider time)
{
    /// <summary>The longest term a seat may be given.</summary>
    public const int MaxTermYears = 5;

    /// <summary>Days before a term ends that the compliance officers are told.</summary>
    public const int ReminderDays = 30;

    /// <summary>The committee, current seats first; ended seats with <paramref name="includeEnded"/>. Everyone signed in may know who sits on it.</summary>
    public async Task<IReadOnlyList<CommitteeSeatView>> ListAsync(bool includeEnded, CancellationToken ct)
    {
        var caller = await callers.CurrentAsync(ct);
        if (caller.PersonId == Guid.Empty && !actor.FromCommandLine)
        {
            throw new CustosException(CustosError.Forbidden, "MayNotReadCommittee");
        }

        var today = caller.Engine.Today(time.GetUtcNow());
        var seats = await db.Set<CommitteeSeat>().AsNoTracking().Where(s => includeEnded || s.EndedAt == null)
            .OrderBy(s => s.EndedAt != null).ThenBy(s => s.Position).ThenBy(s => s.StartsOn).Take(500).ToListAsync(ct);
        var ids = seats.Select(s => s.PersonId).Distinct().ToList();
        var names = await db.Users.AsNoTracking().Where(u => ids.Contains(u.Id)).Select(u => new { u.Id, u.DisplayName, u.UserName }).ToDictionaryAsync(u => u.Id, ct);
        var holders = (await db.InRoleAsync(Roles.CommitteeMember, ct)).ToHashSet();
        return [.. seats.Select(s => new CommitteeSeatView(
            s.Id, s.PersonId, names.GetValueOrDefault(s.PersonId)?.DisplayName ?? "?", names.GetValueOrDefault(s.PersonId)?.UserName ?? "?", s.Position, s.Duties, s.PolicyOwner,
            s.StartsOn, s.EndsOn, holders.Contains(s.PersonId), s.RoleRequestId, s.AppointedAt, s.AppointedByName, s.EndedAt, s.EndedReason,
            s.EndedAt is null && s.StartsOn <= today && s.EndsOn >= today, s.HandlesReports))];
    }

    /// <summary>
    /// Seats a person for a term and files the request for the committee role (the privilege approvers decide it). One
    /// current seat per person; one chair and one policy owner at a time; never oneself; only while the policy in force
    /// defines the committee's role.
    /// </summary>
    public async Task<CommitteeSeatView> AppointAsync(NewSeat order, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(order);
        var caller = await RequireOfficerAsync(AuditActions.CommitteeAppoint, ct);
        if (!Enum.IsDefined(order.Position))
        {
            throw CustosException.Invalid("InvalidEnum", "position");
        }

        if (caller.Engine.WeightOf(Roles.CommitteeMember) == RoleWeight.Nothing)
        {
            throw CustosException.Invalid("CommitteeRoleMissing", Roles.CommitteeMember);
        }

        var person = await people.FindAsync(TextInput.Clean(order.Person, "person"), ct);
        if (person.Id == caller.PersonId)
        {
            // Refused and recorded before any transaction, so the record stays.
            await audit.RecordNowAsync(AuditActions.CommitteeAppoint, "person", person.Id.ToString(), AuditOutcome.Denied, new { reason = "self" }, ct);
            throw new CustosException(CustosError.Forbidden, "CannotChangeOwnRights");
        }

        var now = time.GetUtcNow();
        var today = caller.Engine.Today(now);
        if (person.EmploymentStatus != EmploymentStatus.Active || person.DepartsOn is not null)
        {
            throw CustosException.Invalid("CommitteeNotActive", person.DisplayName);
        }

        var duties = TextInput.CleanOptional(order.Duties, "duties", multiline: true) ?? "";
        if (duties.Length is 0 or > 500)
        {
            throw CustosException.Invalid(duties.Length == 0 ? "Required" : "TooLong", duties.Length == 0 ? new TextKey("Committee.Duties") : 500);
        }

        var starts = order.StartsOn ?? today;
        var ends = order.EndsOn ?? throw CustosException.Invalid("Required", new TextKey("Committee.EndsOn"));
        // A term begins today at the latest: the role is asked for now, so it must not decide before the term.
        if (starts < today.AddDays(-30) || starts > today || ends <= today || ends > starts.AddYears(MaxTermYears))
        {
            throw CustosException.Invalid("CommitteeTerm", MaxTermYears);
        }

        var current = db.Set<CommitteeSeat>().Where(s => s.EndedAt == null);
        if (await current.AnyAsync(s => s.PersonId == person.Id, ct))
        {
            throw CustosException.Conflict("CommitteeSeated", person.DisplayName);
        }

        if (order.Position == CommitteePosition.Chair && await current.AnyAsync(s => s.Position == CommitteePosition.Chair, ct))
        {
            throw CustosException.Conflict("CommitteeChairTaken");
        }

        if (order.PolicyOwner && await current.AnyAsync(s => s.PolicyOwner, ct))
        {
            throw CustosException.Conflict("CommitteeOwnerTaken");
        }

        var seat = new CommitteeSeat
        {
            Id = Guid.CreateVersion7(now), PersonId = person.Id, Position = order.Position, Duties = duties, PolicyOwner = order.PolicyOwner, StartsOn = starts, EndsOn = ends,
            AppointedAt = now, AppointedByName = caller.Name,
        };
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        db.Set<CommitteeSeat>().Add(seat);
        var outcome = await people.RequestRolesAsync(person.Id, [Roles.CommitteeMember], $"保密工作小组：{order.Position}", ct);
        seat.RoleRequestId = outcome.Pending.FirstOrDefault()?.Id;
        audit.Record(AuditActions.CommitteeAppoint, "person", person.Id.ToString(), detail: new
        {
            seat = seat.Id, position = order.Position.ToString(), policyOwner = order.PolicyOwner, startsOn = starts, endsOn = ends, request = seat.RoleRequestId,
        });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return (await ListAsync(true, ct)).Single(s => s.Id == seat.Id);
    }

    /// <summary>Ends a seat before its term (the compliance officer, with the reason): the committee role goes at once, a request for it still waiting is withdrawn.</summary>
    public async Task<CommitteeSeatView> EndAsync(Guid id, string? reason, CancellationToken ct)
    {
        var caller = await RequireOfficerAsync(AuditActions.CommitteeEnd, ct);
        var why = TextInput.CleanOptional(reason, "reason", multiline: true) ?? "";
        if (why.Length is 0 or > 500)
        {
            throw CustosException.Invalid(why.Length == 0 ? "Required" : "TooLong", why.Length == 0 ? new TextKey("Committee.EndReason") : 500);
        }

        var seat = await db.Set<CommitteeSeat>().AsNoTracking().SingleOrDefaultAsync(s => s.Id == id, ct) ?? throw CustosException.NotFound("CommitteeSeatNotFound");
        if (seat.EndedAt is not null)
        {
            throw CustosException.Conflict("CommitteeSeatEnded");
        }

        if (seat.PersonId == caller.PersonId)
        {
            await audit.RecordNowAsync(AuditActions.CommitteeEnd, "person", seat.PersonId.ToString(), AuditOutcome.Denied, new { seat = seat.Id, reason = "self" }, ct);
            throw new CustosException(CustosError.Forbidden, "CannotChangeOwnRights");
        }

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (!await EndSeatAsync(seat, why, ct))
        {
            throw CustosException.Conflict("CommitteeSeatEnded");
        }

        await tx.CommitAsync(ct);
        return (await ListAsync(true, ct)).Single(s => s.Id == seat.Id);
    }

    /// <summary>
    /// Designates (or stops designating) a member to handle anonymous reports (INC-4): the compliance officer in person,
    /// never for their own seat; recorded.
    /// </summary>
    public async Task<CommitteeSeatView> SetReportHandlerAsync(Guid id, bool handles, CancellationToken ct)
    {
        var caller = await RequireOfficerAsync(AuditActions.CommitteeReports, ct);
        var seat = await db.Set<CommitteeSeat>().SingleOrDefaultAsync(s => s.Id == id, ct) ?? throw CustosException.NotFound("CommitteeSeatNotFound");
        if (seat.EndedAt is not null)
        {
            throw CustosException.Conflict("CommitteeSeatEnded");
        }

        if (seat.PersonId == caller.PersonId)
        {
            await audit.RecordNowAsync(AuditActions.CommitteeReports, "person", seat.PersonId.ToString(), AuditOutcome.Denied, new { seat = seat.Id, reason = "self" }, ct);
            throw new CustosException(CustosError.Forbidden, "CannotChangeOwnRights");
        }

        seat.HandlesReports = handles;
        audit.Record(AuditActions.CommitteeReports, "person", seat.PersonId.ToString(), detail: new { seat = seat.Id, handles });
        await db.SaveChangesAsync(ct);
        return (await ListAsync(true, ct)).Single(s => s.Id == seat.Id);
    }

    /// <summary>Whether the person may handle anonymous reports today: a current seat designated for it, and the committee's role (INC-4).</summary>
    public async Task<bool> HandlesReportsAsync(Guid person, DateOnly today, CancellationToken ct) =>
        await db.Set<CommitteeSeat>().AnyAsync(s => s.PersonId == person && s.HandlesReports && s.EndedAt == null && s.StartsOn <= today && s.EndsOn >= today, ct)
        && (await db.InRoleAsync(Roles.CommitteeMember, ct)).Contains(person);

    /// <summary>The people who handle anonymous reports today, to tell them of a new one.</summary>
    public async Task<IReadOnlyList<Guid>> ReportHandlersAsync(DateOnly today, CancellationToken ct)
    {
        var seated = await db.Set<CommitteeSeat>().Where(s => s.HandlesReports && s.EndedAt == null && s.StartsOn <= today && s.EndsOn >= today).Select(s => s.PersonId).ToListAsync(ct);
        var holders = (await db.InRoleAsync(Roles.CommitteeMember, ct)).ToHashSet();
        return [.. seated.Where(holders.Contains).Distinct()];
    }

    /// <summary>Ends every current seat of someone who leaves, with their role (PPL-3), in the caller's transaction; returns how many.</summary>
    public async Task<int> EndSeatsOfAsync(Guid person, CancellationToken ct)
    {
        var ended = 0;
        foreach (var seat in await db.Set<CommitteeSeat>().AsNoTracking().Where(s => s.PersonId == person && s.EndedAt == null).ToListAsync(ct))
        {
            if (await EndSeatAsync(seat, "leaving", ct))
            {
                ended++;
            }
        }

        return ended;
    }

    /// <summary>The daily work: seats whose term has run out end (their role with them), and terms ending within 30 days are told to the compliance officers once.</summary>
    public async Task<(int Ended, int Reminded)> RunDueAsync(CancellationToken ct)
    {
        var engine = (await callers.CurrentAsync(ct)).Engine;
        var today = engine.Today(time.GetUtcNow());
        var expired = await db.Set<CommitteeSeat>().AsNoTracking().Where(s => s.EndedAt == null && s.EndsOn < today).OrderBy(s => s.EndsOn).Take(100).ToListAsync(ct);
        var ended = 0;
        foreach (var seat in expired)
        {
            try
            {
                await using var tx = await db.Database.BeginTransactionAsync(ct);
                if (await EndSeatAsync(seat, "term", ct))
                {
                    ended++;
                }

                await tx.CommitAsync(ct);
            }
            catch (Exception e) when (e is DbUpdateException or Audit.AuditWriteException or CustosException)
            {
                // Changed by someone else meanwhile (another node, an officer), or refused: this seat waits for the next run, the others go on.
                db.ChangeTracker.Clear();
                await audit.RecordNowAsync(AuditActions.CommitteeEnd, "person", seat.PersonId.ToString(), AuditOutcome.Failed, new { seat = seat.Id, reason = "term", error = e.GetType().Name }, ct);
            }
        }

        var soon = today.AddDays(ReminderDays);
        var ending = await db.Set<CommitteeSeat>().Where(s => s.EndedAt == null && s.RemindedAt == null && s.EndsOn >= today && s.EndsOn <= soon).Take(100).ToListAsync(ct);
        if (ending.Count > 0)
        {
            var officers = await db.InRoleAsync(Roles.ComplianceOfficer, ct);
            foreach (var seat in ending)
            {
                seat.RemindedAt = time.GetUtcNow();
                var name = await db.Users.Where(u => u.Id == seat.PersonId).Select(u => u.DisplayName).SingleAsync(ct);
                notifier.Add(officers, "Notify.CommitteeTermEnding", null, name, seat.EndsOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            }

            audit.Record(AuditActions.CommitteeRemind, "person", null, detail: new { reminded = ending.Count });
            await db.SaveChangesAsync(ct);
        }

        return (ended, ending.Count);
    }

    /// <summary>Ends the seat once, whoever gets there first (an officer, or the work on another node): the losing attempt does nothing.</summary>
    private async Task<bool> EndSeatAsync(CommitteeSeat seat, string reason, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var ended = await db.Set<CommitteeSeat>().Where(s => s.Id == seat.Id && s.EndedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.EndedAt, now).SetProperty(x => x.EndedReason, reason), ct);
        if (ended == 0)
        {
            return false;
        }

        var withdrawn = seat.RoleRequestId is { } request && await requests.WithdrawFiledAsync(request, ct);
        // The role goes unless another current seat still holds it (never: one current seat per person, kept for safety).
        var otherSeat = await db.Set<CommitteeSeat>().AnyAsync(s => s.PersonId == seat.PersonId && s.Id != seat.Id && s.EndedAt == null, ct);
        var taken = !otherSeat && await people.TakeRoleAsync(seat.PersonId, Roles.CommitteeMember, ct);
        audit.Record(AuditActions.CommitteeEnd, "person", seat.PersonId.ToString(), detail: new { seat = seat.Id, reason, roleTaken = taken, requestWithdrawn = withdrawn });
        await db.SaveChangesAsync(ct);
        return true;
    }

    /// <summary>The compliance officer, in person (the command line names nobody's credentials; a token's scope must include the role).</summary>
    private async Task<Caller> RequireOfficerAsync(string action, CancellationToken ct)
    {
        var caller = await callers.CurrentAsync(ct);
        if (!caller.Subject.Active || !caller.Subject.Roles.Contains(Roles.ComplianceOfficer) || actor.FromCommandLine)
        {
            await audit.RecordNowAsync(action, "person", null, AuditOutcome.Denied, new { reason = actor.FromCommandLine ? "command-line" : "role" }, ct);
            throw new CustosException(CustosError.Forbidden, "MayNotManageCommittee");
        }

        return caller;
    }
}
