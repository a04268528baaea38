using System.Data.Common;
using Custos.Data;
using Custos.Web;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;

namespace Custos.Hosting;

/// <summary>Turns failures of API requests into localised problem details; pages get the error page instead.</summary>
internal sealed class ApiProblems(IProblemDetailsService problems, IStringLocalizer<Strings> text, ILogger<ApiProblems> log) : IExceptionHandler
{
    public static bool IsApi(HttpContext context) => IsApiPath(context.Request.Path);

    public static bool IsApiPath(PathString path) =>
        path.StartsWithSegments("/api", StringComparison.Ordinal) || path.StartsWithSegments("/metrics", StringComparison.Ordinal);

    /// <summary>A 403 as problem details with its text and a stable code, for middleware that turns a request away before any endpoint runs.</summary>
    public static async Task WriteForbiddenAsync(HttpContext context, IProblemDetailsService problems, string title, string code)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(problems);
        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new Microsoft.AspNetCore.Mvc.ProblemDetails { Status = 403, Title = title, Extensions = { ["code"] = code } },
        });
    }

    /// <summary>The request's own fault (a body that does not fit, too large), 503 when storage is unreachable, 500 for anything else unexpected.</summary>
    public static int StatusFor(Exception exception) => exception switch
    {
        BadHttpRequestException bad => bad.StatusCode,
        DatabaseUnavailableException or DbException or TimeoutException or Features.Audit.AuditWriteException => StatusCodes.Status503ServiceUnavailable,
        InvalidOperationException { InnerException: DbException } => StatusCodes.Status503ServiceUnavailable,
        Microsoft.EntityFrameworkCore.Storage.RetryLimitExceededException => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status500InternalServerError,
    };

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        // The middleware may already have pointed the request at the error page; judge by the original path.
        var originalPath = httpContext.Features.Get<IExceptionHandlerFeature>()?.Path ?? httpContext.Request.Path;
        if (!IsApiPath(originalPath))
        {
            return false;
        }

        var status = StatusFor(exception);
        if (exception is BadHttpRequestException bad)
        {
            // The field the body got wrong, by its JSON path (never its value).
            var field = FieldOf(bad);
            httpContext.Response.StatusCode = status;
            return await problems.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = httpContext,
                ProblemDetails = new ProblemDetails
                {
                    Status = status,
                    Title = status == 413 ? text["Error.TooLarge"] : field is "body" or "request" ? text["Error.RequestUnreadable"] : text["Error.RequestField", field],
                    Extensions = { ["code"] = status == 413 ? "TooLarge" : "InvalidRequest", ["field"] = field },
                },
            });
        }

        var auditFailed = exception is Features.Audit.AuditWriteException;
        if (auditFailed)
        {
            log.LogError("Refused {Path}: its audit entry could not be written ({Error})", originalPath, exception.InnerException?.GetType().Name);
        }
        else if (status == StatusCodes.Status503ServiceUnavailable)
        {
            log.LogError("Database unavailable while serving {Path}: {Error}", originalPath, exception.GetType().Name);
        }
        else
        {
            // The answer says the error was recorded: it is, with where it happened (not the message, which may quote input).
            log.LogError("Unexpected {Error} serving {Method} {Path} (trace {TraceId}) at {Stack}",
                exception.GetType().FullName, httpContext.Request.Method, originalPath, httpContext.TraceIdentifier, exception.StackTrace);
        }

        httpContext.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = new ProblemDetails
            {
                Status = status,
                Title = auditFailed ? text["Error.AuditUnavailable"] : status == 503 ? text["Error.DatabaseUnavailable"] : text["Error.Unexpected"],
                Extensions = { ["code"] = auditFailed ? "AuditUnavailable" : status == 503 ? "DatabaseUnavailable" : "Unexpected" },
            },
        });
    }

    /// <summary>
    /// The field a request got wrong, by its JSON path (<c>$.grade</c> → <c>grade</c>), the required property a body left
    /// out, the parameter that could not be bound — or <c>body</c> when the body as a whole is not what was expected.
    /// </summary>
    private static string FieldOf(BadHttpRequestException bad)
    {
        if (bad.InnerException is System.Text.Json.JsonException json)
        {
            if (json.Path is { Length: > 1 } path && path != "$")
            {
                return path.TrimStart('$').TrimStart('.');
            }

            var missing = System.Text.RegularExpressions.Regex.Match(json.Message, "(?:including: |parameter |property or field )'([^']+)'");
            return missing.Success ? char.ToLowerInvariant(missing.Groups[1].Value[0]) + missing.Groups[1].Value[1..] : "body";
        }

        // "Required parameter \"RolesRequest request\" was not provided from body.", "Failed to bind parameter \"int? page\" from \"x\"."
        var parameter = System.Text.RegularExpressions.Regex.Match(bad.Message, "parameter \"[^\"]*?(\\w+)\"");
        return parameter.Success ? parameter.Groups[1].Value : "request";
    }

    /// <summary>A <see cref="CustosException"/> as an API result with a localised title and a stable code.</summary>
    public static IResult From(CustosException e, IStringLocalizer<Strings> text)
    {
        ArgumentNullException.ThrowIfNull(e);
        var status = e.Kind switch
        {
            CustosError.NotFound => StatusCodes.Status404NotFound,
            CustosError.Conflict => StatusCodes.Status409Conflict,
            CustosError.Forbidden => StatusCodes.Status403Forbidden,
            CustosError.TooMany => StatusCodes.Status429TooManyRequests,
            _ => StatusCodes.Status400BadRequest,
        };
        return TypedResults.Problem(
            title: text["Error." + e.Code, Messages.Arguments(text, e)],
            statusCode: status,
            extensions: new Dictionary<string, object?> { ["code"] = e.Code });
    }
}

/// <summary>Endpoint filter: a <see cref="CustosException"/> thrown by a handler becomes its problem result.</summary>
internal sealed class CustosExceptionFilter(IStringLocalizer<Strings> text) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (CustosException e)
        {
            return ApiProblems.From(e, text);
        }
    }
}
