using Mono.Cecil;

namespace Custos.Tests.Structure;

/// <summary>
/// A person's rights are cached by their rights version, which the database context raises for every change it
/// tracks (Security/RightsStamps). A bulk update or delete of a rights table would change rights without raising it:
/// no code may issue one, nor bulk-insert such rows (BulkInsert), except the two that touch no right (the version
/// itself, the last authenticator step).
/// </summary>
public sealed class RightsWriteTests
{
    private static readonly HashSet<string> RightsTables =
    [
        "Microsoft.AspNetCore.Identity.IdentityUserRole`1",
        typeof(Features.People.Person).FullName!,
        typeof(Features.Organisation.DepartmentMembership).FullName!,
        typeof(Features.Organisation.ProjectMembership).FullName!,
        typeof(Features.Access.AccessGrant).FullName!,
    ];

    private static readonly HashSet<string> Allowed = [typeof(Security.RightsStamps).FullName!, "Custos.Features.Accounts.OnceOnlyAuthenticator"];

    internal static IReadOnlyList<string> Violations(ModuleDefinition module) =>
        [.. TypeUses.Of(module)
            .Where(u => u.Member is GenericInstanceMethod { Name: "ExecuteUpdateAsync" or "ExecuteDeleteAsync" or "ExecuteUpdate" or "ExecuteDelete" or "InsertAsync" } m
                && m.GenericArguments.Any(a => RightsTables.Contains((a as GenericInstanceType)?.ElementType.FullName ?? a.FullName))
                && !Allowed.Contains(u.From.FullName))
            .Select(u => $"{u.From.FullName} bulk-writes {((GenericInstanceMethod)u.Member!).GenericArguments[0].Name}")
            .Distinct()
            .Order(StringComparer.Ordinal)];

    [Fact]
    public void No_code_changes_rights_behind_the_change_tracker()
    {
        using var module = TypeUses.Load(typeof(Features.ContractAttribute).Assembly);
        var violations = Violations(module);
        Assert.True(violations.Count == 0, "rights changed without raising the rights version:\n" + string.Join('\n', violations));
    }

    [Fact]
    public void The_rule_finds_a_bulk_delete_of_memberships()
    {
        using var tests = TypeUses.Load(typeof(RightsWriteTests).Assembly);
        Assert.Contains("Custos.Tests.Structure.Examples.BulkRights bulk-writes DepartmentMembership", Violations(tests));
    }
}
