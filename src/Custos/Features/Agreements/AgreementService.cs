using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Custos.Data;
using Custos.Features.Keys;
using Custos.Features.Notifications;
using Custos.Features.People;
using Custos.Hosting;
using Custos.Kernel.Policy;
using Custos.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Custos.Features.Agreements;

public sealed record AgreementTemplateView(
    int Version, string Title, string Body, string BodySha256, DateTimeOffset PublishedAt, string PublishedBy, DateOnly? SignBy, string? Note);

public sealed record SignatureView(
    Guid Id, Guid PersonId, string UserName, string Person, int Version, SignatureMethod Method, DateOnly SignedOn, DateTimeOffset RecordedAt,
    string? Address, string BodySha256, string? Confirmation, string? CheckedBy, bool HasScan, string? ScanSha256, string? Note);

/// <summary>Where a person stands with the agreement: <c>current</c>, <c>due</c> (an older version, the deadline not yet passed), <c>lapsed</c> or <c>missing</c>.</summary>
public enum AgreementStanding
{
    Current = 0,
    Due = 1,
    Lapsed = 2,
    Missing = 3,
}

/// <summary>What a person sees before anything else: the text to sign, and whether the policy makes it a condition.</summary>
public sealed record MyAgreementView(AgreementTemplateView Current, AgreementStanding Standing, SignatureView? Latest, DateOnly? SignBy, bool Required);

/// <summary>One line of the NDA register: a person, their departments by name, where they stand and their latest signature.</summary>
public sealed record RegisterRow(
    Guid PersonId, string UserName, string Name, string Departments, EmploymentStatus Employment, AgreementStanding Standing,
    int? Version, DateOnly? SignedOn, SignatureMethod? Method, DateOnly? SignBy, IReadOnlyList<SignatureView> Signatures);

public sealed record NewTemplate(string? Title = null, string? Body = null, DateOnly? SignBy = null, string? Note = null);

/// <param name="UserName">Whose agreement it is.</param>
/// <param name="SignedOn">The date on the paper.</param>
public sealed record PaperAgreement(string? UserName, int Version, DateOnly SignedOn, byte[] Scan, string? Note = null);

/// <summary>
/// Confidentiality agreements (PPL-1, PPL-4): the versioned text, signing it in Custos with the person's password or
/// authenticator code, recording a signed paper agreement with its scan, and the register. Each signature updates the
/// person's standing (<see cref="Person.NdaSignedOn"/>, <see cref="Person.NdaVersion"/>) in the same save, which the
/// policy's <c>nda</c> precondition reads with the rest of the person and judges against the versions published since
/// (<see cref="AgreementTerms"/>).
/// </summary>
public sealed class AgreementService(
    CustosDbContext db, Callers callers, PolicyStore policy, ICurrentActor actor, IAuditTrail audit, UserManager<Person> users, KeyRing keys,
    Notifier notifier, Accounts.PersonalConfirmation confirm, CustosSettings settings, TimeProvider time)
{
    public const int MaxBody = 20_000;

    public const int MaxScanBytes = Web.Documents.Scans.MaxBytes;

    /// <summary>Days a new version gives people who signed an older one, when the publisher names no deadline.</summary>
    public const int DefaultDaysToSign = 30;


    /// <summary>The version in force; the built-in text becomes version 1 the first time anyone asks.</summary>
    public async Task<AgreementTemplate> CurrentTemplateAsync(CancellationToken ct)
    {
        var current = await Templates().OrderByDescending(t => t.Version).FirstOrDefaultAsync(ct);
        if (current is not null)
        {
            return current;
        }

        var builtIn = new AgreementTemplate
        {
            Id = Guid.CreateVersion7(time.GetUtcNow()),
            Version = 1,
            Title = BuiltInAgreement.Title,
            Body = Normalise(BuiltInAgreement.Body),
            PublishedAt = time.GetUtcNow(),
            PublishedByName = "Custos",
        };
        builtIn.BodySha256 = Sha256(builtIn.Body);
        db.Set<AgreementTemplate>().Add(builtIn);
        try
        {
            await db.SaveChangesAsync(ct);
            return builtIn;
        }
        catch (DbUpdateException)
        {
            // Another request installed it first (the version is unique): use theirs.
            db.Entry(builtIn).State = EntityState.Detached;
            return await Templates().OrderByDescending(t => t.Version).FirstAsync(ct);
        }
    }

    public async Task<IReadOnlyList<AgreementTemplateView>> TemplatesAsync(CancellationToken ct)
    {
        await CurrentTemplateAsync(ct);
        return [.. (await Templates().OrderByDescending(t => t.Version).ToListAsync(ct)).Select(View)];
    }

    /// <summary>The caller's own standing and the text to sign.</summary>
    public async Task<MyAgreementView> MineAsync(CancellationToken ct)
    {
        var caller = await callers.CurrentAsync(ct);
        var current = await CurrentTemplateAsync(ct);
        var person = await db.Users.AsNoTracking().SingleAsync(p => p.Id == caller.PersonId, ct);
        var latest = await db.Set<AgreementSignature>().AsNoTracking().Where(s => s.PersonId == person.Id)
            .OrderByDescending(s => s.TemplateVersion).ThenByDescending(s => s.RecordedAt).FirstOrDefaultAsync(ct);
        var terms = await TermsAsync(ct);
        var standing = Standing(person, terms, caller.Engine, time.GetUtcNow());
        return new MyAgreementView(
            View(current), standing, latest is null ? null : Signature(latest, person), standing == AgreementStanding.Due ? terms.DeadlineFor(person.NdaVersion) : null,
            caller.Engine.Document.Preconditions.RequireNda);
    }

    /// <summary>
    /// The caller signs the current version (PPL-1): they must be signed in themselves (not a token, not the command
    /// line), name the version they read, and confirm with their password or a fresh authenticator code. A wrong
    /// confirmation counts towards the account's lock-out like a failed sign-in, and is recorded.
    /// </summary>
    public async Task<SignatureView> SignAsync(int version, string? password, string? code, CancellationToken ct)
    {
        if (actor.ViaToken || actor.FromCommandLine || !Guid.TryParse(actor.Id, out var personId))
        {
            throw new CustosException(CustosError.Forbidden, "SignInPerson");
        }

        var current = await CurrentTemplateAsync(ct);
        if (version != current.Version)
        {
            throw CustosException.Conflict("AgreementChanged", current.Version);
        }

        var person = await users.FindByIdAsync(personId.ToString()) ?? throw CustosException.NotFound("PersonNotFound");
        var engine = (await callers.CurrentAsync(ct)).Engine;
        var now = time.GetUtcNow();
        if (person.NdaVersion >= current.Version && person.NdaSignedOn is not null)
        {
            throw CustosException.Conflict("AgreementAlreadySigned", current.Version);
        }

        var confirmation = await confirm.ConfirmAsync(person, password, code, AuditActions.AgreementSign, "AgreementConfirmationFailed", "AgreementLockedOut", ct);
        var signature = new AgreementSignature
        {
            Id = Guid.CreateVersion7(now),
            PersonId = person.Id,
            TemplateVersion = current.Version,
            Method = SignatureMethod.Online,
            SignedOn = engine.Today(now),
            RecordedAt = now,
            Address = Clip(actor.ClientAddress, 64),
            BodySha256 = current.BodySha256,
            Confirmation = confirmation,
        };
        db.Set<AgreementSignature>().Add(signature);
        Apply(person, signature);
        audit.Record(AuditActions.AgreementSign, "person", person.Id.ToString(), detail: new { version = current.Version, sha256 = current.BodySha256, confirmation });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (Audit.AuditWriteException e) when (e.IsUniqueViolation)
        {
            // Signed twice at the same moment: one online signature per person and version (a unique index).
            throw CustosException.Conflict("AgreementAlreadySigned", current.Version);
        }

        // A right confirmation clears the failed attempts, as a sign-in does.
        await users.ResetAccessFailedCountAsync(person);
        return Signature(signature, person);
    }

    /// <summary>
    /// Publishes a new version (the compliance officer, who owns the policy): a text is never rewritten once published.
    /// Everyone who signed an older version has until <see cref="NewTemplate.SignBy"/> (default 30 days) to sign this
    /// one and is told so in their inbox.
    /// </summary>
    public async Task<AgreementTemplateView> PublishAsync(NewTemplate order, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(order);
        var caller = await RequireRoleAsync(AuditActions.AgreementPublish, ct);
        var title = TextInput.Clean(order.Title, "title");
        var body = Normalise(TextInput.Clean(order.Body, "body", multiline: true));
        if (title.Length is 0 or > 200)
        {
            throw CustosException.Invalid(title.Length == 0 ? "Required" : "TooLong", title.Length == 0 ? new TextKey("Agreement.Title") : 200);
        }

        if (body.Length < 50 || body.Length > MaxBody)
        {
            throw CustosException.Invalid("AgreementBodyLength", 50, MaxBody);
        }

        var note = TextInput.CleanOptional(order.Note, "note", multiline: true) is { Length: > 0 } n ? (n.Length <= 500 ? n : throw CustosException.Invalid("TooLong", 500)) : null;
        var current = await CurrentTemplateAsync(ct);
        if (Sha256(body) == current.BodySha256 && title == current.Title)
        {
            throw CustosException.Invalid("AgreementUnchanged", current.Version);
        }

        var now = time.GetUtcNow();
        var today = caller.Engine.Today(now);
        var signBy = order.SignBy ?? today.AddDays(DefaultDaysToSign);
        if (signBy < today || signBy > today.AddDays(366))
        {
            throw CustosException.Invalid("AgreementSignByRange");
        }

        var template = new AgreementTemplate
        {
            Id = Guid.CreateVersion7(now),
            Version = current.Version + 1,
            Title = title,
            Body = body,
            BodySha256 = Sha256(body),
            PublishedAt = now,
            PublishedById = caller.PersonId,
            PublishedByName = caller.Name,
            SignBy = signBy,
            Note = note,
        };
        db.Set<AgreementTemplate>().Add(template);

        // Everyone who signed an older version is told; their signature counts until the deadline (AgreementTerms), nothing on them changes.
        var signers = await db.Users.AsNoTracking().Where(p => p.NdaSignedOn != null && (p.NdaVersion == null || p.NdaVersion < template.Version))
            .Select(p => new { p.Id, p.EmploymentStatus }).ToListAsync(ct);
        notifier.Add(signers.Where(p => p.EmploymentStatus == EmploymentStatus.Active).Select(p => p.Id), "Notify.AgreementNewVersion", null,
            template.Version.ToString(CultureInfo.InvariantCulture), signBy.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        audit.Record(AuditActions.AgreementPublish, "agreement", template.Version.ToString(CultureInfo.InvariantCulture),
            detail: new { version = template.Version, sha256 = template.BodySha256, signBy = signBy.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), people = signers.Count });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (Audit.AuditWriteException e) when (e.IsUniqueViolation)
        {
            // Another version was published at the same moment (the version is unique): nothing of this one was saved.
            throw CustosException.Conflict("AgreementChanged", current.Version + 1);
        }

        return View(template);
    }

    /// <summary>
    /// Records a signed paper agreement (PPL-1, PPL-4) with its scan, checked by the compliance officer recording it,
    /// who may not record their own. The scan is encrypted; its SHA-256 is kept in clear.
    /// </summary>
    public async Task<SignatureView> RecordPaperAsync(PaperAgreement order, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(order);
        var caller = await RequireRoleAsync(AuditActions.AgreementPaper, ct);
        var userName = TextInput.Clean(order.UserName, "user");
        var person = await users.FindByNameAsync(userName) is { IsBuiltIn: false } found ? found : throw CustosException.NotFound("PersonNotFound");
        if (person.Id == caller.PersonId)
        {
            await audit.RecordNowAsync(AuditActions.AgreementPaper, "person", person.Id.ToString(), AuditOutcome.Denied, new { reason = "own" }, ct);
            throw new CustosException(CustosError.Forbidden, "AgreementOwnPaper");
        }

        var template = await Templates().SingleOrDefaultAsync(t => t.Version == order.Version, ct) ?? throw CustosException.NotFound("AgreementVersionNotFound", order.Version);
        var now = time.GetUtcNow();
        var today = caller.Engine.Today(now);
        // A paper of a published version cannot be older than the version (the built-in first one stands for agreements signed before Custos).
        var earliest = template.PublishedById is null ? today.AddYears(-30) : caller.Engine.Today(template.PublishedAt);
        if (order.SignedOn > today || order.SignedOn < earliest)
        {
            throw CustosException.Invalid("AgreementSignedOnRange");
        }

        var type = ScanType(order.Scan);
        var note = TextInput.CleanOptional(order.Note, "note", multiline: true) is { Length: > 0 } n ? (n.Length <= 500 ? n : throw CustosException.Invalid("TooLong", 500)) : null;
        var id = Guid.CreateVersion7(now);
        var signature = new AgreementSignature
        {
            Id = id,
            PersonId = person.Id,
            TemplateVersion = template.Version,
            Method = SignatureMethod.Paper,
            SignedOn = order.SignedOn,
            RecordedAt = now,
            Address = Clip(actor.ClientAddress, 64),
            BodySha256 = template.BodySha256,
            CheckedById = caller.PersonId,
            CheckedByName = caller.Name,
            ScanCipher = keys.Secrets.ProtectBytes(ScanPurpose(id), order.Scan),
            ScanContentType = type,
            ScanSize = order.Scan.Length,
            ScanSha256 = Convert.ToHexStringLower(SHA256.HashData(order.Scan)),
            Note = note,
        };
        db.Set<AgreementSignature>().Add(signature);
        if (person.NdaVersion is not { } had || had < template.Version || (had == template.Version && (person.NdaSignedOn is null || person.NdaSignedOn > order.SignedOn)))
        {
            Apply(person, signature);
        }

        audit.Record(AuditActions.AgreementPaper, "person", person.Id.ToString(), detail: new
        {
            version = template.Version, signedOn = order.SignedOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), scanSha256 = signature.ScanSha256, size = signature.ScanSize,
        });
        await db.SaveChangesAsync(ct);
        return Signature(signature, person);
    }

    /// <summary>
    /// The NDA register (《保密协议签署登记表》): the compliance officer and auditors see everyone, a department head
    /// the people of their departments, anyone else is refused.
    /// </summary>
    public Task<IReadOnlyList<RegisterRow>> RegisterAsync(CancellationToken ct) => RegisterAsync(AuditActions.AgreementRegister, null, ct);

    /// <summary>The register as a file (<c>xlsx</c> or <c>pdf</c>) in the reader's language, for the personnel file and inspections; recorded.</summary>
    public async Task<(byte[] Content, string ContentType, string FileName)> ExportRegisterAsync(string format, Microsoft.Extensions.Localization.IStringLocalizer text, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(text);
        format = Web.Documents.RegisterDocument.CheckFormat(format);

        var rows = await RegisterAsync(AuditActions.AgreementExport, format, ct);
        var current = await CurrentTemplateAsync(ct);
        var now = time.GetUtcNow();
        var table = new Web.Documents.RegisterTable(
            text["Agreement.Register.Title"],
            text["Agreement.Register.Caption", current.Version, current.Title, now.ToOffset((await callers.CurrentAsync(ct)).Engine.Document.UtcOffset).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture), rows.Count],
            [text["Register.Col.User"], text["Register.Col.Name"], text["Label.Department"], text["Register.Col.Employment"], text["Agreement.Col.Standing"],
             text["Agreement.Col.Version"], text["Agreement.Col.SignedOn"], text["Agreement.Col.Method"], text["Agreement.Col.SignBy"], text["Agreement.Col.Record"]],
            [.. rows.Select(r => (IReadOnlyList<string>)[
                r.UserName, r.Name, r.Departments, text["Status." + r.Employment], text["Agreement.Standing." + r.Standing],
                r.Version?.ToString(CultureInfo.InvariantCulture) ?? "", r.SignedOn?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "",
                r.Method is { } m ? text["Agreement.Method." + m] : "", r.SignBy?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "",
                r.Signatures.FirstOrDefault(s => s.Version == r.Version) is { } s
                    ? (s.Method == SignatureMethod.Online ? text["Agreement.Record.Online", s.RecordedAt.ToOffset((TimeSpan)default).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture), s.Address ?? "", s.Confirmation is { } c ? text["Agreement.Confirmation." + c].Value : ""]
                                                         : text["Agreement.Record.Paper", s.CheckedBy ?? "", s.ScanSha256?[..16] ?? ""]).Value
                    : ""])]);
        return Web.Documents.RegisterDocument.Write(table, format, settings.Copies.PrintFont, text["Register.Page"], "nda-register", now);
    }

    private async Task<IReadOnlyList<RegisterRow>> RegisterAsync(string action, string? format, CancellationToken ct)
    {
        var caller = await callers.CurrentAsync(ct);
        var scope = await PeopleRegisterScope.RequireAsync(caller, audit, action, "agreement", "MayNotReadAgreements", ct);
        var people = await scope.People(db).ToListAsync(ct);
        var ids = people.Select(p => p.Id).ToList();
        var signatures = (await db.Set<AgreementSignature>().AsNoTracking().Where(s => ids.Contains(s.PersonId)).ToListAsync(ct))
            .ToLookup(s => s.PersonId);
        var departments = await PeopleRegisterScope.DepartmentNamesAsync(db, ids, ct);
        var now = time.GetUtcNow();
        var terms = await TermsAsync(ct);
        var rows = people.Select(p => new RegisterRow(
            p.Id, p.UserName ?? "", p.DisplayName, departments(p.Id), p.EmploymentStatus,
            Standing(p, terms, caller.Engine, now), p.NdaVersion, p.NdaSignedOn,
            signatures[p.Id].Where(s => s.TemplateVersion == p.NdaVersion).OrderByDescending(s => s.RecordedAt).Select(s => (SignatureMethod?)s.Method).FirstOrDefault(),
            p.NdaSignedOn is null ? null : terms.DeadlineFor(p.NdaVersion),
            [.. signatures[p.Id].OrderByDescending(s => s.RecordedAt).Select(s => Signature(s, p))])).ToList();
        audit.Record(action, "agreement", null, detail: new { people = rows.Count, everyone = scope.Everyone, format });
        await db.SaveChangesAsync(ct);
        return rows;
    }

    /// <summary>The scan of a paper agreement, for those who may read the register and the person it belongs to; recorded.</summary>
    public async Task<(byte[] Content, string ContentType, string FileName)> ScanAsync(Guid signatureId, CancellationToken ct)
    {
        var caller = await callers.CurrentAsync(ct);
        var signature = await db.Set<AgreementSignature>().AsNoTracking().SingleOrDefaultAsync(s => s.Id == signatureId && s.ScanCipher != null, ct);
        var allowed = signature is not null && (signature.PersonId == caller.PersonId || caller.Subject.Roles.Any(PeopleRegisterScope.ReadsEveryone.Contains)
            || (caller.Subject.Roles.Contains(Roles.DepartmentHead)
                && await db.DepartmentMemberships.AnyAsync(m => m.PersonId == signature.PersonId && caller.Departments.Contains(m.DepartmentId), ct)));
        if (!allowed)
        {
            await audit.RecordNowAsync(AuditActions.AgreementScanOpen, "agreement-signature", signatureId.ToString(), AuditOutcome.Denied, new { reason = "scope" }, ct);
            throw CustosException.NotFound("AgreementScanNotFound");
        }

        var content = keys.Secrets.UnprotectBytes(ScanPurpose(signature!.Id), signature.ScanCipher);
        await audit.RecordNowAsync(AuditActions.AgreementScanOpen, "agreement-signature", signature.Id.ToString(), AuditOutcome.Success, new { person = signature.PersonId, sha256 = signature.ScanSha256 }, ct);
        var extension = Web.Documents.Scans.Extension(signature.ScanContentType);
        return (content, signature.ScanContentType!, $"nda-{signature.TemplateVersion}-{signature.Id:N}.{extension}");
    }

    /// <summary>Where a person stands on <paramref name="now"/>, judged by the kernel as the policy judges it.</summary>
    public static AgreementStanding Standing(Person person, AgreementTerms terms, PolicyEngine engine, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(person);
        ArgumentNullException.ThrowIfNull(terms);
        ArgumentNullException.ThrowIfNull(engine);
        if (person.NdaSignedOn is null)
        {
            return AgreementStanding.Missing;
        }

        var subject = new PolicySubject(person.Id, [], 0, new HashSet<Guid>(), new HashSet<Guid>(), true, person.NdaSignedOn, null, GrantSet.Empty) { NdaVersion = person.NdaVersion };
        return !engine.NdaCurrent(subject, new PolicyContext(null, now, terms)) ? AgreementStanding.Lapsed
            : terms.DeadlineFor(person.NdaVersion) is null ? AgreementStanding.Current
            : AgreementStanding.Due;
    }

    internal static string Sha256(string body) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(body)));

    /// <summary>Line ends as <c>\n</c>, no indentation left over from a raw literal, no trailing blanks: the text hashed is the text shown.</summary>
    internal static string Normalise(string body)
    {
        var lines = body.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').Split('\n').Select(l => l.Trim());
        return string.Join('\n', lines).Trim();
    }

    /// <summary>The person's standing follows the signature: the version and the day (how long it counts follows from the versions published since).</summary>
    private static void Apply(Person person, AgreementSignature signature)
    {
        person.NdaSignedOn = signature.SignedOn;
        person.NdaVersion = signature.TemplateVersion;
    }

    private Task<AgreementTerms> TermsAsync(CancellationToken ct) => policy.AgreementTermsAsync(db, ct);

    /// <summary>The compliance officer, acting themselves: the command line names a person without their credentials, so it may not act as one here.</summary>
    private async Task<Caller> RequireRoleAsync(string action, CancellationToken ct)
    {
        var caller = await callers.CurrentAsync(ct);
        if (!caller.Subject.Roles.Contains(Roles.ComplianceOfficer) || !caller.Subject.Active || actor.FromCommandLine)
        {
            await audit.RecordNowAsync(action, "agreement", null, AuditOutcome.Denied, new { reason = "role" }, ct);
            throw new CustosException(CustosError.Forbidden, "MayNotManageAgreements");
        }

        return caller;
    }

    /// <summary>A PDF, PNG or JPEG by its first bytes, within the size limit; anything else is refused.</summary>
    private string ScanType(byte[] scan)
    {
        var limit = Math.Min(MaxScanBytes, settings.MaxUploadMegabytes * 1024L * 1024L);
        if (scan is null || scan.Length == 0)
        {
            throw CustosException.Invalid("AgreementScanRequired");
        }

        return scan.Length > limit ? throw CustosException.Invalid("AgreementScanTooLarge", limit / (1024 * 1024))
            : Web.Documents.Scans.TypeOf(scan) ?? throw CustosException.Invalid("AgreementScanType");
    }

    private IQueryable<AgreementTemplate> Templates() => db.Set<AgreementTemplate>().AsNoTracking();

    private static string ScanPurpose(Guid signature) => "agreement-scan:" + signature.ToString("N");

    private static string? Clip(string? value, int length) => value is null ? null : value.Length <= length ? value : value[..length];

    private static AgreementTemplateView View(AgreementTemplate t) =>
        new(t.Version, t.Title, t.Body, t.BodySha256, t.PublishedAt, t.PublishedByName, t.SignBy, t.Note);

    private static SignatureView Signature(AgreementSignature s, Person p) => new(
        s.Id, s.PersonId, p.UserName ?? "", p.DisplayName, s.TemplateVersion, s.Method, s.SignedOn, s.RecordedAt, s.Address, s.BodySha256,
        s.Confirmation, s.CheckedByName, s.ScanCipher is not null, s.ScanSha256, s.Note);
}
