namespace Custos.Features.Audit;

/// <summary>
/// One recorded operation. Written through <see cref="IAuditTrail"/> in the same database transaction as
/// the change it describes (AUD-1). The sequencer then gives it a place in the tamper-evident Merkle log; no
/// protected value is ever stored here.
/// </summary>
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

public enum AuditOutcome
{
    Success = 0,
    Denied = 1,
    Failed = 2,
}

/// <summary>
/// An operation was refused because its audit entry could not be written (AUD-1, fail-closed). Nothing of the
/// operation was stored. The message names no value; the cause is kept for the server log.
/// </summary>
public sealed class AuditWriteException(Exception cause)
    : Exception("The operation was not carried out because its audit entry could not be written.", cause);
