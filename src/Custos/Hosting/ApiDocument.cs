using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Custos.Hosting;

/// <summary>The OpenAPI document at <c>/openapi/v1.json</c>: title, and the two ways to authenticate.</summary>
internal static class ApiDocument
{
    public static void Configure(OpenApiOptions options) =>
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = "Custos API",
                Version = "v1",
                Description = "Customer-information confidentiality: people, organisation and integration tokens. " +
                    "Authenticate with an API token (Authorization: Bearer cst_…) or the session cookie of the web UI.",
            };
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes["bearer"] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "An API token created by an IT administrator.",
            };
            document.Components.SecuritySchemes["session"] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Cookie,
                Name = CustosWebHost.SessionCookie,
                Description = "The session cookie of a signed-in person.",
            };
            return Task.CompletedTask;
        });
}
