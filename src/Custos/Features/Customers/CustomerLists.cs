using System.Globalization;
using Custos.Data;
using Custos.Hosting;
using Custos.Kernel.Policy;
using Custos.Security;
using Microsoft.EntityFrameworkCore;

namespace Custos.Features.Customers;

/// <summary>
/// A position in a customer list: after (older than) or before (newer than) a customer, by id. Customer ids are
/// version-7 UUIDs, so their order is the order of creation, the same on SQLite (text) and PostgreSQL (uuid).
/// A cursor carries no right: whatever it names, the list is still the caller's scope.
/// </summary>
public readonly record struct PageCursor(Guid Id, bool Before)
{
    public override string ToString() => (Before ? "b" : "a") + Id.ToString("N", CultureInfo.InvariantCulture);

    /// <summary>The cursor, or null for the first page; anything else than one the list gave is refused (400).</summary>
    public static PageCursor? Parse(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        return text.Length == 33 && text[0] is 'a' or 'b' && Guid.TryParseExact(text.AsSpan(1), "N", out var id)
            ? new PageCursor(id, text[0] == 'b')
            : throw CustosException.Invalid("InvalidCursor");
    }
}

/// <summary>
/// Lists that stay fast at a million customers (ACC-1): the caller's scope is split into parts that each follow one
/// index — a department's customers, a project's, granted customers and departments, or all for those who see
/// all — each walked from the cursor in id order and stopped after one page, then merged. Filters (department,
/// project, grade) narrow the parts; an exact search or a tag starts from its own index and keeps only what the
/// scope holds. No part is ever sorted or counted in full: the total is exact up to <see cref="CountCap"/>.
/// </summary>
public sealed class CustomerLists(CustosDbContext db)
{
    /// <summary>Totals above this are shown as "more than".</summary>
    public const int CountCap = 1000;

    /// <summary>The parts of the caller's scope that match the filter, or none when nothing can match.</summary>
    public async Task<List<IQueryable<Customer>>> PartsAsync(Caller caller, ListScope scope, CustomerFilter filter, IReadOnlyCollection<Guid>? candidates, CancellationToken ct)
    {
        Guid? department = null;
        if (!string.IsNullOrWhiteSpace(filter.Department))
        {
            var code = filter.Department.Trim().ToUpperInvariant();
            department = await db.Departments.Where(d => d.Code == code).Select(d => (Guid?)d.Id).SingleOrDefaultAsync(ct);
            if (department is null)
            {
                return [];
            }
        }

        (Guid Id, Guid Department)? project = null;
        if (!string.IsNullOrWhiteSpace(filter.Project))
        {
            var code = filter.Project.Trim().ToUpperInvariant();
            var found = await db.Projects.Where(p => p.Code == code).Select(p => new { p.Id, p.DepartmentId }).SingleOrDefaultAsync(ct);
            if (found is null || (department is { } d && found.DepartmentId != d))
            {
                return [];
            }

            project = (found.Id, found.DepartmentId);
        }

        // The scope as index-shaped parts: (department), (project), granted customers, granted departments.
        var departments = new HashSet<Guid>(scope.GrantedDepartments);
        var projects = new HashSet<Guid>();
        var all = false;
        switch (scope.Scope)
        {
            case CustomerScope.All:
                all = true;
                break;
            case CustomerScope.Own:
                departments.UnionWith(caller.Departments);
                projects.UnionWith(caller.Projects);
                break;
            case CustomerScope.Projects:
                projects.UnionWith(caller.Projects);
                break;
        }

        var parts = new List<IQueryable<Customer>>();
        if (project is { } p)
        {
            // One project: all its customers for those who see all or belong to it; for a department's people, those of the project in their departments.
            if (all || projects.Contains(p.Id))
            {
                parts.Add(db.Customers.Where(c => c.ProjectId == p.Id));
            }
            else if (departments.Count > 0)
            {
                var reach = departments.ToList();
                parts.Add(db.Customers.Where(c => c.ProjectId == p.Id && reach.Contains(c.DepartmentId)));
            }
        }
        else if (department is { } only)
        {
            if (all || departments.Contains(only))
            {
                parts.Add(db.Customers.Where(c => c.DepartmentId == only));
            }
            else
            {
                parts.AddRange(projects.Select(id => db.Customers.Where(c => c.ProjectId == id && c.DepartmentId == only)));
            }
        }
        else if (all)
        {
            parts.Add(db.Customers);
        }
        else
        {
            parts.AddRange(departments.Select(id => db.Customers.Where(c => c.DepartmentId == id)));
            parts.AddRange(projects.Select(id => db.Customers.Where(c => c.ProjectId == id)));
        }

        if (!all && scope.GrantedCustomers.Count > 0)
        {
            var granted = scope.GrantedCustomers.ToList();
            var byGrant = db.Customers.Where(c => granted.Contains(c.Id));
            if (department is { } gd)
            {
                byGrant = byGrant.Where(c => c.DepartmentId == gd);
            }

            if (project is { } gp)
            {
                byGrant = byGrant.Where(c => c.ProjectId == gp.Id);
            }

            parts.Add(byGrant);
        }

        if (filter.Grade is { } grade)
        {
            parts = [.. parts.Select(q => q.Where(c => c.Grade == grade))];
        }

        if (candidates is not null)
        {
            var ids = candidates.ToList();
            parts = [.. parts.Select(q => q.Where(c => ids.Contains(c.Id)))];
        }

        return parts;
    }

    /// <summary>One page from the parts: up to <paramref name="size"/> customers after or before the cursor, newest first, and whether there are more that way.</summary>
    public static async Task<(List<Guid> Ids, bool More)> PageAsync(IReadOnlyList<IQueryable<Customer>> parts, PageCursor? cursor, int size, CancellationToken ct)
    {
        var before = cursor is { Before: true };
        var found = new HashSet<Guid>();
        foreach (var part in parts)
        {
            var q = part;
            if (cursor is { } c)
            {
                var at = c.Id;
                q = before ? q.Where(x => x.Id.CompareTo(at) > 0) : q.Where(x => x.Id.CompareTo(at) < 0);
            }

            q = before ? q.OrderBy(x => x.Id) : q.OrderByDescending(x => x.Id);
            found.UnionWith(await q.Select(x => x.Id).Take(size + 1).ToListAsync(ct));
        }

        var ordered = before ? found.Order(IdOrder.Instance).ToList() : found.OrderDescending(IdOrder.Instance).ToList();
        var more = ordered.Count > size;
        var page = ordered.Take(size).ToList();
        if (before)
        {
            page.Reverse();
        }

        return (page, more);
    }

    /// <summary>How many customers the parts hold, exactly up to <see cref="CountCap"/>; above it, the cap and true.</summary>
    public static async Task<(int Total, bool AtLeast)> CountAsync(IReadOnlyList<IQueryable<Customer>> parts, CancellationToken ct)
    {
        var found = new HashSet<Guid>();
        foreach (var part in parts)
        {
            found.UnionWith(await part.Select(x => x.Id).Take(CountCap + 1).ToListAsync(ct));
            if (found.Count > CountCap)
            {
                return (CountCap, true);
            }
        }

        return (found.Count, false);
    }

    /// <summary>How many of a tag's customers are read from its index at a time, to keep those in scope.</summary>
    private const int Chunk = 500;

    /// <summary>
    /// A page of customers with a tag: the tag's index (Tag, CustomerId) is read in id order from the cursor a chunk at
    /// a time, and each chunk keeps the customers the parts hold — so a page costs the same however many customers the
    /// scope or the tag has, as long as the scope holds the tagged customers it is shown.
    /// </summary>
    public async Task<(List<Guid> Ids, bool More)> TaggedPageAsync(IReadOnlyList<IQueryable<Customer>> parts, string tag, PageCursor? cursor, int size, CancellationToken ct)
    {
        var before = cursor is { Before: true };
        if (parts.Count == 1)
        {
            // One part (the usual case: one department): one query from the tag's index, each id checked against the
            // part by primary key, stopping at the page's end.
            var q = Tagged(parts[0], tag);
            if (cursor is { } c)
            {
                q = before ? q.Where(t => t.CustomerId.CompareTo(c.Id) > 0) : q.Where(t => t.CustomerId.CompareTo(c.Id) < 0);
            }

            var ids = await (before ? q.OrderBy(t => t.CustomerId) : q.OrderByDescending(t => t.CustomerId)).Select(t => t.CustomerId).Take(size + 1).ToListAsync(ct);
            var shown = ids.Take(size).ToList();
            if (before)
            {
                shown.Reverse();
            }

            return (shown, ids.Count > size);
        }

        var found = new List<Guid>();
        var at = cursor?.Id;
        while (found.Count <= size && parts.Count > 0)
        {
            var chunk = await TagChunkAsync(tag, at, before, ct);
            var kept = await InScopeAsync(parts, chunk, ct);
            found.AddRange(chunk.Where(kept.Contains));
            if (chunk.Count < Chunk)
            {
                break;
            }

            at = chunk[^1];
        }

        var page = found.Take(size).ToList();
        if (before)
        {
            page.Reverse();
        }

        return (page, found.Count > size);
    }

    /// <summary>How many customers with the tag the parts hold, exactly up to <see cref="CountCap"/>.</summary>
    public async Task<(int Total, bool AtLeast)> TaggedCountAsync(IReadOnlyList<IQueryable<Customer>> parts, string tag, CancellationToken ct)
    {
        if (parts.Count == 1)
        {
            // In index order, as the page is read; on PostgreSQL without a parallel plan, whose start-up (6–10 ms
            // measured) costs more than the up to 1,001 index probes it would share out.
            var query = Tagged(parts[0], tag).OrderByDescending(t => t.CustomerId).Select(t => t.CustomerId).Take(CountCap + 1);
            var n = await SerialAsync(() => query.CountAsync(ct), ct);
            return n > CountCap ? (CountCap, true) : (n, false);
        }

        var count = 0;
        Guid? at = null;
        while (parts.Count > 0)
        {
            var chunk = await TagChunkAsync(tag, at, false, ct);
            count += (await InScopeAsync(parts, chunk, ct)).Count;
            if (count > CountCap)
            {
                return (CountCap, true);
            }

            if (chunk.Count < Chunk)
            {
                break;
            }

            at = chunk[^1];
        }

        return (count, false);
    }

    /// <summary>Runs a short query without parallel workers on PostgreSQL (a transaction of its own with <c>SET LOCAL</c>).</summary>
    private async Task<T> SerialAsync<T>(Func<Task<T>> query, CancellationToken ct)
    {
        if (!db.Database.IsNpgsql() || db.Database.CurrentTransaction is not null)
        {
            return await query();
        }

        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        await db.Database.ExecuteSqlAsync($"SET LOCAL max_parallel_workers_per_gather = 0", ct);
        var result = await query();
        await transaction.CommitAsync(ct);
        return result;
    }

    /// <summary>The tag's entries whose customer the part holds (a semi-join driven by the tag's index).</summary>
    private IQueryable<CustomerTag> Tagged(IQueryable<Customer> part, string tag) =>
        db.CustomerTags.Where(t => t.Tag == tag && part.Any(c => c.Id == t.CustomerId));

    private async Task<List<Guid>> TagChunkAsync(string tag, Guid? at, bool before, CancellationToken ct)
    {
        var q = db.CustomerTags.Where(t => t.Tag == tag);
        if (at is { } a)
        {
            q = before ? q.Where(t => t.CustomerId.CompareTo(a) > 0) : q.Where(t => t.CustomerId.CompareTo(a) < 0);
        }

        return await (before ? q.OrderBy(t => t.CustomerId) : q.OrderByDescending(t => t.CustomerId)).Select(t => t.CustomerId).Take(Chunk).ToListAsync(ct);
    }

    private static async Task<HashSet<Guid>> InScopeAsync(IReadOnlyList<IQueryable<Customer>> parts, List<Guid> ids, CancellationToken ct)
    {
        var kept = new HashSet<Guid>();
        if (ids.Count == 0)
        {
            return kept;
        }

        foreach (var part in parts)
        {
            kept.UnionWith(await part.Where(c => ids.Contains(c.Id)).Select(c => c.Id).ToListAsync(ct));
        }

        return kept;
    }

    /// <summary>The databases' order of ids: their canonical text, compared ordinally (the order of a UUID's bytes).</summary>
    private sealed class IdOrder : IComparer<Guid>
    {
        public static readonly IdOrder Instance = new();

        public int Compare(Guid x, Guid y) => string.CompareOrdinal(x.ToString("N", CultureInfo.InvariantCulture), y.ToString("N", CultureInfo.InvariantCulture));
    }
}
