using System.Security.Cryptography;
using System.Text;
using Custos.Data;
using Custos.Features.Committee;
using Custos.Features.Keys;
using Custos.Features.Notifications;
using Custos.Hosting;
using Custos.Security;
using Microsoft.EntityFrameworkCore;

namespace Custos.Features.Whistleblowing;

/// <summary>How anonymous reports are protected against flooding (<c>Custos:Whistle</c>), without identifying anyone.</summary>
public sealed class WhistleSettings
{
    /// <summary>Leading zero bits of SHA-256 a browser must find before it may send (16: about a second or two).</summary>
    public int PowBits { get; set; } = 16;

    /// <summary>Reports one node accepts in an hour, from everyone together.</summary>
    public int MaxReportsPerHour { get; set; } = 30;

    /// <summary>Follow-up attempts one node accepts in an hour, from everyone together.</summary>
    public int MaxFollowUpsPerHour { get; set; } = 300;

    /// <summary>Wrong secrets in a row after which a receipt waits <see cref="LockMinutes"/>.</summary>
    public int MaxAttempts { get; set; } = 5;

    public int LockMinutes { get; set; } = 60;

    /// <summary>Puzzles outstanding at once before new ones are refused; long before that, each new one costs more work.</summary>
    public int MaxOutstandingChallenges { get; set; } = 200_000;

    /// <summary>Outstanding puzzles from which each doubling adds a bit of work to the next (a flood pays, a reporter hardly notices).</summary>
    public int HarderFrom { get; set; } = 500;
}

/// <summary>A file as a reporter sends it.</summary>
public sealed record WhistleFile(string FileName, byte[] Content)
{
    /// <summary>The files of an upload (page or API): at most three, each refused before it is read if it is too large.</summary>
    public static async Task<List<WhistleFile>> ReadAsync(IReadOnlyList<IFormFile>? files, CancellationToken ct)
    {
        if (files?.Count > WhistleService.MaxFiles)
        {
            throw CustosException.Invalid("WhistleTooManyFiles", WhistleService.MaxFiles);
        }

        var read = new List<WhistleFile>();
        foreach (var file in files ?? [])
        {
            if (file.Length > Web.Documents.Scans.MaxBytes)
            {
                throw CustosException.Invalid("WhistleFileTooLarge", Web.Documents.Scans.MaxBytes / 1024 / 1024);
            }

            using var buffer = new MemoryStream();
            await file.CopyToAsync(buffer, ct);
            read.Add(new WhistleFile(file.FileName, buffer.ToArray()));
        }

        return read;
    }
}

/// <summary>What a reporter sends: the kind, a summary, the account, optionally the person it is about (user name) and who they are, up to three files; with the solved puzzle.</summary>
public sealed record NewWhistle(
    WhistleKind Kind, string? Summary, string? Body, string? Subject, string? Identity, IReadOnlyList<WhistleFile> Files, string? Challenge, string? Nonce);

/// <summary>What a reporter takes away: shown once, never again.</summary>
public sealed record WhistleReceipt(string Receipt, string Secret);

public sealed record WhistleMessageView(DateTimeOffset At, bool FromReporter, string? Handler, string Body);

public sealed record WhistleAttachmentView(Guid Id, string FileName, string ContentType, long Size);

/// <summary>The thread as the reporter sees it with the receipt and secret.</summary>
public sealed record WhistleThread(string Receipt, WhistleKind Kind, WhistleStatus Status, DateOnly ReceivedOn, string Summary, string Body, IReadOnlyList<WhistleMessageView> Messages);

public sealed record WhistleSummary(Guid Id, WhistleKind Kind, WhistleStatus Status, DateOnly ReceivedOn, string Summary, int Messages, bool HasIdentity, Guid? IncidentId);

/// <summary>A report as a designated handler reads it (the identity only on its own, recorded request).</summary>
public sealed record WhistleView(
    Guid Id, WhistleKind Kind, WhistleStatus Status, DateOnly ReceivedOn, string Summary, string Body, string? Subject, bool HasIdentity,
    IReadOnlyList<WhistleMessageView> Messages, IReadOnlyList<WhistleAttachmentView> Attachments, Guid? IncidentId, DateTimeOffset? ClosedAt, string? ClosedBy);

public sealed record WhistleChallengeView(string Challenge, int Bits);

/// <summary>
/// Anonymous reports (INC-4), as established whistle-blowing systems keep them: a page for anyone, without an account;
/// a receipt code and a secret to follow up and answer questions; nothing recorded that could name the reporter — the
/// audit entry says a report came in, nothing more; the text, an identity the reporter chooses to give and the files
/// encrypted and read only by the confidentiality committee's designated handlers, never by the person a report is
/// about. Flooding is held off by a proof-of-work puzzle per submission and hourly limits for everyone together.
/// </summary>
[Contract]
public sealed class WhistleService(
    CustosDbContext db, KeyRing keys, Callers callers, ICurrentActor actor, IAuditTrail audit, Notifier notifier, CommitteeService committee,
    Incidents.IncidentService incidents, WhistleSettings settings, WhistleLimits limits, TimeProvider time)
{
    public const int MaxSummary = 200;

    public const int MaxBody = 8000;

    public const int MaxIdentity = 500;

    public const int MaxFiles = 3;

    private const int Iterations = 100_000;

    private static readonly byte[] DummySalt = new byte[16];

    /// <summary>A puzzle for the next submission or follow-up; refused while too many are outstanding.</summary>
    public async Task<WhistleChallengeView> ChallengeAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var since = now.AddMinutes(-30);
        var outstanding = await db.Set<WhistleChallenge>().CountAsync(c => c.IssuedAt >= since && c.UsedAt == null, ct);
        if (outstanding >= settings.MaxOutstandingChallenges)
        {
            throw new CustosException(CustosError.TooMany, "WhistleBusy");
        }

        // Under a flood of puzzles each new one costs more: one more bit (twice the work) per doubling, at most 8 more.
        var extra = outstanding < settings.HarderFrom ? 0 : Math.Min(8, 1 + (int)Math.Log2(outstanding / (double)settings.HarderFrom));
        var challenge = new WhistleChallenge { Id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)), IssuedAt = now, Bits = settings.PowBits + extra };
        db.Set<WhistleChallenge>().Add(challenge);
        await db.SaveChangesAsync(ct);
        return new WhistleChallengeView(challenge.Id, challenge.Bits);
    }

    /// <summary>
    /// Receives a report: the puzzle solved, the hourly limit kept, the text and files checked; everything encrypted and
    /// saved in one transaction with an audit entry that says only that a report was received; the handlers are told.
    /// </summary>
    public async Task<WhistleReceipt> SubmitAsync(NewWhistle order, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(order);
        if (!Enum.IsDefined(order.Kind))
        {
            throw CustosException.Invalid("InvalidEnum", "kind");
        }

        var summary = Required(order.Summary, "summary", MaxSummary, "Whistle.Summary");
        var body = Required(order.Body, "body", MaxBody, "Whistle.Body");
        var identity = TextInput.CleanOptional(order.Identity, "identity", multiline: true);
        if (identity?.Length > MaxIdentity)
        {
            throw CustosException.Invalid("TooLong", MaxIdentity);
        }

        var files = CheckFiles(order.Files);
        await SolveAsync(order.Challenge, order.Nonce, ct);
        if (!limits.TakeReport(time.GetUtcNow(), settings.MaxReportsPerHour))
        {
            throw new CustosException(CustosError.TooMany, "WhistleBusy");
        }

        Guid? subject = null;
        if (TextInput.CleanOptional(order.Subject, "subject") is { } named)
        {
            subject = await db.Users.Where(u => u.UserName == named || u.NormalizedUserName == named.ToUpperInvariant()).Select(u => (Guid?)u.Id).FirstOrDefaultAsync(ct);
        }

        var now = time.GetUtcNow();
        var today = (await callers.CurrentAsync(ct)).Engine.Today(now);
        var secret = Base32(RandomNumberGenerator.GetBytes(15));
        var salt = RandomNumberGenerator.GetBytes(16);
        var report = new WhistleReport
        {
            Id = Guid.NewGuid(), // not time-ordered: the id says nothing of when
            Receipt = Receipt(),
            SecretSalt = salt,
            SecretHash = Hash(secret, salt),
            Kind = order.Kind,
            Status = WhistleStatus.Received,
            ReceivedOn = today,
            SubjectPersonId = subject,
        };
        report.SummaryCipher = keys.Secrets.Protect(Purpose(report.Id, "summary"), summary);
        report.BodyCipher = keys.Secrets.Protect(Purpose(report.Id, "body"), body);
        report.IdentityCipher = identity is null ? null : keys.Secrets.Protect(Purpose(report.Id, "identity"), identity);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        db.Set<WhistleReport>().Add(report);
        foreach (var (name, type, content) in files)
        {
            var id = Guid.NewGuid();
            db.Set<WhistleAttachment>().Add(new WhistleAttachment
            {
                Id = id, ReportId = report.Id, FileName = name, ContentType = type, Size = content.Length, Cipher = keys.Secrets.ProtectBytes(Purpose(report.Id, "file:" + id), content),
            });
        }

        // The inbox only: a group robot would tell a whole chat (the person named, perhaps) that a report came, and when.
        var handlers = (await committee.ReportHandlersAsync(today, ct)).Where(h => h != subject);
        notifier.AddToInbox(handlers, "Notify.WhistleReceived");
        audit.Record(AuditActions.WhistleReceive, "whistle", report.Id.ToString());
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return new WhistleReceipt(report.Receipt, secret);
    }

    /// <summary>The thread for its reporter. A wrong secret answers exactly as an unknown receipt does, and counts toward the receipt's lock.</summary>
    public async Task<WhistleThread> FollowAsync(string? receipt, string? secret, string? challenge, string? nonce, CancellationToken ct)
    {
        var report = await OpenAsReporterAsync(receipt, secret, challenge, nonce, ct);
        await audit.RecordNowAsync(AuditActions.WhistleFollow, "whistle", report.Id.ToString(), AuditOutcome.Success, null, ct);
        return await ThreadAsync(report, ct);
    }

    /// <summary>The reporter answers (a question, more facts): added to the thread, the handlers told.</summary>
    public async Task<WhistleThread> ReplyAsReporterAsync(string? receipt, string? secret, string? text, string? challenge, string? nonce, CancellationToken ct)
    {
        var body = Required(text, "text", MaxBody, "Whistle.Reply");
        var report = await OpenAsReporterAsync(receipt, secret, challenge, nonce, ct);
        if (report.Status == WhistleStatus.Closed)
        {
            throw CustosException.Conflict("WhistleClosed");
        }

        AddMessage(report, fromReporter: true, null, body);
        var today = (await callers.CurrentAsync(ct)).Engine.Today(time.GetUtcNow());
        notifier.AddToInbox((await committee.ReportHandlersAsync(today, ct)).Where(h => h != report.SubjectPersonId), "Notify.WhistleReply", report.ReceivedOn.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        audit.Record(AuditActions.WhistleReply, "whistle", report.Id.ToString(), detail: new { from = "reporter" });
        await db.SaveChangesAsync(ct);
        return await ThreadAsync(report, ct);
    }

    /// <summary>Reports the designated handler may read: all but those naming them.</summary>
    public async Task<IReadOnlyList<WhistleSummary>> ListAsync(bool includeClosed, CancellationToken ct)
    {
        var caller = await RequireHandlerAsync(AuditActions.WhistleList, null, ct);
        var reports = await db.Set<WhistleReport>().AsNoTracking()
            .Where(r => (includeClosed || r.Status != WhistleStatus.Closed) && (r.SubjectPersonId == null || r.SubjectPersonId != caller.PersonId))
            .OrderByDescending(r => r.ReceivedOn).Take(500).ToListAsync(ct);
        var ids = reports.Select(r => r.Id).ToList();
        var counts = await db.Set<WhistleMessage>().Where(m => ids.Contains(m.ReportId)).GroupBy(m => m.ReportId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, ct);
        // No count: a handler a report names would see one fewer than the others, and the log would tell.
        audit.Record(AuditActions.WhistleList, "whistle", null);
        await db.SaveChangesAsync(ct);
        return [.. reports.Select(r => new WhistleSummary(
            r.Id, r.Kind, r.Status, r.ReceivedOn, keys.Secrets.Unprotect(Purpose(r.Id, "summary"), r.SummaryCipher), counts.GetValueOrDefault(r.Id), r.IdentityCipher is not null, r.IncidentId))];
    }

    /// <summary>One report for a designated handler (not the person it names: a 404); the reading is recorded.</summary>
    public async Task<WhistleView> GetAsync(Guid id, CancellationToken ct)
    {
        var (_, report) = await LoadForHandlerAsync(id, AuditActions.WhistleRead, ct);
        await audit.RecordNowAsync(AuditActions.WhistleRead, "whistle", report.Id.ToString(), AuditOutcome.Success, null, ct);
        return await ViewAsync(report, ct);
    }

    /// <summary>The identity the reporter chose to give, for a handler, each reading recorded; refused when they gave none.</summary>
    public async Task<string> IdentityAsync(Guid id, CancellationToken ct)
    {
        var (_, report) = await LoadForHandlerAsync(id, AuditActions.WhistleIdentity, ct);
        if (report.IdentityCipher is null)
        {
            throw CustosException.NotFound("WhistleNoIdentity");
        }

        await audit.RecordNowAsync(AuditActions.WhistleIdentity, "whistle", report.Id.ToString(), AuditOutcome.Success, null, ct);
        return keys.Secrets.Unprotect(Purpose(report.Id, "identity"), report.IdentityCipher);
    }

    /// <summary>An attachment for a handler; recorded.</summary>
    public async Task<(byte[] Content, string ContentType, string FileName)> AttachmentAsync(Guid id, Guid attachment, CancellationToken ct)
    {
        var (_, report) = await LoadForHandlerAsync(id, AuditActions.WhistleAttachment, ct);
        var file = await db.Set<WhistleAttachment>().AsNoTracking().SingleOrDefaultAsync(a => a.Id == attachment && a.ReportId == report.Id, ct)
            ?? throw CustosException.NotFound("WhistleNotFound");
        await audit.RecordNowAsync(AuditActions.WhistleAttachment, "whistle", report.Id.ToString(), AuditOutcome.Success, new { attachment = file.Id }, ct);
        return (keys.Secrets.UnprotectBytes(Purpose(report.Id, "file:" + file.Id), file.Cipher), file.ContentType, file.FileName);
    }

    /// <summary>A handler's question or answer to the reporter, who reads it with the receipt code.</summary>
    public async Task<WhistleView> ReplyAsync(Guid id, string? text, CancellationToken ct)
    {
        var body = Required(text, "text", MaxBody, "Whistle.Reply");
        var (caller, report) = await LoadForHandlerAsync(id, AuditActions.WhistleReply, ct);
        if (report.Status == WhistleStatus.Closed)
        {
            throw CustosException.Conflict("WhistleClosed");
        }

        AddMessage(report, fromReporter: false, caller.Name, body);
        report.Status = WhistleStatus.Answered;
        audit.Record(AuditActions.WhistleReply, "whistle", report.Id.ToString(), detail: new { from = "handler" });
        await db.SaveChangesAsync(ct);
        return await ViewAsync(report, ct);
    }

    /// <summary>Opens a leak incident from the report (the GM office is told as for any); the reporter stays unnamed.</summary>
    public async Task<WhistleView> OpenIncidentAsync(Guid id, string? title, CancellationToken ct)
    {
        var (_, report) = await LoadForHandlerAsync(id, AuditActions.WhistleIncident, ct);
        if (report.IncidentId is not null)
        {
            throw CustosException.Conflict("WhistleIncidentExists");
        }

        // The handler's own words: the reporter's (their style, their details) stay in the encrypted report.
        var summary = TextInput.CleanOptional(title, "title") ?? throw CustosException.Invalid("Required", new TextKey("Reports.IncidentTitle"));
        if (summary.Length > Incidents.IncidentService.MaxTitle)
        {
            throw CustosException.Invalid("TooLong", Incidents.IncidentService.MaxTitle);
        }

        if (report.Status == WhistleStatus.Closed)
        {
            throw CustosException.Conflict("WhistleClosed");
        }
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        report.IncidentId = await incidents.OpenFromAnonymousAsync(report.Id, summary, report.SubjectPersonId, ct);
        audit.Record(AuditActions.WhistleIncident, "whistle", report.Id.ToString(), detail: new { incident = report.IncidentId });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return await ViewAsync(report, ct);
    }

    public async Task<WhistleView> CloseAsync(Guid id, CancellationToken ct)
    {
        var (caller, report) = await LoadForHandlerAsync(id, AuditActions.WhistleClose, ct);
        if (report.Status == WhistleStatus.Closed)
        {
            throw CustosException.Conflict("WhistleClosed");
        }

        report.Status = WhistleStatus.Closed;
        report.ClosedAt = time.GetUtcNow();
        report.ClosedBy = caller.Name;
        audit.Record(AuditActions.WhistleClose, "whistle", report.Id.ToString());
        await db.SaveChangesAsync(ct);
        return await ViewAsync(report, ct);
    }

    /// <summary>Removes puzzles older than an hour (hourly).</summary>
    public Task<int> PurgeChallengesAsync(CancellationToken ct)
    {
        var before = time.GetUtcNow().AddHours(-1);
        return db.Set<WhistleChallenge>().Where(c => c.IssuedAt < before).ExecuteDeleteAsync(ct);
    }

    /// <summary>
    /// Whether the caller, a designated handler, may act on the report (it exists and does not name them): for a
    /// reward proposed to its anonymous reporter (INC-5). A 404 otherwise, recorded.
    /// </summary>
    public async Task RequireHandledReportAsync(Guid id, string action, CancellationToken ct) => await LoadForHandlerAsync(id, action, ct);

    /// <summary>
    /// Tells a report's anonymous reporter something in its thread, in the committee's name (a reward approved, with
    /// its claim code): sealed like any message; joins the caller's transaction.
    /// </summary>
    public async Task TellReporterAsync(Guid id, string text, CancellationToken ct)
    {
        var report = await db.Set<WhistleReport>().SingleOrDefaultAsync(r => r.Id == id, ct) ?? throw CustosException.NotFound("WhistleNotFound");
        AddMessage(report, fromReporter: false, null, text);
        if (report.Status == WhistleStatus.Received)
        {
            report.Status = WhistleStatus.Answered;
        }
    }

    /// <summary>The person a report names, if any (who must never see, decide or pay anything that follows from it).</summary>
    public Task<Guid?> SubjectOfAsync(Guid id, CancellationToken ct) =>
        db.Set<WhistleReport>().Where(r => r.Id == id).Select(r => r.SubjectPersonId).SingleOrDefaultAsync(ct);

    /// <summary>The report a receipt code belongs to (the code typed with or without dashes), or null: for paying a reward claimed with it.</summary>
    public async Task<Guid?> ReportOfReceiptAsync(string? receipt, CancellationToken ct)
    {
        var code = ReceiptOf(receipt);
        return code.Length == 0 ? null : await db.Set<WhistleReport>().Where(r => r.Receipt == code).Select(r => (Guid?)r.Id).SingleOrDefaultAsync(ct);
    }

    /// <summary>For a designated handler, how many reports wait for a first answer (those naming the handler left out); null for anyone else.</summary>
    public async Task<int?> WaitingAsync(CancellationToken ct)
    {
        if (!await IsHandlerAsync(ct))
        {
            return null;
        }

        var caller = await callers.CurrentAsync(ct);
        return await db.Set<WhistleReport>().CountAsync(r => r.Status == WhistleStatus.Received && (r.SubjectPersonId == null || r.SubjectPersonId != caller.PersonId), ct);
    }

    /// <summary>Whether the caller handles reports (for the navigation and pages).</summary>
    public async Task<bool> IsHandlerAsync(CancellationToken ct)
    {
        var caller = await callers.CurrentAsync(ct);
        // The role as this call may use it: a token scoped to something else does not read reports.
        return caller.PersonId != Guid.Empty && caller.Subject.Active && !actor.FromCommandLine && caller.Subject.Roles.Contains(People.Roles.CommitteeMember)
            && await committee.HandlesReportsAsync(caller.PersonId, caller.Engine.Today(time.GetUtcNow()), ct);
    }

    private async Task<Caller> RequireHandlerAsync(string action, Guid? report, CancellationToken ct)
    {
        var caller = await callers.CurrentAsync(ct);
        if (!await IsHandlerAsync(ct))
        {
            await audit.RecordNowAsync(action, "whistle", report?.ToString(), AuditOutcome.Denied, new { reason = "not-handler" }, ct);
            throw new CustosException(CustosError.Forbidden, "MayNotHandleReports");
        }

        return caller;
    }

    private async Task<(Caller Caller, WhistleReport Report)> LoadForHandlerAsync(Guid id, string action, CancellationToken ct)
    {
        var caller = await RequireHandlerAsync(action, id, ct);
        var report = await db.Set<WhistleReport>().SingleOrDefaultAsync(r => r.Id == id, ct);
        if (report is null || report.SubjectPersonId == caller.PersonId)
        {
            // The person a report names never handles it, nor learns that it exists.
            // Recorded as not found either way: "subject" in the log would say whom the report accuses.
            await audit.RecordNowAsync(action, "whistle", id.ToString(), AuditOutcome.Denied, new { reason = "not-found" }, ct);
            throw CustosException.NotFound("WhistleNotFound");
        }

        return (caller, report);
    }

    /// <summary>
    /// The report for its receipt and secret, the puzzle solved and the hourly limit kept. Unknown receipt, wrong secret
    /// and a locked receipt give the same answer after the same work; the attempt is recorded without the receipt.
    /// </summary>
    private async Task<WhistleReport> OpenAsReporterAsync(string? receipt, string? secret, string? challenge, string? nonce, CancellationToken ct)
    {
        await SolveAsync(challenge, nonce, ct);
        if (!limits.TakeFollowUp(time.GetUtcNow(), settings.MaxFollowUpsPerHour))
        {
            throw new CustosException(CustosError.TooMany, "WhistleBusy");
        }

        var code = ReceiptOf(receipt);
        var given = (secret ?? "").Trim().ToUpperInvariant().Replace(" ", "", StringComparison.Ordinal);
        var report = code.Length > 0 ? await db.Set<WhistleReport>().SingleOrDefaultAsync(r => r.Receipt == code, ct) : null;
        var now = time.GetUtcNow();
        var hash = Hash(given.Length is > 0 and <= 64 ? given : "-", report?.SecretSalt ?? DummySalt);
        var right = report is not null && CryptographicOperations.FixedTimeEquals(hash, report.SecretHash);
        var locked = report?.LockedUntil is { } until && until > now;
        if (!right || locked)
        {
            if (report is not null && !locked)
            {
                // Counted in the database (parallel attempts each count); at the limit the receipt waits.
                var id = report.Id;
                await db.Set<WhistleReport>().Where(r => r.Id == id).ExecuteUpdateAsync(s => s.SetProperty(r => r.FailedAttempts, r => r.FailedAttempts + 1), ct);
                await db.Set<WhistleReport>().Where(r => r.Id == id && r.FailedAttempts >= settings.MaxAttempts)
                    .ExecuteUpdateAsync(s => s.SetProperty(r => r.FailedAttempts, 0).SetProperty(r => r.LockedUntil, now.AddMinutes(settings.LockMinutes)), ct);
            }

            await audit.RecordNowAsync(AuditActions.WhistleFollow, "whistle", null, AuditOutcome.Denied, null, ct);
            throw CustosException.NotFound("WhistleNotFound");
        }

        if (report!.FailedAttempts != 0)
        {
            report.FailedAttempts = 0;
            await db.SaveChangesAsync(ct);
        }

        return report;
    }

    /// <summary>A receipt as typed, with or without dashes or spaces, in its stored form (its twelve letters and digits in three groups), or empty.</summary>
    private static string ReceiptOf(string? receipt)
    {
        var letters = new string([.. (receipt ?? "").ToUpperInvariant().Where(char.IsAsciiLetterOrDigit)]);
        return letters.Length == 12 ? $"{letters[..4]}-{letters[4..8]}-{letters[8..]}" : "";
    }

    /// <summary>Checks the puzzle's answer (cheap) and then claims the puzzle once (a second use fails on every node).</summary>
    private async Task SolveAsync(string? challenge, string? nonce, CancellationToken ct)
    {
        var id = (challenge ?? "").Trim();
        var answer = (nonce ?? "").Trim();
        var found = id.Length == 32 && answer.Length is > 0 and <= 32
            ? await db.Set<WhistleChallenge>().AsNoTracking().SingleOrDefaultAsync(c => c.Id == id, ct)
            : null;
        var now = time.GetUtcNow();
        var since = now.AddMinutes(-30);
        if (found is null || found.UsedAt is not null || found.IssuedAt < since || LeadingZeroBits(SHA256.HashData(Encoding.UTF8.GetBytes(id + ":" + answer))) < found.Bits
            || await db.Set<WhistleChallenge>().Where(c => c.Id == id && c.UsedAt == null).ExecuteUpdateAsync(s => s.SetProperty(c => c.UsedAt, now), ct) != 1)
        {
            throw CustosException.Invalid("WhistlePuzzle");
        }
    }

    public static int LeadingZeroBits(ReadOnlySpan<byte> hash)
    {
        var bits = 0;
        foreach (var b in hash)
        {
            if (b == 0)
            {
                bits += 8;
                continue;
            }

            bits += System.Numerics.BitOperations.LeadingZeroCount((uint)b) - 24;
            break;
        }

        return bits;
    }

    /// <summary>Solves a puzzle (for tests and the command line): the first nonce whose hash has enough leading zero bits.</summary>
    public static string Solve(string challenge, int bits)
    {
        for (long n = 0; ; n++)
        {
            var nonce = n.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (LeadingZeroBits(SHA256.HashData(Encoding.UTF8.GetBytes(challenge + ":" + nonce))) >= bits)
            {
                return nonce;
            }
        }
    }

    private void AddMessage(WhistleReport report, bool fromReporter, string? handler, string body)
    {
        var id = Guid.NewGuid();
        db.Set<WhistleMessage>().Add(new WhistleMessage
        {
            // A reporter's message keeps its day only: the hour could point to someone.
            Id = id, ReportId = report.Id, At = fromReporter ? new DateTimeOffset(time.GetUtcNow().UtcDateTime.Date, TimeSpan.Zero) : time.GetUtcNow(), FromReporter = fromReporter, HandlerName = handler, BodyCipher = keys.Secrets.Protect(Purpose(report.Id, "message:" + id), body),
        });
    }

    private async Task<IReadOnlyList<WhistleMessageView>> MessagesAsync(WhistleReport report, CancellationToken ct) =>
        [.. (await db.Set<WhistleMessage>().AsNoTracking().Where(m => m.ReportId == report.Id).ToListAsync(ct))
            .OrderBy(m => m.At).Select(m => new WhistleMessageView(m.At, m.FromReporter, m.HandlerName, keys.Secrets.Unprotect(Purpose(report.Id, "message:" + m.Id), m.BodyCipher)))];

    /// <summary>The thread as its reporter reads it: the handlers' words, not their names.</summary>
    private async Task<WhistleThread> ThreadAsync(WhistleReport report, CancellationToken ct) => new(
        report.Receipt, report.Kind, report.Status, report.ReceivedOn, keys.Secrets.Unprotect(Purpose(report.Id, "summary"), report.SummaryCipher),
        keys.Secrets.Unprotect(Purpose(report.Id, "body"), report.BodyCipher), [.. (await MessagesAsync(report, ct)).Select(m => m with { Handler = null })]);

    private async Task<WhistleView> ViewAsync(WhistleReport report, CancellationToken ct)
    {
        var subject = report.SubjectPersonId is { } s ? await db.Users.Where(u => u.Id == s).Select(u => u.DisplayName).SingleOrDefaultAsync(ct) : null;
        var files = await db.Set<WhistleAttachment>().AsNoTracking().Where(a => a.ReportId == report.Id)
            .Select(a => new WhistleAttachmentView(a.Id, a.FileName, a.ContentType, a.Size)).ToListAsync(ct);
        return new WhistleView(
            report.Id, report.Kind, report.Status, report.ReceivedOn, keys.Secrets.Unprotect(Purpose(report.Id, "summary"), report.SummaryCipher),
            keys.Secrets.Unprotect(Purpose(report.Id, "body"), report.BodyCipher), subject, report.IdentityCipher is not null, await MessagesAsync(report, ct), files,
            report.IncidentId, report.ClosedAt, report.ClosedBy);
    }

    private static List<(string Name, string Type, byte[] Content)> CheckFiles(IReadOnlyList<WhistleFile>? files)
    {
        var result = new List<(string, string, byte[])>();
        foreach (var file in files ?? [])
        {
            if (file.Content.Length == 0)
            {
                continue;
            }

            if (result.Count == MaxFiles)
            {
                throw CustosException.Invalid("WhistleTooManyFiles", MaxFiles);
            }

            if (file.Content.Length > Web.Documents.Scans.MaxBytes)
            {
                throw CustosException.Invalid("WhistleFileTooLarge", Web.Documents.Scans.MaxBytes / 1024 / 1024);
            }

            var type = Web.Documents.Scans.TypeOf(file.Content) ?? throw CustosException.Invalid("WhistleFileType");
            // Never the reporter's file name (zhang.wei_scan names someone): a number, and the extension from the content.
            var name = $"attachment-{result.Count + 1}.{Web.Documents.Scans.Extension(type)}";
            result.Add((name, type, file.Content));
        }

        return result;
    }

    private static string Required(string? value, string field, int max, string label)
    {
        var text = TextInput.CleanOptional(value, field, multiline: true) ?? "";
        if (text.Length == 0)
        {
            throw CustosException.Invalid("Required", new TextKey(label));
        }

        return text.Length > max ? throw CustosException.Invalid("TooLong", max) : text;
    }

    private static string Purpose(Guid report, string part) => $"whistle:{report:N}:{part}";

    private static byte[] Hash(string secret, byte[] salt) => Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(secret), salt, Iterations, HashAlgorithmName.SHA256, 32);

    private static string Receipt()
    {
        var code = Base32(RandomNumberGenerator.GetBytes(8))[..12];
        return $"{code[..4]}-{code[4..8]}-{code[8..]}";
    }

    /// <summary>RFC 4648 base32 without padding: letters and digits people read and type without confusing 0 and O.</summary>
    private static string Base32(byte[] bytes)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var text = new StringBuilder();
        int buffer = 0, bits = 0;
        foreach (var b in bytes)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                text.Append(alphabet[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }

        if (bits > 0)
        {
            text.Append(alphabet[(buffer << (5 - bits)) & 31]);
        }

        return text.ToString();
    }
}

/// <summary>The hourly limits of one node, for everyone together: nothing about who asked is kept.</summary>
public sealed class WhistleLimits
{
    private readonly Lock gate = new();
    private readonly Queue<DateTimeOffset> reports = new();
    private readonly Queue<DateTimeOffset> followUps = new();

    public bool TakeReport(DateTimeOffset now, int perHour) => Take(reports, now, perHour);

    public bool TakeFollowUp(DateTimeOffset now, int perHour) => Take(followUps, now, perHour);

    private bool Take(Queue<DateTimeOffset> window, DateTimeOffset now, int perHour)
    {
        lock (gate)
        {
            while (window.Count > 0 && window.Peek() <= now.AddHours(-1))
            {
                window.Dequeue();
            }

            if (window.Count >= perHour)
            {
                return false;
            }

            window.Enqueue(now);
            return true;
        }
    }
}
