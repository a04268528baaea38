namespace Custos.Features.Audit;

/// <summary>
/// One recorded operation. Written through <see cref="IAuditTrail"/> in the same database transaction as
/// the change it describes (AUD-1). The tamper-evident log takes this table over; no protected value is
/// ever stored here.
/// </summary>
public sealed class AuditRecord
{
    public long Id { get; set; }

    public DateTimeOffset At { get; set; }

    /// <summary>Who did it: a person's id, <c>token:{id}</c> for an API token, or <c>system</c>.</summary>
    public string ActorId { get; set; } = "";

    public string ActorName { get; set; } = "";

    public string? ClientAddress { get; set; }

    /// <summary>Dotted action name, e.g. <c>person.roles.change</c>.</summary>
    public string Action { get; set; } = "";

    public string TargetType { get; set; } = "";

    public string? TargetId { get; set; }

    public AuditOutcome Outcome { get; set; }

    /// <summary>JSON with the before and after state of the change, or the reason of a denial.</summary>
    public string? Detail { get; set; }
}

public enum AuditOutcome
{
    Success = 0,
    Denied = 1,
    Failed = 2,
}
