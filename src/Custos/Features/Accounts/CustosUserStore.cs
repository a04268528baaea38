using Custos.Data;
using Custos.Features.Keys;
using Custos.Features.People;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace Custos.Features.Accounts;

/// <summary>
/// Identity's store, with each person's authenticator (TOTP) key sealed by the installation's secret key
/// (<see cref="SecretBox"/>, under the key file or the HSM) instead of lying in clear in <c>AspNetUserTokens</c>.
/// A key stored in clear by an earlier version is sealed when it is next read, and at start-up.
/// </summary>
public sealed class CustosUserStore(CustosDbContext context, KeyRing keys, IdentityErrorDescriber? describer = null)
    : UserStore<Person, IdentityRole<Guid>, CustosDbContext, Guid>(context, describer)
{
    /// <summary>Identity's own names for where the authenticator key is kept.</summary>
    public const string Provider = "[AspNetUserStore]";
    public const string KeyName = "AuthenticatorKey";

    public static string Purpose(Guid person) => "totp:" + person.ToString("N");

    /// <summary>
    /// A save refused on the concurrency stamp (someone changed the person meanwhile) leaves the person as the database
    /// has them, so that the next save of the request does not try the same stale row again.
    /// </summary>
    public override async Task<IdentityResult> UpdateAsync(Person user, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(user);
        var result = await base.UpdateAsync(user, cancellationToken);
        if (!result.Succeeded)
        {
            await Context.Entry(user).ReloadAsync(cancellationToken);
        }

        return result;
    }

    public override Task SetAuthenticatorKeyAsync(Person user, string key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(key);
        return SetTokenAsync(user, Provider, KeyName, keys.Secrets.Protect(Purpose(user.Id), key), cancellationToken);
    }

    public override async Task<string?> GetAuthenticatorKeyAsync(Person user, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(user);
        var stored = await GetTokenAsync(user, Provider, KeyName, cancellationToken);
        if (stored is null || SecretBox.IsProtected(stored))
        {
            return stored is null ? null : keys.Secrets.Unprotect(Purpose(user.Id), stored);
        }

        await SetAuthenticatorKeyAsync(user, stored, cancellationToken);
        await Context.SaveChangesAsync(cancellationToken);
        return stored;
    }

    /// <summary>Seals every authenticator key an earlier version left in clear; returns how many.</summary>
    public static async Task<int> SealLegacyKeysAsync(CustosDbContext db, KeyRing keys, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(keys);
        var clear = await db.UserTokens.Where(t => t.LoginProvider == Provider && t.Name == KeyName && !t.Value!.StartsWith("v1:")).ToListAsync(ct);
        foreach (var token in clear)
        {
            token.Value = keys.Secrets.Protect(Purpose(token.UserId), token.Value!);
        }

        await db.SaveChangesAsync(ct);
        return clear.Count;
    }
}
