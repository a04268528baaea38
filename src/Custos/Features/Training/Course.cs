using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Custos.Features.Training;

/// <summary>A confidentiality course (PPL-2): its material, how its exam is drawn and marked, how long a pass counts.</summary>
public sealed class Course
{
    public Guid Id { get; set; }

    /// <summary>A short stable name (<c>confidentiality</c>), used in addresses and commands.</summary>
    public string Code { get; set; } = "";

    public string Title { get; set; } = "";

    /// <summary>The material as Markdown (shown without raw HTML).</summary>
    public string Material { get; set; } = "";

    /// <summary>The share of questions to answer right, in percent.</summary>
    public int PassMark { get; set; } = 80;

    public int QuestionsPerExam { get; set; } = 20;

    public int TimeLimitMinutes { get; set; } = 30;

    /// <summary>How long a certificate counts (default a year).</summary>
    public int ValidityDays { get; set; } = 365;

    /// <summary>Whether passing it is what the policy's <c>training</c> precondition asks for.</summary>
    public bool Required { get; set; } = true;

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A course's material as a PDF (PPL-2), beside or instead of its Markdown: the file as uploaded, with its SHA-256.</summary>
public sealed class CourseMaterialFile
{
    public Guid CourseId { get; set; }

    public string FileName { get; set; } = "";

    public byte[] Content { get; set; } = [];

    public string Sha256 { get; set; } = "";

    public DateTimeOffset UploadedAt { get; set; }

    public string UploadedByName { get; set; } = "";
}

internal sealed class CourseMaterialFileMapping : IEntityTypeConfiguration<CourseMaterialFile>
{
    public void Configure(EntityTypeBuilder<CourseMaterialFile> e)
    {
        ArgumentNullException.ThrowIfNull(e);
        e.HasKey(f => f.CourseId);
        e.Property(f => f.FileName).HasMaxLength(200);
        e.Property(f => f.Sha256).HasMaxLength(64);
        e.Property(f => f.UploadedByName).HasMaxLength(256);
        e.HasOne<Course>().WithMany().HasForeignKey(f => f.CourseId).OnDelete(DeleteBehavior.Cascade);
    }
}

public enum QuestionKind
{
    /// <summary>One right option.</summary>
    Single = 0,

    /// <summary>Every right option and no other.</summary>
    Multiple = 1,

    /// <summary>True or false.</summary>
    TrueFalse = 2,
}

/// <summary>A question of a course's bank. Retired questions stay for the attempts that drew them.</summary>
public sealed class Question
{
    public Guid Id { get; set; }

    public Guid CourseId { get; set; }

    public QuestionKind Kind { get; set; }

    public string Text { get; set; } = "";

    /// <summary>The options, one per line (none for true/false); they are lettered A, B, C… in this order.</summary>
    public string Options { get; set; } = "";

    /// <summary>The right answer as letters in order (<c>B</c>, <c>ACD</c>), or <c>T</c> / <c>F</c>.</summary>
    public string Answer { get; set; } = "";

    public string? Explanation { get; set; }

    public bool Active { get; set; } = true;

    public DateTimeOffset CreatedAt { get; set; }

    public IReadOnlyList<string> OptionList => Kind == QuestionKind.TrueFalse ? [] : Options.Split('\n');
}

public enum AttemptStatus
{
    Open = 0,
    Submitted = 1,

    /// <summary>Submitted after the time limit, or never: it counts as failed.</summary>
    Expired = 2,
}

/// <summary>One sitting of a course's exam by one person: the questions drawn, when, the answers and the mark.</summary>
public sealed class ExamAttempt
{
    public Guid Id { get; set; }

    public Guid PersonId { get; set; }

    public Guid CourseId { get; set; }

    public DateTimeOffset StartedAt { get; set; }

    public DateTimeOffset Deadline { get; set; }

    /// <summary>The questions drawn, in the order shown (ids separated by commas).</summary>
    public string QuestionIds { get; set; } = "";

    /// <summary>For each question drawn, the order its options were shown in (the bank's indexes as hex digits; empty for true/false).</summary>
    public string OptionOrders { get; set; } = "";

    public AttemptStatus Status { get; set; }

    public DateTimeOffset? SubmittedAt { get; set; }

    /// <summary>The answers given, as <c>id=letters</c> lines.</summary>
    public string? Answers { get; set; }

    public int? Correct { get; set; }

    /// <summary>Percent of questions answered right.</summary>
    public int? Score { get; set; }

    public bool Passed { get; set; }

    public int PassMark { get; set; }
}

/// <summary>A pass (PPL-2): valid from the day of the exam for the course's validity period.</summary>
public sealed class TrainingCertificate
{
    public Guid Id { get; set; }

    /// <summary>A number to quote on paper: <c>PX-yyyyMMdd-xxxxxxxx</c>.</summary>
    public string Serial { get; set; } = "";

    public Guid PersonId { get; set; }

    public Guid CourseId { get; set; }

    public Guid AttemptId { get; set; }

    public int Score { get; set; }

    public DateOnly IssuedOn { get; set; }

    public DateOnly ValidUntil { get; set; }

    /// <summary>When the holder was reminded that it is about to run out.</summary>
    public DateTimeOffset? RemindedAt { get; set; }
}

internal sealed class CourseMapping : IEntityTypeConfiguration<Course>
{
    public void Configure(EntityTypeBuilder<Course> e)
    {
        ArgumentNullException.ThrowIfNull(e);
        e.Property(c => c.Code).HasMaxLength(40);
        e.Property(c => c.Title).HasMaxLength(200);
        e.Property(c => c.Material).HasMaxLength(TrainingService.MaxMaterial);
        e.HasIndex(c => c.Code).IsUnique();
    }
}

internal sealed class QuestionMapping : IEntityTypeConfiguration<Question>
{
    public void Configure(EntityTypeBuilder<Question> e)
    {
        ArgumentNullException.ThrowIfNull(e);
        e.Property(q => q.Kind).HasConversion<string>().HasMaxLength(16);
        e.Property(q => q.Text).HasMaxLength(1000);
        e.Property(q => q.Options).HasMaxLength(4000);
        e.Property(q => q.Answer).HasMaxLength(8);
        e.Property(q => q.Explanation).HasMaxLength(1000);
        e.Ignore(q => q.OptionList);
        e.HasIndex(q => q.CourseId);
        e.HasOne<Course>().WithMany().HasForeignKey(q => q.CourseId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class ExamAttemptMapping : IEntityTypeConfiguration<ExamAttempt>
{
    public void Configure(EntityTypeBuilder<ExamAttempt> e)
    {
        ArgumentNullException.ThrowIfNull(e);
        e.Property(a => a.Status).HasConversion<string>().HasMaxLength(16).IsConcurrencyToken(); // two submissions racing: one wins
        e.Property(a => a.QuestionIds).HasMaxLength(8000);
        e.Property(a => a.Answers).HasMaxLength(8000);
        e.Property(a => a.OptionOrders).HasMaxLength(2000);
        e.HasIndex(a => new { a.PersonId, a.CourseId });

        // One open attempt per person and course: two starts at the same moment cannot draw two exams.
        e.HasIndex(a => new { a.PersonId, a.CourseId, a.Status }).IsUnique().HasFilter("\"Status\" = 'Open'").HasDatabaseName("IX_ExamAttempts_OneOpen");
        e.HasOne<Course>().WithMany().HasForeignKey(a => a.CourseId).OnDelete(DeleteBehavior.Restrict);
        e.HasOne<People.Person>().WithMany().HasForeignKey(a => a.PersonId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class TrainingCertificateMapping : IEntityTypeConfiguration<TrainingCertificate>
{
    public void Configure(EntityTypeBuilder<TrainingCertificate> e)
    {
        ArgumentNullException.ThrowIfNull(e);
        e.Property(c => c.Serial).HasMaxLength(40);
        e.HasIndex(c => c.Serial).IsUnique();
        e.HasIndex(c => new { c.PersonId, c.CourseId });
        e.HasIndex(c => c.AttemptId).IsUnique();
        e.HasIndex(c => c.ValidUntil);
        e.HasOne<Course>().WithMany().HasForeignKey(c => c.CourseId).OnDelete(DeleteBehavior.Restrict);
        e.HasOne<People.Person>().WithMany().HasForeignKey(c => c.PersonId).OnDelete(DeleteBehavior.Restrict);
    }
}
