using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Custos.Features.People;
using Custos.Tests.Infrastructure;

namespace Custos.Tests.Hosting;

/// <summary>PostgreSQL goes away while Custos serves: clear 503 answers, nothing half-written, recovery when it returns.</summary>
public sealed class DatabaseOutageTests
{
    [Fact]
    public async Task Requests_during_an_outage_get_a_clear_503_and_service_resumes_afterwards()
    {
        await using var postgres = await PostgresServer.StartAsync();
        var keyFile = TestPaths.NewKeyFile();
        var settings = new Dictionary<string, string?>
        {
            ["Custos:Database"] = postgres.CreateDatabaseConnectionString(),
            ["Custos:NoDemo"] = "true",
            ["Custos:KeyFile"] = keyFile,
        };
        await using var factory = new CustosFactory(settings);
        factory.StartServer();

        Person admin;
        using (var scope = factory.Services.CreateScope())
        {
            (admin, _, _) = await scope.ServiceProvider.GetRequiredService<PeopleService>().CreateAsync(
                new NewPerson("outage.admin", "管理员", null, [Roles.ItAdministrator], [], [], Clearance.Secret, CustosApp.Password), default);
        }

        using var web = new WebSession(factory.CreateClient(new() { AllowAutoRedirect = false }), factory.Time);
        await web.SignInAsync(admin.UserName!);
        await web.EnrolMfaAsync();
        var token = (await (await web.Client.PostAsJsonAsync("/api/v1/tokens", new { name = "outage", scopes = new[] { Roles.ItAdministrator }, days = 1 }))
            .Content.ReadFromJsonAsync<JsonElement>()).GetProperty("secret").GetString();
        var api = factory.CreateClient();
        api.DefaultRequestHeaders.Authorization = new("Bearer", token);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/v1/people")).StatusCode);

        await postgres.StopServerAsync();

        var apiDown = await api.GetAsync("/api/v1/people");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, apiDown.StatusCode);
        Assert.Equal("application/problem+json", apiDown.Content.Headers.ContentType!.MediaType);
        Assert.Contains("数据库暂时无法访问", await apiDown.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var pageDown = await web.Client.GetAsync("/");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, pageDown.StatusCode);
        Assert.Contains("数据库暂时无法访问", (await WebSession.ParseAsync(pageDown)).QuerySelector("#error-message")!.TextContent, StringComparison.Ordinal);

        var health = await factory.CreateClient().GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);

        var write = await api.PostAsJsonAsync("/api/v1/departments", new { code = "OUTAGE", name = "停机部" });
        Assert.Equal(HttpStatusCode.ServiceUnavailable, write.StatusCode);

        await postgres.StartServerAsync();

        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/api/v1/people")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await web.Client.GetAsync("/")).StatusCode);
        var departments = await api.GetFromJsonAsync<JsonElement>("/api/v1/departments");
        Assert.DoesNotContain(departments.EnumerateArray(), d => d.GetProperty("code").GetString() == "OUTAGE");
        File.Delete(keyFile);
    }
}
