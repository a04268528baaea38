using System.Text.Json;
using Custos.Data;
using Custos.Security;

namespace Custos.Features.Audit;

/// <summary>
/// The audit trail in the database: entries join the caller's unit of work and wake the sequencer once committed.
/// An entry written on its own, with nothing else pending, goes through the <see cref="AuditGroupCommit"/>, which
/// shares one durable commit among concurrent callers.
/// </summary>
internal sealed class DatabaseAuditTrail : IAuditTrail
{
    private readonly CustosDbContext db;
    private readonly ICurrentActor actor;
    private readonly TimeProvider time;
    private readonly AuditGroupCommit group;
    private readonly AuditRequestState state;

    private int pending;

    public DatabaseAuditTrail(CustosDbContext db, ICurrentActor actor, TimeProvider time, AuditSequencerSignal sequencer, AuditRequestState state, AuditGroupCommit group)
    {
        this.db = db;
        this.actor = actor;
        this.time = time;
        this.group = group;
        this.state = state;
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
        db.AuditRecords.Add(Entry(action, targetType, targetId, outcome, detail, purpose));
        pending++;
    }

    public async Task RecordNowAsync(string action, string targetType, string? targetId, AuditOutcome outcome, object? detail, CancellationToken cancellationToken, string? purpose = null)
    {
        if (db.Database.CurrentTransaction is null && !db.ChangeTracker.HasChanges())
        {
            await group.CommitAsync(Entry(action, targetType, targetId, outcome, detail, purpose), cancellationToken);
            state.Committed++;
            return;
        }

        Record(action, targetType, targetId, outcome, detail, purpose);
        await db.SaveChangesAsync(cancellationToken);
    }

    private AuditRecord Entry(string action, string targetType, string? targetId, AuditOutcome outcome, object? detail, string? purpose) =>
        new()
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
        };
}
