using Custos.Security;
using Custos.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
namespace Custos.Features.Audit;

/// <summary>
/// One recorded operation. Written through <see cref="IAuditTrail"/> in the same database transaction as
/// the change it describes (AUD-1). The sequencer then gives it a place in the tamper-evident Merkle log; no
/// protected value is ever stored here.
/// </summary>
[Contract]
public sealed class AuditRecord
{
    public long Id { get; set; }

    public DateTimeOffset At { get; set; }

    /// <summary>Who did it: a person's id, <c>token:{id}</c> for an API token, or <c>system</c>.</summary>
    public string ActorId { get; set; } = "";

    public string ActorName { get; set; } = "";

    /// <summary>Whom the actor acted for (a delegate approving for someone away), if anyone.</summary>
    public string? ActingAs { get; set; }

    public string? ClientAddress { get; set; }

    /// <summary>Dotted action name, e.g. <c>person.roles.change</c>.</summary>
    public string Action { get; set; } = "";

    public string TargetType { get; set; } = "";

    public string? TargetId { get; set; }

    /// <summary>The stated purpose, where the action needs one (a reveal, an export).</summary>
    public string? Purpose { get; set; }

    public AuditOutcome Outcome { get; set; }

    /// <summary>JSON with the before and after state of the change, or the reason of a denial.</summary>
    public string? Detail { get; set; }

    /// <summary>The entry's place in the Merkle log, given by the sequencer after the entry is committed; null until then.</summary>
    public long? Sequence { get; set; }

    /// <summary>SHA-256(0x00 ‖ entry) as the sequencer computed it. Verification recomputes it and never trusts it.</summary>
    public byte[]? LeafHash { get; set; }

    /// <summary>The entry as the Merkle tree sees it, at its sequence number.</summary>
    public Kernel.Audit.LogEntry ToLogEntry(long sequence) =>
        new(sequence, At, ActorId, ActorName, ActingAs, ClientAddress, Action, TargetType, TargetId, Purpose, OutcomeName(Outcome), Detail);

    public static string OutcomeName(AuditOutcome outcome) => outcome switch
    {
        AuditOutcome.Success => "success",
        AuditOutcome.Denied => "denied",
        AuditOutcome.Failed => "failed",
        _ => throw new ArgumentOutOfRangeException(nameof(outcome)),
    };
}

/// <summary>
/// An operation was refused because its audit entry could not be written (AUD-1, fail-closed). Nothing of the
/// operation was stored. The message names no value; the cause is kept for the server log. A contract: a room whose
/// rows carry a unique rule (one version number, one open exam) tells a race it lost from a failing store.
/// </summary>
[Contract]
public sealed class AuditWriteException(Exception cause)
    : Exception("The operation was not carried out because its audit entry could not be written.", cause)
{
    /// <summary>Whether the save was refused because a row broke a unique rule (PostgreSQL 23505, SQLite's unique or primary key constraint).</summary>
    public bool IsUniqueViolation
    {
        get
        {
            for (Exception? e = InnerException; e is not null; e = e.InnerException)
            {
                if (e is Npgsql.PostgresException { SqlState: "23505" } or Microsoft.Data.Sqlite.SqliteException { SqliteExtendedErrorCode: 2067 or 1555 })
                {
                    return true;
                }
            }

            return false;
        }
    }
}

/// <summary>How <see cref="AuditRecord"/> is stored.</summary>
internal sealed class AuditRecordMapping : IEntityTypeConfiguration<AuditRecord>
{
    public void Configure(EntityTypeBuilder<AuditRecord> e)
    {
        ArgumentNullException.ThrowIfNull(e);
        e.Property(a => a.ActorId).HasMaxLength(64);
        e.Property(a => a.ActorName).HasMaxLength(256);
        e.Property(a => a.ClientAddress).HasMaxLength(64);
        e.Property(a => a.Action).HasMaxLength(64);
        e.Property(a => a.TargetType).HasMaxLength(64);
        e.Property(a => a.TargetId).HasMaxLength(64);
        e.Property(a => a.ActingAs).HasMaxLength(64);
        e.Property(a => a.Purpose).HasMaxLength(64);
        e.Property(a => a.Outcome).HasConversion<string>().HasMaxLength(16);
        e.Property(a => a.LeafHash).HasMaxLength(32);
        e.HasIndex(a => a.At);
        // One person's entries in a time window (the alert rules' counts, "what did this person do"): never a scan of everyone's.
        e.HasIndex(a => new { a.ActorId, a.At });
        e.HasIndex(a => new { a.TargetType, a.TargetId });
        e.HasIndex(a => a.Sequence).IsUnique();
        // What the sequencer has yet to integrate: small, whatever the size of the log.
        e.HasIndex(a => a.Id, "IX_AuditRecords_Unsequenced").HasFilter("\"Sequence\" IS NULL");
    }
}
