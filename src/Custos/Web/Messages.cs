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
        var found = text["Error." + error.Code, [.. error.Args]];
        return found.ResourceNotFound ? text["Error.Unexpected"] : found.Value;
    }

    private static string? Lookup(IStringLocalizer<Strings> text, string key)
    {
        var found = text[key];
        return found.ResourceNotFound ? null : found.Value;
    }
}
