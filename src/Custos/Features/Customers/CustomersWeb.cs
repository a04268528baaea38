using Custos.Hosting;
using Custos.Web;
using Microsoft.AspNetCore.Mvc;

namespace Custos.Features.Customers;

/// <summary>The customer page's plain web endpoints.</summary>
internal static class CustomersWeb
{
    public static void Map(IEndpointRouteBuilder endpoints)
    {
        // The customer page's "open attachment" form: a file download cannot come from a page handler.
        endpoints.MapPost("/customers/{id:guid}/attachments/{attachment:guid}", async Task<IResult> (
                Guid id, Guid attachment, [FromForm] string purpose, [FromForm] string? note, AttachmentService service, Microsoft.Extensions.Localization.IStringLocalizer<Strings> text, HttpContext context) =>
            {
                try
                {
                    var file = await service.OpenAsync(id, attachment, purpose, note, context.RequestAborted);
                    return TypedResults.File(file.Content, file.ContentType, file.FileName);
                }
                catch (CustosException e) when (e.Kind == CustosError.NotFound)
                {
                    return TypedResults.NotFound();
                }
                catch (CustosException)
                {
                    return TypedResults.LocalRedirect($"/customers/{id}?attachmentError=purpose");
                }
            })
            .WithMetadata(new GateAttribute(Gate.PolicyEngine))
            .ExcludeFromDescription();
    }
}
