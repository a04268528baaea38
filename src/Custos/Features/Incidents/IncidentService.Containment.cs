using System.Globalization;
using Custos.Features.Copies;
using Custos.Features.People;
using Custos.Hosting;
using Custos.Security;
using Microsoft.EntityFrameworkCore;

namespace Custos.Features.Incidents;

public sealed partial class IncidentService
{
    /// <summary>
    /// A containment button (INC-2, INC-3): suspend the person, end their access, recall the copies out, block the
    /// partner. Each is one transaction with its step on the timeline and its entry in the log; nothing half-done.
    /// </summary>
    public async Task<IncidentView> ContainAsync(Guid id, ContainInput input, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(input);
        var (caller, incident) = await LoadForHandlingAsync(id, AuditActions.IncidentContain, ct);
        if (!Enum.IsDefined(input.Action))
        {
            throw CustosException.Invalid("InvalidEnum", "action");
        }

        var note = TextInput.CleanOptional(input.Note, "note", multiline: true) ?? "";
        CheckLength(note, 1000);
        var now = time.GetUtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        string target;
        string detail;
        switch (input.Action)
        {
            case ContainmentAction.SuspendPerson:
            {
                var person = incident.SuspectId ?? throw CustosException.Invalid("IncidentNoSuspect");
                var status = await db.Users.Where(u => u.Id == person).Select(u => (EmploymentStatus?)u.EmploymentStatus).SingleOrDefaultAsync(ct);
                if (status != EmploymentStatus.Active)
                {
                    throw CustosException.Conflict("IncidentPersonNotActive", incident.SuspectName ?? "");
                }

                await people.DisableAsync(person, ct);
                (target, detail) = (person.ToString(), note);
                break;
            }

            case ContainmentAction.RevokeAccess:
            {
                var person = incident.SuspectId ?? throw CustosException.Invalid("IncidentNoSuspect");
                var revoked = await tokens.RevokeAllOfAsync(person, ct);
                var (ended, delegations) = await grants.EndAllOfAsync(person, caller.Name, "incident", ct);
                var withdrawn = await requests.WithdrawAllOfAsync(person, ct);
                var sessions = await Accounts.Sessions.EndAllAsync(db, person, "incident", now, ct);
                target = person.ToString();
                detail = string.Create(CultureInfo.InvariantCulture, $"tokens={revoked.Count} grants={ended.Count} delegations={delegations} requests={withdrawn.Count} sessions={sessions} {note}").TrimEnd();
                break;
            }

            case ContainmentAction.RecallCopies:
            {
                var suspect = incident.SuspectId;
                var serial = incident.CopySerial;
                var copies = await db.Set<CopyRecord>().AsNoTracking()
                    .Where(c => c.Status == CopyStatus.Issued && (c.Kind == CopyKind.Print || c.Kind == CopyKind.Loan) && (c.PersonId == suspect || c.Serial == serial))
                    .OrderBy(c => c.CreatedAt).Select(c => new { c.PersonId, c.Serial }).Take(1000).ToListAsync(ct);
                if (copies.Count == 0)
                {
                    throw CustosException.Conflict("IncidentNoCopiesOut");
                }

                var officers = await db.InRoleAsync(Roles.ComplianceOfficer, ct);
                foreach (var holder in copies.GroupBy(c => c.PersonId))
                {
                    notifier.Add([holder.Key], "Notify.IncidentRecall", null, incident.Number, string.Join(", ", holder.Select(c => c.Serial)));
                }

                notifier.Add(officers.Where(o => o != suspect), "Notify.IncidentRecallOfficers", null, incident.Number, copies.Count.ToString(CultureInfo.InvariantCulture));
                target = copies.Count.ToString(CultureInfo.InvariantCulture);
                detail = (string.Join(", ", copies.Select(c => c.Serial)) + " " + note).Trim();
                break;
            }

            default:
            {
                var partner = incident.PartnerId ?? throw CustosException.Invalid("IncidentNoPartner");
                if (!await partners.BlockAsync(partner, incident.Number, ct))
                {
                    throw CustosException.Conflict("PartnerBlockedAlready");
                }

                (target, detail) = (partner.ToString(), note);
                break;
            }
        }

        Step(incident, caller, IncidentStepKind.Containment, target, detail, input.Action);
        audit.Record(AuditActions.IncidentContain, "incident", incident.Id.ToString(), detail: new { incident.Number, action = input.Action.ToString(), target });
        await SaveAsync(incident, ct);
        await tx.CommitAsync(ct);
        return await ViewAsync(incident, true, ct);
    }

    /// <summary>Reverses a containment that can be: a suspension lifted (never for someone who has left since), a partner unblocked. Recorded.</summary>
    public async Task<IncidentView> ReverseAsync(Guid id, Guid stepId, string? note, CancellationToken ct)
    {
        var (caller, incident) = await LoadForHandlingAsync(id, AuditActions.IncidentReverse, ct);
        var step = await db.Set<IncidentStep>().SingleOrDefaultAsync(s => s.Id == stepId && s.IncidentId == id && s.Kind == IncidentStepKind.Containment, ct)
            ?? throw CustosException.NotFound("IncidentStepNotFound");
        if (step.ReversedAt is not null || step.Action is not (ContainmentAction.SuspendPerson or ContainmentAction.BlockPartner) || !Guid.TryParse(step.Target, out var target))
        {
            throw CustosException.Conflict("IncidentNotReversible");
        }

        var text = TextInput.CleanOptional(note, "note", multiline: true) ?? "";
        CheckLength(text, 1000);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (step.Action == ContainmentAction.SuspendPerson)
        {
            var status = await db.Users.Where(u => u.Id == target).Select(u => (EmploymentStatus?)u.EmploymentStatus).SingleOrDefaultAsync(ct);
            // Only our own suspension: if anyone suspended or re-enabled the person since, the account is theirs to decide.
            var person = target.ToString();
            var since = step.At;
            var changedSince = await db.AuditRecords.AnyAsync(a => a.TargetType == "person" && a.TargetId == person && a.At > since && a.Outcome == AuditOutcome.Success
                && (a.Action == AuditActions.PersonDisable || a.Action == AuditActions.PersonEnable), ct);
            if (status != EmploymentStatus.Suspended || changedSince)
            {
                throw CustosException.Conflict("IncidentNotReversible");
            }

            await people.EnableAsync(target, ct);
        }
        else if (!await partners.UnblockAsync(target, incident.Number, ct))
        {
            throw CustosException.Conflict("IncidentNotReversible");
        }

        step.ReversedAt = time.GetUtcNow();
        step.ReversedBy = caller.Name;
        Step(incident, caller, IncidentStepKind.Reversal, step.Id.ToString(), text, step.Action);
        audit.Record(AuditActions.IncidentReverse, "incident", incident.Id.ToString(), detail: new { incident.Number, action = step.Action.ToString(), step = step.Id });
        await SaveAsync(incident, ct);
        await tx.CommitAsync(ct);
        return await ViewAsync(incident, true, ct);
    }
}
