using System.Globalization;
using Custos.Data;
using Custos.Features.Notifications;
using Custos.Features.People;
using Custos.Hosting;
using Custos.Kernel.Classification;
using Custos.Kernel.Policy;
using Custos.Security;
using Microsoft.EntityFrameworkCore;

namespace Custos.Features.Customers;

/// <summary>One customer due for an accuracy review: masked name, department, since when it is known accurate, and the last review, if any.</summary>
public sealed record StaleRow(Guid Id, CustomerKind Kind, string Name, string Department, DateTimeOffset AccurateAsOf, DateTimeOffset? LastReviewedAt, ReviewOutcome? LastOutcome);

/// <summary>A page of customers due for review, oldest first; <paramref name="Next"/> is the cursor of the page after, null at the end.</summary>
public sealed record StalePage(IReadOnlyList<StaleRow> Items, int PageSize, string? Next);

/// <summary>One accuracy review as shown: when, by whom, what it found.</summary>
public sealed record ReviewView(Guid Id, DateTimeOffset ReviewedAt, string Reviewer, ReviewOutcome Outcome);

/// <summary>
/// Periodic accuracy reviews of customer records (SEC-4). A customer is due for review when it was never reviewed and
/// was created longer ago than the interval (<see cref="AccuracySettings"/>), or its last review is older than that.
/// Whoever may edit a customer records a review (confirmed, corrected, could not reach); the customers due are listed
/// to those whose scope holds them, a page at a time from an index on <see cref="Customer.AccurateAsOf"/>; each
/// department's heads are reminded once a month with the number due.
/// </summary>
public sealed class AccuracyService(
    CustosDbContext db,
    Callers callers,
    CustomerAccess access,
    CustomerLists lists,
    IAuditTrail audit,
    Notifier notifier,
    AccuracySettings settings,
    TimeProvider time)
{
    /// <summary>Records that the customer's record was reviewed: a customer the caller may not see is not found (404), one they may not edit is refused.</summary>
    public async Task<ReviewView> ReviewAsync(Guid id, ReviewOutcome outcome, CancellationToken ct)
    {
        if (!Enum.IsDefined(outcome))
        {
            throw CustosException.Invalid("InvalidEnum", "outcome");
        }

        var (caller, customer, _) = await access.LoadForAsync(id, PolicyAction.Edit, AuditActions.CustomerReview, "MayNotEditCustomers", ct);
        var now = time.GetUtcNow();
        var review = new AccuracyReview
        {
            Id = Guid.CreateVersion7(now),
            CustomerId = customer.Id,
            ReviewedAt = now,
            ReviewerId = caller.PersonId,
            ReviewerName = caller.Name,
            Outcome = outcome,
        };
        db.Add(review);
        customer.AccurateAsOf = now;
        audit.Record(AuditActions.CustomerReview, "customer", customer.Id.ToString(), detail: new { outcome = outcome.ToString() });
        await db.SaveChangesAsync(ct);
        return new ReviewView(review.Id, review.ReviewedAt, review.ReviewerName, review.Outcome);
    }

    /// <summary>The reviews of a customer in the caller's scope, newest first.</summary>
    public async Task<IReadOnlyList<ReviewView>> ReviewsAsync(Guid id, CancellationToken ct)
    {
        var caller = await callers.CurrentAsync(ct);
        var customer = await access.LoadInScopeAsync(caller, id, AuditActions.CustomerHistory, ct);
        return await db.Set<AccuracyReview>().AsNoTracking().Where(r => r.CustomerId == customer.Id).OrderByDescending(r => r.ReviewedAt).Take(200)
            .Select(r => new ReviewView(r.Id, r.ReviewedAt, r.ReviewerName, r.Outcome)).ToListAsync(ct);
    }

    /// <summary>
    /// The customers due for review in the caller's scope (ACC-1: the same parts as every list, so a department's
    /// people see their department's), oldest first, a page at a time from a cursor. Each part is a range of its index
    /// (department, accurate-as-of) read up to one page: a page costs the same at a million customers as at a hundred.
    /// </summary>
    public async Task<StalePage> StaleAsync(string? department, string? cursor, int pageSize, CancellationToken ct)
    {
        var at = StaleCursor.Parse(cursor);
        pageSize = Math.Clamp(pageSize, 1, 200);
        var caller = await callers.CurrentAsync(ct);
        var scope = caller.ListScope();
        if (!scope.Decision.Allowed && scope.Decision.Reason != DecisionReason.NoRole)
        {
            await callers.RequireAsync(scope.Decision, AuditActions.CustomerStale, null, "MayNotListCustomers", ct);
        }

        var parts = scope.Decision.Allowed ? await lists.PartsAsync(caller, scope, new CustomerFilter(department), null, ct) : [];
        var now = time.GetUtcNow();
        var found = new List<(Guid Id, DateTimeOffset AsOf)>();
        foreach (var part in parts)
        {
            var q = Due(part, now);
            if (at is { } c)
            {
                var asOf = c.AsOf;
                var after = c.Id;
                q = q.Where(x => x.AccurateAsOf > asOf || (x.AccurateAsOf == asOf && x.Id.CompareTo(after) > 0));
            }

            found.AddRange((await q.OrderBy(x => x.AccurateAsOf).ThenBy(x => x.Id).Select(x => new { x.Id, x.AccurateAsOf }).Take(pageSize + 1).ToListAsync(ct))
                .Select(x => (x.Id, x.AccurateAsOf)));
        }

        var ordered = found.DistinctBy(x => x.Id).OrderBy(x => x.AsOf).ThenBy(x => x.Id.ToString("N", CultureInfo.InvariantCulture), StringComparer.Ordinal).ToList();
        var page = ordered.Take(pageSize).ToList();
        var ids = page.Select(p => p.Id).ToList();
        var items = await db.Customers.AsNoTracking().Where(c => ids.Contains(c.Id))
            .Select(c => new
            {
                Customer = c,
                Department = db.Departments.Where(d => d.Id == c.DepartmentId).Select(d => d.Code).First(),
                Name = c.Values.Where(v => v.Field == FieldCatalogue.Name).ToList(),
                Last = db.Set<AccuracyReview>().Where(r => r.CustomerId == c.Id).OrderByDescending(r => r.ReviewedAt).Select(r => new { r.ReviewedAt, r.Outcome }).FirstOrDefault(),
            })
            .ToListAsync(ct);
        var nameField = access.Catalogue.Find(FieldCatalogue.Name)!;
        var rows = items.OrderBy(i => ids.IndexOf(i.Customer.Id)).Select(i =>
        {
            using var cipher = access.OpenCipher(i.Customer);
            var name = i.Name.FirstOrDefault() is { } value ? nameField.Mask.Apply(CustomerAccess.Decrypt(cipher, i.Customer, value)) : "";
            return new StaleRow(i.Customer.Id, i.Customer.Kind, name, i.Department, i.Customer.AccurateAsOf, i.Last?.ReviewedAt, i.Last?.Outcome);
        }).ToList();

        await audit.RecordNowAsync(AuditActions.CustomerStale, "customer", null, AuditOutcome.Success, new { department, cursor = at?.ToString(), count = rows.Count }, ct);
        var next = ordered.Count > pageSize && page.Count > 0 ? new StaleCursor(page[^1].AsOf, page[^1].Id).ToString() : null;
        return new StalePage(rows, pageSize, next);
    }

    /// <summary>The customers of <paramref name="customers"/> due for review at <paramref name="now"/>: a range of the accurate-as-of index.</summary>
    public IQueryable<Customer> Due(IQueryable<Customer> customers, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(customers);
        var individual = now.AddMonths(-settings.MonthsFor(CustomerKind.Individual));
        var business = now.AddMonths(-settings.MonthsFor(CustomerKind.Business));
        if (individual == business)
        {
            return customers.Where(c => c.AccurateAsOf < individual);
        }

        var latest = individual > business ? individual : business;
        return customers.Where(c => c.AccurateAsOf < latest
            && ((c.Kind == CustomerKind.Individual && c.AccurateAsOf < individual) || (c.Kind == CustomerKind.Business && c.AccurateAsOf < business)));
    }

    /// <summary>
    /// Tells each department's heads how many of its customers are due for review, once per calendar month (UTC): the
    /// reminder row (department, month) is written with the messages, so a second run, or a second node, sends nothing.
    /// </summary>
    public async Task<int> RemindAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var period = now.UtcDateTime.ToString("yyyy-MM", CultureInfo.InvariantCulture);
        var reminders = db.Set<AccuracyReminder>();
        var done = await reminders.AsNoTracking().Where(r => r.Period == period).Select(r => r.DepartmentId).ToListAsync(ct);
        var departments = await db.Departments.AsNoTracking().Where(d => !done.Contains(d.Id)).Select(d => new { d.Id, d.Code }).ToListAsync(ct);
        var sent = 0;
        foreach (var department in departments)
        {
            var id = department.Id;
            var count = await Due(db.Customers.Where(c => c.DepartmentId == id), now).CountAsync(ct);
            if (count == 0)
            {
                continue;
            }

            var heads = await (from m in db.DepartmentMemberships
                               join u in db.Users on m.PersonId equals u.Id
                               join ur in db.UserRoles on u.Id equals ur.UserId
                               join r in db.Roles on ur.RoleId equals r.Id
                               where m.DepartmentId == id && r.Name == Roles.DepartmentHead && u.EmploymentStatus == EmploymentStatus.Active
                               select u.Id).Distinct().ToListAsync(ct);
            if (heads.Count == 0)
            {
                continue; // nobody to tell yet: a head named later this month is told then
            }

            try
            {
                await using var tx = await db.Database.BeginTransactionAsync(ct);
                reminders.Add(new AccuracyReminder { DepartmentId = id, Period = period, Count = count, SentAt = now });
                notifier.Add(heads, "Notify.AccuracyReviewDue", null, department.Code, count.ToString(CultureInfo.InvariantCulture));
                audit.Record(AuditActions.CustomerReviewRemind, "department", id.ToString(), detail: new { department = department.Code, period, count, heads = heads.Count });
                await db.SaveChangesAsync(ct);
                await tx.CommitAsync(ct);
                sent++;
            }
            catch (Exception e) when (e is DbUpdateException or Audit.AuditWriteException)
            {
                // Another node sent it first (same key), or the log could not be written: nothing was sent.
                db.ChangeTracker.Clear();
            }
        }

        return sent;
    }

    /// <summary>A position in the list of customers due: after (accurate-as-of, id). Carries no right.</summary>
    private readonly record struct StaleCursor(DateTimeOffset AsOf, Guid Id)
    {
        public override string ToString() =>
            AsOf.UtcTicks.ToString(CultureInfo.InvariantCulture) + "." + Id.ToString("N", CultureInfo.InvariantCulture);

        public static StaleCursor? Parse(string? text)
        {
            if (string.IsNullOrEmpty(text))
            {
                return null;
            }

            var parts = text.Split('.');
            return parts.Length == 2 && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
                && ticks <= DateTimeOffset.MaxValue.UtcTicks && Guid.TryParseExact(parts[1], "N", out var id)
                ? new StaleCursor(new DateTimeOffset(ticks, TimeSpan.Zero), id)
                : throw CustosException.Invalid("InvalidCursor");
        }
    }
}

/// <summary>Once an hour: the monthly reminder of customers due for review (sent once per department and month).</summary>
internal sealed class AccuracyWorker(IServiceScopeFactory scopes, StartupReport startup, TimeProvider time, ILogger<AccuracyWorker> log)
    : PeriodicWorker(scopes, startup, time, log)
{
    protected override TimeSpan Interval => TimeSpan.FromHours(1);

    protected override string ActorName => "custos-accuracy";

    protected override Task RunAsync(IServiceProvider services, CancellationToken ct) => services.GetRequiredService<AccuracyService>().RemindAsync(ct);
}
