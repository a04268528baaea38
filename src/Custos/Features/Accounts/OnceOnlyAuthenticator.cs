using Custos.Data;
using Custos.Features.People;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using OtpNet;

namespace Custos.Features.Accounts;

/// <summary>
/// The authenticator-app (TOTP, RFC 6238) check, with each code accepted once (ACC-7): the time step of the last
/// accepted code is kept with the person and moved forward atomically, so a code seen over a shoulder or replayed
/// within its window — on this node or another — no longer signs in. Codes within two steps either side of the
/// server's clock are accepted, as Identity's own check does.
/// </summary>
public sealed class OnceOnlyAuthenticator(CustosDbContext db, TimeProvider time) : IUserTwoFactorTokenProvider<Person>
{
    public Task<string> GenerateAsync(string purpose, UserManager<Person> manager, Person user) => Task.FromResult(string.Empty);

    public async Task<bool> CanGenerateTwoFactorTokenAsync(UserManager<Person> manager, Person user)
    {
        ArgumentNullException.ThrowIfNull(manager);
        return !string.IsNullOrWhiteSpace(await manager.GetAuthenticatorKeyAsync(user));
    }

    public async Task<bool> ValidateAsync(string purpose, string token, UserManager<Person> manager, Person user)
    {
        ArgumentNullException.ThrowIfNull(manager);
        ArgumentNullException.ThrowIfNull(user);
        var code = (token ?? "").Replace(" ", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal);
        if (code.Length != 6 || !code.All(char.IsAsciiDigit))
        {
            return false;
        }

        var key = await manager.GetAuthenticatorKeyAsync(user);
        if (string.IsNullOrWhiteSpace(key))
        {
            return false;
        }

        var totp = new Totp(Base32Encoding.ToBytes(key));
        if (!totp.VerifyTotp(time.GetUtcNow().UtcDateTime, code, out var step, new VerificationWindow(previous: 2, future: 2)))
        {
            return false;
        }

        // Accepted only if no code of this or a later step was accepted before: one row changes, or none.
        var moved = await db.Users.Where(u => u.Id == user.Id && (u.LastTotpStep == null || u.LastTotpStep < step))
            .ExecuteUpdateAsync(s => s.SetProperty(u => u.LastTotpStep, step));
        if (moved == 0)
        {
            return false;
        }

        user.LastTotpStep = step;
        return true;
    }
}
