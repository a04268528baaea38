namespace Custos.Kernel.Crypto;

/// <summary>
/// Marks a kernel member that takes or gives a key as bytes. Only the kernel calls these: everything outside it
/// works with ciphers bound to a key (<see cref="RecordCipher"/>, <see cref="BlindIndex"/>, signing keys), and a
/// rule test fails when a type outside the kernel reaches for one.
/// </summary>
[AttributeUsage(AttributeTargets.Method | AttributeTargets.Constructor, Inherited = false)]
public sealed class KeyMaterialAttribute : Attribute;
