using System.Globalization;
using System.Security.Claims;
using Custos.Features.People;
using Custos.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Custos.Features.Accounts;

/// <summary>Refuses people who are not in active employment, stamps every sign-in with its time, and keeps each session on the server.</summary>
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
        if (user.EmploymentStatus != EmploymentStatus.Active)
        {
            return false;
        }

        if (user.DepartsOn is not null)
        {
            // After the last working day (in the organisation's time) nobody signs in as them any more (PPL-3).
            var engine = await Context.RequestServices.GetRequiredService<PolicyStore>().CurrentAsync(Context.RequestServices.GetRequiredService<Data.CustosDbContext>(), Context.RequestAborted);
            if (engine.HasLeft(user.DepartsOn, time.GetUtcNow()))
            {
                return false;
            }
        }

        // A partner's user only while their partner's confidentiality agreement is in force (PPL-4).
        if (!await Context.RequestServices.GetRequiredService<Partners.PartnerSignIn>().MaySignInAsync(user, await UserManager.GetRolesAsync(user), Context.RequestAborted))
        {
            return false;
        }

        return await base.CanSignInAsync(user);
    }

    /// <summary>Every sign-in (and every refresh of one) opens a server-side session; a refreshed one closes the session it replaces.</summary>
    public override async Task SignInWithClaimsAsync(Person user, AuthenticationProperties? authenticationProperties, IEnumerable<Claim> additionalClaims)
    {
        ArgumentNullException.ThrowIfNull(user);
        var now = time.GetUtcNow();
        var db = Context.RequestServices.GetRequiredService<Data.CustosDbContext>();
        if (Context.User.Identity?.IsAuthenticated == true && Context.User.FindFirstValue(CustosClaims.SessionId) is not null)
        {
            await Sessions.EndAsync(db, Context.User, "refreshed", now, Context.RequestAborted);
        }

        var session = await Sessions.OpenAsync(db, user.Id, Context.Connection.RemoteIpAddress?.ToString(), now, Context.RequestAborted);
        var authTime = now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var claims = additionalClaims.Where(c => c.Type is not (CustosClaims.AuthTime or CustosClaims.SessionId))
            .Append(new Claim(CustosClaims.AuthTime, authTime))
            .Append(new Claim(CustosClaims.SessionId, session));
        authenticationProperties ??= new AuthenticationProperties();
        authenticationProperties.IsPersistent = false;
        await base.SignInWithClaimsAsync(user, authenticationProperties, claims);
    }

    /// <summary>Signing out closes the server-side session: the cookie, even copied, no longer signs anyone in.</summary>
    public override async Task SignOutAsync()
    {
        if (Context.User.Identity?.IsAuthenticated == true)
        {
            await Sessions.EndAsync(Context.RequestServices.GetRequiredService<Data.CustosDbContext>(), Context.User, "sign-out", time.GetUtcNow(), Context.RequestAborted);
        }

        await base.SignOutAsync();
    }
}
