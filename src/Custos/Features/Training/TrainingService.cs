using System.Globalization;
using System.Security.Cryptography;
using Custos.Data;
using Custos.Features.Notifications;
using Custos.Features.People;
using Custos.Hosting;
using Custos.Security;
using Microsoft.EntityFrameworkCore;

namespace Custos.Features.Training;

public enum TrainingStanding
{
    Valid = 0,

    /// <summary>Valid, but runs out within <see cref="TrainingService.ReminderDays"/> days.</summary>
    ExpiringSoon = 1,
    Expired = 2,
    None = 3,
}

public sealed record CertificateView(string Serial, string Course, string CourseTitle, DateOnly IssuedOn, DateOnly ValidUntil, int Score);

public sealed record CourseView(
    string Code, string Title, int PassMark, int QuestionsPerExam, int TimeLimitMinutes, int ValidityDays, bool Required, int Questions,
    TrainingStanding Standing, CertificateView? Certificate, Guid? OpenAttempt, int Attempts, string? PdfSha256 = null);

public sealed record ExamQuestionView(Guid Id, int Number, QuestionKind Kind, string Text, IReadOnlyList<string> Options);

public sealed record ExamView(
    Guid Id, string Course, string CourseTitle, DateTimeOffset StartedAt, DateTimeOffset Deadline, int PassMark, AttemptStatus Status, IReadOnlyList<ExamQuestionView> Questions);

/// <summary>A question as marked, given back only after a pass (a failed attempt learns its score, never which answers were right).</summary>
public sealed record MarkedQuestion(int Number, string Text, bool Right, string? Explanation);

public sealed record ExamResult(Guid Id, int Correct, int Total, int Score, int PassMark, bool Passed, CertificateView? Certificate, IReadOnlyList<MarkedQuestion> Marked);

public sealed record TrainingResultRow(
    Guid PersonId, string UserName, string Name, string Departments, EmploymentStatus Employment, string Course, int Attempts, int? BestScore,
    DateTimeOffset? LastAttemptAt, DateOnly? ValidUntil, TrainingStanding Standing);

/// <param name="Options">For single and multiple choice: two to eight options, lettered A, B, C… in this order.</param>
/// <param name="Answer">Letters (<c>B</c>, <c>ACD</c>), or <c>T</c> / <c>F</c> for true/false.</param>
public sealed record NewQuestion(QuestionKind Kind, string? Text = null, IReadOnlyList<string>? Options = null, string? Answer = null, string? Explanation = null);

/// <summary>A question of a bank as its keeper sees it, with its answer.</summary>
public sealed record BankQuestionView(Guid Id, QuestionKind Kind, string Text, IReadOnlyList<string> Options, string Answer, string? Explanation, bool Active);

/// <summary>
/// Confidentiality training and examinations (PPL-2): courses with material, question banks, exams drawn at random
/// with a pass mark and a time limit, certificates valid for a period, reminders before they run out, and results per
/// person and department. A pass updates the person's <see cref="Person.TrainingValidUntil"/> in the same save — the
/// day until which every required course has a valid certificate — which the policy's <c>training</c> precondition
/// reads with the rest of the person.
/// </summary>
public sealed class TrainingService(CustosDbContext db, Callers callers, PolicyStore policy, ICurrentActor actor, IAuditTrail audit, Notifier notifier, CustosSettings settings, TimeProvider time)
{
    public const int MaxMaterial = 100_000;

    /// <summary>How many days before a certificate runs out its holder is reminded, and the register shows it as expiring.</summary>
    public const int ReminderDays = 30;

    /// <summary>Time allowed past the deadline for the answers to arrive.</summary>
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(30);

    /// <summary>How long after a failed attempt the next may start: study the material, do not fish for answers.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromMinutes(30);

    /// <summary>Attempts a person may start in one of the organisation's days, per course.</summary>
    public const int AttemptsPerDay = 3;

    /// <summary>The built-in course and its questions, installed the first time anyone asks.</summary>
    public async Task EnsureBuiltInAsync(CancellationToken ct)
    {
        if (await db.Set<Course>().AnyAsync(c => c.Code == BuiltInCourse.Code, ct))
        {
            return;
        }

        var now = time.GetUtcNow();
        var course = new Course { Id = Guid.CreateVersion7(now), Code = BuiltInCourse.Code, Title = BuiltInCourse.Title, Material = BuiltInCourse.Material.Trim(), CreatedAt = now };
        db.Set<Course>().Add(course);
        foreach (var item in BuiltInCourse.Questions)
        {
            db.Set<Question>().Add(Build(course.Id, new NewQuestion(item.Kind, item.Text, item.Options, item.Answer, item.Explanation), now));
        }

        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Another request installed it first (the code is unique).
            db.ChangeTracker.Clear();
        }
    }

    /// <summary>The courses with the caller's own standing in each.</summary>
    public async Task<IReadOnlyList<CourseView>> CoursesAsync(CancellationToken ct)
    {
        await EnsureBuiltInAsync(ct);
        var caller = await callers.CurrentAsync(ct);
        var today = caller.Engine.Today(time.GetUtcNow());
        var courses = await db.Set<Course>().AsNoTracking().OrderByDescending(c => c.Required).ThenBy(c => c.Code).ToListAsync(ct);
        var counts = await db.Set<Question>().Where(q => q.Active).GroupBy(q => q.CourseId).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count, ct);
        var certificates = await db.Set<TrainingCertificate>().AsNoTracking().Where(c => c.PersonId == caller.PersonId).ToListAsync(ct);
        var attempts = await db.Set<ExamAttempt>().AsNoTracking().Where(a => a.PersonId == caller.PersonId)
            .Select(a => new { a.Id, a.CourseId, a.Status, a.Deadline }).ToListAsync(ct);
        var now = time.GetUtcNow();
        var pdfs = await db.Set<CourseMaterialFile>().AsNoTracking().Select(f => new { f.CourseId, f.Sha256 }).ToDictionaryAsync(f => f.CourseId, f => f.Sha256, ct);
        return [.. courses.Select(c =>
        {
            var best = certificates.Where(x => x.CourseId == c.Id).MaxBy(x => x.ValidUntil);
            var open = attempts.FirstOrDefault(a => a.CourseId == c.Id && a.Status == AttemptStatus.Open && a.Deadline + Grace > now)?.Id;
            return new CourseView(c.Code, c.Title, c.PassMark, c.QuestionsPerExam, c.TimeLimitMinutes, c.ValidityDays, c.Required, counts.GetValueOrDefault(c.Id),
                Standing(best?.ValidUntil, today), best is null ? null : Certificate(best, c), open, attempts.Count(a => a.CourseId == c.Id), pdfs.GetValueOrDefault(c.Id));
        })];
    }

    /// <summary>A course's material, for anyone signed in.</summary>
    public async Task<(CourseView Course, string Material)> CourseAsync(string code, CancellationToken ct)
    {
        var view = (await CoursesAsync(ct)).FirstOrDefault(c => c.Code == code) ?? throw CustosException.NotFound("CourseNotFound");
        var material = await db.Set<Course>().Where(c => c.Code == code).Select(c => c.Material).SingleAsync(ct);
        return (view, material);
    }

    /// <summary>
    /// Starts the caller's exam in a course: questions drawn at random from the active bank, a deadline from the time
    /// limit. An exam still open is returned as it is, never drawn again. The person sits it themselves (not a token,
    /// not the command line).
    /// </summary>
    public async Task<ExamView> StartAsync(string code, CancellationToken ct)
    {
        var person = RequirePerson();
        await EnsureBuiltInAsync(ct);
        var course = await db.Set<Course>().AsNoTracking().SingleOrDefaultAsync(c => c.Code == code, ct) ?? throw CustosException.NotFound("CourseNotFound");
        var now = time.GetUtcNow();
        var attempts = await db.Set<ExamAttempt>()
            .Where(a => a.PersonId == person && a.CourseId == course.Id && (a.Status == AttemptStatus.Open || a.StartedAt > now.AddDays(-2))).ToListAsync(ct);
        if (attempts.FirstOrDefault(a => a.Status == AttemptStatus.Open && a.Deadline + Grace > now) is { } running)
        {
            return await ExamAsync(running.Id, ct);
        }

        // An attempt left open past its time counts as failed, like one handed in late.
        foreach (var stale in attempts.Where(a => a.Status == AttemptStatus.Open))
        {
            stale.Status = AttemptStatus.Expired;
            stale.Score = 0;
        }

        var engine = (await callers.CurrentAsync(ct)).Engine;
        var today = engine.Today(now);
        if (attempts.Count(a => engine.Today(a.StartedAt) == today) >= AttemptsPerDay)
        {
            await audit.RecordNowAsync(AuditActions.TrainingExamStart, "course", course.Code, AuditOutcome.Denied, new { reason = "daily-limit" }, ct);
            throw CustosException.Conflict("ExamDailyLimit", AttemptsPerDay);
        }

        if (attempts.Where(a => a.Status != AttemptStatus.Open && !a.Passed).MaxBy(a => a.SubmittedAt ?? a.Deadline) is { } lastFail
            && (lastFail.SubmittedAt ?? lastFail.Deadline) + RetryAfter > now)
        {
            await audit.RecordNowAsync(AuditActions.TrainingExamStart, "course", course.Code, AuditOutcome.Denied, new { reason = "retry-later" }, ct);
            throw CustosException.Conflict("ExamRetryLater", (lastFail.SubmittedAt ?? lastFail.Deadline).Add(RetryAfter).ToOffset(engine.Document.UtcOffset).ToString("HH:mm", CultureInfo.InvariantCulture));
        }

        var bank = await db.Set<Question>().Where(q => q.CourseId == course.Id && q.Active).Select(q => new { q.Id, q.Kind, q.Options }).ToArrayAsync(ct);
        if (bank.Length < Math.Min(course.QuestionsPerExam, 5))
        {
            throw CustosException.Conflict("CourseHasTooFewQuestions", bank.Length);
        }

        // Which questions, and each question's options in an order of its own (CSPRNG): letters learnt in one attempt mean nothing in the next.
        RandomNumberGenerator.Shuffle(bank.AsSpan());
        var drawn = bank.Take(course.QuestionsPerExam).ToList();
        var attempt = new ExamAttempt
        {
            Id = Guid.CreateVersion7(now),
            PersonId = person,
            CourseId = course.Id,
            StartedAt = now,
            Deadline = now.AddMinutes(course.TimeLimitMinutes),
            QuestionIds = string.Join(',', drawn.Select(q => q.Id)),
            OptionOrders = string.Join(',', drawn.Select(q => q.Kind == QuestionKind.TrueFalse ? "" : Permutation(q.Options.Split('\n').Length))),
            Status = AttemptStatus.Open,
            PassMark = course.PassMark,
        };
        db.Set<ExamAttempt>().Add(attempt);
        audit.Record(AuditActions.TrainingExamStart, "exam", attempt.Id.ToString(), detail: new { course = course.Code, questions = drawn.Count, deadline = attempt.Deadline });
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (Exception e) when (e is DbUpdateConcurrencyException || e is Audit.AuditWriteException { IsUniqueViolation: true })
        {
            // Started twice at the same moment: one open attempt per person and course (a unique index); use the one that won.
            db.ChangeTracker.Clear();
            var winner = await db.Set<ExamAttempt>().AsNoTracking().Where(a => a.PersonId == person && a.CourseId == course.Id && a.Status == AttemptStatus.Open)
                .Select(a => (Guid?)a.Id).FirstOrDefaultAsync(ct);
            if (winner is null)
            {
                throw;
            }

            return await ExamAsync(winner.Value, ct);
        }

        return await ExamAsync(attempt.Id, ct);
    }

    /// <summary>The caller's own exam, questions without their answers; anyone else's does not exist.</summary>
    public async Task<ExamView> ExamAsync(Guid id, CancellationToken ct)
    {
        var attempt = await OwnAttemptAsync(id, AuditActions.TrainingExamStart, ct);
        var course = await db.Set<Course>().AsNoTracking().SingleAsync(c => c.Id == attempt.CourseId, ct);
        var questions = await QuestionsOfAsync(attempt, ct);
        var orders = Orders(attempt);
        return new ExamView(attempt.Id, course.Code, course.Title, attempt.StartedAt, attempt.Deadline, attempt.PassMark, attempt.Status,
            [.. questions.Select((q, i) => new ExamQuestionView(q.Id, i + 1, q.Kind, q.Text, [.. orders[i].Select(o => q.OptionList[o])]))]);
    }

    /// <summary>
    /// Marks the caller's answers: once (a second submission is a conflict), in time (after the deadline and its
    /// grace the attempt is closed as expired and counts as failed), and only the caller's own exam. A pass gives a
    /// certificate and renews the person's training standing in the same save.
    /// </summary>
    public async Task<ExamResult> SubmitAsync(Guid id, IReadOnlyDictionary<Guid, string> answers, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(answers);
        RequirePerson();
        var snapshot = await OwnAttemptAsync(id, AuditActions.TrainingExamSubmit, ct);
        var attempt = await db.Set<ExamAttempt>().SingleAsync(a => a.Id == snapshot.Id, ct);
        if (attempt.Status != AttemptStatus.Open)
        {
            await audit.RecordNowAsync(AuditActions.TrainingExamSubmit, "exam", id.ToString(), AuditOutcome.Denied, new { reason = "already-" + attempt.Status.ToString().ToLowerInvariant() }, ct);
            throw CustosException.Conflict("ExamAlreadySubmitted");
        }

        var now = time.GetUtcNow();
        var course = await db.Set<Course>().AsNoTracking().SingleAsync(c => c.Id == attempt.CourseId, ct);
        if (now > attempt.Deadline + Grace)
        {
            attempt.Status = AttemptStatus.Expired;
            attempt.SubmittedAt = now;
            attempt.Score = 0;
            audit.Record(AuditActions.TrainingExamSubmit, "exam", id.ToString(), AuditOutcome.Denied, new { reason = "time-up", course = course.Code, deadline = attempt.Deadline });
            await SaveOnceAsync(id, ct);
            throw CustosException.Conflict("ExamTimeUp");
        }

        var questions = await QuestionsOfAsync(attempt, ct);
        var orders = Orders(attempt);
        var marked = new List<MarkedQuestion>(questions.Count);
        var given = new List<string>(questions.Count);
        foreach (var (q, i) in questions.Select((q, i) => (q, i)))
        {
            // The letters the person chose are positions in the order they were shown: back to the bank's letters.
            // An answer this question cannot have (a letter past its options, two for one) is simply wrong.
            var shown = answers.TryGetValue(q.Id, out var a) ? NormaliseAnswer(a, q.Kind, q.OptionList.Count) ?? "" : "";
            var answer = q.Kind == QuestionKind.TrueFalse ? shown
                : new string([.. shown.Select(c => (char)('A' + orders[i][c - 'A'])).Order()]);
            given.Add(answer);
            marked.Add(new MarkedQuestion(i + 1, q.Text, answer == q.Answer, q.Explanation));
        }

        var correct = marked.Count(m => m.Right);
        var score = questions.Count == 0 ? 0 : correct * 100 / questions.Count;
        attempt.Status = AttemptStatus.Submitted;
        attempt.SubmittedAt = now;
        attempt.Answers = string.Join('\n', questions.Select((q, i) => q.Id + "=" + given[i]));
        attempt.Correct = correct;
        attempt.Score = score;
        attempt.Passed = score >= attempt.PassMark;
        TrainingCertificate? certificate = null;
        if (attempt.Passed)
        {
            var today = (await callers.CurrentAsync(ct)).Engine.Today(now);
            certificate = new TrainingCertificate
            {
                Id = Guid.CreateVersion7(now),
                Serial = $"PX-{today:yyyyMMdd}-{Convert.ToHexString(RandomNumberGenerator.GetBytes(4))}",
                PersonId = attempt.PersonId,
                CourseId = course.Id,
                AttemptId = attempt.Id,
                Score = score,
                IssuedOn = today,
                ValidUntil = today.AddDays(course.ValidityDays),
            };
            db.Set<TrainingCertificate>().Add(certificate);
            var person = await db.Users.SingleAsync(p => p.Id == attempt.PersonId, ct);
            person.TrainingValidUntil = await ValidUntilAsync(person.Id, certificate, ct);
        }

        audit.Record(AuditActions.TrainingExamSubmit, "exam", id.ToString(), detail: new
        {
            course = course.Code, correct, total = questions.Count, score, passMark = attempt.PassMark, passed = attempt.Passed, certificate = certificate?.Serial,
        });
        await SaveOnceAsync(id, ct);
        return new ExamResult(attempt.Id, correct, questions.Count, score, attempt.PassMark, attempt.Passed, certificate is null ? null : Certificate(certificate, course),
            attempt.Passed ? marked : []);
    }

    /// <summary>The largest course PDF accepted.</summary>
    public const int MaxPdfBytes = 20 * 1024 * 1024;

    /// <summary>Puts a PDF as a course's material (the compliance officer); a new upload replaces the old, recorded with both hashes.</summary>
    public async Task<string> SetPdfAsync(string code, byte[] content, string? fileName, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(content);
        await RequireManagerAsync(AuditActions.TrainingMaterial, ct);
        await EnsureBuiltInAsync(ct);
        var course = await db.Set<Course>().AsNoTracking().SingleOrDefaultAsync(c => c.Code == code, ct) ?? throw CustosException.NotFound("CourseNotFound");
        // A PDF by its signature, not by its name or the type the browser claims.
        if (content.Length is < 8 or > MaxPdfBytes || !content.AsSpan(0, 5).SequenceEqual("%PDF-"u8))
        {
            throw CustosException.Invalid("CoursePdf", MaxPdfBytes / 1024 / 1024);
        }

        // The last part of the name, whichever separator the sender's system used, and always a .pdf.
        var last = (TextInput.CleanOptional(fileName, "fileName") ?? "").Split('/', '\\').Last().Trim();
        var name = last.Length is > 0 and <= 196 && !last.StartsWith('.') ? (last.EndsWith(".pdf", StringComparison.OrdinalIgnoreCase) ? last : last + ".pdf") : course.Code + ".pdf";
        var sha = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(content));
        var file = await db.Set<CourseMaterialFile>().SingleOrDefaultAsync(f => f.CourseId == course.Id, ct);
        var before = file?.Sha256;
        if (file is null)
        {
            file = new CourseMaterialFile { CourseId = course.Id };
            db.Set<CourseMaterialFile>().Add(file);
        }

        file.FileName = name;
        file.Content = content;
        file.Sha256 = sha;
        file.UploadedAt = time.GetUtcNow();
        file.UploadedByName = (await callers.CurrentAsync(ct)).Name;
        audit.Record(AuditActions.TrainingMaterial, "course", course.Code, detail: new { before, after = sha, bytes = content.Length });
        await db.SaveChangesAsync(ct);
        return sha;
    }

    /// <summary>A course's PDF material, for anyone signed in (404 when it has none).</summary>
    public async Task<(byte[] Content, string FileName)> PdfAsync(string code, CancellationToken ct)
    {
        var file = await (from f in db.Set<CourseMaterialFile>() join c in db.Set<Course>() on f.CourseId equals c.Id where c.Code == code select f).AsNoTracking().SingleOrDefaultAsync(ct)
            ?? throw CustosException.NotFound("CoursePdfNotFound");
        return (file.Content, file.FileName);
    }

    /// <summary>A course's question bank with the answers, for the compliance officer who keeps it (the reading is recorded).</summary>
    public async Task<IReadOnlyList<BankQuestionView>> BankAsync(string code, CancellationToken ct)
    {
        await RequireManagerAsync(AuditActions.TrainingBankRead, ct);
        await EnsureBuiltInAsync(ct);
        var course = await db.Set<Course>().AsNoTracking().SingleOrDefaultAsync(c => c.Code == code, ct) ?? throw CustosException.NotFound("CourseNotFound");
        var questions = await db.Set<Question>().AsNoTracking().Where(q => q.CourseId == course.Id).OrderBy(q => q.CreatedAt).ThenBy(q => q.Id).ToListAsync(ct);
        audit.Record(AuditActions.TrainingBankRead, "course", course.Code, detail: new { questions = questions.Count });
        await db.SaveChangesAsync(ct);
        return [.. questions.Select(q => new BankQuestionView(q.Id, q.Kind, q.Text, q.OptionList, q.Answer, q.Explanation, q.Active))];
    }

    /// <summary>Adds questions to a course's bank (the compliance officer); each checked, all or none.</summary>
    public async Task<int> AddQuestionsAsync(string code, IReadOnlyList<NewQuestion> items, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(items);
        await RequireManagerAsync(AuditActions.TrainingQuestionsAdd, ct);
        await EnsureBuiltInAsync(ct);
        var course = await db.Set<Course>().AsNoTracking().SingleOrDefaultAsync(c => c.Code == code, ct) ?? throw CustosException.NotFound("CourseNotFound");
        if (items.Count is 0 or > 500)
        {
            throw CustosException.Invalid("QuestionCount", 500);
        }

        var now = time.GetUtcNow();
        for (var i = 0; i < items.Count; i++)
        {
            try
            {
                db.Set<Question>().Add(Build(course.Id, items[i], now));
            }
            catch (CustosException e)
            {
                throw new CustosException(e.Kind, "QuestionInvalid", i + 1, new TextKey("Error." + e.Code));
            }
        }

        audit.Record(AuditActions.TrainingQuestionsAdd, "course", course.Code, detail: new { added = items.Count });
        await db.SaveChangesAsync(ct);
        return items.Count;
    }

    /// <summary>Results per person (PPL-2), for performance reviews: the compliance officer and auditors see everyone, a department head their departments.</summary>
    public async Task<IReadOnlyList<TrainingResultRow>> ResultsAsync(CancellationToken ct) => await ResultsAsync(AuditActions.TrainingResults, null, ct);

    public async Task<(byte[] Content, string ContentType, string FileName)> ExportResultsAsync(string format, Microsoft.Extensions.Localization.IStringLocalizer text, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(text);
        format = Web.Documents.RegisterDocument.CheckFormat(format);

        var rows = await ResultsAsync(AuditActions.TrainingExport, format, ct);
        var caller = await callers.CurrentAsync(ct);
        var now = time.GetUtcNow();
        string Day(DateOnly? d) => d?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "";
        var table = new Web.Documents.RegisterTable(
            text["Training.Results.Title"],
            text["Training.Results.Caption", now.ToOffset(caller.Engine.Document.UtcOffset).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture), rows.Select(r => r.PersonId).Distinct().Count()],
            [text["Register.Col.User"], text["Register.Col.Name"], text["Label.Department"], text["Register.Col.Employment"], text["Training.Col.Course"],
             text["Training.Col.Attempts"], text["Training.Col.Best"], text["Training.Col.Last"], text["Training.Col.ValidUntil"], text["Training.Col.Standing"]],
            [.. rows.Select(r => (IReadOnlyList<string>)[
                r.UserName, r.Name, r.Departments, text["Status." + r.Employment], r.Course, r.Attempts.ToString(CultureInfo.InvariantCulture),
                r.BestScore?.ToString(CultureInfo.InvariantCulture) ?? "", r.LastAttemptAt is { } l ? Day(DateOnly.FromDateTime(l.ToOffset(caller.Engine.Document.UtcOffset).DateTime)) : "",
                Day(r.ValidUntil), text["Training.Standing." + r.Standing]])]);
        return Web.Documents.RegisterDocument.Write(table, format, settings.Copies.PrintFont, text["Register.Page"], "training-results", now);
    }

    /// <summary>
    /// Tells each holder whose newest certificate of a required course runs out within <see cref="ReminderDays"/>
    /// days, once per certificate; returns how many were told.
    /// </summary>
    public async Task<int> RemindExpiringAsync(CancellationToken ct)
    {
        var engine = await policy.CurrentAsync(db, ct);
        var today = engine.Today(time.GetUtcNow());
        var soon = today.AddDays(ReminderDays);
        var due = await (from c in db.Set<TrainingCertificate>()
                         join course in db.Set<Course>() on c.CourseId equals course.Id
                         where course.Required && c.RemindedAt == null && c.ValidUntil <= soon && c.ValidUntil >= today
                            && !db.Set<TrainingCertificate>().Any(n => n.PersonId == c.PersonId && n.CourseId == c.CourseId && n.ValidUntil > c.ValidUntil)
                            && db.Users.Any(p => p.Id == c.PersonId && p.EmploymentStatus == EmploymentStatus.Active)
                         select new { c.Id, c.PersonId, c.ValidUntil, course.Title }).AsNoTracking().Take(1000).ToListAsync(ct);
        var now = time.GetUtcNow();
        var reminded = 0;
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        foreach (var d in due)
        {
            // Claimed row by row: when the worker on another node (or a second run here) got there first, nobody is told twice.
            var claimed = await db.Set<TrainingCertificate>().Where(c => c.Id == d.Id && c.RemindedAt == null)
                .ExecuteUpdateAsync(c => c.SetProperty(x => x.RemindedAt, now), ct);
            if (claimed == 1)
            {
                notifier.Add([d.PersonId], "Notify.TrainingExpiring", null, d.Title, d.ValidUntil.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                reminded++;
            }
        }

        if (reminded > 0)
        {
            audit.Record(AuditActions.TrainingRemind, "training", null, detail: new { reminded });
            await db.SaveChangesAsync(ct);
        }

        await tx.CommitAsync(ct);
        return reminded;
    }

    public static TrainingStanding Standing(DateOnly? validUntil, DateOnly today) =>
        validUntil is not { } until ? TrainingStanding.None
        : until < today ? TrainingStanding.Expired
        : until <= today.AddDays(ReminderDays) ? TrainingStanding.ExpiringSoon
        : TrainingStanding.Valid;

    /// <summary>Letters in order without repeats (or T/F); null when the answer is not one this question can have.</summary>
    internal static string? NormaliseAnswer(string? answer, QuestionKind kind, int options)
    {
        var letters = new string([.. (answer ?? "").ToUpperInvariant().Where(char.IsAsciiLetterUpper).Distinct().Order()]);
        if (kind == QuestionKind.TrueFalse)
        {
            return letters is "T" or "F" ? letters : null;
        }

        if (letters.Length == 0 || letters.Any(c => c - 'A' >= options) || (kind == QuestionKind.Single && letters.Length != 1))
        {
            return null;
        }

        return letters;
    }

    private Question Build(Guid course, NewQuestion item, DateTimeOffset now)
    {
        if (!Enum.IsDefined(item.Kind))
        {
            throw CustosException.Invalid("QuestionKind");
        }

        var text = TextInput.Clean(item.Text, "text", multiline: true);
        if (text.Length is < 4 or > 1000)
        {
            throw CustosException.Invalid("QuestionText");
        }

        var options = (item.Options ?? []).Select(o => TextInput.Clean(o, "options")).ToList();
        if (item.Kind == QuestionKind.TrueFalse ? options.Count != 0 : options.Count is < 2 or > 8 || options.Any(o => o.Length is 0 or > 300))
        {
            throw CustosException.Invalid("QuestionOptions");
        }

        var answer = NormaliseAnswer(item.Answer, item.Kind, options.Count) ?? throw CustosException.Invalid("QuestionAnswer");
        if (item.Kind == QuestionKind.Multiple && answer.Length < 2)
        {
            throw CustosException.Invalid("QuestionAnswer");
        }

        return new Question
        {
            Id = Guid.CreateVersion7(now),
            CourseId = course,
            Kind = item.Kind,
            Text = text,
            Options = string.Join('\n', options),
            Answer = answer,
            Explanation = TextInput.CleanOptional(item.Explanation, "explanation", multiline: true) is { Length: > 0 } e ? (e.Length <= 1000 ? e : e[..1000]) : null,
            CreatedAt = now,
        };
    }

    private async Task<IReadOnlyList<TrainingResultRow>> ResultsAsync(string action, string? format, CancellationToken ct)
    {
        var caller = await callers.CurrentAsync(ct);
        var scope = await PeopleRegisterScope.RequireAsync(caller, audit, action, "training", "MayNotReadTraining", ct);
        await EnsureBuiltInAsync(ct);
        var people = await scope.People(db).Select(p => new { p.Id, p.UserName, p.DisplayName, p.EmploymentStatus }).ToListAsync(ct);
        var ids = people.Select(p => p.Id).ToList();
        var courses = await db.Set<Course>().AsNoTracking().Where(c => c.Required).OrderBy(c => c.Code).ToListAsync(ct);
        var attempts = (await db.Set<ExamAttempt>().AsNoTracking().Where(a => ids.Contains(a.PersonId) && a.Status != AttemptStatus.Open)
            .Select(a => new { a.PersonId, a.CourseId, a.Score, a.SubmittedAt }).ToListAsync(ct)).ToLookup(a => (a.PersonId, a.CourseId));
        var certificates = (await db.Set<TrainingCertificate>().AsNoTracking().Where(c => ids.Contains(c.PersonId))
            .Select(c => new { c.PersonId, c.CourseId, c.ValidUntil }).ToListAsync(ct)).ToLookup(c => (c.PersonId, c.CourseId));
        var departments = await PeopleRegisterScope.DepartmentNamesAsync(db, ids, ct);
        var today = caller.Engine.Today(time.GetUtcNow());
        var rows = (from p in people
                    from c in courses
                    let tries = attempts[(p.Id, c.Id)].ToList()
                    let until = certificates[(p.Id, c.Id)].Select(x => (DateOnly?)x.ValidUntil).Max()
                    select new TrainingResultRow(
                        p.Id, p.UserName ?? "", p.DisplayName, departments(p.Id), p.EmploymentStatus, c.Title,
                        tries.Count, tries.Max(t => t.Score), tries.Max(t => t.SubmittedAt), until, Standing(until, today))).ToList();
        audit.Record(action, "training", null, detail: new { people = people.Count, everyone = scope.Everyone, format });
        await db.SaveChangesAsync(ct);
        return rows;
    }

    /// <summary>The day until which every required course has a valid certificate, counting <paramref name="added"/> (not yet saved); null if one has none.</summary>
    private async Task<DateOnly?> ValidUntilAsync(Guid person, TrainingCertificate added, CancellationToken ct)
    {
        var required = await db.Set<Course>().Where(c => c.Required).Select(c => c.Id).ToListAsync(ct);
        var held = await db.Set<TrainingCertificate>().Where(c => c.PersonId == person && required.Contains(c.CourseId))
            .GroupBy(c => c.CourseId).Select(g => new { g.Key, Until = g.Max(c => c.ValidUntil) }).ToDictionaryAsync(g => g.Key, g => g.Until, ct);
        if (required.Contains(added.CourseId) && (!held.TryGetValue(added.CourseId, out var before) || before < added.ValidUntil))
        {
            held[added.CourseId] = added.ValidUntil;
        }

        return required.Count > 0 && required.All(held.ContainsKey) ? required.Min(c => held[c]) : null;
    }

    private async Task<ExamAttempt> OwnAttemptAsync(Guid id, string action, CancellationToken ct)
    {
        var person = Guid.TryParse(actor.Id, out var p) ? p : Guid.Empty;
        var attempt = await db.Set<ExamAttempt>().AsNoTracking().SingleOrDefaultAsync(a => a.Id == id, ct);
        if (attempt is null || attempt.PersonId != person)
        {
            await audit.RecordNowAsync(action, "exam", id.ToString(), AuditOutcome.Denied, new { reason = attempt is null ? "not-found" : "not-own" }, ct);
            throw CustosException.NotFound("ExamNotFound");
        }

        return attempt;
    }

    private async Task<List<Question>> QuestionsOfAsync(ExamAttempt attempt, CancellationToken ct)
    {
        var ids = attempt.QuestionIds.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(Guid.Parse).ToList();
        var found = await db.Set<Question>().AsNoTracking().Where(q => ids.Contains(q.Id)).ToDictionaryAsync(q => q.Id, ct);
        // Questions are retired, never deleted: each drawn one is there, in the place it was shown (its options' order is kept by that place).
        return ids.All(found.ContainsKey) ? [.. ids.Select(i => found[i])] : throw new InvalidOperationException($"A question of exam {attempt.Id} is missing from the bank.");
    }

    /// <summary>A random order of <paramref name="count"/> options, as their indexes in hex digits (at most eight options).</summary>
    private static string Permutation(int count)
    {
        var order = Enumerable.Range(0, count).ToArray();
        RandomNumberGenerator.Shuffle(order.AsSpan());
        return string.Concat(order.Select(i => i.ToString("x", CultureInfo.InvariantCulture)));
    }

    /// <summary>For each question of the attempt, the bank's index of the option shown at each position.</summary>
    private static int[][] Orders(ExamAttempt attempt) =>
        [.. attempt.OptionOrders.Split(',').Select(o => o.Select(c => Convert.ToInt32(c.ToString(), 16)).ToArray())];

    /// <summary>Saves an attempt's outcome only if it was still open when read: two submissions racing, one wins.</summary>
    private async Task SaveOnceAsync(Guid attempt, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (Exception e) when (e is DbUpdateConcurrencyException || e is Audit.AuditWriteException { IsUniqueViolation: true })
        {
            // The other hand-in won: nothing of this one was saved; its refusal is recorded on its own.
            db.ChangeTracker.Clear();
            await audit.RecordNowAsync(AuditActions.TrainingExamSubmit, "exam", attempt.ToString(), AuditOutcome.Denied, new { reason = "already-submitted" }, ct);
            throw CustosException.Conflict("ExamAlreadySubmitted");
        }
    }

    private Guid RequirePerson() =>
        actor.ViaToken || actor.FromCommandLine || !Guid.TryParse(actor.Id, out var person)
            ? throw new CustosException(CustosError.Forbidden, "ExamInPerson")
            : person;

    private async Task RequireManagerAsync(string action, CancellationToken ct)
    {
        var caller = await callers.CurrentAsync(ct);
        if (!caller.Subject.Roles.Contains(Roles.ComplianceOfficer) || !caller.Subject.Active || actor.FromCommandLine)
        {
            await audit.RecordNowAsync(action, "training", null, AuditOutcome.Denied, new { reason = "role" }, ct);
            throw new CustosException(CustosError.Forbidden, "MayNotManageTraining");
        }
    }

    private static CertificateView Certificate(TrainingCertificate c, Course course) => new(c.Serial, course.Code, course.Title, c.IssuedOn, c.ValidUntil, c.Score);
}
