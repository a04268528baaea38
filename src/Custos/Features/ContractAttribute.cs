namespace Custos.Features;

/// <summary>
/// Marks a type that a feature offers to other features: its public contract. Everything else in a feature's
/// folder is its own business; a rule test fails the build when another feature reaches for it.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Struct | AttributeTargets.Interface | AttributeTargets.Enum | AttributeTargets.Delegate, Inherited = false)]
public sealed class ContractAttribute : Attribute;
