using Custos.Hosting;
using Custos.Web;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;
using Custos.Features;

namespace Custos.Features.Copies;

/// <summary>
/// The page forms that hand out a file (a print, an export): a download cannot come from a page handler. A
/// refusal goes back to the page as a one-time message in a cookie, never in the URL.
/// </summary>
[Contract]
internal static class CopiesWeb
{
    public const string FlashCookie = "custos-flash";

    public static void Map(IEndpointRouteBuilder endpoints)
    {
        var gate = new GateAttribute(Gate.PolicyEngine);

        endpoints.MapPost("/customers/{id:guid}/print", async Task<IResult> (
                Guid id, [FromForm] string purpose, [FromForm] string? note, [FromForm] string? recipient, [FromForm] string? useByDays,
                CopyService service, IStringLocalizer<Strings> text, HttpContext context) =>
            {
                try
                {
                    var file = await service.PrintAsync(id, new PrintOrder(purpose, note, recipient, int.TryParse(useByDays, out var days) ? days : null), context.RequestAborted);
                    return TypedResults.File(file.Content, file.ContentType, file.FileName);
                }
                catch (CustosException e) when (e.Kind == CustosError.NotFound)
                {
                    return TypedResults.NotFound();
                }
                catch (CustosException e)
                {
                    return Back(context, text, e, $"/customers/{id}");
                }
            })
            .WithMetadata(gate)
            .ExcludeFromDescription();

        endpoints.MapPost("/copies/export", async Task<IResult> (HttpContext context, CopyService service, IAntiforgery antiforgery, IStringLocalizer<Strings> text) =>
            {
                // The form is read by hand (repeated "fields"), so the anti-forgery token is checked by hand too.
                if (!await antiforgery.IsRequestValidAsync(context))
                {
                    return TypedResults.BadRequest();
                }

                var form = await context.Request.ReadFormAsync(context.RequestAborted);
                try
                {
                    ShareTerms? share = null;
                    if (form["share"] == "on")
                    {
                        share = new ShareTerms(Guid.TryParse(form["partner"], out var partner) ? partner : Guid.Empty);
                    }

                    if (form["passphrase"] != form["passphrase2"])
                    {
                        throw CustosException.Invalid("PassphraseMismatch");
                    }

                    var customers = Guid.TryParse(form["customer"], out var one) ? new[] { one } : null;
                    var file = await service.ExportAsync(new ExportOrder(
                        form["purpose"].ToString(), form["passphrase"].ToString(), form["note"].ToString(),
                        customers is null ? form["department"].ToString() : null, customers,
                        [.. form["fields"].Where(f => !string.IsNullOrEmpty(f)).Select(f => f!)],
                        form["format"] == "xlsx" ? ExportFormat.Xlsx : ExportFormat.Csv, share), context.RequestAborted);
                    return TypedResults.File(file.Content, file.ContentType, file.FileName);
                }
                catch (CustosException e)
                {
                    return Back(context, text, e, "/copies" + (Guid.TryParse(form["customer"], out var c) ? $"?customer={c}" : ""));
                }
            })
            .WithMetadata(gate)
            .ExcludeFromDescription();
    }

    /// <summary>Reads and clears the one-time message a refused form left.</summary>
    public static string? TakeFlash(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!context.Request.Cookies.TryGetValue(FlashCookie, out var message))
        {
            return null;
        }

        context.Response.Cookies.Delete(FlashCookie);
        return message;
    }

    private static IResult Back(HttpContext context, IStringLocalizer<Strings> text, CustosException error, string page)
    {
        context.Response.Cookies.Append(FlashCookie, Messages.For(text, error),
            new CookieOptions { HttpOnly = true, Secure = context.Request.IsHttps, SameSite = SameSiteMode.Strict, MaxAge = TimeSpan.FromMinutes(2), IsEssential = true });
        return TypedResults.LocalRedirect(page);
    }
}
