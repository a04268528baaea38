using System.Collections.Frozen;
using System.Reflection;
using Custos.Features.People;
using Microsoft.AspNetCore.Identity;

namespace Custos.Features.Accounts;

/// <summary>
/// Rejects passwords that are on a list of the most common ones, or are such a password with digits and
/// symbols added around it ("Password123!"), or contain the user name (ACC-7: no simple passwords).
/// </summary>
public sealed class CommonPasswordValidator : IPasswordValidator<Person>
{
    private static readonly Lazy<FrozenSet<string>> List = new(Load);

    public Task<IdentityResult> ValidateAsync(UserManager<Person> manager, Person user, string? password)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (string.IsNullOrEmpty(password))
        {
            return Task.FromResult(IdentityResult.Success);
        }

        if (IsCommon(password))
        {
            return Task.FromResult(IdentityResult.Failed(new IdentityError { Code = "PasswordTooCommon", Description = "PasswordTooCommon" }));
        }

        if (user.UserName is { Length: >= 3 } name && password.Contains(name, StringComparison.OrdinalIgnoreCase))
        {
            return Task.FromResult(IdentityResult.Failed(new IdentityError { Code = "PasswordContainsUserName", Description = "PasswordContainsUserName" }));
        }

        return Task.FromResult(IdentityResult.Success);
    }

    /// <summary>True for a listed password, ignoring case and digits or symbols padded on either end.</summary>
    public static bool IsCommon(string password)
    {
        var lower = password.ToLowerInvariant();
        if (List.Value.Contains(lower))
        {
            return true;
        }

        var core = lower.Trim("0123456789!@#$%^&*()-_=+.,;:?~`'\"[]{}<>/\\| ".ToCharArray());
        return core.Length == 0 || List.Value.Contains(core) || IsRun(core);
    }

    /// <summary>One repeated character, or a straight run like <c>abcdef</c> / <c>987654</c>.</summary>
    private static bool IsRun(string s)
    {
        if (s.Length < 3)
        {
            return true;
        }

        var step = s[1] - s[0];
        if (step is < -1 or > 1)
        {
            return false;
        }

        for (var i = 2; i < s.Length; i++)
        {
            if (s[i] - s[i - 1] != step)
            {
                return false;
            }
        }

        return true;
    }

    private static FrozenSet<string> Load()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Custos.common-passwords.txt")
            ?? throw new InvalidOperationException("The common-password list is missing from the build.");
        using var reader = new StreamReader(stream);
        var set = new HashSet<string>(StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
        {
            line = line.Trim();
            if (line.Length > 0 && !line.StartsWith('#'))
            {
                set.Add(line.ToLowerInvariant());
            }
        }

        return set.ToFrozenSet(StringComparer.Ordinal);
    }
}
