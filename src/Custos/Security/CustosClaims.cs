using System.Security.Claims;

namespace Custos.Security;

public static class CustosClaims
{
    public const string DisplayName = "custos:name";

    /// <summary>Present while a person in a role that needs two-factor authentication has not enrolled.</summary>
    public const string MfaEnrolmentRequired = "custos:mfa-enrol";

    /// <summary>Unix seconds of the interactive sign-in; bounds the absolute session lifetime.</summary>
    public const string AuthTime = "custos:auth_time";

    /// <summary>The server-side session a cookie belongs to (its id; only its hash is stored).</summary>
    public const string SessionId = "custos:sid";

    /// <summary>The API token a request authenticated with.</summary>
    public const string TokenId = "custos:token";

    public static string DisplayNameOf(ClaimsPrincipal user) =>
        user.FindFirstValue(DisplayName) ?? user.Identity?.Name ?? "";
}
