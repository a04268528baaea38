namespace Custos.Kernel.Policy;

/// <summary>What a person asks to do. The names in <see cref="PolicyActions.Names"/> are what policy files use.</summary>
public enum PolicyAction
{
    List = 0,
    ViewMasked = 1,
    Reveal = 2,
    Edit = 3,
    Create = 4,
    Import = 5,
    Export = 6,
    Print = 7,
    ShareExternal = 8,
    Destroy = 9,
    Approve = 10,
    Administer = 11,
    Audit = 12,
}

/// <summary>A set of actions as a bit mask, so a role's permissions are one comparison.</summary>
public readonly record struct ActionSet(int Bits)
{
    public static readonly ActionSet None = new(0);

    public static ActionSet Of(params ReadOnlySpan<PolicyAction> actions)
    {
        var bits = 0;
        foreach (var action in actions)
        {
            bits |= 1 << (int)action;
        }

        return new ActionSet(bits);
    }

    public bool Contains(PolicyAction action) => (Bits & (1 << (int)action)) != 0;

    public bool IsEmpty => Bits == 0;

    public ActionSet Union(ActionSet other) => new(Bits | other.Bits);

    public IEnumerable<PolicyAction> Actions => PolicyActions.All.Where(Contains);

    public override string ToString() => string.Join(",", Actions.Select(PolicyActions.Name));
}

public static class PolicyActions
{
    public static readonly IReadOnlyList<PolicyAction> All = Enum.GetValues<PolicyAction>();

    private static readonly Dictionary<string, PolicyAction> ByName = new(StringComparer.Ordinal)
    {
        ["list"] = PolicyAction.List,
        ["view-masked"] = PolicyAction.ViewMasked,
        ["reveal"] = PolicyAction.Reveal,
        ["edit"] = PolicyAction.Edit,
        ["create"] = PolicyAction.Create,
        ["import"] = PolicyAction.Import,
        ["export"] = PolicyAction.Export,
        ["print"] = PolicyAction.Print,
        ["share-external"] = PolicyAction.ShareExternal,
        ["destroy"] = PolicyAction.Destroy,
        ["approve"] = PolicyAction.Approve,
        ["administer"] = PolicyAction.Administer,
        ["audit"] = PolicyAction.Audit,
    };

    public static IReadOnlyCollection<string> Names => ByName.Keys;

    public static string Name(PolicyAction action) => ByName.First(p => p.Value == action).Key;

    public static bool TryParse(string? name, out PolicyAction action) => ByName.TryGetValue(name ?? "", out action);

    /// <summary>Actions on customer information: they need scope, an active employment and the preconditions.</summary>
    public static bool TouchesCustomers(PolicyAction action) => action is not (PolicyAction.Approve or PolicyAction.Administer or PolicyAction.Audit);

    /// <summary>Actions that let a copy of the information leave Custos; a view-only grant never allows them (ACC-5).</summary>
    public static bool MakesCopy(PolicyAction action) => action is PolicyAction.Export or PolicyAction.Print or PolicyAction.ShareExternal;
}
