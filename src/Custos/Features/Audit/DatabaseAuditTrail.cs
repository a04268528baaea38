using System.Text.Json;
using Custos.Data;
using Custos.Security;

namespace Custos.Features.Audit;

/// <summary>The audit trail in the database: entries join the caller's unit of work and wake the sequencer once committed.</summary>
internal sealed class DatabaseAuditTrail : IAuditTrail
{
    private readonly CustosDbContext db;
    private readonly ICurrentActor actor;
    private readonly TimeProvider time;

    private int pending;

    public DatabaseAuditTrail(CustosDbContext db, ICurrentActor actor, TimeProvider time, AuditSequencerSignal sequencer, AuditRequestState state)
    {
        this.db = db;
        this.actor = actor;
        this.time = time;
        // Once entries are committed the sequencer may integrate them, and the request counts as recorded.
        db.SavedChanges += (_, _) =>
        {
            state.Committed += pending;
            pending = 0;
            sequencer.Nudge();
        };
        db.SaveChangesFailed += (_, _) => pending = 0;
    }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public void Record(string action, string targetType, string? targetId, AuditOutcome outcome = AuditOutcome.Success, object? detail = null, string? purpose = null)
    {
        db.AuditRecords.Add(new AuditRecord
        {
            At = Kernel.Audit.LogEntry.Truncate(time.GetUtcNow()),
            ActorId = actor.Id,
            ActorName = actor.Name,
            ActingAs = actor.ActingAs,
            ClientAddress = actor.ClientAddress,
            Action = action,
            TargetType = targetType,
            TargetId = targetId,
            Purpose = purpose,
            Outcome = outcome,
            Detail = detail is null ? null : JsonSerializer.Serialize(detail, Json),
        });
        pending++;
    }

    public async Task RecordNowAsync(string action, string targetType, string? targetId, AuditOutcome outcome, object? detail, CancellationToken cancellationToken, string? purpose = null)
    {
        Record(action, targetType, targetId, outcome, detail, purpose);
        await db.SaveChangesAsync(cancellationToken);
    }
}
