using Custos.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Localization;

namespace Custos.Web;

/// <summary>Localised text for errors that come from Identity or from <see cref="CustosException"/>.</summary>
public static class Messages
{
    public static string For(IStringLocalizer<Strings> text, IdentityError error)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(error);
        return Lookup(text, "Error.Identity." + error.Code) ?? text["Error.Identity.Other"];
    }

    public static string For(IStringLocalizer<Strings> text, CustosException error)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(error);
        var found = text["Error." + error.Code, [.. Arguments(text, error)]];
        return found.ResourceNotFound ? text["Error.Unexpected"] : found.Value;
    }

    /// <summary>The arguments of an error, with <see cref="TextKey"/> ones translated.</summary>
    public static object[] Arguments(IStringLocalizer<Strings> text, CustosException error)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(error);
        return [.. error.Args.Select(a => a is TextKey key ? text[key.Key].Value : a)];
    }

    private static string? Lookup(IStringLocalizer<Strings> text, string key)
    {
        var found = text[key];
        return found.ResourceNotFound ? null : found.Value;
    }
}
