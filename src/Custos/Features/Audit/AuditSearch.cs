using Custos.Data;
using Custos.Hosting;
using Microsoft.EntityFrameworkCore;
using Custos.Security;

namespace Custos.Features.Audit;

/// <summary>What an auditor asks of the log (AUD-2). Every part is optional; all given parts must hold.</summary>
/// <param name="Term">A keyed hash (<c>hmac:…</c>) of a protected value: entries that recorded that value, e.g. a search term.</param>
public sealed record AuditQuery(string? Person = null, Guid? Customer = null, string? Action = null, AuditOutcome? Outcome = null, DateTimeOffset? From = null, DateTimeOffset? To = null, string? Term = null)
{
    public static readonly AuditQuery All = new();
}

public sealed record AuditEntryView(
    long Id, long? Sequence, DateTimeOffset At, string ActorId, string ActorName, string? ClientAddress, string Action,
    string TargetType, string? TargetId, string? Purpose, AuditOutcome Outcome, string? Detail);

public sealed record AuditPage(IReadOnlyList<AuditEntryView> Items, int Page, int PageSize, long Total);

/// <summary>One person's dealings with one customer, for "who saw this customer" and "what did this person see".</summary>
public sealed record AccessSummary(string Id, string Name, int Views, int Reveals, int Changes, int Denied, DateTimeOffset First, DateTimeOffset Last);

/// <summary>
/// The auditor's view of the log (AUD-2): search by person, customer, action, outcome and time; who saw a
/// customer; what a person saw (for a leak, or before someone leaves); export of results. Each use is itself
/// recorded, with the question asked, never the answers.
/// </summary>
public sealed class AuditSearch(CustosDbContext db, IAuditTrail audit, Keys.KeyRing keys, Callers callers)
{
    public const int MaxPageSize = 200;

    /// <summary>Most rows one export writes; a larger result asks for a narrower question.</summary>
    public const int MaxExportRows = 100_000;

    /// <summary>Actions that showed a customer's masked record.</summary>
    public static readonly string[] Views = [AuditActions.CustomerView, AuditActions.CustomerHistory];

    /// <summary>Actions that showed a protected value or file in the clear.</summary>
    public static readonly string[] Reveals = [AuditActions.CustomerReveal, AuditActions.CustomerAttachmentOpen];

    /// <summary>Actions that changed a customer.</summary>
    public static readonly string[] Changes = [AuditActions.CustomerCreate, AuditActions.CustomerUpdate, AuditActions.CustomerTags, AuditActions.CustomerAttachmentAdd];

    public async Task<AuditPage> SearchAsync(AuditQuery query, int page, int pageSize, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        await AuditRights.RequireReaderAsync(callers, AuditActions.AuditSearch, ct);
        page = Math.Max(1, page);
        pageSize = Math.Clamp(pageSize, 1, MaxPageSize);
        var filtered = await FilterAsync(query, ct);
        var total = await filtered.LongCountAsync(ct);
        var items = await filtered.OrderByDescending(a => a.Id).Skip((page - 1) * pageSize).Take(pageSize).Select(View).ToListAsync(ct);
        await audit.RecordNowAsync(AuditActions.AuditSearch, "audit-log", null, AuditOutcome.Success, Describe(query, total), ct);
        return new AuditPage(items, page, pageSize, total);
    }

    /// <summary>
    /// The keyed hash under which the log records a protected value (a phone, an ID number, a name someone
    /// searched for or traced), so an auditor can find those entries without the value ever being stored or put
    /// in a URL. The question is recorded by its hash.
    /// </summary>
    public async Task<string> HashAsync(string value, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw CustosException.Invalid("TraceValue");
        }

        var kind = Customers.CustomerAccess.Classify(value);
        var term = keys.AuditHash.Of(kind, value);
        await audit.RecordNowAsync(AuditActions.AuditHash, "audit-log", null, AuditOutcome.Success, new { kind = kind.ToString(), term }, ct);
        return term;
    }

    /// <summary>Everyone who dealt with a customer, most recent first (AUD-2, leaks).</summary>
    public async Task<IReadOnlyList<AccessSummary>> WhoSawAsync(Guid customer, CancellationToken ct)
    {
        var id = customer.ToString();
        var rows = await db.AuditRecords.AsNoTracking()
            .Where(a => a.TargetType == "customer" && a.TargetId == id)
            .Select(a => new { a.ActorId, a.ActorName, a.Action, a.Outcome, a.At })
            .ToListAsync(ct);
        var result = rows.GroupBy(r => r.ActorId)
            .Select(g => Summary(g.Key, g.OrderByDescending(r => r.At).First().ActorName, g.Select(r => (r.Action, r.Outcome, r.At)).ToList()))
            .OrderByDescending(s => s.Last)
            .ToList();
        await audit.RecordNowAsync(AuditActions.AuditCustomerViewers, "customer", id, AuditOutcome.Success, new { people = result.Count }, ct);
        return result;
    }

    /// <summary>Every customer a person dealt with, most recent first (AUD-2, departing staff).</summary>
    public async Task<IReadOnlyList<AccessSummary>> WhatSawAsync(string person, CancellationToken ct)
    {
        var actorId = await ActorIdAsync(person, ct);
        var rows = await db.AuditRecords.AsNoTracking()
            .Where(a => a.ActorId == actorId && a.TargetType == "customer" && a.TargetId != null)
            .Select(a => new { a.TargetId, a.Action, a.Outcome, a.At })
            .ToListAsync(ct);
        var result = rows.GroupBy(r => r.TargetId!)
            .Select(g => Summary(g.Key, g.Key, g.Select(r => (r.Action, r.Outcome, r.At)).ToList()))
            .OrderByDescending(s => s.Last)
            .ToList();
        await audit.RecordNowAsync(AuditActions.AuditPersonSeen, "person", actorId, AuditOutcome.Success, new { customers = result.Count }, ct);
        return result;
    }

    /// <summary>Streams the matching entries, oldest first, to <paramref name="write"/>; the export is recorded with its row count.</summary>
    public async Task<long> ExportAsync(AuditQuery query, Func<AuditEntryView, Task> write, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(write);
        await AuditRights.RequireReaderAsync(callers, AuditActions.AuditExport, ct);
        var filtered = await FilterAsync(query, ct);
        var total = await filtered.LongCountAsync(ct);
        if (total > MaxExportRows)
        {
            throw CustosException.Invalid("AuditExportTooLarge", total, MaxExportRows);
        }

        // Recorded before anything leaves, like a reveal.
        await audit.RecordNowAsync(AuditActions.AuditExport, "audit-log", null, AuditOutcome.Success, Describe(query, total), ct);
        long written = 0;
        await foreach (var entry in filtered.OrderBy(a => a.Id).Select(View).AsAsyncEnumerable().WithCancellation(ct))
        {
            await write(entry);
            written++;
        }

        return written;
    }

    private static readonly System.Linq.Expressions.Expression<Func<AuditRecord, AuditEntryView>> View = a =>
        new AuditEntryView(a.Id, a.Sequence, a.At, a.ActorId, a.ActorName, a.ClientAddress, a.Action, a.TargetType, a.TargetId, a.Purpose, a.Outcome, a.Detail);

    private async Task<IQueryable<AuditRecord>> FilterAsync(AuditQuery query, CancellationToken ct)
    {
        var records = db.AuditRecords.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(query.Person))
        {
            var actorId = await ActorIdAsync(query.Person, ct);
            records = records.Where(a => a.ActorId == actorId);
        }

        if (query.Customer is { } customer)
        {
            var id = customer.ToString();
            records = records.Where(a => a.TargetType == "customer" && a.TargetId == id);
        }

        if (!string.IsNullOrWhiteSpace(query.Action))
        {
            var action = query.Action.Trim();
            records = action.EndsWith('.')
                ? records.Where(a => a.Action.StartsWith(action))
                : records.Where(a => a.Action == action);
        }

        if (query.Outcome is { } outcome)
        {
            records = records.Where(a => a.Outcome == outcome);
        }

        if (!string.IsNullOrWhiteSpace(query.Term))
        {
            var term = query.Term.Trim();
            if (!term.StartsWith(Kernel.Audit.AuditHash.Prefix, StringComparison.Ordinal) || term.Length != Kernel.Audit.AuditHash.Prefix.Length + 32
                || !term[Kernel.Audit.AuditHash.Prefix.Length..].All(char.IsAsciiHexDigitLower))
            {
                throw CustosException.Invalid("AuditTermInvalid");
            }

            records = records.Where(a => a.Detail != null && a.Detail.Contains(term));
        }

        if (query.From is { } from)
        {
            records = records.Where(a => a.At >= from);
        }

        if (query.To is { } to)
        {
            records = records.Where(a => a.At < to);
        }

        return records;
    }

    /// <summary>A person named by user name or id; an unknown name is an error, not an empty result.</summary>
    private async Task<string> ActorIdAsync(string person, CancellationToken ct)
    {
        person = person.Trim();
        var id = Guid.TryParse(person, out var guid)
            ? await db.Users.Where(p => p.Id == guid).Select(p => (Guid?)p.Id).SingleOrDefaultAsync(ct)
            : await db.Users.Where(p => p.NormalizedUserName == person.ToUpperInvariant()).Select(p => (Guid?)p.Id).SingleOrDefaultAsync(ct);
        return id?.ToString() ?? throw CustosException.NotFound("PersonNotFound");
    }

    private static AccessSummary Summary(string id, string name, IReadOnlyList<(string Action, AuditOutcome Outcome, DateTimeOffset At)> rows) => new(
        id,
        name,
        rows.Count(r => r.Outcome == AuditOutcome.Success && Views.Contains(r.Action)),
        rows.Count(r => r.Outcome == AuditOutcome.Success && Reveals.Contains(r.Action)),
        rows.Count(r => r.Outcome == AuditOutcome.Success && Changes.Contains(r.Action)),
        rows.Count(r => r.Outcome == AuditOutcome.Denied),
        rows.Min(r => r.At),
        rows.Max(r => r.At));

    private static object Describe(AuditQuery q, long total) => new
    {
        person = q.Person, customer = q.Customer, action = q.Action, outcome = q.Outcome?.ToString(), from = q.From, to = q.To, term = q.Term, total,
    };
}
