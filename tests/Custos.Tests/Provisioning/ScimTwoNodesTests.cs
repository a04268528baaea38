using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Custos.Tests.Infrastructure;

namespace Custos.Tests.Provisioning;

/// <summary>
/// A SCIM deactivation takes effect on the next request on every node (PPL-3): two <c>custos serve</c> processes on
/// one PostgreSQL; a person the identity provider provisioned, signed in on node B with a token; the provider deactivates them through node A;
/// node B refuses the session and the token on their next request.
/// </summary>
public sealed class ScimTwoNodesTests : IAsyncLifetime
{
    private const string Password = "Custos-Demo-2026";
    private readonly string dir = TestPaths.NewDataDir("scim-nodes");
    private readonly List<Process> processes = [];
    private readonly StringBuilder output = new();
    private string database = "";

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(dir);
        database = (await SharedPostgres.Server).CreateDatabaseConnectionString();
    }

    public async Task DisposeAsync()
    {
        foreach (var process in processes)
        {
            using var reaper = new Reaper(process);
            process.Dispose();
        }

        await Task.Delay(100);
        TestPaths.Delete(dir);
    }

    private ProcessStartInfo Custos(IEnumerable<string> args) => CustosProcess.Start(args, database, dir);

    private Task<string> RunAsync(params string[] args) => CustosProcess.RunAsync(Custos(args));

    private Task<string> RunWithInputAsync(string input, params string[] args) => CustosProcess.RunAsync(Custos(args), input);

    private async Task<string> ServeAsync(bool demo)
    {
        var port = ServerProcess.FreePort();
        var process = Process.Start(Custos(["serve", demo ? "--demo" : "--no-demo", "--urls", $"http://127.0.0.1:{port}"]))!;
        processes.Add(process);
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var url = $"http://127.0.0.1:{port}";
        using var http = new HttpClient { BaseAddress = new Uri(url) };
        await ServerProcess.WaitUntilHealthyAsync(http, process, () => { lock (output) { return output.ToString(); } }, TimeSpan.FromSeconds(120));
        return url;
    }

    [Fact]
    public async Task A_deactivation_through_one_node_is_refused_by_the_other_on_the_next_request()
    {
        await RunAsync("db", "migrate");
        var nodeA = await ServeAsync(demo: true);
        var nodeB = await ServeAsync(demo: false);
        var made = await RunAsync("scim", "token", "create", "hr-system");
        var secret = made.Split('\n', StringSplitOptions.TrimEntries).Single(l => l.StartsWith("scim_", StringComparison.Ordinal));

        // The identity provider provisions a person through node A; an administrator gives them a password and the staff role.
        using var idp = new HttpClient { BaseAddress = new Uri(nodeA) };
        idp.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        var created = await idp.PostAsync("/scim/v2/Users", new StringContent(
            """{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"scim.agent","displayName":"外呼坐席"}""", Encoding.UTF8, "application/scim+json"));
        Assert.True(created.StatusCode == HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        await RunWithInputAsync(Password, "user", "set-password", "scim.agent");
        await RunAsync("user", "roles", "scim.agent", "--role", "staff");

        // They sign in on node B and make a token there.
        var cookies = new CookieContainer();
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = new Uri(nodeB) };
        var web = new WebSession(browser);
        Assert.True((await web.SignInAsync("scim.agent", Password)).IsSuccessStatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/api/v1/me")).StatusCode);
        var token = await browser.PostAsJsonAsync("/api/v1/tokens", new { name = "script", scopes = new[] { "staff" }, days = 1 });
        Assert.Equal(HttpStatusCode.Created, token.StatusCode);
        using var script = new HttpClient { BaseAddress = new Uri(nodeB) };
        script.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await token.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("secret").GetString());
        Assert.Equal(HttpStatusCode.OK, (await script.GetAsync("/api/v1/me")).StatusCode);

        // The identity provider deactivates them through node A.
        using var patch = new HttpRequestMessage(HttpMethod.Patch, $"/scim/v2/Users/{id}")
        {
            Content = new StringContent("""{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":false}]}""", Encoding.UTF8, "application/scim+json"),
        };
        var deactivated = await idp.SendAsync(patch);
        Assert.True(deactivated.StatusCode == HttpStatusCode.OK, await deactivated.Content.ReadAsStringAsync());

        // Node B, on the very next request.
        Assert.Equal(HttpStatusCode.Unauthorized, (await script.GetAsync("/api/v1/me")).StatusCode);
        Assert.NotEqual(HttpStatusCode.OK, (await browser.GetAsync("/api/v1/me")).StatusCode);
        using var again = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = new Uri(nodeB) };
        Assert.NotNull((await WebSession.ParseAsync(await new WebSession(again).SignInAsync("scim.agent", Password))).QuerySelector("#login-error"));
    }
}
