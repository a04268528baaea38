using Mono.Cecil;

namespace Custos.Tests.Structure;

/// <summary>
/// Features keep to each other's contracts: a type in <c>Custos.Features.X</c> may use another feature's type only
/// if that type is marked <see cref="Features.ContractAttribute"/>. Shared seams (Security, Data, Hosting, Web, the kernel) are open to all.
/// </summary>
public sealed class FeatureBoundaryTests
{
    private const string Root = "Custos.Features.";

    internal static string? FeatureOf(TypeReference type)
    {
        var ns = type.DeclaringType is { } outer ? Outer(outer).Namespace : type.Namespace;
        if (!ns.StartsWith(Root, StringComparison.Ordinal))
        {
            return null;
        }

        var rest = ns[Root.Length..];
        var dot = rest.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? rest : rest[..dot];
    }

    private static TypeReference Outer(TypeReference type)
    {
        while (type.DeclaringType is not null)
        {
            type = type.DeclaringType;
        }

        return type;
    }

    internal static IReadOnlyList<string> Violations(ModuleDefinition module)
    {
        var found = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var use in TypeUses.Of(module))
        {
            var from = FeatureOf(use.From);
            var to = FeatureOf(use.Type);
            if (from is null || to is null || from == to)
            {
                continue;
            }

            var target = Outer(use.Type).Resolve();
            if (target is null)
            {
                continue;
            }

            if (!target.CustomAttributes.Any(a => a.AttributeType.FullName == typeof(Features.ContractAttribute).FullName))
            {
                found.Add($"{use.From.FullName} uses {target.FullName}");
                continue;
            }

            // A contract is its public surface: its internal members stay its feature's own.
            var member = use.Member switch
            {
                MethodReference m => m.Resolve() is { } md && !md.IsPublic ? md.Name : null,
                FieldReference f => f.Resolve() is { } fd && !fd.IsPublic ? fd.Name : null,
                _ => null,
            };
            if (member is not null)
            {
                found.Add($"{use.From.FullName} uses {target.FullName}.{member}");
            }
        }

        return [.. found];
    }

    [Fact]
    public void No_feature_uses_another_features_internals()
    {
        using var module = TypeUses.Load(typeof(Features.ContractAttribute).Assembly);
        var violations = Violations(module);
        Assert.True(violations.Count == 0, $"{violations.Count} use(s) of another feature's internals:\n" + string.Join('\n', violations));
    }

    [Fact]
    public void The_rule_finds_a_feature_reaching_into_another_and_lets_a_contract_through()
    {
        using var tests = TypeUses.Load(typeof(FeatureBoundaryTests).Assembly);
        Assert.Equal(
            [
                "Custos.Features.Copies.Examples.ReachesIn uses Custos.Features.Customers.CustomerAccess.Context",
                "Custos.Features.Copies.Examples.ReachesIn uses Custos.Features.Customers.CustomerDetail",
                "Custos.Features.Copies.Examples.ThroughAttribute uses Custos.Features.Customers.CustomerLists",
            ],
            Violations(tests));
    }

    [Theory]
    [InlineData(typeof(Data.SqliteCustosDbContext))]
    [InlineData(typeof(Data.PostgresCustosDbContext))]
    public void The_model_put_together_from_each_features_mappings_is_the_one_the_migrations_make(Type context)
    {
        // The design-time factories build each engine's context without opening a connection.
        var factory = typeof(Data.CustosDbContext).Assembly.GetTypes()
            .Single(t => t.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(Microsoft.EntityFrameworkCore.Design.IDesignTimeDbContextFactory<>) && i.GetGenericArguments()[0] == context));
        using var db = (Data.CustosDbContext)factory.GetMethod("CreateDbContext")!.Invoke(Activator.CreateInstance(factory, nonPublic: true), [Array.Empty<string>()])!;
        Assert.False(Microsoft.EntityFrameworkCore.RelationalDatabaseFacadeExtensions.HasPendingModelChanges(db.Database), $"{context.Name}: the model differs from the last migration");
    }
}
