using Custos.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;

namespace Custos.Hosting;

/// <summary>
/// A change through the API on the strength of a session cookie comes from Custos's own pages only: a browser that
/// says the call comes from another site (<c>Sec-Fetch-Site</c>), or from another origin (<c>Origin</c>), is refused —
/// a page elsewhere cannot make a signed-in person's browser upload, approve or export. Scripts use bearer tokens,
/// which a browser never sends on its own.
/// </summary>
internal sealed class SameOriginWrites(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context, IProblemDetailsService problems, IStringLocalizer<Strings> text)
    {
        var request = context.Request;
        var changes = !(HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method));
        var byCookie = !request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            && request.Cookies.ContainsKey(CustosWebHost.SessionCookie);
        if (changes && byCookie && ApiProblems.IsApi(context) && Foreign(request))
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            await problems.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails = new ProblemDetails { Status = 403, Title = text["Error.CrossOrigin"], Extensions = { ["code"] = "CrossOrigin" } },
            });
            return;
        }

        await next(context);
    }

    private static bool Foreign(HttpRequest request)
    {
        var site = request.Headers["Sec-Fetch-Site"].ToString();
        if (site is "cross-site" or "same-site")
        {
            return true;
        }

        var origin = request.Headers.Origin.ToString();
        return origin.Length > 0 && !string.Equals(origin, $"{request.Scheme}://{request.Host}", StringComparison.OrdinalIgnoreCase);
    }
}
