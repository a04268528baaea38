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
/// person's standing (<see cref="Person.NdaSignedOn"/>, <see cref="Person.NdaVersion"/>, <see cref="Person.NdaValidUntil"/>)
/// in the same save, which is what the policy's <c>nda</c> precondition reads with the rest of the person.
/// </summary>
public sealed class AgreementService(
    CustosDbContext db, Callers callers, ICurrentActor actor, IAuditTrail audit, UserManager<Person> users, KeyRing keys,
    Notifier notifier, CustosSettings settings, TimeProvider time)
{
    public const int MaxBody = 20_000;

    public const int MaxScanBytes = 10 * 1024 * 1024;

    /// <summary>Days a new version gives people who signed an older one, when the publisher names no deadline.</summary>
    public const int DefaultDaysToSign = 30;

    private static readonly string[] Readers = [Roles.ComplianceOfficer, Roles.Auditor];

    private static readonly byte[] Png = [0x89, (byte)'P', (byte)'N', (byte)'G'];

    private static readonly byte[] Jpeg = [0xFF, 0xD8, 0xFF];

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
        var standing = Standing(person, current, caller.Engine, time.GetUtcNow());
        return new MyAgreementView(
            View(current), standing, latest is null ? null : Signature(latest, person), standing == AgreementStanding.Due ? person.NdaValidUntil : null,
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
        if (person.NdaVersion == current.Version && Standing(person, current, engine, now) == AgreementStanding.Current)
        {
            throw CustosException.Conflict("AgreementAlreadySigned", current.Version);
        }

        var confirmation = await ConfirmAsync(person, password, code, ct);
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
        Apply(person, signature, current);
        audit.Record(AuditActions.AgreementSign, "person", person.Id.ToString(), detail: new { version = current.Version, sha256 = current.BodySha256, confirmation });
        await db.SaveChangesAsync(ct);
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

        // Everyone whose signature is of an older version: their agreement counts until the deadline (or an earlier one still open).
        var signers = await db.Users.Where(p => p.NdaVersion != null && p.NdaVersion < template.Version).ToListAsync(ct);
        foreach (var person in signers)
        {
            person.NdaValidUntil = person.NdaValidUntil is { } earlier && earlier < signBy ? earlier : signBy;
        }

        notifier.Add(signers.Where(p => p.EmploymentStatus == EmploymentStatus.Active).Select(p => p.Id), "Notify.AgreementNewVersion", null,
            template.Version.ToString(CultureInfo.InvariantCulture), signBy.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        audit.Record(AuditActions.AgreementPublish, "agreement", template.Version.ToString(CultureInfo.InvariantCulture),
            detail: new { version = template.Version, sha256 = template.BodySha256, signBy = signBy.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), people = signers.Count });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
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
        var person = await db.Users.SingleOrDefaultAsync(p => p.UserName == userName, ct) ?? throw CustosException.NotFound("PersonNotFound");
        if (person.Id == caller.PersonId)
        {
            await audit.RecordNowAsync(AuditActions.AgreementPaper, "person", person.Id.ToString(), AuditOutcome.Denied, new { reason = "own" }, ct);
            throw new CustosException(CustosError.Forbidden, "AgreementOwnPaper");
        }

        var template = await Templates().SingleOrDefaultAsync(t => t.Version == order.Version, ct) ?? throw CustosException.NotFound("AgreementVersionNotFound", order.Version);
        var now = time.GetUtcNow();
        var today = caller.Engine.Today(now);
        if (order.SignedOn > today || order.SignedOn < today.AddYears(-30))
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
        var current = await CurrentTemplateAsync(ct);
        if (person.NdaVersion is not { } had || had < template.Version || (had == template.Version && (person.NdaSignedOn is null || person.NdaSignedOn > order.SignedOn)))
        {
            Apply(person, signature, current);
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
        format = (format ?? "").Trim().ToLowerInvariant();
        if (format is not ("xlsx" or "pdf"))
        {
            throw CustosException.Invalid("ExportFormat");
        }

        var rows = await RegisterAsync(AuditActions.AgreementExport, format, ct);
        var current = await CurrentTemplateAsync(ct);
        var now = time.GetUtcNow();
        var table = new Web.Documents.RegisterTable(
            text["Agreement.Register.Title"],
            text["Agreement.Register.Caption", current.Version, current.Title, now.ToOffset((await callers.CurrentAsync(ct)).Engine.Document.UtcOffset).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture), rows.Count],
            [text["Agreement.Col.User"], text["Agreement.Col.Name"], text["Label.Department"], text["Agreement.Col.Employment"], text["Agreement.Col.Standing"],
             text["Agreement.Col.Version"], text["Agreement.Col.SignedOn"], text["Agreement.Col.Method"], text["Agreement.Col.SignBy"], text["Agreement.Col.Record"]],
            [.. rows.Select(r => (IReadOnlyList<string>)[
                r.UserName, r.Name, r.Departments, text["Status." + r.Employment], text["Agreement.Standing." + r.Standing],
                r.Version?.ToString(CultureInfo.InvariantCulture) ?? "", r.SignedOn?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "",
                r.Method is { } m ? text["Agreement.Method." + m] : "", r.SignBy?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "",
                r.Signatures.FirstOrDefault(s => s.Version == r.Version) is { } s
                    ? (s.Method == SignatureMethod.Online ? text["Agreement.Record.Online", s.RecordedAt.ToOffset((TimeSpan)default).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture), s.Address ?? "", s.Confirmation ?? ""]
                                                         : text["Agreement.Record.Paper", s.CheckedBy ?? "", s.ScanSha256?[..16] ?? ""]).Value
                    : ""])]);
        var stamp = now.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        return format == "xlsx"
            ? (Web.Documents.RegisterDocument.ToXlsx(table), Web.Documents.RegisterDocument.XlsxType, $"nda-register-{stamp}.xlsx")
            : (Web.Documents.RegisterDocument.ToPdf(table, settings.Copies.PrintFont, text["Document.Page"]), Web.Documents.RegisterDocument.PdfType, $"nda-register-{stamp}.pdf");
    }

    private async Task<IReadOnlyList<RegisterRow>> RegisterAsync(string action, string? format, CancellationToken ct)
    {
        var caller = await callers.CurrentAsync(ct);
        var everyone = caller.Subject.Roles.Any(Readers.Contains);
        var heads = caller.Subject.Roles.Contains(Roles.DepartmentHead) ? caller.Departments : new HashSet<Guid>();
        if (!everyone && heads.Count == 0)
        {
            await audit.RecordNowAsync(action, "agreement", null, AuditOutcome.Denied, new { reason = "role" }, ct);
            throw new CustosException(CustosError.Forbidden, "MayNotReadAgreements");
        }

        var current = await CurrentTemplateAsync(ct);
        var people = await db.Users.AsNoTracking()
            .Where(p => !p.IsBuiltIn && (everyone || db.DepartmentMemberships.Any(m => m.PersonId == p.Id && heads.Contains(m.DepartmentId))))
            .OrderBy(p => p.UserName).ToListAsync(ct);
        var ids = people.Select(p => p.Id).ToList();
        var signatures = (await db.Set<AgreementSignature>().AsNoTracking().Where(s => ids.Contains(s.PersonId)).ToListAsync(ct))
            .ToLookup(s => s.PersonId);
        var departments = await (from m in db.DepartmentMemberships join d in db.Departments on m.DepartmentId equals d.Id where ids.Contains(m.PersonId) select new { m.PersonId, d.Name })
            .ToListAsync(ct);
        var names = departments.ToLookup(d => d.PersonId, d => d.Name);
        var now = time.GetUtcNow();
        var rows = people.Select(p => new RegisterRow(
            p.Id, p.UserName ?? "", p.DisplayName, string.Join("、", names[p.Id].Order(StringComparer.Ordinal)), p.EmploymentStatus,
            Standing(p, current, caller.Engine, now), p.NdaVersion, p.NdaSignedOn,
            signatures[p.Id].Where(s => s.TemplateVersion == p.NdaVersion).OrderByDescending(s => s.RecordedAt).Select(s => (SignatureMethod?)s.Method).FirstOrDefault(),
            p.NdaValidUntil,
            [.. signatures[p.Id].OrderByDescending(s => s.RecordedAt).Select(s => Signature(s, p))])).ToList();
        audit.Record(action, "agreement", null, detail: new { people = rows.Count, everyone, format });
        await db.SaveChangesAsync(ct);
        return rows;
    }

    /// <summary>The scan of a paper agreement, for those who may read the register and the person it belongs to; recorded.</summary>
    public async Task<(byte[] Content, string ContentType, string FileName)> ScanAsync(Guid signatureId, CancellationToken ct)
    {
        var caller = await callers.CurrentAsync(ct);
        var signature = await db.Set<AgreementSignature>().AsNoTracking().SingleOrDefaultAsync(s => s.Id == signatureId && s.ScanCipher != null, ct);
        var allowed = signature is not null && (signature.PersonId == caller.PersonId || caller.Subject.Roles.Any(Readers.Contains)
            || (caller.Subject.Roles.Contains(Roles.DepartmentHead)
                && await db.DepartmentMemberships.AnyAsync(m => m.PersonId == signature.PersonId && caller.Departments.Contains(m.DepartmentId), ct)));
        if (!allowed)
        {
            await audit.RecordNowAsync(AuditActions.AgreementScanOpen, "agreement-signature", signatureId.ToString(), AuditOutcome.Denied, new { reason = "scope" }, ct);
            throw CustosException.NotFound("AgreementScanNotFound");
        }

        var content = keys.Secrets.UnprotectBytes(ScanPurpose(signature!.Id), signature.ScanCipher);
        await audit.RecordNowAsync(AuditActions.AgreementScanOpen, "agreement-signature", signature.Id.ToString(), AuditOutcome.Success, new { person = signature.PersonId, sha256 = signature.ScanSha256 }, ct);
        var extension = signature.ScanContentType switch { "application/pdf" => "pdf", "image/png" => "png", _ => "jpg" };
        return (content, signature.ScanContentType!, $"nda-{signature.TemplateVersion}-{signature.Id:N}.{extension}");
    }

    /// <summary>Where a person stands, judged on <paramref name="now"/> as the policy judges it.</summary>
    public static AgreementStanding Standing(Person person, AgreementTemplate current, PolicyEngine engine, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(person);
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(engine);
        if (person.NdaSignedOn is null || person.NdaVersion is null)
        {
            return AgreementStanding.Missing;
        }

        if (person.NdaVersion >= current.Version && person.NdaValidUntil is null)
        {
            return AgreementStanding.Current;
        }

        return person.NdaValidUntil is { } until && until >= engine.Today(now) ? AgreementStanding.Due : AgreementStanding.Lapsed;
    }

    internal static string Sha256(string body) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(body)));

    /// <summary>Line ends as <c>\n</c>, no indentation left over from a raw literal, no trailing blanks: the text hashed is the text shown.</summary>
    internal static string Normalise(string body)
    {
        var lines = body.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').Split('\n').Select(l => l.Trim());
        return string.Join('\n', lines).Trim();
    }

    /// <summary>The person's standing follows the signature: the version, the day, and a deadline only while the version is older than the current one.</summary>
    private static void Apply(Person person, AgreementSignature signature, AgreementTemplate current)
    {
        person.NdaSignedOn = signature.SignedOn;
        person.NdaVersion = signature.TemplateVersion;
        person.NdaValidUntil = signature.TemplateVersion >= current.Version ? null : (current.SignBy ?? signature.SignedOn);
    }

    private async Task<string> ConfirmAsync(Person person, string? password, string? code, CancellationToken ct)
    {
        string? refused = null;
        if (await users.IsLockedOutAsync(person))
        {
            refused = "locked-out";
        }
        else if (!string.IsNullOrWhiteSpace(code) && person.TwoFactorEnabled)
        {
            if (await users.VerifyTwoFactorTokenAsync(person, users.Options.Tokens.AuthenticatorTokenProvider, code))
            {
                return "totp";
            }

            refused = "totp";
        }
        else if (!string.IsNullOrEmpty(password))
        {
            if (await users.CheckPasswordAsync(person, password))
            {
                return "password";
            }

            refused = "password";
        }

        if (refused is not null and not "locked-out")
        {
            await users.AccessFailedAsync(person);
        }

        await audit.RecordNowAsync(AuditActions.AgreementSign, "person", person.Id.ToString(), AuditOutcome.Denied, new { reason = refused ?? "no-confirmation" }, ct);
        throw new CustosException(CustosError.Forbidden, refused == "locked-out" ? "AgreementLockedOut" : "AgreementConfirmationFailed");
    }

    private async Task<Caller> RequireRoleAsync(string action, CancellationToken ct)
    {
        var caller = await callers.CurrentAsync(ct);
        if (!caller.Subject.Roles.Contains(Roles.ComplianceOfficer) || !caller.Subject.Active)
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

        if (scan.Length > limit)
        {
            throw CustosException.Invalid("AgreementScanTooLarge", limit / (1024 * 1024));
        }

        return scan.AsSpan().StartsWith("%PDF-"u8) ? "application/pdf"
            : scan.AsSpan().StartsWith(Png) ? "image/png"
            : scan.AsSpan().StartsWith(Jpeg) ? "image/jpeg"
            : throw CustosException.Invalid("AgreementScanType");
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
