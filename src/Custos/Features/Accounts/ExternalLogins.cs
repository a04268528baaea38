namespace Custos.Features.Accounts;

/// <summary>The login providers under which Custos keeps a person's identities elsewhere (ASP.NET Core Identity's user logins).</summary>
[Contract]
public static class ExternalLogins
{
    /// <summary>The subject at the OpenID Connect provider, linked by an administrator.</summary>
    public const string OpenIdConnect = "oidc";

    /// <summary>The <c>externalId</c> a SCIM client gave the person.</summary>
    public const string Scim = "scim";
}
