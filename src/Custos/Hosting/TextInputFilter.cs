using System.Collections;
using System.Reflection;
using Custos.Web;
using Microsoft.Extensions.Localization;

namespace Custos.Hosting;

/// <summary>
/// Every string that reaches an API handler — an argument, or anywhere inside a body (records, lists,
/// dictionaries) — is free of control and text-direction characters (line breaks and tabs aside), or the call is a
/// 400 naming the field. So no handler, present or future, stores a NUL, an ESC or a right-to-left override.
/// </summary>
internal sealed class TextInputFilter(IStringLocalizer<Strings> text) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var parameters = context.HttpContext.GetEndpoint()?.Metadata.GetMetadata<MethodInfo>()?.GetParameters();
        for (var i = 0; i < context.Arguments.Count; i++)
        {
            var name = parameters is not null && i < parameters.Length ? parameters[i].Name ?? "" : "";
            if (Find(context.Arguments[i], name, 0) is { } field)
            {
                return ApiProblems.From(CustosException.Invalid("ForbiddenCharacters", field), text);
            }
        }

        return await next(context);
    }

    /// <summary>The path of the first string with a forbidden character, or null.</summary>
    private static string? Find(object? value, string path, int depth)
    {
        switch (value)
        {
            case null:
                return null;
            case string s:
                return TextInput.FirstForbidden(s, multiline: true) is null ? null : path;
            case HttpContext or CancellationToken or IServiceProvider or IFormFile or Stream:
                return null;
            case IDictionary dictionary:
                foreach (DictionaryEntry entry in dictionary)
                {
                    if ((Find(entry.Key, path, depth + 1) ?? Find(entry.Value, $"{path}.{entry.Key}", depth + 1)) is { } found)
                    {
                        return found;
                    }
                }

                return null;
            case IEnumerable list:
                var index = 0;
                foreach (var item in list)
                {
                    if (Find(item, $"{path}[{index++}]", depth + 1) is { } found)
                    {
                        return found;
                    }
                }

                return null;
        }

        var type = value.GetType();
        if (depth > 4 || type.IsPrimitive || type.IsEnum || type.Namespace?.StartsWith("System", StringComparison.Ordinal) == true
            || type.Namespace?.StartsWith("Microsoft", StringComparison.Ordinal) == true)
        {
            return null;
        }

        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0))
        {
            var child = char.ToLowerInvariant(property.Name[0]) + property.Name[1..];
            if (Find(property.GetValue(value), path.Length == 0 ? child : $"{path}.{child}", depth + 1) is { } found)
            {
                return found;
            }
        }

        return null;
    }
}
