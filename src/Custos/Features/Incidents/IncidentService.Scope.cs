using System.Globalization;
using System.Text.Json;
using Custos.Features.Copies;
using Custos.Hosting;
using Custos.Security;
using Microsoft.EntityFrameworkCore;

namespace Custos.Features.Incidents;

/// <summary>One customer in an incident's scope: the fields that left in clear, how often revealed, the copies they went out in.</summary>
public sealed record ScopeCustomer(Guid CustomerId, IReadOnlyList<string> Fields, int Reveals, IReadOnlyList<string> Copies, DateTimeOffset First, DateTimeOffset Last);

/// <summary>A log entry the scope was computed from; its sequence is its place in the Merkle log (null until sequenced).</summary>
public sealed record ScopeEntry(long Id, long? Sequence, DateTimeOffset At, string Action, string? Target);

/// <summary>
/// What an incident reached, computed from the audit log and the copy ledger: for its person, every customer they
/// revealed, printed, lent, exported or shared in the period; for its leaked file, every customer in that copy.
/// </summary>
public sealed record ScopeView(
    string? Person, string? CopySerial, DateTimeOffset From, DateTimeOffset To, int Customers, int Reveals, int Copies, IReadOnlyList<ScopeCustomer> Lines,
    IReadOnlyList<ScopeEntry> Entries, int ListedLimit);

/// <summary>The scope with the inclusion proof of every entry it rests on, for the incident file and an outside auditor.</summary>
public sealed record ScopeEvidence(
    string Format, string Incident, DateTimeOffset ComputedAt, ScopeView Scope, IReadOnlyList<Audit.InclusionProofDocument> Proofs, IReadOnlyList<long> AwaitingCheckpoint,
    int NotProved)
{
    public const string FormatName = "custos-incident-scope/v1";
}

public sealed partial class IncidentService
{
    /// <summary>Customers listed in a scope; the counts cover them all.</summary>
    public const int MaxScopeLines = 5000;

    /// <summary>Entries listed in a scope.</summary>
    public const int MaxScopeEntries = 5000;

    /// <summary>Entries proved in one evidence file (each proof walks the log's tree); the rest are counted as not proved, and a narrower period proves them.</summary>
    public const int MaxProofs = 200;

    /// <summary>The longest period a scope covers.</summary>
    public static readonly TimeSpan MaxScopePeriod = TimeSpan.FromDays(366);

    private static readonly string[] RevealActions = [AuditActions.CustomerReveal, AuditActions.CustomerAttachmentOpen];

    private static readonly string[] CopyActions = [AuditActions.CustomerPrint, AuditActions.ArchiveLend, AuditActions.CustomerExport, AuditActions.CustomerShare];

    /// <summary>Computes the scope for the period (default: the 90 days to now), records its size on the incident and in the log.</summary>
    public async Task<ScopeView> ScopeAsync(Guid id, DateTimeOffset? from, DateTimeOffset? to, CancellationToken ct)
    {
        var (caller, incident) = await LoadForHandlingAsync(id, AuditActions.IncidentScope, ct, allowClosed: true);
        var (start, end) = Period(from, to);
        var scope = await ComputeScopeAsync(incident, start, end, ct);
        // The floor of the people affected: the widest scope computed so far (a narrower period never lowers it).
        incident.ScopeCustomers = Math.Max(incident.ScopeCustomers ?? 0, scope.Customers);
        if (incident.Status != IncidentStatus.Closed && settings.GradeFor(incident.ScopeCustomers.Value) is var counted && (incident.Grade is null || counted > incident.Grade)
            && counted >= IncidentGrade.Larger)
        {
            // The log alone shows a 较大 or greater incident: graded so, and its clock started, whether or not anyone grades it by hand.
            Grade(incident, caller, Math.Max(incident.AffectedPeople ?? 0, incident.ScopeCustomers.Value), counted, "scope");
        }
        Step(incident, caller, IncidentStepKind.Scope, scope.Customers.ToString(CultureInfo.InvariantCulture),
            string.Create(CultureInfo.InvariantCulture, $"{start:yyyy-MM-dd HH:mm}—{end:yyyy-MM-dd HH:mm} UTC: customers={scope.Customers} reveals={scope.Reveals} copies={scope.Copies}"));
        audit.Record(AuditActions.IncidentScope, "incident", incident.Id.ToString(), detail: new
        {
            incident.Number, from = start, to = end, customers = scope.Customers, reveals = scope.Reveals, copies = scope.Copies, entries = scope.Entries.Count,
        });
        await SaveAsync(incident, ct);
        return scope;
    }

    /// <summary>The scope with the inclusion proof of each entry against the newest signed checkpoint; entries newer than it are named as awaiting one.</summary>
    public async Task<ScopeEvidence> EvidenceAsync(Guid id, DateTimeOffset? from, DateTimeOffset? to, CancellationToken ct)
    {
        var (_, incident) = await LoadForHandlingAsync(id, AuditActions.IncidentEvidence, ct, allowClosed: true);
        var (start, end) = Period(from, to);
        var scope = await ComputeScopeAsync(incident, start, end, ct);
        var sequences = scope.Entries.Where(e => e.Sequence is not null).Select(e => e.Sequence!.Value).Take(MaxProofs).ToList();
        var proved = await proofs.InclusionManyAsync(sequences, ct);
        var provedSet = proved.Select(p => p.LeafIndex).ToHashSet();
        // Awaiting: not yet sequenced, or sequenced after the newest checkpoint. Not proved: beyond this file's cap.
        var tried = sequences.ToHashSet();
        var awaiting = scope.Entries.Where(e => e.Sequence is not { } s || (tried.Contains(s) && !provedSet.Contains(s))).Select(e => e.Id).ToList();
        var notProved = scope.Entries.Count(e => e.Sequence is { } s && !tried.Contains(s));
        await audit.RecordNowAsync(AuditActions.IncidentEvidence, "incident", incident.Id.ToString(), AuditOutcome.Success, new
        {
            incident.Number, from = start, to = end, customers = scope.Customers, proofs = proved.Count, awaiting = awaiting.Count,
        }, ct);
        return new ScopeEvidence(ScopeEvidence.FormatName, incident.Number, time.GetUtcNow(), scope, proved, awaiting, notProved);
    }

    public static byte[] ToJson(ScopeEvidence evidence) => JsonSerializer.SerializeToUtf8Bytes(evidence, Audit.AuditProofs.Json);

    private (DateTimeOffset Start, DateTimeOffset End) Period(DateTimeOffset? from, DateTimeOffset? to)
    {
        var now = time.GetUtcNow();
        var end = (to ?? now).ToUniversalTime();
        var start = (from ?? end.AddDays(-90)).ToUniversalTime();
        if (start >= end || end - start > MaxScopePeriod || end > now.AddDays(1))
        {
            throw CustosException.Invalid("IncidentScopePeriod", (int)MaxScopePeriod.TotalDays);
        }

        return (start, end);
    }

    /// <summary>
    /// Reads one person's entries in the period through the (actor, time) index — never a scan of everyone's — and
    /// their copies in the ledger; or the one leaked copy and the entry that made it.
    /// </summary>
    private async Task<ScopeView> ComputeScopeAsync(Incident incident, DateTimeOffset start, DateTimeOffset end, CancellationToken ct)
    {
        if (incident.SuspectId is null && incident.CopySerial is null)
        {
            throw CustosException.Invalid("IncidentNoScopeBasis");
        }

        var customers = new Dictionary<Guid, (HashSet<string> Fields, int Reveals, List<string> Copies, DateTimeOffset First, DateTimeOffset Last)>();
        void Touch(Guid customer, DateTimeOffset at, string? field, int reveal, string? copy)
        {
            var row = customers.TryGetValue(customer, out var found) ? found : ([], 0, [], at, at);
            if (field is not null)
            {
                row.Fields.Add(field);
            }

            if (copy is not null && row.Copies.Count < 20 && !row.Copies.Contains(copy))
            {
                row.Copies.Add(copy);
            }

            customers[customer] = (row.Fields, row.Reveals + reveal, row.Copies, at < row.First ? at : row.First, at > row.Last ? at : row.Last);
        }

        var entries = new List<ScopeEntry>();
        var reveals = 0;
        var copyIds = new List<(Guid Id, string Serial, string Revealed, DateTimeOffset At)>();
        if (incident.SuspectId is { } suspect)
        {
            var actorId = suspect.ToString();
            var rows = db.AuditRecords.AsNoTracking()
                .Where(a => a.ActorId == actorId && a.At >= start && a.At <= end && a.Outcome == AuditOutcome.Success
                    && (RevealActions.Contains(a.Action) || CopyActions.Contains(a.Action)))
                .OrderBy(a => a.At)
                .Select(a => new { a.Id, a.Sequence, a.At, a.Action, a.TargetType, a.TargetId, a.Detail });
            await foreach (var row in rows.AsAsyncEnumerable().WithCancellation(ct))
            {
                if (entries.Count < MaxScopeEntries)
                {
                    entries.Add(new ScopeEntry(row.Id, row.Sequence, row.At, row.Action, row.TargetId));
                }

                if (RevealActions.Contains(row.Action) && row.TargetType == "customer" && Guid.TryParse(row.TargetId, out var customer))
                {
                    reveals++;
                    Touch(customer, row.At, row.Action == AuditActions.CustomerAttachmentOpen ? "attachment" : FieldOf(row.Detail), 1, null);
                }
            }

            copyIds.AddRange((await db.Set<CopyRecord>().AsNoTracking().Where(c => c.PersonId == suspect && c.CreatedAt >= start && c.CreatedAt <= end)
                .Select(c => new { c.Id, c.Serial, c.Revealed, c.CreatedAt }).ToListAsync(ct)).Select(c => (c.Id, c.Serial, c.Revealed, c.CreatedAt)));
        }

        if (incident.CopySerial is { } serial && copyIds.All(c => c.Serial != serial))
        {
            var copy = await db.Set<CopyRecord>().AsNoTracking().Where(c => c.Serial == serial).Select(c => new { c.Id, c.Serial, c.Revealed, c.CreatedAt, c.PersonId }).SingleAsync(ct);
            copyIds.Add((copy.Id, copy.Serial, copy.Revealed, copy.CreatedAt));
            // The entry that made the copy: by the copy's id (exports, shares) or, for a print or loan, its holder's entry naming it.
            var copyId = copy.Id.ToString();
            var holder = copy.PersonId.ToString();
            var (near, far) = (copy.CreatedAt.AddMinutes(-5), copy.CreatedAt.AddMinutes(5));
            var made = await db.AuditRecords.AsNoTracking()
                .Where(a => (a.TargetType == "copy" && a.TargetId == copyId) || (a.ActorId == holder && a.At >= near && a.At <= far && CopyActions.Contains(a.Action)))
                .Where(a => a.Outcome == AuditOutcome.Success)
                .OrderBy(a => a.Id).Select(a => new { a.Id, a.Sequence, a.At, a.Action, a.TargetType, a.TargetId, a.Detail }).Take(50).ToListAsync(ct);
            entries.AddRange(made.Where(a => a.TargetType == "copy" || (a.Detail ?? "").Contains(copyId, StringComparison.Ordinal))
                .Select(a => new ScopeEntry(a.Id, a.Sequence, a.At, a.Action, a.TargetId)));
        }

        foreach (var chunk in copyIds.Chunk(200))
        {
            var ids = chunk.Select(c => c.Id).ToList();
            var byId = chunk.ToDictionary(c => c.Id);
            var items = db.Set<CopyItem>().AsNoTracking().Where(i => ids.Contains(i.CopyId)).Select(i => new { i.CopyId, i.CustomerId });
            await foreach (var item in items.AsAsyncEnumerable().WithCancellation(ct))
            {
                var copy = byId[item.CopyId];
                Touch(item.CustomerId, copy.At, null, 0, copy.Serial);
                foreach (var field in copy.Revealed.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    customers[item.CustomerId].Fields.Add(field);
                }
            }
        }

        var lines = customers.OrderBy(c => c.Value.First).Take(MaxScopeLines)
            .Select(c => new ScopeCustomer(c.Key, [.. c.Value.Fields.Order(StringComparer.Ordinal)], c.Value.Reveals, c.Value.Copies, c.Value.First, c.Value.Last)).ToList();
        return new ScopeView(incident.SuspectName, incident.CopySerial, start, end, customers.Count, reveals, copyIds.Count, lines, [.. entries.OrderBy(e => e.At)], MaxScopeLines);
    }

    private static string? FieldOf(string? detail)
    {
        if (string.IsNullOrEmpty(detail))
        {
            return null;
        }

        try
        {
            using var json = JsonDocument.Parse(detail);
            return json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("field", out var field) && field.ValueKind == JsonValueKind.String
                ? field.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
