using System.Text.Json;
using Custos.Data;

namespace Custos.Features.Audit;

/// <summary>
/// The one seam through which every feature records what happened (AUD-1). An entry joins the caller's
/// unit of work, so it is committed with the change or not at all (fail-closed).
/// </summary>
public interface IAuditTrail
{
    /// <summary>Adds an entry to the current unit of work; the caller's <c>SaveChanges</c> writes both.</summary>
    void Record(string action, string targetType, string? targetId, AuditOutcome outcome = AuditOutcome.Success, object? detail = null);

    /// <summary>Writes an entry on its own, for events with no other change (a failed sign-in, a denial).</summary>
    Task RecordNowAsync(string action, string targetType, string? targetId, AuditOutcome outcome, object? detail, CancellationToken cancellationToken);
}

/// <summary>Who is acting: a signed-in person, an API token, an administrator at the command line.</summary>
public interface ICurrentActor
{
    string Id { get; }

    string Name { get; }

    string? ClientAddress { get; }
}

internal sealed class DatabaseAuditTrail(CustosDbContext db, ICurrentActor actor, TimeProvider time) : IAuditTrail
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public void Record(string action, string targetType, string? targetId, AuditOutcome outcome = AuditOutcome.Success, object? detail = null) =>
        db.AuditRecords.Add(new AuditRecord
        {
            At = time.GetUtcNow(),
            ActorId = actor.Id,
            ActorName = actor.Name,
            ClientAddress = actor.ClientAddress,
            Action = action,
            TargetType = targetType,
            TargetId = targetId,
            Outcome = outcome,
            Detail = detail is null ? null : JsonSerializer.Serialize(detail, Json),
        });

    public async Task RecordNowAsync(string action, string targetType, string? targetId, AuditOutcome outcome, object? detail, CancellationToken cancellationToken)
    {
        Record(action, targetType, targetId, outcome, detail);
        await db.SaveChangesAsync(cancellationToken);
    }
}

/// <summary>The actor of a command-line invocation (<c>--as USER</c>), or the system itself.</summary>
public sealed class FixedActor(string id, string name) : ICurrentActor
{
    public static readonly FixedActor System = new("system", "system");

    public string Id { get; } = id;

    public string Name { get; } = name;

    public string? ClientAddress => "cli";
}
