using Custos.Features.Audit;
using Custos.Features.People;
using Custos.Hosting;
using Custos.Security;
using Microsoft.AspNetCore.Identity;

namespace Custos.Features.Accounts;

/// <summary>
/// A person confirms an act of their own — a signature, a statement — with their password or a fresh authenticator
/// code. A wrong confirmation counts towards the account's lock-out like a failed sign-in and is recorded under the
/// act's audit action; a locked account is refused without its password being checked (no oracle).
/// </summary>
[Contract]
public sealed class PersonalConfirmation(UserManager<Person> users, IAuditTrail audit)
{
    /// <summary>Returns how the person confirmed (<c>password</c> or <c>totp</c>); otherwise records the refusal and throws with <paramref name="failedKey"/> or <paramref name="lockedKey"/>.</summary>
    public async Task<string> ConfirmAsync(Person person, string? password, string? code, string action, string failedKey, string lockedKey, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(person);
        string? refused = null;
        if (await users.IsLockedOutAsync(person))
        {
            refused = "locked-out";
        }
        else if (!string.IsNullOrWhiteSpace(code) && person.TwoFactorEnabled)
        {
            if (await users.VerifyTwoFactorTokenAsync(person, users.Options.Tokens.AuthenticatorTokenProvider, code))
            {
                return "totp";
            }

            refused = "totp";
        }
        else if (!string.IsNullOrEmpty(password))
        {
            if (await users.CheckPasswordAsync(person, password))
            {
                return "password";
            }

            refused = "password";
        }

        if (refused is not null and not "locked-out")
        {
            await users.AccessFailedAsync(person);
        }

        await audit.RecordNowAsync(action, "person", person.Id.ToString(), AuditOutcome.Denied, new { reason = refused ?? "no-confirmation" }, ct);
        throw new CustosException(CustosError.Forbidden, refused == "locked-out" ? lockedKey : failedKey);
    }
}
