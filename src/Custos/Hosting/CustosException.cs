namespace Custos.Hosting;

/// <summary>
/// A request that cannot be carried out, with a code the edges localise (<c>Error.{Code}</c>): the API
/// turns it into problem details, a page shows it next to the form, the CLI prints it. The arguments
/// must never hold a protected value.
/// </summary>
public sealed class CustosException : Exception
{
    public CustosException(CustosError kind, string code, params object[] args)
        : base(code)
    {
        Kind = kind;
        Code = code;
        Args = args;
    }

    public CustosException()
        : this(CustosError.Invalid, "Unknown")
    {
    }

    public CustosException(string message)
        : this(CustosError.Invalid, message)
    {
    }

    public CustosException(string message, Exception innerException)
        : base(message, innerException)
    {
        Code = message;
        Args = [];
    }

    public CustosError Kind { get; }

    public string Code { get; }

    public IReadOnlyList<object> Args { get; }

    public static CustosException NotFound(string code, params object[] args) => new(CustosError.NotFound, code, args);

    public static CustosException Invalid(string code, params object[] args) => new(CustosError.Invalid, code, args);

    public static CustosException Conflict(string code, params object[] args) => new(CustosError.Conflict, code, args);
}

public enum CustosError
{
    Invalid,
    NotFound,
    Conflict,
    Forbidden,

    /// <summary>Too many requests for now (a limit that names nobody): 429.</summary>
    TooMany,
}

/// <summary>An argument of a <see cref="CustosException"/> that is itself localised text (e.g. a field's label).</summary>
public sealed record TextKey(string Key);
