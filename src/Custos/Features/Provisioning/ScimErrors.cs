using System.Text.Json;

namespace Custos.Features.Provisioning;

/// <summary>A refusal as RFC 7644 §3.12 words it: an HTTP status, a <c>scimType</c> where the RFC names one, and a detail.</summary>
internal sealed class ScimException(int status, string? scimType, string detail) : Exception(detail)
{
    public int Status { get; } = status;

    public string? ScimType { get; } = scimType;

    public static ScimException Invalid(string scimType, string detail) => new(400, scimType, detail);

    public static ScimException NotFound(string detail) => new(404, null, detail);

    public static ScimException Conflict(string detail) => new(409, "uniqueness", detail);
}

/// <summary>Writes SCIM error bodies (<c>application/scim+json</c>).</summary>
internal static class ScimErrors
{
    public const string ContentType = "application/scim+json";

    public const string ErrorSchema = "urn:ietf:params:scim:api:messages:2.0:Error";

    public static async Task WriteAsync(HttpResponse response, int status, string? scimType, string detail)
    {
        ArgumentNullException.ThrowIfNull(response);
        response.StatusCode = status;
        response.ContentType = ContentType;
        var body = new Dictionary<string, object?>
        {
            ["schemas"] = new[] { ErrorSchema },
            ["status"] = status.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["detail"] = detail,
        };
        if (scimType is not null)
        {
            body["scimType"] = scimType;
        }

        await JsonSerializer.SerializeAsync(response.Body, body, cancellationToken: response.HttpContext.RequestAborted);
    }
}
