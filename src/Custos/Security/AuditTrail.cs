namespace Custos.Security;

/// <summary>
/// The one seam through which every feature records what happened (AUD-1). An entry joins the caller's
/// unit of work, so it is committed with the change or not at all (fail-closed).
/// </summary>
public interface IAuditTrail
{
    /// <summary>Adds an entry to the current unit of work; the caller's <c>SaveChanges</c> writes both.</summary>
    void Record(string action, string targetType, string? targetId, AuditOutcome outcome = AuditOutcome.Success, object? detail = null, string? purpose = null);

    /// <summary>Writes an entry on its own, for events with no other change (a failed sign-in, a denial).</summary>
    Task RecordNowAsync(string action, string targetType, string? targetId, AuditOutcome outcome, object? detail, CancellationToken cancellationToken, string? purpose = null);
}

/// <summary>How a person is named in the audit log, the same way from the web, the API, a token and the command line: 王部长 (demo.head).</summary>
public static class ActorNames
{
    public static string Of(string? displayName, string? userName) =>
        string.IsNullOrWhiteSpace(userName) ? displayName ?? ""
        : string.IsNullOrWhiteSpace(displayName) || displayName == userName ? userName
        : $"{displayName} ({userName})";
}

/// <summary>Who is acting: a signed-in person, an API token, an administrator at the command line.</summary>
public interface ICurrentActor
{
    string Id { get; }

    string Name { get; }

    string? ClientAddress { get; }

    /// <summary>Whom the actor acts for, when a delegate acts for someone away.</summary>
    string? ActingAs => null;

    /// <summary>For a person acting through an API token: the roles the token lets them use (their current roles narrowed by its scopes); otherwise null.</summary>
    IReadOnlySet<string>? RoleLimit => null;

    /// <summary>Whether the person acts through an API token rather than a signed-in session or the command line.</summary>
    bool ViaToken => RoleLimit is not null;

    /// <summary>
    /// Whether the call comes from the command line on the server, which names its actor (<c>--as</c>) without their
    /// credentials: whoever runs it may administer, but never decides for someone or makes their credentials.
    /// </summary>
    bool FromCommandLine => ClientAddress == "cli";
}

/// <summary>How many audit entries the current request (scope) has committed.</summary>
public sealed class AuditRequestState
{
    public int Committed { get; set; }
}

/// <summary>The actor of a command-line invocation (<c>--as USER</c>), or the system itself.</summary>
public sealed class FixedActor(string id, string name) : ICurrentActor
{
    public static readonly FixedActor System = new("system", "system");

    public string Id { get; } = id;

    public string Name { get; } = name;

    public string? ClientAddress => "cli";
}

/// <summary>What became of an operation recorded in the audit log.</summary>
public enum AuditOutcome
{
    Success = 0,
    Denied = 1,
    Failed = 2,
}
