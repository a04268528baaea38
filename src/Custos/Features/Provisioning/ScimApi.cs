using System.Text.Json;
using Custos.Hosting;
using Custos.Security;
using Microsoft.AspNetCore.Authorization;

namespace Custos.Features.Provisioning;

/// <summary>
/// <c>/scim/v2</c> (RFC 7644): Users to create, read, replace, patch and deactivate; Groups (the departments) to read;
/// the service provider's configuration. Reached with a SCIM client's bearer token only; bodies and answers are
/// <c>application/scim+json</c>; every refusal is in the RFC's error format and recorded.
/// </summary>
internal static class ScimApi
{
    public const string PolicyName = "Scim";

    /// <summary>The largest body a SCIM request may carry.</summary>
    private const int MaxBody = 64 * 1024;

    public static void Map(IEndpointRouteBuilder endpoints)
    {
        var scim = endpoints.MapGroup("/scim/v2").RequireAuthorization(PolicyName).DisableAntiforgery().ExcludeFromDescription()
            .AddEndpointFilter(async (context, next) =>
            {
                try
                {
                    return await next(context);
                }
                catch (ScimException e)
                {
                    var http = context.HttpContext;
                    // Whatever the refused request left unsaved goes with it: recording the refusal must not save half of it.
                    http.RequestServices.GetRequiredService<Data.CustosDbContext>().ChangeTracker.Clear();
                    await http.RequestServices.GetRequiredService<IAuditTrail>().RecordNowAsync(
                        AuditActions.ScimRefused, "scim", http.GetRouteValue("id")?.ToString(), AuditOutcome.Denied,
                        new { method = http.Request.Method, path = http.Request.Path.Value, status = e.Status, scimType = e.ScimType }, http.RequestAborted);
                    await ScimErrors.WriteAsync(http.Response, e.Status, e.ScimType, e.Message);
                    return Results.Empty;
                }
            });

        scim.MapGet("/ServiceProviderConfig", () => Scim(new Dictionary<string, object?>
        {
            ["schemas"] = new[] { "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig" },
            ["patch"] = new { supported = true },
            ["bulk"] = new { supported = false, maxOperations = 0, maxPayloadSize = 0 },
            ["filter"] = new { supported = true, maxResults = ScimService.MaxCount },
            ["changePassword"] = new { supported = false },
            ["sort"] = new { supported = false },
            ["etag"] = new { supported = false },
            ["authenticationSchemes"] = new[] { new { type = "oauthbearertoken", name = "Bearer token", description = "A token made with: custos scim token create NAME" } },
        }));

        scim.MapGet("/Users", async (string? filter, int? startIndex, int? count, HttpContext http, ScimService service, CancellationToken ct) =>
            Scim(await service.ListUsersAsync(filter, startIndex, count, BaseUrl(http), ct)));

        scim.MapGet("/Users/{id}", async (string id, HttpContext http, ScimService service, CancellationToken ct) =>
            Scim(await service.GetUserAsync(Id(id), BaseUrl(http), ct)));

        scim.MapPost("/Users", async (HttpContext http, ScimService service, CancellationToken ct) =>
        {
            var (created, body) = await service.CreateUserAsync(await BodyAsync(http, ct), BaseUrl(http), ct);
            http.Response.Headers.Location = $"{BaseUrl(http)}/scim/v2/Users/{created}";
            return Scim(body, StatusCodes.Status201Created);
        });

        scim.MapPut("/Users/{id}", async (string id, HttpContext http, ScimService service, CancellationToken ct) =>
            Scim(await service.ReplaceUserAsync(Id(id), await BodyAsync(http, ct), BaseUrl(http), ct)));

        scim.MapPatch("/Users/{id}", async (string id, HttpContext http, ScimService service, CancellationToken ct) =>
            Scim(await service.PatchUserAsync(Id(id), await BodyAsync(http, ct), BaseUrl(http), ct)));

        scim.MapDelete("/Users/{id}", async (string id, ScimService service, CancellationToken ct) =>
        {
            await service.DeleteUserAsync(Id(id), ct);
            return Results.NoContent();
        });

        scim.MapGet("/Groups", async (string? filter, int? startIndex, int? count, HttpContext http, ScimService service, CancellationToken ct) =>
            Scim(await service.ListGroupsAsync(filter, startIndex, count, BaseUrl(http), ct)));

        scim.MapGet("/Groups/{id}", async (string id, HttpContext http, ScimService service, CancellationToken ct) =>
            Scim(await service.GetGroupAsync(Id(id), BaseUrl(http), ct)));

        // Who is in which department is given through approval in Custos, never by a client.
        foreach (var method in new[] { "POST", "PUT", "PATCH", "DELETE" })
        {
            scim.MapMethods(method == "POST" ? "/Groups" : "/Groups/{id}", [method], IResult () =>
                throw ScimException.Invalid("mutability", "Groups are Custos departments; memberships are given through approval in Custos."));
        }
    }

    private static IResult Scim(object body, int status = StatusCodes.Status200OK) =>
        Results.Json(body, statusCode: status, contentType: ScimErrors.ContentType);

    private static Guid Id(string id) => Guid.TryParse(id, out var guid) ? guid : throw ScimException.NotFound("No such resource.");

    private static string BaseUrl(HttpContext http) => $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}";

    private static async Task<JsonElement> BodyAsync(HttpContext http, CancellationToken ct)
    {
        if (http.Request.ContentLength > MaxBody)
        {
            throw new ScimException(413, null, "The body is too large.");
        }

        var type = http.Request.ContentType ?? "";
        if (!type.StartsWith("application/scim+json", StringComparison.OrdinalIgnoreCase) && !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            throw ScimException.Invalid("invalidSyntax", "The body must be application/scim+json.");
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await http.Request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > MaxBody)
            {
                throw new ScimException(413, null, "The body is too large.");
            }

            buffer.Write(chunk, 0, read);
        }

        try
        {
            using var document = JsonDocument.Parse(buffer.ToArray(), new JsonDocumentOptions { MaxDepth = 16 });
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            throw ScimException.Invalid("invalidSyntax", "The body is not valid JSON.");
        }
    }
}
