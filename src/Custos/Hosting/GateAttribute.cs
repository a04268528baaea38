namespace Custos.Hosting;

/// <summary>How an endpoint that carries no authorization policy decides who may use it.</summary>
public enum Gate
{
    /// <summary>Its handler asks the policy decision point for every record it touches (deny by default, out of scope is 404).</summary>
    PolicyEngine = 0,

    /// <summary>It shows or changes only the caller's own account, messages or home page.</summary>
    OwnAccount = 1,

    /// <summary>Organisation reference data (department and project codes and names) that every signed-in person may read.</summary>
    Directory = 2,

    /// <summary>
    /// Its service checks the caller's roles itself and records each refusal: registers of people (agreements, training)
    /// for the compliance officer, auditors and the heads of the people's departments; publishing for the compliance officer.
    /// </summary>
    RoleChecked = 3,
}

/// <summary>
/// Endpoint metadata naming its <see cref="Gate"/>. A rule test insists that every endpoint has either an
/// authorization policy or a gate, so a new endpoint cannot be added without saying how access is decided.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = false)]
public sealed class GateAttribute(Gate gate) : Attribute
{
    public Gate Gate { get; } = gate;
}
