using System.Globalization;
using System.Security.Cryptography;
using Custos.Data;
using Custos.Features.Keys;
using Custos.Features.Notifications;
using Custos.Features.People;
using Custos.Hosting;
using Custos.Kernel.Recognisers;
using Custos.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Custos.Features.Partners;

/// <summary>A partner's agreement in force on a day: what a share to it records (EXP-1, PPL-4).</summary>
[Contract]
public sealed record PartnerNda(Guid Partner, string Name, string Reference, DateOnly EndsOn);

[Contract]
public sealed record PartnerAgreementView(
    Guid Id, string Reference, string Scope, DateOnly StartsOn, DateOnly EndsOn, string SignedBy, string ScanSha256, string RecordedBy, DateTimeOffset RecordedAt, bool InForce);

[Contract]
public sealed record PartnerView(
    Guid Id, string Name, string CreditCode, string ContactName, string ContactPhone, string? Note, PartnerAgreementView? InForce, DateOnly? EndsOn,
    IReadOnlyList<PartnerAgreementView> Agreements, IReadOnlyList<string> Users, IReadOnlyList<string> Projects);

[Contract]
public sealed record NewPartner(string? Name = null, string? CreditCode = null, string? ContactName = null, string? ContactPhone = null, string? Note = null);

[Contract]
public sealed record NewPartnerAgreement(string? Reference, string? Scope, DateOnly StartsOn, DateOnly EndsOn, string? SignedBy, byte[] Scan);

/// <summary>
/// The partner register (PPL-4, EXP-1): partner organisations with a verified unified social credit code, their
/// confidentiality agreements (scope, term, scan), the projects they work on and their users. A share outside the
/// company goes only to a partner whose agreement is in force; a partner's user signs in and acts only while it is.
/// Kept by the compliance officer in person; read by those who approve shares and audit.
/// </summary>
[Contract]
public sealed class PartnerService(
    CustosDbContext db, Callers callers, ICurrentActor actor, IAuditTrail audit, UserManager<Person> users, KeyRing keys, Notifier notifier, IServiceProvider services, TimeProvider time)
{
    /// <summary>Days before an agreement ends that the compliance officers are told.</summary>
    public const int ReminderDays = 30;

    private static readonly string[] Readers = [Roles.ComplianceOfficer, Roles.Auditor, Roles.GeneralManager, Roles.DepartmentHead, Roles.ProjectManager];

    public async Task<IReadOnlyList<PartnerView>> ListAsync(CancellationToken ct)
    {
        var caller = await callers.CurrentAsync(ct);
        if (!caller.Subject.Roles.Any(Readers.Contains))
        {
            await audit.RecordNowAsync(AuditActions.PartnerList, "partner", null, AuditOutcome.Denied, new { reason = "role" }, ct);
            throw new CustosException(CustosError.Forbidden, "MayNotReadPartners");
        }

        var today = caller.Engine.Today(time.GetUtcNow());
        var partners = await db.Set<Partner>().AsNoTracking().OrderBy(p => p.Name).ToListAsync(ct);
        // Without the scans (up to 10 MB each): the list needs the terms only.
        var agreements = (await db.Set<PartnerAgreement>().AsNoTracking().Select(a => new PartnerAgreement
        {
            Id = a.Id, PartnerId = a.PartnerId, Reference = a.Reference, Scope = a.Scope, StartsOn = a.StartsOn, EndsOn = a.EndsOn, SignedBy = a.SignedBy,
            ScanSha256 = a.ScanSha256, RecordedByName = a.RecordedByName, RecordedAt = a.RecordedAt,
        }).ToListAsync(ct)).ToLookup(a => a.PartnerId);
        // The contact's phone and the partner's users are for those who keep and audit the register; the others see the partners and their terms.
        var keeper = caller.Subject.Roles.Any(r => r is Roles.ComplianceOfficer or Roles.Auditor);
        var partnerUsers = (await (from u in db.Set<PartnerUser>() join p in db.Users on u.PersonId equals p.Id select new { u.PartnerId, p.UserName, p.DisplayName }).ToListAsync(ct))
            .ToLookup(u => u.PartnerId, u => $"{u.DisplayName} ({u.UserName})");
        var projects = (await (from pp in db.Set<PartnerProject>() join p in db.Projects on pp.ProjectId equals p.Id select new { pp.PartnerId, p.Name }).ToListAsync(ct))
            .ToLookup(p => p.PartnerId, p => p.Name);
        audit.Record(AuditActions.PartnerList, "partner", null, detail: new { count = partners.Count });
        await db.SaveChangesAsync(ct);
        return [.. partners.Select(p =>
        {
            var views = agreements[p.Id].OrderByDescending(a => a.EndsOn).Select(a => View(a, today)).ToList();
            var inForce = views.FirstOrDefault(a => a.InForce);
            return new PartnerView(p.Id, p.Name, p.CreditCode, p.ContactName, keeper ? p.ContactPhone : Kernel.Masking.Masks.KeepEnds(p.ContactPhone, 3, 4), p.Note,
                inForce, inForce?.EndsOn, views, keeper ? [.. partnerUsers[p.Id].Order(StringComparer.Ordinal)] : [], [.. projects[p.Id].Order(StringComparer.Ordinal)]);
        })];
    }

    /// <summary>Registers a partner (the compliance officer in person): a name and a valid unified social credit code, each once.</summary>
    public async Task<PartnerView> AddAsync(NewPartner order, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(order);
        var caller = await RequireManagerAsync(AuditActions.PartnerAdd, ct);
        var name = Text(order.Name, "name", 200, required: true)!;
        var code = Normalise.Compact(order.CreditCode ?? "").ToUpperInvariant();
        if (!UnifiedSocialCreditCode.IsValid(code))
        {
            throw CustosException.Invalid("PartnerCreditCode");
        }

        var phone = Text(order.ContactPhone, "contactPhone", 40, required: true)!;
        if (!MobileNumber.IsValid(Normalise.Phone(phone)) && !ContactFormats.IsLandline(Normalise.Phone(phone)))
        {
            throw CustosException.Invalid("PartnerPhone");
        }

        // One entry per organisation: the same code, or the same name however it is spaced or in which width.
        var key = Normalise.Name(name);
        var names = await db.Set<Partner>().AsNoTracking().Select(p => p.Name).ToListAsync(ct);
        if (await db.Set<Partner>().AnyAsync(p => p.CreditCode == code, ct) || names.Any(n => Normalise.Name(n) == key))
        {
            throw CustosException.Conflict("PartnerExists");
        }

        var now = time.GetUtcNow();
        var partner = new Partner
        {
            Id = Guid.CreateVersion7(now), Name = name, CreditCode = code, ContactName = Text(order.ContactName, "contactName", 100, required: true)!, ContactPhone = phone,
            Note = Text(order.Note, "note", 500, required: false), CreatedAt = now, CreatedBy = caller.Name,
        };
        db.Set<Partner>().Add(partner);
        audit.Record(AuditActions.PartnerAdd, "partner", partner.Id.ToString(), detail: new { name, creditCode = code });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (Audit.AuditWriteException e) when (e.IsUniqueViolation)
        {
            throw CustosException.Conflict("PartnerExists"); // registered at the same moment by someone else
        }

        return new PartnerView(partner.Id, partner.Name, partner.CreditCode, partner.ContactName, partner.ContactPhone, partner.Note, null, null, [], [], []);
    }

    /// <summary>Records a partner's signed agreement with its scan (encrypted): reference, scope, term, who signed for them.</summary>
    public async Task<PartnerAgreementView> RecordAgreementAsync(Guid partnerId, NewPartnerAgreement order, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(order);
        var caller = await RequireManagerAsync(AuditActions.PartnerAgreement, ct);
        var partner = await db.Set<Partner>().AsNoTracking().SingleOrDefaultAsync(p => p.Id == partnerId, ct) ?? throw CustosException.NotFound("PartnerNotFound");
        var reference = Text(order.Reference, "reference", 100, required: true)!;
        var scope = Text(order.Scope, "scope", 1000, required: true, multiline: true)!;
        var signedBy = Text(order.SignedBy, "signedBy", 100, required: true)!;
        var today = caller.Engine.Today(time.GetUtcNow());
        if (order.StartsOn < today.AddYears(-30) || order.StartsOn > today.AddYears(10) || order.EndsOn < order.StartsOn || order.EndsOn > order.StartsOn.AddYears(10))
        {
            throw CustosException.Invalid("PartnerAgreementTerm");
        }

        if (order.Scan is not { Length: > 0 } scan || scan.Length > Web.Documents.Scans.MaxBytes)
        {
            throw CustosException.Invalid("PartnerAgreementScan");
        }

        var type = Web.Documents.Scans.TypeOf(scan) ?? throw CustosException.Invalid("PartnerAgreementScan");
        var now = time.GetUtcNow();
        var id = Guid.CreateVersion7(now);
        var agreement = new PartnerAgreement
        {
            Id = id, PartnerId = partner.Id, Reference = reference, Scope = scope, StartsOn = order.StartsOn, EndsOn = order.EndsOn, SignedBy = signedBy,
            ScanCipher = keys.Secrets.ProtectBytes(ScanPurpose(id), scan), ScanContentType = type, ScanSha256 = Convert.ToHexStringLower(SHA256.HashData(scan)),
            RecordedById = caller.PersonId, RecordedByName = caller.Name, RecordedAt = now,
        };
        db.Set<PartnerAgreement>().Add(agreement);
        audit.Record(AuditActions.PartnerAgreement, "partner", partner.Id.ToString(), detail: new
        {
            reference, startsOn = Day(order.StartsOn), endsOn = Day(order.EndsOn), sha256 = agreement.ScanSha256,
        });
        await db.SaveChangesAsync(ct);
        return View(agreement, caller.Engine.Today(now));
    }

    /// <summary>Links a person holding the <c>partner</c> role to the partner they work for (one partner each).</summary>
    public async Task LinkUserAsync(Guid partnerId, string? userName, CancellationToken ct)
    {
        await RequireManagerAsync(AuditActions.PartnerLink, ct);
        var partner = await db.Set<Partner>().AsNoTracking().SingleOrDefaultAsync(p => p.Id == partnerId, ct) ?? throw CustosException.NotFound("PartnerNotFound");
        var person = await users.FindByNameAsync(Text(userName, "user", 64, required: true)!) ?? throw CustosException.NotFound("PersonNotFound");
        if (!await users.IsInRoleAsync(person, Roles.Partner))
        {
            throw CustosException.Invalid("PartnerUserRole");
        }

        // A partner's user works on their partner's projects only: memberships elsewhere are ended first.
        var open = db.Set<PartnerProject>().Where(p => p.PartnerId == partner.Id).Select(p => p.ProjectId);
        var openCodes = await db.Projects.Where(p => open.Contains(p.Id)).Select(p => p.Code).ToListAsync(ct);
        var outside = (await db.ProjectMemberships.Where(m => m.PersonId == person.Id && !open.Contains(m.ProjectId)).Select(m => m.Project!.Code).ToListAsync(ct))
            .Concat((await services.GetRequiredService<Access.RequestService>().PendingProjectsForAsync(person.Id, ct)).Where(c => !openCodes.Contains(c))) // asked for and not yet decided
            .Distinct(StringComparer.Ordinal).ToList();
        if (outside.Count > 0)
        {
            await audit.RecordNowAsync(AuditActions.PartnerLink, "partner", partner.Id.ToString(), AuditOutcome.Denied, new { person = person.Id, reason = "outside-projects", projects = outside }, ct);
            throw CustosException.Invalid("PartnerUserOutsideProjects", string.Join(", ", outside.Order(StringComparer.Ordinal)));
        }

        var link = await db.Set<PartnerUser>().SingleOrDefaultAsync(u => u.PersonId == person.Id, ct);
        var before = link?.PartnerId;
        if (link is null)
        {
            db.Set<PartnerUser>().Add(new PartnerUser { PersonId = person.Id, PartnerId = partner.Id });
        }
        else
        {
            link.PartnerId = partner.Id;
        }

        audit.Record(AuditActions.PartnerLink, "partner", partner.Id.ToString(), detail: new { person = person.Id, before });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (Audit.AuditWriteException e) when (e.IsUniqueViolation)
        {
            throw CustosException.Conflict("PartnerLinkedMeanwhile");
        }
    }

    /// <summary>
    /// Ends a partner's agreement before its term (a breach, the work finished): it held until yesterday, so from now
    /// the partner's users are refused and nothing more is shared with the partner. The reason is kept and recorded.
    /// </summary>
    public async Task<PartnerAgreementView> EndAgreementAsync(Guid agreementId, string? reason, CancellationToken ct)
    {
        var caller = await RequireManagerAsync(AuditActions.PartnerAgreementEnd, ct);
        var why = Text(reason, "endedReason", 500, required: true, multiline: true)!;
        var agreement = await db.Set<PartnerAgreement>().SingleOrDefaultAsync(a => a.Id == agreementId, ct) ?? throw CustosException.NotFound("PartnerAgreementNotFound");
        var today = caller.Engine.Today(time.GetUtcNow());
        if (agreement.EndsOn < today)
        {
            throw CustosException.Conflict("PartnerAgreementEnded");
        }

        var before = agreement.EndsOn;
        agreement.EndsOn = today.AddDays(-1) < agreement.StartsOn ? agreement.StartsOn.AddDays(-1) : today.AddDays(-1);
        agreement.EndedReason = why;
        audit.Record(AuditActions.PartnerAgreementEnd, "partner", agreement.PartnerId.ToString(), detail: new { agreement = agreement.Id, before = Day(before), endsOn = Day(agreement.EndsOn) });
        await db.SaveChangesAsync(ct);
        return View(agreement, today);
    }

    /// <summary>Takes a person off a partner (they no longer work for it): without a partner, a partner's user acts nowhere.</summary>
    public async Task UnlinkUserAsync(Guid partnerId, string? userName, CancellationToken ct)
    {
        await RequireManagerAsync(AuditActions.PartnerLink, ct);
        var person = await users.FindByNameAsync(Text(userName, "user", 64, required: true)!) ?? throw CustosException.NotFound("PersonNotFound");
        var link = await db.Set<PartnerUser>().SingleOrDefaultAsync(u => u.PersonId == person.Id && u.PartnerId == partnerId, ct) ?? throw CustosException.NotFound("PartnerUserNotLinked");
        db.Set<PartnerUser>().Remove(link);
        audit.Record(AuditActions.PartnerLink, "partner", partnerId.ToString(), detail: new { person = person.Id, removed = true });
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Names a project the partner works on (by its code).</summary>
    public async Task LinkProjectAsync(Guid partnerId, string? projectCode, CancellationToken ct)
    {
        await RequireManagerAsync(AuditActions.PartnerLink, ct);
        var partner = await db.Set<Partner>().AsNoTracking().SingleOrDefaultAsync(p => p.Id == partnerId, ct) ?? throw CustosException.NotFound("PartnerNotFound");
        var code = (projectCode ?? "").Trim().ToUpperInvariant();
        var project = await db.Projects.AsNoTracking().SingleOrDefaultAsync(p => p.Code == code, ct) ?? throw CustosException.NotFound("ProjectNotFound");
        if (!await db.Set<PartnerProject>().AnyAsync(p => p.PartnerId == partner.Id && p.ProjectId == project.Id, ct))
        {
            db.Set<PartnerProject>().Add(new PartnerProject { PartnerId = partner.Id, ProjectId = project.Id });
            audit.Record(AuditActions.PartnerLink, "partner", partner.Id.ToString(), detail: new { project = project.Code });
            await db.SaveChangesAsync(ct);
        }
    }

    /// <summary>The projects a partner's user may be in — their partner's — or null for someone who is no partner's user (PPL-4).</summary>
    public async Task<IReadOnlySet<Guid>?> ProjectsOpenToAsync(Guid person, CancellationToken ct)
    {
        var partner = await db.Set<PartnerUser>().Where(u => u.PersonId == person).Select(u => (Guid?)u.PartnerId).SingleOrDefaultAsync(ct);
        return partner is null ? null : (await db.Set<PartnerProject>().Where(p => p.PartnerId == partner).Select(p => p.ProjectId).ToListAsync(ct)).ToHashSet();
    }

    /// <summary>The partner's agreement in force today, or null (none recorded, not begun, ended).</summary>
    public async Task<PartnerNda?> InForceAsync(Guid partnerId, CancellationToken ct)
    {
        var today = (await callers.CurrentAsync(ct)).Engine.Today(time.GetUtcNow());
        return await (from a in db.Set<PartnerAgreement>()
                      join p in db.Set<Partner>() on a.PartnerId equals p.Id
                      where a.PartnerId == partnerId && a.StartsOn <= today && a.EndsOn >= today && p.BlockedAt == null
                      orderby a.EndsOn descending
                      select new PartnerNda(p.Id, p.Name, a.Reference, a.EndsOn)).FirstOrDefaultAsync(ct);
    }

    /// <summary>A partner's name, for those who approve or read a request naming it.</summary>
    public Task<string?> NameOfAsync(Guid partnerId, CancellationToken ct) =>
        db.Set<Partner>().Where(p => p.Id == partnerId).Select(p => p.Name).SingleOrDefaultAsync(ct);

    /// <summary>Whether the partner is in the register at all.</summary>
    public Task<bool> ExistsAsync(Guid partnerId, CancellationToken ct) => db.Set<Partner>().AnyAsync(p => p.Id == partnerId, ct);

    /// <summary>Partners with an agreement in force today, for choosing the recipient of a share.</summary>
    public async Task<IReadOnlyList<PartnerNda>> WithAgreementInForceAsync(CancellationToken ct)
    {
        var today = (await callers.CurrentAsync(ct)).Engine.Today(time.GetUtcNow());
        var rows = await (from a in db.Set<PartnerAgreement>()
                          join p in db.Set<Partner>() on a.PartnerId equals p.Id
                          where a.StartsOn <= today && a.EndsOn >= today && p.BlockedAt == null
                          select new PartnerNda(p.Id, p.Name, a.Reference, a.EndsOn)).ToListAsync(ct);
        return [.. rows.GroupBy(r => r.Partner).Select(g => g.MaxBy(r => r.EndsOn)!).OrderBy(r => r.Name, StringComparer.Ordinal)];
    }

    /// <summary>
    /// Whether a person may act as a partner's user on <paramref name="today"/> (PPL-4): linked to a partner whose
    /// agreement is in force. People without the <c>partner</c> role are not asked.
    /// </summary>
    public Task<bool> PartnerUserMayActAsync(Guid person, DateOnly today, CancellationToken ct) =>
        (from u in db.Set<PartnerUser>()
         join a in db.Set<PartnerAgreement>() on u.PartnerId equals a.PartnerId
         join p in db.Set<Partner>() on u.PartnerId equals p.Id
         where u.PersonId == person && a.StartsOn <= today && a.EndsOn >= today && p.BlockedAt == null
         select a.Id).AnyAsync(ct);

    /// <summary>
    /// Blocks a partner in a leak incident (INC-2): shares to it are refused and its people's sessions end, their next
    /// request refused, until it is unblocked. The incident's handler has been checked by the caller; in the caller's
    /// transaction; false if it was blocked already.
    /// </summary>
    public async Task<bool> BlockAsync(Guid partnerId, string reason, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (await db.Set<Partner>().Where(p => p.Id == partnerId && p.BlockedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(p => p.BlockedAt, now).SetProperty(p => p.BlockedReason, reason), ct) != 1)
        {
            return false;
        }

        var users = await db.Set<PartnerUser>().Where(u => u.PartnerId == partnerId).Select(u => u.PersonId).ToListAsync(ct);
        foreach (var user in users)
        {
            await Accounts.Sessions.EndAllAsync(db, user, "partner-blocked", now, ct);
        }

        audit.Record(AuditActions.PartnerBlock, "partner", partnerId.ToString(), detail: new { reason, users = users.Count });
        return true;
    }

    /// <summary>Lifts a block by the one who set it (<paramref name="reason"/>, an incident's number); its agreement decides again. False if it was not blocked so.</summary>
    public async Task<bool> UnblockAsync(Guid partnerId, string reason, CancellationToken ct)
    {
        if (await db.Set<Partner>().Where(p => p.Id == partnerId && p.BlockedAt != null && p.BlockedReason == reason)
                .ExecuteUpdateAsync(s => s.SetProperty(p => p.BlockedAt, (DateTimeOffset?)null).SetProperty(p => p.BlockedReason, (string?)null), ct) != 1)
        {
            return false;
        }

        audit.Record(AuditActions.PartnerUnblock, "partner", partnerId.ToString());
        return true;
    }

    /// <summary>The scan of a partner's agreement, for the compliance officer and auditors; recorded.</summary>
    public async Task<(byte[] Content, string ContentType, string FileName)> ScanAsync(Guid agreementId, CancellationToken ct)
    {
        var caller = await callers.CurrentAsync(ct);
        var agreement = await db.Set<PartnerAgreement>().AsNoTracking().SingleOrDefaultAsync(a => a.Id == agreementId, ct);
        if (agreement is null || !caller.Subject.Roles.Any(r => r is Roles.ComplianceOfficer or Roles.Auditor))
        {
            await audit.RecordNowAsync(AuditActions.PartnerScanOpen, "partner-agreement", agreementId.ToString(), AuditOutcome.Denied, new { reason = agreement is null ? "not-found" : "role" }, ct);
            throw CustosException.NotFound("PartnerAgreementNotFound");
        }

        await audit.RecordNowAsync(AuditActions.PartnerScanOpen, "partner-agreement", agreement.Id.ToString(), AuditOutcome.Success, new { sha256 = agreement.ScanSha256 }, ct);
        return (keys.Secrets.UnprotectBytes(ScanPurpose(agreement.Id), agreement.ScanCipher), agreement.ScanContentType,
            $"partner-nda-{agreement.Id:N}.{Web.Documents.Scans.Extension(agreement.ScanContentType)}");
    }

    /// <summary>Tells the compliance officers, once per agreement, that a partner's agreement ends within <see cref="ReminderDays"/> days with no later one recorded.</summary>
    public async Task<int> RemindEndingAsync(CancellationToken ct)
    {
        var today = (await callers.CurrentAsync(ct)).Engine.Today(time.GetUtcNow());
        var soon = today.AddDays(ReminderDays);
        var ending = await (from a in db.Set<PartnerAgreement>()
                            join p in db.Set<Partner>() on a.PartnerId equals p.Id
                            where a.RemindedAt == null && a.EndsOn >= today && a.EndsOn <= soon
                               && !db.Set<PartnerAgreement>().Any(n => n.PartnerId == a.PartnerId && n.EndsOn > a.EndsOn)
                            select new { Agreement = a, p.Name }).Take(500).ToListAsync(ct);
        if (ending.Count == 0)
        {
            return 0;
        }

        var officers = await db.InRoleAsync(Roles.ComplianceOfficer, ct);
        var now = time.GetUtcNow();
        foreach (var e in ending)
        {
            e.Agreement.RemindedAt = now;
            notifier.Add(officers, "Notify.PartnerAgreementEnding", null, e.Name, e.Agreement.Reference, Day(e.Agreement.EndsOn));
        }

        audit.Record(AuditActions.PartnerRemind, "partner", null, detail: new { reminded = ending.Count });
        await db.SaveChangesAsync(ct);
        return ending.Count;
    }

    private async Task<Caller> RequireManagerAsync(string action, CancellationToken ct)
    {
        var caller = await callers.CurrentAsync(ct);
        // Never someone who is a partner's user themselves: nobody keeps the terms they work under.
        if (!caller.Subject.Roles.Contains(Roles.ComplianceOfficer) || (caller.Subject.HeldRoles ?? caller.Subject.Roles).Contains(Roles.Partner)
            || !caller.Subject.Active || actor.FromCommandLine)
        {
            await audit.RecordNowAsync(action, "partner", null, AuditOutcome.Denied, new { reason = actor.FromCommandLine ? "command-line" : "role" }, ct);
            throw new CustosException(CustosError.Forbidden, "MayNotManagePartners");
        }

        return caller;
    }

    private static string? Text(string? value, string field, int max, bool required, bool multiline = false)
    {
        var text = TextInput.CleanOptional(value, field, multiline);
        if (string.IsNullOrEmpty(text))
        {
            return required ? throw CustosException.Invalid("Required", new TextKey("Partner.Field." + field)) : null;
        }

        return text.Length <= max ? text : throw CustosException.Invalid("TooLong", max);
    }

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string ScanPurpose(Guid agreement) => "partner-agreement-scan:" + agreement.ToString("N");

    private static PartnerAgreementView View(PartnerAgreement a, DateOnly today) =>
        new(a.Id, a.Reference, a.Scope, a.StartsOn, a.EndsOn, a.SignedBy, a.ScanSha256, a.RecordedByName, a.RecordedAt, a.StartsOn <= today && a.EndsOn >= today);
}
