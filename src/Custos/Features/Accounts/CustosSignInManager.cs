using System.Globalization;
using System.Security.Claims;
using Custos.Features.People;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Custos.Features.Accounts;

/// <summary>Refuses people who are not in active employment, and stamps every sign-in with its time.</summary>
public sealed class CustosSignInManager(
    UserManager<Person> userManager,
    IHttpContextAccessor contextAccessor,
    IUserClaimsPrincipalFactory<Person> claimsFactory,
    IOptions<IdentityOptions> optionsAccessor,
    ILogger<SignInManager<Person>> logger,
    IAuthenticationSchemeProvider schemes,
    IUserConfirmation<Person> confirmation,
    TimeProvider time)
    : SignInManager<Person>(userManager, contextAccessor, claimsFactory, optionsAccessor, logger, schemes, confirmation)
{
    public override async Task<bool> CanSignInAsync(Person user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return user.EmploymentStatus == EmploymentStatus.Active && await base.CanSignInAsync(user);
    }

    public override Task SignInWithClaimsAsync(Person user, AuthenticationProperties? authenticationProperties, IEnumerable<Claim> additionalClaims)
    {
        var authTime = time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var claims = additionalClaims.Where(c => c.Type != CustosClaims.AuthTime).Append(new Claim(CustosClaims.AuthTime, authTime));
        authenticationProperties ??= new AuthenticationProperties();
        authenticationProperties.IsPersistent = false;
        return base.SignInWithClaimsAsync(user, authenticationProperties, claims);
    }
}
