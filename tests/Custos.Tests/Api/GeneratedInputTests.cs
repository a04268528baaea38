using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using Custos.Features.Customers;
using Custos.Features.People;
using Custos.Kernel.Classification;
using Custos.Tests.Infrastructure;

namespace Custos.Tests.Api;

/// <summary>
/// Every endpoint of the OpenAPI document, called by a person allowed to call it, with bodies and query strings
/// generated from the document and then broken — wrong types, out-of-range enums and numbers, huge and deep values,
/// missing and null fields, control and text-direction characters. Never a 500; a refusal is always problem+json
/// with a stable code, and a body that does not fit names its field.
/// </summary>
public abstract class GeneratedInputTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : CustosApp
{
    private const int SamplesPerEndpoint = 25;

    [Fact]
    public async Task Every_endpoint_answers_generated_and_broken_input_without_a_500_and_names_the_field()
    {
        var department = app.UniqueName("F").ToUpperInvariant();
        using (var scope = app.Factory.Services.CreateScope())
        {
            await scope.ServiceProvider.GetRequiredService<Features.Organisation.OrganisationService>().AddDepartmentAsync(department, "模糊部" + department, default);
        }

        var head = await app.CreatePersonAsync(Roles.DepartmentHead, departments: [department]);
        var colleague = await app.CreatePersonAsync(Roles.Staff, departments: [department]); // whom the people endpoints change
        Customer customer;
        using (var scope = app.ActAs(head))
        {
            customer = await scope.ServiceProvider.GetRequiredService<CustomerService>().CreateAsync(new NewCustomer(
                CustomerKind.Individual, department, null, Clearance.Secret, new Dictionary<string, string?> { [FieldCatalogue.Name] = "模糊客户", [FieldCatalogue.Mobile] = "13912345670" }), default);
        }

        var sessions = new Dictionary<string, WebSession>
        {
            ["administer"] = await app.AdminSessionAsync(),
            ["audit"] = await SignedInAsync(await app.CreatePersonAsync(Roles.ComplianceOfficer)),
            [""] = await SignedInAsync(head),
        };

        var document = JsonNode.Parse(await sessions[""].Client.GetStringAsync("/openapi/v1.json"))!;
        var schemas = document["components"]!["schemas"]!.AsObject();
        var calls = 0;
        var failures = new List<string>();
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in item!.AsObject())
            {
                if (method is "parameters" || path.Contains("/attachments", StringComparison.Ordinal) && method == "post" && !path.EndsWith("/open", StringComparison.Ordinal))
                {
                    continue; // the multipart upload has its own tests
                }

                var session = sessions[SessionFor(path)];
                var body = operation!["requestBody"]?["content"]?["application/json"]?["schema"];
                var query = (operation["parameters"] as JsonArray ?? []).Where(p => p!["in"]!.GetValue<string>() == "query").ToList();
                var gen = Gen.Select(Body(body, schemas), Query(query, schemas));
                foreach (var (payload, parameters) in gen.Array[SamplesPerEndpoint].Single())
                {
                    var url = FillPath(path, customer.Id, colleague.Id) + parameters;
                    using var request = new HttpRequestMessage(new HttpMethod(method.ToUpperInvariant()), url);
                    if (body is not null)
                    {
                        request.Content = new StringContent(payload, Encoding.UTF8, "application/json");
                    }

                    HttpResponseMessage response;
                    string text;
                    try
                    {
                        response = await session.Client.SendAsync(request);
                        text = await response.Content.ReadAsStringAsync();
                    }
                    catch (HttpRequestException e)
                    {
                        failures.Add($"{method.ToUpperInvariant()} {url} {Shorten(payload)} → broken response ({e.InnerException?.InnerException?.Message ?? e.Message})");
                        continue;
                    }

                    calls++;
                    if (response.StatusCode >= HttpStatusCode.InternalServerError)
                    {
                        failures.Add($"{method.ToUpperInvariant()} {url} {Shorten(payload)} → {(int)response.StatusCode} {Shorten(text)}");
                    }
                    else if (response.StatusCode == HttpStatusCode.BadRequest && path.StartsWith("/api/", StringComparison.Ordinal))
                    {
                        var problem = JsonNode.Parse(text);
                        var code = problem?["code"]?.GetValue<string>();
                        var named = code != "InvalidRequest" || !string.IsNullOrEmpty(problem?["field"]?.GetValue<string>());
                        if (response.Content.Headers.ContentType?.MediaType != "application/problem+json" || code is null || !named)
                        {
                            failures.Add($"{method.ToUpperInvariant()} {url} {Shorten(payload)} → 400 without a named problem: {Shorten(text)}");
                        }
                    }
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures.Distinct().Take(30)));
        Assert.True(calls > 60 * SamplesPerEndpoint / 2, $"only {calls} calls");
    }

    private static string SessionFor(string path) =>
        path.StartsWith("/api/v1/people", StringComparison.Ordinal) || path.StartsWith("/api/v1/departments", StringComparison.Ordinal) || path.StartsWith("/api/v1/projects", StringComparison.Ordinal)
        || path.StartsWith("/api/v1/policy", StringComparison.Ordinal) || path.StartsWith("/api/v1/notifications", StringComparison.Ordinal) || path.StartsWith("/metrics", StringComparison.Ordinal)
            ? "administer"
            : path.StartsWith("/api/v1/audit", StringComparison.Ordinal) || path.StartsWith("/api/v1/copies/trace", StringComparison.Ordinal) ? "audit" : "";

    private async Task<WebSession> SignedInAsync(Person person)
    {
        var web = app.Session();
        await web.SignInAsync(person.UserName!);
        await web.EnrolMfaAsync();
        return web;
    }

    private static string FillPath(string path, Guid customer, Guid person) =>
        System.Text.RegularExpressions.Regex.Replace(path, "{[^}]+}", m => m.Value == "{id}" && path.Contains("/customers/", StringComparison.Ordinal) ? customer.ToString()
            : m.Value == "{id}" && path.Contains("/people/", StringComparison.Ordinal) ? person.ToString() : Guid.NewGuid().ToString());

    private static string Shorten(string s) => s.Length <= 160 ? s : s[..160] + "…";

    /// <summary>A JSON body for the schema, often broken: a field dropped, nulled, of the wrong type, enormous, nested too deep, or carrying control characters.</summary>
    private static Gen<string> Body(JsonNode? schema, JsonObject schemas)
    {
        if (schema is null)
        {
            return Gen.Const("");
        }

        var resolved = Resolve(schema, schemas);
        var properties = resolved["properties"]?.AsObject().Select(p => (p.Key, Schema: Resolve(p.Value!, schemas))).ToList() ?? [];
        var values = properties.Select(p => Value(p.Schema, schemas).Select(v => (p.Key, Value: v)))
            .Aggregate(Gen.Const(Array.Empty<(string Key, JsonNode? Value)>()), (all, next) => Gen.Select(all, next).Select(t => t.Item1.Append(t.Item2).ToArray()));
        var objects = Gen.Select(values, Gen.Int[0, properties.Count]).Select(t =>
        {
            var obj = new JsonObject();
            for (var i = 0; i < t.Item1.Length; i++)
            {
                if (i != t.Item2 - 1) // sometimes one field is missing
                {
                    obj[t.Item1[i].Key] = t.Item1[i].Value?.DeepClone();
                }
            }

            return obj.ToJsonString();
        });
        return Gen.Frequency(
            (1, Pick("", "null", "[]", "\"text\"", "{", "{\"a\":", "1e400", "{}")),
            (1, Deep()),
            (8, objects));
    }

    private static Gen<string> Deep() => Gen.Int[65, 400].Select(depth => new string('[', depth) + new string(']', depth));

    /// <summary>A value for one property: a plausible one, or one of the many wrong ones.</summary>
    private static Gen<JsonNode?> Value(JsonNode schema, JsonObject schemas)
    {
        var type = TypeOf(schema);
        var plausible = type switch
        {
            "string" when schema["enum"] is JsonArray values => Pick(values.Where(v => v is not null).Select(v => v!.ToString()).ToArray()).Select(v => (JsonNode?)v),
            "string" when schema["format"]?.GetValue<string>() == "uuid" => Gen.Guid.Select(g => (JsonNode?)g.ToString()),
            "string" when schema["format"]?.GetValue<string>() is "date-time" or "date" => Pick("2026-12-01", "2026-12-01T10:00:00Z", "2999-01-01").Select(v => (JsonNode?)v),
            "string" => Gen.String[Gen.Char['a', 'z'], 1, 12].Select(v => (JsonNode?)v),
            "integer" or "number" => Gen.Int[-5, 500].Select(v => (JsonNode?)v),
            "boolean" => Gen.Bool.Select(v => (JsonNode?)v),
            "array" => Gen.String[Gen.Char['a', 'z'], 1, 8].Array[0, 3].Select(v => (JsonNode?)new JsonArray([.. v.Select(x => (JsonNode?)x)])),
            _ => Gen.Const<JsonNode?>(new JsonObject()),
        };
        var broken = Gen.Int[0, 16].Select<int, JsonNode?>(k => k switch
        {
            11 => new JsonArray((JsonNode?)null),
            12 => new JsonArray("x", null),
            13 => new string('名', 300), // past a column's length, within what binding accepts
            14 => "a@b.cn\r\nBcc: evil@example.cn",
            15 => "decoy\u200b",
            0 => null,
            1 => 99,
            2 => -1,
            3 => long.MaxValue,
            4 => 1e300,
            5 => "99",
            6 => "\u0000\u0007\u001b[31m\u202egpj.exe",
            7 => new string('长', 100_000),
            8 => new JsonArray(1, "x", null),
            9 => new JsonObject { ["nested"] = new JsonObject { ["deeper"] = "x" } },
            10 => true,
            _ => "NotAnEnumValue",
        });
        return Gen.Frequency((3, plausible), (2, broken));
    }

    private static Gen<string> Query(List<JsonNode?> parameters, JsonObject schemas)
    {
        if (parameters.Count == 0)
        {
            return Gen.Const("");
        }

        var each = parameters.Select(p => Gen.Frequency(
            (2, Gen.Const("")),
            (3, Pick("1", "-1", "0", "99", "2147483648", "abc", "\u0000", "2026-13-45", "NotAnEnumValue", Guid.NewGuid().ToString(), new string('x', 5000))
                .Select(v => $"{p!["name"]!.GetValue<string>()}={Uri.EscapeDataString(v)}")))).ToArray();
        return each.Aggregate(Gen.Const(""), (acc, g) => Gen.Select(acc, g).Select(t => t.Item2.Length == 0 ? t.Item1 : (t.Item1.Length == 0 ? "?" : t.Item1 + "&") + t.Item2));
    }

    private static Gen<T> Pick<T>(params T[] values) => Gen.Int[0, values.Length - 1].Select(i => values[i]);

    private static JsonNode Resolve(JsonNode schema, JsonObject schemas)
    {
        if (schema["$ref"]?.GetValue<string>() is { } reference)
        {
            return Resolve(schemas[reference.Split('/')[^1]]!, schemas);
        }

        if (schema["oneOf"] is JsonArray options && options.FirstOrDefault(o => o?["type"]?.ToString() != "null") is { } real)
        {
            return Resolve(real, schemas);
        }

        return schema;
    }

    private static string TypeOf(JsonNode schema) => schema["type"] switch
    {
        JsonArray types => types.Select(t => t!.GetValue<string>()).FirstOrDefault(t => t != "null") ?? "object",
        JsonValue value => value.GetValue<string>(),
        _ => schema["enum"] is not null ? "string" : "object",
    };
}

public sealed class GeneratedInputTestsOnSqlite(SqliteApp app) : GeneratedInputTests<SqliteApp>(app);

public sealed class GeneratedInputTestsOnPostgres(PostgresApp app) : GeneratedInputTests<PostgresApp>(app);
