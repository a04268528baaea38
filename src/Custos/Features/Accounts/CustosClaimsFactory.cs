using System.Security.Claims;
using Custos.Features.People;
using Custos.Hosting;
using Custos.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Custos.Features.Accounts;

/// <summary>
/// Builds the principal of a signed-in person, at sign-in and when the session is refreshed (after enrolling an
/// authenticator). Every request checks the session and the security stamp against the database in one query
/// (<see cref="Sessions.IsOpenAsync"/>); a save that takes a role away gives a new stamp, so a role removed or a
/// disablement takes effect on the next request on every node.
/// </summary>
public sealed class CustosClaimsFactory(
    UserManager<Person> userManager,
    RoleManager<IdentityRole<Guid>> roleManager,
    IOptions<IdentityOptions> options,
    CustosSettings settings)
    : UserClaimsPrincipalFactory<Person, IdentityRole<Guid>>(userManager, roleManager, options)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(Person user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        identity.AddClaim(new Claim(CustosClaims.DisplayName, user.DisplayName));
        if (!user.TwoFactorEnabled)
        {
            var roles = await UserManager.GetRolesAsync(user);
            if (MfaPolicy.IsRequired(roles, settings.Security))
            {
                identity.AddClaim(new Claim(CustosClaims.MfaEnrolmentRequired, "true"));
            }
        }

        return identity;
    }
}

public static class MfaPolicy
{
    /// <summary>Two-factor authentication is required as soon as a person holds a role that is not exempt.</summary>
    public static bool IsRequired(IEnumerable<string> roles, SecuritySettings security) =>
        roles.Any(r => !security.MfaExemptRoles.Contains(r, StringComparer.Ordinal));
}
