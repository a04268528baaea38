using System.Linq.Expressions;
using System.Security.Cryptography;
using System.Text;
using Custos.Data;
using Custos.Features.Access;
using Custos.Features.Customers;
using Custos.Features.Destruction;
using Custos.Features.Notifications;
using Custos.Features.People;
using Custos.Features.Policy;
using Custos.Hosting;
using Custos.Kernel.Policy;
using Custos.Security;
using Microsoft.EntityFrameworkCore;

namespace Custos.Features.Retention;

public sealed record RetentionFileView(int Version, string Sha256, string LoadedBy, DateTimeOffset LoadedAt, string Text);

/// <summary>A customer whose retention ran out: why (the rule, their agreed period, or withdrawn consent) and since when.</summary>
public sealed record DueCustomer(Guid CustomerId, string Kind, string Reason, DateTimeOffset Since, Guid? Batch);

public sealed record DepartmentDue(string Department, string DepartmentName, int Due, int Held, int Escalated);

public sealed record LifecycleChange(string? Kind = null, DateTimeOffset? LastContactAt = null, DateTimeOffset? ContractEndsAt = null, DateTimeOffset? AgreedUntil = null, bool ClearAgreed = false);

public sealed record ConsentChange(ConsentState State, string Channel, string? NoticeVersion = null, LegalBasis? Basis = null, IReadOnlyList<string>? Purposes = null);

public sealed record LifecycleView(
    Guid CustomerId, string Kind, DateTimeOffset? LastContactAt, DateTimeOffset? ContractEndsAt, DateTimeOffset? AgreedUntil, bool LegalHold, string? HoldReason,
    LegalBasis Basis, string? NoticeVersion, ConsentState Consent, DateTimeOffset? ConsentAt, string? ConsentChannel, IReadOnlyList<string> Purposes,
    IReadOnlyList<ConsentEventView> History);

public sealed record ConsentEventView(ConsentState State, DateTimeOffset At, string Channel, string? NoticeVersion, string Purposes, string RecordedBy);

public sealed record BatchView(Guid Id, string Number, string Department, string Operator, DateTimeOffset CreatedAt, DateTimeOffset? DoneAt, IReadOnlyList<BatchItemView> Items);

public sealed record BatchItemView(Guid CustomerId, Guid RequestId, string Outcome, string Request);

/// <summary>
/// Retention (DST-3) and the basis of processing (SEC-3): the retention file, each customer's kind, dates, agreed period,
/// legal hold, basis and consent; the daily computation of who is due — one indexed query over the customers, nothing
/// loaded per customer — and batches of due customers destroyed through the existing workflow: one destruction request
/// each, filed by the person who will destroy them, approved by the department head and the compliance officer (the
/// witness), carried out together. A legal hold stops a customer anywhere along the way.
/// </summary>
public sealed partial class RetentionService(
    CustosDbContext db,
    Callers callers,
    CustomerAccess access,
    RequestService requests,
    DestructionService destruction,
    Notifier notifier,
    IAuditTrail audit,
    CustosSettings settings,
    TimeProvider time)
{
    public const int MaxBatch = 200;
    public const int EscalateAfterDays = 30;

    /// <summary>The rules in force: the newest loaded file, else the built-in one.</summary>
    public async Task<RetentionRuleSet> RulesAsync(CancellationToken ct) =>
        RetentionRules.Parse(await db.Set<RetentionFile>().AsNoTracking().OrderByDescending(f => f.Version).Select(f => f.Text).FirstOrDefaultAsync(ct) ?? RetentionRules.BuiltIn);

    public async Task<RetentionFileView> FileAsync(CancellationToken ct)
    {
        var file = await db.Set<RetentionFile>().AsNoTracking().OrderByDescending(f => f.Version).FirstOrDefaultAsync(ct);
        return file is null
            ? new RetentionFileView(0, Sha(RetentionRules.BuiltIn), "", DateTimeOffset.MinValue, RetentionRules.BuiltIn)
            : new RetentionFileView(file.Version, file.Sha256, file.LoadedByName, file.LoadedAt, file.Text);
    }

    /// <summary>Loads a new version of the retention file (compliance officers); a file with any mistake is refused whole, every mistake at its line.</summary>
    public async Task<RetentionFileView> LoadAsync(string text, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(text);
        var caller = await callers.CurrentAsync(ct);
        if (!IsCompliance(caller))
        {
            await audit.RecordNowAsync(AuditActions.RetentionLoad, "retention-file", null, AuditOutcome.Denied, new { reason = "not-compliance" }, ct);
            throw new CustosException(CustosError.Forbidden, "RetentionOnlyCompliance");
        }

        RetentionRules.Parse(text);
        var version = (await db.Set<RetentionFile>().MaxAsync(f => (int?)f.Version, ct) ?? 0) + 1;
        var file = new RetentionFile { Version = version, Text = text, Sha256 = Sha(text), LoadedById = caller.PersonId, LoadedByName = caller.Name, LoadedAt = time.GetUtcNow() };
        db.Add(file);
        audit.Record(AuditActions.RetentionLoad, "retention-file", version.ToString(System.Globalization.CultureInfo.InvariantCulture), detail: new { version, sha256 = file.Sha256 });
        await db.SaveChangesAsync(ct);
        return new RetentionFileView(file.Version, file.Sha256, file.LoadedByName, file.LoadedAt, file.Text);
    }

    /// <summary>One customer's retention and consent record (default values when nothing was recorded yet).</summary>
    public async Task<LifecycleView> LifecycleAsync(Guid customerId, CancellationToken ct)
    {
        var caller = await callers.CurrentAsync(ct);
        var customer = await access.LoadInScopeAsync(caller, customerId, AuditActions.RetentionView, ct);
        var lifecycle = await db.Set<CustomerLifecycle>().AsNoTracking().SingleOrDefaultAsync(l => l.CustomerId == customer.Id, ct) ?? NewLifecycle(customer);
        var history = await db.Set<ConsentEvent>().AsNoTracking().Where(e => e.CustomerId == customer.Id).OrderBy(e => e.At).ToListAsync(ct);
        return View(lifecycle, history);
    }

    /// <summary>Records the customer's kind and the dates retention counts from (whoever may edit the customer).</summary>
    public async Task<LifecycleView> SetLifecycleAsync(Guid customerId, LifecycleChange change, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(change);
        var (caller, customer, _) = await access.LoadForAsync(customerId, PolicyAction.Edit, AuditActions.RetentionSet, "MayNotEditCustomers", ct);
        if (change.Kind is { } kind && !RetentionRules.Kinds.Contains(kind))
        {
            throw CustosException.Invalid("UnknownDataKind", kind);
        }

        var now = time.GetUtcNow();
        if (change.LastContactAt > now)
        {
            throw CustosException.Invalid("LastContactInFuture");
        }

        var lifecycle = await TrackedLifecycleAsync(customer, ct);
        if ((change.AgreedUntil is not null || change.ClearAgreed) && !IsCompliance(caller) && !caller.Subject.Roles.Contains(Roles.DepartmentHead))
        {
            // A customer's agreed period keeps or ends their data like a rule: the head or compliance records it, not any clerk.
            throw new CustosException(CustosError.Forbidden, "AgreedPeriodByHead");
        }

        lifecycle.Kind = change.Kind ?? lifecycle.Kind;
        lifecycle.LastContactAt = change.LastContactAt ?? lifecycle.LastContactAt;
        lifecycle.ContractEndsAt = change.ContractEndsAt ?? lifecycle.ContractEndsAt;
        lifecycle.AgreedUntil = change.ClearAgreed ? null : change.AgreedUntil ?? lifecycle.AgreedUntil;
        Stamp(lifecycle, caller);
        audit.Record(AuditActions.RetentionSet, "customer", customer.Id.ToString(), detail: new
        {
            kind = lifecycle.Kind, last_contact = lifecycle.LastContactAt, contract_end = lifecycle.ContractEndsAt, agreed_until = lifecycle.AgreedUntil,
        });
        await db.SaveChangesAsync(ct);
        return await LifecycleAsync(customerId, ct);
    }

    /// <summary>
    /// Records consent given or withdrawn (SEC-3), with the channel, the notice version, the basis and the purposes allowed.
    /// A withdrawal stops processing that relies on consent (reveals and copies are refused) and, kept on consent alone, the
    /// customer becomes due for destruction after the configured days.
    /// </summary>
    public async Task<LifecycleView> RecordConsentAsync(Guid customerId, ConsentChange change, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(change);
        var (caller, customer, _) = await access.LoadForAsync(customerId, PolicyAction.Edit, AuditActions.ConsentRecord, "MayNotEditCustomers", ct);
        var channel = TextInput.Clean(change.Channel, "channel");
        if (channel.Length is 0 or > 40 || change.State == ConsentState.None)
        {
            throw CustosException.Invalid("ConsentChannelRequired");
        }

        var purposes = (change.Purposes ?? []).Where(p => p is not null).Select(p => p.Trim()).Where(p => p.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        if (purposes.FirstOrDefault(p => !settings.RevealPurposes.Contains(p)) is { } unknown)
        {
            throw CustosException.Invalid("UnknownPurpose", unknown);
        }

        var notice = TextInput.CleanOptional(change.NoticeVersion, "notice") is { Length: > 0 } n ? (n.Length <= 40 ? n : throw CustosException.Invalid("TooLong", 40)) : null;
        var lifecycle = await TrackedLifecycleAsync(customer, ct);
        if (change.Basis is { } basis && basis != lifecycle.Basis && !IsCompliance(caller))
        {
            // Changing the legal basis decides whether consent matters at all: a compliance officer's call, recorded.
            throw new CustosException(CustosError.Forbidden, "BasisOnlyCompliance");
        }

        var now = time.GetUtcNow();
        lifecycle.Consent = change.State;
        lifecycle.ConsentAt = now;
        lifecycle.ConsentChannel = channel;
        lifecycle.NoticeVersion = notice ?? lifecycle.NoticeVersion;
        lifecycle.Basis = change.Basis ?? lifecycle.Basis;
        if (change.State == ConsentState.Given && purposes.Count > 0)
        {
            lifecycle.Purposes = string.Join(',', purposes);
        }

        Stamp(lifecycle, caller);
        db.Add(new ConsentEvent
        {
            Id = Guid.CreateVersion7(now), CustomerId = customer.Id, State = change.State, At = now, Channel = channel, NoticeVersion = lifecycle.NoticeVersion,
            Purposes = lifecycle.Purposes, RecordedById = caller.PersonId, RecordedByName = caller.Name,
        });
        audit.Record(AuditActions.ConsentRecord, "customer", customer.Id.ToString(), detail: new
        {
            state = change.State.ToString(), channel, notice = lifecycle.NoticeVersion, basis = lifecycle.Basis.ToString(), purposes = lifecycle.Purposes,
        });
        await db.SaveChangesAsync(ct);
        return await LifecycleAsync(customerId, ct);
    }

    /// <summary>A legal hold (compliance officers): the customer is not destroyed, by a batch or otherwise, until released.</summary>
    public async Task<LifecycleView> HoldAsync(Guid customerId, bool hold, string? reason, CancellationToken ct)
    {
        var caller = await callers.CurrentAsync(ct);
        var customer = await access.LoadInScopeAsync(caller, customerId, AuditActions.RetentionHold, ct);
        if (!IsCompliance(caller))
        {
            await audit.RecordNowAsync(AuditActions.RetentionHold, "customer", customer.Id.ToString(), AuditOutcome.Denied, new { reason = "not-compliance" }, ct);
            throw new CustosException(CustosError.Forbidden, "RetentionOnlyCompliance");
        }

        var why = TextInput.CleanOptional(reason, "reason", multiline: true) ?? "";
        if (hold && (why.Length < 4 || why.Length > 500))
        {
            throw CustosException.Invalid("HoldReasonRequired");
        }

        var lifecycle = await TrackedLifecycleAsync(customer, ct);
        lifecycle.LegalHold = hold;
        lifecycle.HoldReason = hold ? why : null;
        Stamp(lifecycle, caller);
        audit.Record(AuditActions.RetentionHold, "customer", customer.Id.ToString(), detail: new { hold, reason = hold ? why : null });
        await db.SaveChangesAsync(ct);
        return await LifecycleAsync(customerId, ct);
    }

    /// <summary>Due customers of a department, oldest first (its head, its information officers, compliance officers).</summary>
    public async Task<IReadOnlyList<DueCustomer>> DueAsync(string department, int limit, CancellationToken ct)
    {
        var caller = await callers.CurrentAsync(ct);
        var target = await DepartmentForAsync(caller, department, AuditActions.RetentionDue, ct);
        var rules = await RulesAsync(ct);
        var today = Today(caller);
        var rows = await DueRows(rules, today).Where(r => r.DepartmentId == target.Id).OrderBy(r => r.Id).Take(Math.Clamp(limit, 1, 1000)).ToListAsync(ct);
        var ids = rows.Select(r => r.Id).ToList();
        var open = await db.Set<RetentionBatchItem>().AsNoTracking().Where(i => ids.Contains(i.CustomerId) && i.Outcome == BatchItemOutcome.Requested)
            .Select(i => new { i.CustomerId, i.BatchId }).ToListAsync(ct);
        audit.Record(AuditActions.RetentionDue, "department", target.Code, detail: new { count = rows.Count });
        await db.SaveChangesAsync(ct);
        return [.. rows.Select(r => Due(r, rules, today, open.FirstOrDefault(o => o.CustomerId == r.Id)?.BatchId)).OrderBy(d => d.Since)];
    }

    /// <summary>The figures of the departments the caller may see: all for compliance officers; their own for heads and information officers.</summary>
    public async Task<IReadOnlyList<DepartmentDue>> VisibleCountsAsync(CancellationToken ct)
    {
        var caller = await callers.CurrentAsync(ct);
        var all = await CountsAsync(ct);
        if (IsCompliance(caller))
        {
            return all;
        }

        var mine = caller.Subject.Active && (caller.Subject.Roles.Contains(Roles.DepartmentHead) || caller.Subject.Roles.Contains(Roles.InformationOfficer))
            ? await db.Departments.AsNoTracking().Where(d => caller.Departments.Contains(d.Id)).Select(d => d.Code).ToListAsync(ct)
            : [];
        return [.. all.Where(d => mine.Contains(d.Department))];
    }

    /// <summary>Per department: how many are due, held, and due for longer than <see cref="EscalateAfterDays"/> (the daily job's figures).</summary>
    internal async Task<IReadOnlyList<DepartmentDue>> CountsAsync(CancellationToken ct)
    {
        var caller = await callers.CurrentAsync(ct);
        var today = Today(caller);
        var rules = await RulesAsync(ct);
        var due = await DueRows(rules, today).GroupBy(r => r.DepartmentId).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        var late = await DueRows(rules, today.AddDays(-EscalateAfterDays)).GroupBy(r => r.DepartmentId).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        var held = await db.Set<CustomerLifecycle>().Where(l => l.LegalHold).GroupBy(l => l.DepartmentId).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        var departments = await db.Departments.AsNoTracking().ToListAsync(ct);
        return [.. departments
            .Select(d => new DepartmentDue(d.Code, d.Name, due.FirstOrDefault(x => x.Key == d.Id)?.Count ?? 0, held.FirstOrDefault(x => x.Key == d.Id)?.Count ?? 0, late.FirstOrDefault(x => x.Key == d.Id)?.Count ?? 0))
            .Where(d => d.Due + d.Held > 0)
            .OrderBy(d => d.Department, StringComparer.Ordinal)];
    }

    /// <summary>
    /// The daily job: counts who is due per department, tells each department's heads (at most once a week) and, for
    /// customers due longer than <see cref="EscalateAfterDays"/> days and not handled, the compliance officers (once a day).
    /// Returns the number of due customers.
    /// </summary>
    public async Task<int> RunDailyAsync(CancellationToken ct)
    {
        var counts = await CountsAsync(ct);
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var compliance = await db.InRoleAsync(Roles.ComplianceOfficer, ct);
        var heads = await db.InRoleAsync(Roles.DepartmentHead, ct);
        foreach (var count in counts.Where(c => c.Due > 0))
        {
            var department = await db.Departments.AsNoTracking().SingleAsync(d => d.Code == count.Department, ct);
            var weekAgo = today.AddDays(-6);
            if (!await db.Set<RetentionNotice>().AnyAsync(n => n.DepartmentId == department.Id && n.Kind == "remind" && n.Day >= weekAgo, ct))
            {
                var departmentHeads = await db.DepartmentMemberships.Where(m => m.DepartmentId == department.Id && heads.Contains(m.PersonId)).Select(m => m.PersonId).ToListAsync(ct);
                await NoticeAsync(department.Id, today, "remind", count.Due, () => notifier.Add(departmentHeads, "Notify.RetentionDue", null, department.Name, count.Due.ToString(System.Globalization.CultureInfo.InvariantCulture)), ct);
            }

            if (count.Escalated > 0 && !await db.Set<RetentionNotice>().AnyAsync(n => n.DepartmentId == department.Id && n.Kind == "escalate" && n.Day == today, ct))
            {
                await NoticeAsync(department.Id, today, "escalate", count.Escalated, () => notifier.Add(compliance, "Notify.RetentionOverdue", null, department.Name,
                    count.Escalated.ToString(System.Globalization.CultureInfo.InvariantCulture), EscalateAfterDays.ToString(System.Globalization.CultureInfo.InvariantCulture)), ct);
            }
        }

        audit.Record(AuditActions.RetentionRun, "retention", null, detail: new { due = counts.Sum(c => c.Due), held = counts.Sum(c => c.Held), escalated = counts.Sum(c => c.Escalated) });
        await db.SaveChangesAsync(ct);
        return counts.Sum(c => c.Due);
    }

    private async Task NoticeAsync(Guid department, DateOnly day, string kind, int due, Action send, CancellationToken ct)
    {
        db.Add(new RetentionNotice { DepartmentId = department, Day = day, Kind = kind, Due = due });
        send();
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Another node sent it first.
            db.ChangeTracker.Clear();
        }
    }

    private static string Sha(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private DateTimeOffset Today(Caller caller)
    {
        var day = caller.Engine.Today(time.GetUtcNow());
        return new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), caller.Engine.Document.UtcOffset).ToUniversalTime();
    }

    private CustomerLifecycle NewLifecycle(Customer customer) => new() { CustomerId = customer.Id, DepartmentId = customer.DepartmentId, UpdatedAt = time.GetUtcNow() };

    private async Task<CustomerLifecycle> TrackedLifecycleAsync(Customer customer, CancellationToken ct)
    {
        var lifecycle = await db.Set<CustomerLifecycle>().SingleOrDefaultAsync(l => l.CustomerId == customer.Id, ct);
        if (lifecycle is null)
        {
            lifecycle = NewLifecycle(customer);
            db.Add(lifecycle);
        }

        lifecycle.DepartmentId = customer.DepartmentId;
        return lifecycle;
    }

    private void Stamp(CustomerLifecycle lifecycle, Caller caller)
    {
        lifecycle.UpdatedAt = time.GetUtcNow();
        lifecycle.UpdatedByName = caller.Name;
    }

    private static LifecycleView View(CustomerLifecycle l, IEnumerable<ConsentEvent> history) => new(
        l.CustomerId, l.Kind, l.LastContactAt, l.ContractEndsAt, l.AgreedUntil, l.LegalHold, l.HoldReason, l.Basis, l.NoticeVersion, l.Consent, l.ConsentAt, l.ConsentChannel,
        l.PurposeList, [.. history.Select(e => new ConsentEventView(e.State, e.At, e.Channel, e.NoticeVersion, e.Purposes, e.RecordedByName))]);

    internal static bool IsCompliance(Caller caller) => caller.PersonId != Guid.Empty && caller.Subject.Active && caller.Subject.Roles.Contains(Roles.ComplianceOfficer);

    /// <summary>A department the caller may see the retention of: its heads and information officers, and compliance officers; else 404.</summary>
    private async Task<Organisation.Department> DepartmentForAsync(Caller caller, string code, string action, CancellationToken ct)
    {
        var normalised = (code ?? "").Trim().ToUpperInvariant();
        var department = await db.Departments.AsNoTracking().SingleOrDefaultAsync(d => d.Code == normalised, ct);
        var allowed = department is not null && caller.PersonId != Guid.Empty && caller.Subject.Active
            && (IsCompliance(caller) || (caller.Departments.Contains(department.Id)
                && (caller.Subject.Roles.Contains(Roles.DepartmentHead) || caller.Subject.Roles.Contains(Roles.InformationOfficer))));
        if (!allowed)
        {
            await audit.RecordNowAsync(action, "department", normalised, AuditOutcome.Denied, new { reason = department is null ? "not-found" : "out-of-scope" }, ct);
            throw CustosException.NotFound("RetentionDepartmentNotFound");
        }

        return department!;
    }

    /// <summary>What the due query reads of a customer and its record.</summary>
    private sealed class DueRow
    {
        public Guid Id { get; init; }

        public Guid DepartmentId { get; init; }

        public DateTimeOffset CreatedAt { get; init; }

        public DateTimeOffset UpdatedAt { get; init; }

        public string? Kind { get; init; }

        public bool Held { get; init; }

        public DateTimeOffset? LastContactAt { get; init; }

        public DateTimeOffset? ContractEndsAt { get; init; }

        public DateTimeOffset? AgreedUntil { get; init; }

        public bool Withdrawn { get; init; }

        public DateTimeOffset? ConsentAt { get; init; }
    }

    /// <summary>
    /// Customers due on <paramref name="today"/>, as one query: not held; their agreed period over, or else consent (their
    /// only basis) withdrawn longer than the rule's days, or the rule of their kind run out. A customer with no record yet
    /// is a prospect last contacted when it last changed.
    /// </summary>
    private IQueryable<DueRow> DueRows(RetentionRuleSet rules, DateTimeOffset today)
    {
        var rows = from c in db.Customers.AsNoTracking()
                   join l in db.Set<CustomerLifecycle>().AsNoTracking() on c.Id equals l.CustomerId into records
                   from l in records.DefaultIfEmpty()
                   select new DueRow
                   {
                       Id = c.Id,
                       DepartmentId = c.DepartmentId,
                       CreatedAt = c.CreatedAt,
                       UpdatedAt = c.UpdatedAt,
                       Kind = l == null ? null : l.Kind,
                       Held = l != null && l.LegalHold,
                       LastContactAt = l == null ? null : l.LastContactAt,
                       ContractEndsAt = l == null ? null : l.ContractEndsAt,
                       AgreedUntil = l == null ? null : l.AgreedUntil,
                       Withdrawn = l != null && l.Basis == LegalBasis.Consent && l.Consent == ConsentState.Withdrawn,
                       ConsentAt = l == null ? null : l.ConsentAt,
                   };

        var withdrawnCutoff = today.AddDays(-rules.WithdrawnDays);
        Expression<Func<DueRow, bool>> byRule = r => false;
        foreach (var rule in rules.Rules.Values)
        {
            byRule = Or(byRule, RuleRunOut(rule, today));
        }

        Expression<Func<DueRow, bool>> agreedOver = r => r.AgreedUntil != null && r.AgreedUntil < today;
        Expression<Func<DueRow, bool>> withdrawn = r => r.Withdrawn && r.ConsentAt < withdrawnCutoff;
        Expression<Func<DueRow, bool>> noAgreement = r => r.AgreedUntil == null;
        return rows.Where(r => !r.Held).Where(Or(Or(agreedOver, withdrawn), And(noAgreement, byRule)));
    }

    private static Expression<Func<DueRow, bool>> RuleRunOut(RetentionRule rule, DateTimeOffset today)
    {
        var cutoff = rule.DueCutoff(today);
        var kind = rule.Kind;
        var isProspect = kind == RetentionRules.Prospect;
        return rule.After switch
        {
            RetentionStart.LastContact when isProspect => r => (r.Kind == null || r.Kind == kind) && (r.LastContactAt ?? r.UpdatedAt) < cutoff,
            RetentionStart.LastContact => r => r.Kind == kind && (r.LastContactAt ?? r.UpdatedAt) < cutoff,
            RetentionStart.ContractEnd when isProspect => r => (r.Kind == null || r.Kind == kind) && r.ContractEndsAt != null && r.ContractEndsAt < cutoff,
            RetentionStart.ContractEnd => r => r.Kind == kind && r.ContractEndsAt != null && r.ContractEndsAt < cutoff,
            _ when isProspect => r => (r.Kind == null || r.Kind == kind) && r.CreatedAt < cutoff,
            _ => r => r.Kind == kind && r.CreatedAt < cutoff,
        };
    }

    private static DueCustomer Due(DueRow r, RetentionRuleSet rules, DateTimeOffset today, Guid? batch)
    {
        var kind = r.Kind ?? RetentionRules.Prospect;
        if (r.Withdrawn && r.ConsentAt is { } withdrawnAt && withdrawnAt < today.AddDays(-rules.WithdrawnDays))
        {
            return new DueCustomer(r.Id, kind, "consent-withdrawn", withdrawnAt.AddDays(rules.WithdrawnDays), batch);
        }

        if (r.AgreedUntil is { } agreed)
        {
            return new DueCustomer(r.Id, kind, "agreed", agreed, batch);
        }

        var rule = rules.For(kind);
        DateTimeOffset? start = rule.After switch
        {
            RetentionStart.LastContact => r.LastContactAt ?? r.UpdatedAt,
            RetentionStart.ContractEnd => r.ContractEndsAt,
            _ => r.CreatedAt,
        };
        var byRule = start is { } s && s < rule.DueCutoff(today) ? s.AddMonths(rule.Months).AddDays(rule.Days) : (DateTimeOffset?)null;
        var byWithdrawal = r.Withdrawn && r.ConsentAt is { } at && at < today.AddDays(-rules.WithdrawnDays) ? at.AddDays(rules.WithdrawnDays) : (DateTimeOffset?)null;
        return byWithdrawal is { } w && (byRule is null || w < byRule)
            ? new DueCustomer(r.Id, kind, "consent-withdrawn", w, batch)
            : new DueCustomer(r.Id, kind, "rule", byRule ?? today, batch);
    }

    private static Expression<Func<T, bool>> Or<T>(Expression<Func<T, bool>> a, Expression<Func<T, bool>> b) => Combine(a, b, Expression.OrElse);

    private static Expression<Func<T, bool>> And<T>(Expression<Func<T, bool>> a, Expression<Func<T, bool>> b) => Combine(a, b, Expression.AndAlso);

    private static Expression<Func<T, bool>> Combine<T>(Expression<Func<T, bool>> a, Expression<Func<T, bool>> b, Func<Expression, Expression, BinaryExpression> join)
    {
        var parameter = a.Parameters[0];
        var right = new Rebind(b.Parameters[0], parameter).Visit(b.Body);
        return Expression.Lambda<Func<T, bool>>(join(a.Body, right), parameter);
    }

    private sealed class Rebind(ParameterExpression from, ParameterExpression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : base.VisitParameter(node);
    }
}
