using Microsoft.Net.Http.Headers;

namespace Custos.Hosting;

/// <summary>
/// Paths where nobody is known (INC-4, anonymous reports): before authentication runs, the request loses every cookie
/// but the language and the antiforgery ones, and any Authorization header, so a person who happens to be signed in
/// reaches the page as nobody — no session touched, no gate recording their visit — and the audit trail records no
/// client address for what is done there.
/// </summary>
internal sealed class AnonymousPaths(RequestDelegate next)
{
    public static readonly string[] Prefixes = ["/whistle", "/api/v1/whistle"];

    private const string Marker = "custos.anonymous";

    private static readonly string[] KeptCookies = [CustosWebHost.CultureCookie, ".Custos.Antiforgery"];

    public static bool IsAnonymous(HttpContext? context) => context?.Items.ContainsKey(Marker) == true;

    public Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (Prefixes.Any(p => context.Request.Path.StartsWithSegments(p, StringComparison.OrdinalIgnoreCase)))
        {
            context.Items[Marker] = true;
            context.Request.Headers.Authorization = default;
            var cookies = CookieHeaderValue.ParseList([.. context.Request.Headers.Cookie.Select(c => c ?? "")])
                .Where(c => KeptCookies.Contains(c.Name.Value, StringComparer.Ordinal)).Select(c => c.ToString()).ToList();
            context.Request.Headers.Cookie = cookies.Count == 0 ? default : string.Join("; ", cookies);
        }

        return next(context);
    }
}
