using Custos.Data;
using Custos.Features.Customers;
using Custos.Features.People;
using Custos.Hosting;
using Custos.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Custos.Features.Audit;

public enum AlertSeverity
{
    Medium = 1,
    High = 2,
    Critical = 3,
}

/// <summary>Something in the log the compliance officer should look at (AUD-1 monitoring). A contract: an alert can open a leak incident (INC-2).</summary>
[Contract]
public sealed class AuditAlert
{
    public long Id { get; set; }

    /// <summary><c>reveals</c>, <c>lists</c>, <c>denied</c>, <c>after-hours</c> or <c>decoy</c>.</summary>
    public string Rule { get; set; } = "";

    public AlertSeverity Severity { get; set; }

    public string PersonId { get; set; } = "";

    public string PersonName { get; set; } = "";

    public DateTimeOffset RaisedAt { get; set; }

    /// <summary>The log entry that tipped the rule.</summary>
    public long Sequence { get; set; }

    /// <summary>JSON: what was counted against which threshold, or which customer was touched. No protected value.</summary>
    public string Detail { get; set; } = "";

    /// <summary>Whether the rule suspended the person.</summary>
    public bool Suspended { get; set; }

    public DateTimeOffset? HandledAt { get; set; }

    public string? HandledBy { get; set; }

    public string? Note { get; set; }
}

/// <summary>
/// Rules over the entry stream (AUD-1): bulk revealing or listing, refusals piling up, customer access outside
/// working hours, and any touch of a decoy customer. They run over sequenced entries in log order from a
/// cursor, so each entry is judged once; a rule raises at most one alert per person per hour. A rule named in
/// <c>SuspendOn</c> also suspends the person at once.
/// </summary>
public sealed class AuditAlertRules(CustosDbContext db, CustosSettings settings, PeopleService people, Notifications.Notifier notifier, TimeProvider time)
{
    public const string Cursor = "alerts";
    private const int Batch = 1000;

    private static readonly System.Text.Json.JsonSerializerOptions Json = new(System.Text.Json.JsonSerializerDefaults.Web)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>
    /// Judges the next batch of sequenced entries; returns how many were judged (-1: another process is judging).
    /// Alerts, the cursor and any suspension are committed together.
    /// </summary>
    public Task<int> EvaluateOnceAsync(CancellationToken ct) =>
        AuditLocks.ExclusiveAsync(db, Cursor, () => JudgeAsync(ct), ct, transactionOnSqlite: true);

    /// <summary>When this batch is judged: one instant for the alerts' time and every "within the hour" check.</summary>
    private DateTimeOffset judgedAt;

    private async Task<int> JudgeAsync(CancellationToken ct)
    {
        judgedAt = time.GetUtcNow();
        var rules = settings.Audit.Alerts;
        var cursor = await db.AuditForwardCursors.SingleOrDefaultAsync(c => c.Destination == Cursor, ct);
        if (cursor is null)
        {
            cursor = new AuditForwardCursor { Destination = Cursor, UpdatedAt = time.GetUtcNow() };
            db.AuditForwardCursors.Add(cursor);
        }

        var next = cursor.Next;
        var entries = await db.AuditRecords.AsNoTracking().Where(a => a.Sequence >= next).OrderBy(a => a.Sequence).Take(Batch).ToListAsync(ct);
        if (entries.Count == 0)
        {
            return 0;
        }

        var decoys = await DecoysAsync(entries, rules.DecoyTag, ct);
        var departing = await DepartingAsync(entries, ct);
        var raised = new List<AuditAlert>();
        foreach (var e in entries.Where(e => Guid.TryParse(e.ActorId, out _)))
        {
            var onCustomer = e.TargetType == "customer" && e.Action.StartsWith("customer.", StringComparison.Ordinal);
            if (onCustomer && e.TargetId is { } target && decoys.Contains(target))
            {
                raised.Add(Alert("decoy", AlertSeverity.Critical, e, new { customer = target, action = e.Action, outcome = AuditRecord.OutcomeName(e.Outcome) }));
            }

            // The policy refuses customer information from outside the allowed networks (ACC-6); each attempt is worth a look.
            if (e.Outcome == AuditOutcome.Denied && e.Detail is { } detail && detail.Contains("\"reason\":\"network\"", StringComparison.Ordinal))
            {
                raised.Add(Alert("outside-network", AlertSeverity.High, e, new { action = e.Action, client = e.ClientAddress }));
            }

            // Someone on their way out who takes customer information with them (reveals, lists, prints, exports, shares).
            if (e.Outcome == AuditOutcome.Success && TakesInformation.Contains(e.Action) && departing.TryGetValue(e.ActorId, out var departsOn))
            {
                raised.Add(Alert("departing", AlertSeverity.High, e, new { action = e.Action, departsOn }));
            }

            // Rights given or taken (ACC-2, ACC-4): every change to roles, memberships or clearance, and an account reset
            // (a new password or authenticator set by someone else) is told to the compliance officers, whoever made it.
            if (e.Outcome == AuditOutcome.Success && RightsActions.Contains(e.Action))
            {
                raised.Add(Alert("rights", AlertSeverity.High, e, new { action = e.Action, person = e.TargetId }));
            }

            if (onCustomer && e.Outcome == AuditOutcome.Success && OutsideWorkingHours(e.At, rules))
            {
                raised.Add(Alert("after-hours", AlertSeverity.Medium, e, new { action = e.Action, local = e.At.ToOffset(TimeSpan.FromHours(rules.UtcOffsetHours)).ToString("yyyy-MM-dd HH:mm zzz", System.Globalization.CultureInfo.InvariantCulture) }));
            }
        }

        // Counting rules: judged at each person's last entry of the batch, over the hour before it.
        foreach (var last in entries.Where(e => Guid.TryParse(e.ActorId, out _)).GroupBy(e => e.ActorId).Select(g => g.Last()))
        {
            var since = last.At.AddHours(-1);
            var window = db.AuditRecords.AsNoTracking().Where(a => a.ActorId == last.ActorId && a.At > since && a.At <= last.At);
            await CountAsync("reveals", AlertSeverity.High, rules.RevealsPerHour, window.Where(a => AuditSearch.Reveals.Contains(a.Action) && a.Outcome == AuditOutcome.Success), last, raised, ct);
            await CountAsync("lists", AlertSeverity.High, rules.ListsPerHour, window.Where(a => a.Action == AuditActions.CustomerList && a.Outcome == AuditOutcome.Success), last, raised, ct);
            await CountAsync("denied", AlertSeverity.Medium, rules.DeniedPerHour, window.Where(a => a.Outcome == AuditOutcome.Denied), last, raised, ct);
        }

        var kept = new List<AuditAlert>();
        foreach (var alert in raised)
        {
            var hourBefore = alert.RaisedAt.AddHours(-1);
            // Each change of rights is its own alert; the other rules speak once per person and hour.
            var duplicate = alert.Rule != "rights"
                && (kept.Any(k => k.Rule == alert.Rule && k.PersonId == alert.PersonId)
                    || await db.AuditAlerts.AnyAsync(a => a.Rule == alert.Rule && a.PersonId == alert.PersonId && a.RaisedAt > hourBefore, ct));
            if (!duplicate)
            {
                kept.Add(alert);
            }
        }

        db.AuditAlerts.AddRange(kept);
        if (kept.Count > 0)
        {
            // The compliance officers hear of every alert in their inbox and through the outside channels; the message names the rule and the person only.
            var officers = await db.InRoleAsync(Roles.ComplianceOfficer, ct);
            foreach (var alert in kept)
            {
                notifier.Add(officers, "Notify.Alert", null, alert.PersonName, "AlertRule." + alert.Rule, "AlertSeverity." + alert.Severity);
            }
        }

        cursor.Next = entries[^1].Sequence!.Value + 1;
        cursor.UpdatedAt = time.GetUtcNow();
        await db.SaveChangesAsync(ct);

        foreach (var alert in kept.Where(a => rules.SuspendOn.Contains(a.Rule, StringComparer.Ordinal)))
        {
            await SuspendAsync(alert, ct);
        }

        return entries.Count;
    }

    public async Task<long> EvaluateAllAsync(CancellationToken ct)
    {
        long total = 0;
        int n;
        while ((n = await EvaluateOnceAsync(ct)) > 0)
        {
            total += n;
            db.ChangeTracker.Clear();
        }

        return total;
    }

    private async Task SuspendAsync(AuditAlert alert, CancellationToken ct)
    {
        if (!Guid.TryParse(alert.PersonId, out var id) ||
            !await db.Users.AnyAsync(p => p.Id == id && p.EmploymentStatus == EmploymentStatus.Active && !p.IsBuiltIn, ct))
        {
            return;
        }

        await people.DisableAsync(id, ct);
        var stored = await db.AuditAlerts.SingleAsync(a => a.Id == alert.Id, ct);
        stored.Suspended = true;
        await db.SaveChangesAsync(ct);
    }

    private async Task CountAsync(string rule, AlertSeverity severity, int threshold, IQueryable<AuditRecord> matching, AuditRecord last, List<AuditAlert> raised, CancellationToken ct)
    {
        if (threshold <= 0)
        {
            return;
        }

        // A person this rule spoke of within the hour is not counted again (the alert would be a duplicate): so the
        // count below only ever runs for someone with at most about the threshold in the window, whatever the load.
        var hourBefore = judgedAt.AddHours(-1); // as the duplicate check in JudgeAsync judges it
        if (await db.AuditAlerts.AnyAsync(a => a.Rule == rule && a.PersonId == last.ActorId && a.RaisedAt > hourBefore, ct))
        {
            return;
        }

        var count = await matching.CountAsync(ct);
        if (count > threshold)
        {
            raised.Add(Alert(rule, severity, last, new { count, threshold, window = "1h" }));
        }
    }

    private async Task<HashSet<string>> DecoysAsync(List<AuditRecord> entries, string tag, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(tag))
        {
            return [];
        }

        var targets = entries.Where(e => e.TargetType == "customer" && e.TargetId is not null).Select(e => e.TargetId!).Distinct().ToList();
        var ids = targets.Select(t => Guid.TryParse(t, out var g) ? g : Guid.Empty).Where(g => g != Guid.Empty).ToList();
        var decoys = await db.CustomerTags.Where(t => t.Tag == tag && ids.Contains(t.CustomerId)).Select(t => t.CustomerId).ToListAsync(ct);
        return decoys.Select(d => d.ToString()).ToHashSet(StringComparer.Ordinal);
    }

    private static bool OutsideWorkingHours(DateTimeOffset at, AuditAlertSettings rules)
    {
        var local = at.ToOffset(TimeSpan.FromHours(rules.UtcOffsetHours));
        return local.Hour < rules.WorkdayStartHour || local.Hour >= rules.WorkdayEndHour;
    }

    /// <summary>Changes of a person's rights or of their account's secrets by someone else.</summary>
    private static readonly HashSet<string> RightsActions =
        [AuditActions.PersonRolesChange, AuditActions.PersonMembershipsChange, AuditActions.PersonClearanceChange, AuditActions.PersonAppoint, AuditActions.PersonPasswordReset, AuditActions.PersonMfaReset, AuditActions.PolicyLoad];

    /// <summary>Actions by which customer information leaves its page: what a departing person is watched for.</summary>
    private static readonly HashSet<string> TakesInformation =
        [.. AuditSearch.Reveals, AuditActions.CustomerList, AuditActions.CustomerExport, AuditActions.CustomerPrint, AuditActions.CustomerShare];

    /// <summary>The active people among the batch's actors whose departure is announced, with their last day.</summary>
    private async Task<Dictionary<string, DateOnly>> DepartingAsync(List<AuditRecord> entries, CancellationToken ct)
    {
        var ids = entries.Select(e => Guid.TryParse(e.ActorId, out var id) ? id : Guid.Empty).Where(id => id != Guid.Empty).Distinct().ToList();
        var people = await db.Users.AsNoTracking()
            .Where(p => ids.Contains(p.Id) && p.DepartsOn != null && p.EmploymentStatus == EmploymentStatus.Active)
            .Select(p => new { p.Id, p.DepartsOn }).ToListAsync(ct);
        return people.ToDictionary(p => p.Id.ToString(), p => p.DepartsOn!.Value);
    }

    private AuditAlert Alert(string rule, AlertSeverity severity, AuditRecord e, object detail) => new()
    {
        Rule = rule,
        Severity = severity,
        PersonId = e.ActorId,
        PersonName = e.ActorName,
        RaisedAt = judgedAt,
        Sequence = e.Sequence!.Value,
        Detail = System.Text.Json.JsonSerializer.Serialize(detail, Json),
    };
}

/// <summary>The compliance officer's alert list: open first, then handled; handling is recorded.</summary>
public sealed class AuditAlertService(CustosDbContext db, IAuditTrail audit, ICurrentActor actor, TimeProvider time)
{
    public async Task<IReadOnlyList<AuditAlert>> ListAsync(bool open, CancellationToken ct)
    {
        var alerts = db.AuditAlerts.AsNoTracking().Where(a => open ? a.HandledAt == null : a.HandledAt != null);
        var list = await alerts.OrderByDescending(a => a.Id).Take(500).ToListAsync(ct);
        return [.. list.OrderByDescending(a => a.Severity).ThenByDescending(a => a.Id)];
    }

    public Task<int> OpenCountAsync(CancellationToken ct) => db.AuditAlerts.CountAsync(a => a.HandledAt == null, ct);

    public async Task HandleAsync(long id, string note, CancellationToken ct)
    {
        note = TextInput.Clean(note, "note", multiline: true);
        if (note.Length is 0 or > 500)
        {
            throw CustosException.Invalid("AlertNoteRequired");
        }

        var alert = await db.AuditAlerts.SingleOrDefaultAsync(a => a.Id == id, ct) ?? throw CustosException.NotFound("AlertNotFound");
        if (alert.HandledAt is not null)
        {
            throw CustosException.Conflict("AlertAlreadyHandled");
        }

        alert.HandledAt = time.GetUtcNow();
        alert.HandledBy = actor.Name;
        alert.Note = note;
        audit.Record(AuditActions.AlertHandle, "alert", id.ToString(System.Globalization.CultureInfo.InvariantCulture), detail: new { rule = alert.Rule, person = alert.PersonId });
        await db.SaveChangesAsync(ct);
    }
}

/// <summary>Runs the alert rules in the server after the sequencer, a few times a minute.</summary>
internal sealed class AuditAlertWorker(IServiceScopeFactory scopes, StartupReport startup, TimeProvider time, ILogger<AuditAlertWorker> log)
    : PeriodicWorker(scopes, startup, time, log)
{
    protected override TimeSpan Interval => TimeSpan.FromSeconds(2);

    protected override string ActorName => "custos-alerts";

    protected override Task RunAsync(IServiceProvider services, CancellationToken ct) =>
        services.GetRequiredService<AuditAlertRules>().EvaluateAllAsync(ct);
}

/// <summary>How <see cref="AuditAlert"/> is stored.</summary>
internal sealed class AuditAlertMapping : IEntityTypeConfiguration<AuditAlert>
{
    public void Configure(EntityTypeBuilder<AuditAlert> e)
    {
        ArgumentNullException.ThrowIfNull(e);
        e.Property(a => a.Rule).HasMaxLength(32);
        e.Property(a => a.Severity).HasConversion<string>().HasMaxLength(16);
        e.Property(a => a.PersonId).HasMaxLength(64);
        e.Property(a => a.PersonName).HasMaxLength(256);
        e.Property(a => a.Detail).HasMaxLength(1000);
        e.Property(a => a.HandledBy).HasMaxLength(256);
        e.Property(a => a.Note).HasMaxLength(500);
        e.HasIndex(a => new { a.Rule, a.PersonId, a.RaisedAt });
        e.HasIndex(a => a.HandledAt);
        // Who raised what in a period: the risk assessments' and inspections' measures (AUD-3, AUD-4).
        e.HasIndex(a => new { a.PersonId, a.RaisedAt });
    }
}
