namespace Custos.Kernel.Policy;

/// <summary>
/// A time-limited permission given by an approved request (ACC-4): to one customer (or every customer
/// of one department), optionally one field, for some actions. A view-only grant never allows a copy
/// to leave (ACC-5).
/// </summary>
public sealed record Grant(
    Guid Id,
    Guid? Customer,
    Guid? Department,
    string? Field,
    ActionSet Actions,
    bool ViewOnly,
    DateTimeOffset NotBefore,
    DateTimeOffset NotAfter)
{
    public bool ActiveAt(DateTimeOffset now) => now >= NotBefore && now < NotAfter;

    public bool Covers(PolicyAction action, string? field) =>
        Actions.Contains(action) && (Field is null || string.Equals(Field, field, StringComparison.Ordinal));
}

/// <summary>One person's grants, indexed by customer and by department so a decision never walks them all.</summary>
public sealed class GrantSet
{
    public static readonly GrantSet Empty = new([]);

    private readonly Dictionary<Guid, Grant[]> byCustomer;
    private readonly Dictionary<Guid, Grant[]> byDepartment;

    public GrantSet(IEnumerable<Grant> grants)
    {
        ArgumentNullException.ThrowIfNull(grants);
        All = [.. grants];
        byCustomer = All.Where(g => g.Customer is not null).GroupBy(g => g.Customer!.Value).ToDictionary(g => g.Key, g => g.ToArray());
        byDepartment = All.Where(g => g.Customer is null && g.Department is not null).GroupBy(g => g.Department!.Value).ToDictionary(g => g.Key, g => g.ToArray());
    }

    public IReadOnlyList<Grant> All { get; }

    public int Count => All.Count;

    /// <summary>The first active grant that covers the action on the customer (and field), or null.</summary>
    public Grant? Find(PolicyAction action, Guid? customer, Guid? department, string? field, DateTimeOffset now)
    {
        if (customer is { } c && byCustomer.TryGetValue(c, out var direct) && Pick(direct, action, field, now) is { } g)
        {
            return g;
        }

        return department is { } d && byDepartment.TryGetValue(d, out var wide) ? Pick(wide, action, field, now) : null;
    }

    /// <summary>Customers and departments reachable through an active grant for the action (for lists).</summary>
    public (IReadOnlySet<Guid> Customers, IReadOnlySet<Guid> Departments) Reach(PolicyAction action, DateTimeOffset now)
    {
        var active = All.Where(g => g.ActiveAt(now) && g.Actions.Contains(action)).ToList();
        return (active.Where(g => g.Customer is not null).Select(g => g.Customer!.Value).ToHashSet(),
                active.Where(g => g.Customer is null && g.Department is not null).Select(g => g.Department!.Value).ToHashSet());
    }

    private static Grant? Pick(Grant[] grants, PolicyAction action, string? field, DateTimeOffset now)
    {
        Grant? viewOnly = null;
        foreach (var grant in grants)
        {
            if (grant.ActiveAt(now) && grant.Covers(action, field))
            {
                if (!grant.ViewOnly)
                {
                    return grant;
                }

                viewOnly ??= grant;
            }
        }

        return viewOnly;
    }
}
