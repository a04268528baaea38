using Custos.Kernel.Crypto;
using Mono.Cecil;

namespace Custos.Tests.Structure;

/// <summary>
/// Keys stay in the kernel (SEC-1): outside <c>Custos.Kernel</c> no type calls a member that takes or gives a key as
/// bytes (marked <see cref="KeyMaterialAttribute"/>); it works with ciphers bound to a key instead.
/// </summary>
public sealed class KeyBoundaryTests
{
    internal static IReadOnlyList<string> Violations(ModuleDefinition module, string? onlyNamespace = null)
    {
        var found = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var use in TypeUses.Of(module))
        {
            if (use.Member is not MethodReference method || (onlyNamespace is not null && !use.From.Namespace.StartsWith(onlyNamespace, StringComparison.Ordinal)))
            {
                continue;
            }

            var resolved = method.Resolve();
            if (resolved is not null && resolved.Module.Assembly.Name.Name == "Custos.Kernel"
                && resolved.CustomAttributes.Any(a => a.AttributeType.FullName == typeof(KeyMaterialAttribute).FullName))
            {
                found.Add($"{use.From.FullName} calls {resolved.DeclaringType.FullName}.{resolved.Name}");
            }
        }

        return [.. found];
    }

    [Fact]
    public void No_type_outside_the_kernel_handles_a_key_as_bytes_SEC_1()
    {
        using var module = TypeUses.Load(typeof(Features.ContractAttribute).Assembly);
        var violations = Violations(module);
        Assert.True(violations.Count == 0, "keys handled as bytes outside the kernel:\n" + string.Join('\n', violations));
    }

    [Fact]
    public void Every_kernel_member_that_takes_or_gives_a_key_as_bytes_is_marked()
    {
        // A new way in would not be caught by the rule above unless it is marked: parameters named like (secret) keys, and unwrapping.
        using var kernel = TypeUses.Load(typeof(KeyMaterialAttribute).Assembly);
        var unmarked = kernel.GetTypes().SelectMany(t => t.Methods)
            .Where(m => (m.IsPublic || m.IsAssembly) && !m.IsGetter && !m.IsSetter)
            .Where(m => m.Parameters.Any(p => p.Name.Contains("key", StringComparison.OrdinalIgnoreCase) && !p.Name.Contains("public", StringComparison.OrdinalIgnoreCase) && IsBytes(p.ParameterType)) || (m.Name == "Unwrap" && IsBytes(m.ReturnType)))
            .Where(m => !m.CustomAttributes.Any(a => a.AttributeType.FullName == typeof(KeyMaterialAttribute).FullName))
            .Select(m => $"{m.DeclaringType.FullName}.{m.Name}")
            .ToList();
        Assert.True(unmarked.Count == 0, "unmarked key members:\n" + string.Join('\n', unmarked));
    }

    [Fact]
    public void The_rule_finds_a_key_taken_as_bytes()
    {
        using var tests = TypeUses.Load(typeof(KeyBoundaryTests).Assembly);
        Assert.Equal(
            ["Custos.Tests.Structure.Examples.KeyLeak calls Custos.Kernel.Crypto.FieldCipher.Encrypt", "Custos.Tests.Structure.Examples.KeyLeak calls Custos.Kernel.Crypto.RecordCipher..ctor"],
            Violations(tests, "Custos.Tests.Structure.Examples"));
    }

    private static bool IsBytes(TypeReference type) =>
        type.FullName is "System.Byte[]" or "System.ReadOnlySpan`1<System.Byte>" or "System.Span`1<System.Byte>";
}
