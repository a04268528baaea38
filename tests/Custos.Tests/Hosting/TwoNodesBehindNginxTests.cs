using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Custos.Tests.Infrastructure;
using Npgsql;

namespace Custos.Tests.Hosting;

/// <summary>
/// Several nodes behind a real reverse proxy (ACC-4, ACC-7, AUD-1): nginx, configured with the proxy directives
/// Custos ships (<c>deploy/nginx/custos-proxy.conf</c>), in front of two <c>custos serve</c> nodes on one
/// PostgreSQL. A bounded <c>wrk</c> load of lists, searches and reveals passes with no error; the log has one
/// sequence without gaps; a revoked token is refused by both nodes on the next request; the client's address
/// comes from nginx's <c>X-Forwarded-For</c>, and a forged one from an address that is not the proxy is ignored;
/// a node killed mid-run loses no acknowledged reveal.
/// </summary>
public sealed partial class TwoNodesBehindNginxTests : IAsyncLifetime
{
    private const string Password = "Custos-Demo-2026";
    private readonly string dir = TestPaths.NewDataDir("nodes");
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
            try
            {
                using var reaper = new Reaper(process);
            }
            catch (InvalidOperationException)
            {
                // Already disposed: it ended.
            }
        }

        await Task.Delay(100);
        TestPaths.Delete(dir);
    }

    private static string Require(string program, string package)
    {
        foreach (var folder in new[] { "/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin" })
        {
            var path = Path.Combine(folder, program);
            if (File.Exists(path))
            {
                return path;
            }
        }

        throw new InvalidOperationException($"This test needs {program}: apt-get install -y {package}");
    }

    private ProcessStartInfo Custos(params string[] args)
    {
        var start = CustosProcess.Start(args, database, dir, "node-data");
        // The nodes believe X-Forwarded-For from the proxy's address only.
        start.Environment["Custos__Security__TrustedProxies__0"] = "127.0.0.2";
        return start;
    }

    private Task<string> RunAsync(params string[] args) => CustosProcess.RunAsync(Custos(args));

    private Process Start(string file, IEnumerable<string> args, IDictionary<string, string>? environment = null)
    {
        var start = file == "custos" ? Custos([.. args]) : new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (file != "custos")
        {
            foreach (var a in args)
            {
                start.ArgumentList.Add(a);
            }
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start)!;
        processes.Add(process);
        var name = Path.GetFileName(file) + " " + process.Id;
        process.OutputDataReceived += (_, e) => { lock (output) { output.Append(name).Append(": ").AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.Append(name).Append(": ").AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private string Said()
    {
        lock (output)
        {
            return output.ToString()[^Math.Min(6000, output.Length)..];
        }
    }

    private async Task HealthyAsync(string url, Process process)
    {
        using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(5) };
        await ServerProcess.WaitUntilHealthyAsync(http, process, Said, TimeSpan.FromSeconds(120));
    }

    /// <summary>An HTTP client whose connections leave from <paramref name="from"/> (a loopback address of its own).</summary>
    private static HttpClient From(string from, string baseAddress, string? bearer = null, CookieContainer? cookies = null)
    {
        var handler = new SocketsHttpHandler
        {
            UseCookies = true,
            CookieContainer = cookies ?? new CookieContainer(),
            AllowAutoRedirect = false,
            ConnectCallback = async (context, ct) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(IPAddress.Parse(from), 0));
                    await socket.ConnectAsync(context.DnsEndPoint, ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        var client = new HttpClient(handler) { BaseAddress = new Uri(baseAddress), Timeout = TimeSpan.FromSeconds(30) };
        if (bearer is not null)
        {
            client.DefaultRequestHeaders.Authorization = new("Bearer", bearer);
        }

        return client;
    }

    private string NginxConfig(int listen, int nodeA, int nodeB)
    {
        var shipped = Path.Combine(AppContext.BaseDirectory, "deploy", "nginx", "custos-proxy.conf");
        Assert.True(File.Exists(shipped), "the shipped proxy directives are copied beside the tests: " + shipped);
        foreach (var temp in new[] { "body", "proxy", "fastcgi", "uwsgi", "scgi" })
        {
            Directory.CreateDirectory(Path.Combine(dir, "nginx", temp));
        }

        var n = Path.Combine(dir, "nginx");
        var config = Path.Combine(n, "nginx.conf");
        File.WriteAllText(config, $$"""
            user root;
            worker_processes 1;
            daemon off;
            pid {{n}}/nginx.pid;
            error_log {{n}}/error.log info;
            events { worker_connections 512; }
            http {
              log_format upstream '$upstream_addr $status $request';
              access_log {{n}}/access.log upstream;
              client_body_temp_path {{n}}/body;
              proxy_temp_path {{n}}/proxy;
              fastcgi_temp_path {{n}}/fastcgi;
              uwsgi_temp_path {{n}}/uwsgi;
              scgi_temp_path {{n}}/scgi;
              upstream custos {
                server 127.0.0.1:{{nodeA}} max_fails=1 fail_timeout=30s;
                server 127.0.0.1:{{nodeB}} max_fails=1 fail_timeout=30s;
                keepalive 32;
              }
              server {
                listen 127.0.0.1:{{listen}};
                # The proxy reaches the nodes from an address of its own, the one they trust.
                proxy_bind 127.0.0.2;
                location / {
                  proxy_pass http://custos;
                  include {{shipped}};
                }
              }
            }
            """);
        return config;
    }

    [Fact]
    public async Task Two_nodes_behind_nginx_serve_a_load_without_error_revoke_at_once_and_lose_no_acknowledged_reveal()
    {
        var nginx = Require("nginx", "nginx");
        var wrk = Require("wrk", "wrk");

        // The schema, then node A creates the demo organisation; node B joins the same database.
        await RunAsync("db", "migrate");
        var (portA, portB, proxyPort) = (ServerProcess.FreePort(), ServerProcess.FreePort(), ServerProcess.FreePort());
        var nodeA = Start("custos", ["serve", "--demo", "--urls", $"http://127.0.0.1:{portA}"]);
        await HealthyAsync($"http://127.0.0.1:{portA}", nodeA);
        var nodeB = Start("custos", ["serve", "--no-demo", "--urls", $"http://127.0.0.1:{portB}"]);
        await HealthyAsync($"http://127.0.0.1:{portB}", nodeB);
        var proxy = $"http://127.0.0.1:{proxyPort}";
        var nginxProcess = Start(nginx, ["-c", NginxConfig(proxyPort, portA, portB), "-p", Path.Combine(dir, "nginx")]);
        await HealthyAsync(proxy, nginxProcess);

        // A staff member signs in through the proxy, from a client address of its own (127.0.0.3), and makes a token.
        // The browser claims to have come over HTTPS: the proxy says what it saw (http), so the session cookie is not
        // marked Secure (if it were, this plain-HTTP client would not send it back and nothing below would work).
        string secret;
        var cookies = new CookieContainer();
        string session;
        using (var browser = From("127.0.0.3", proxy, cookies: cookies))
        {
            browser.DefaultRequestHeaders.Add("X-Forwarded-Proto", "https");
            var web = new WebSession(browser);
            var signedIn = await web.SignInAsync("demo.staff", Password);
            Assert.True(signedIn.IsSuccessStatusCode, $"{(int)signedIn.StatusCode} {signedIn.RequestMessage?.RequestUri}");
            var cookie = cookies.GetCookies(new Uri(proxy))[".Custos.Session"];
            Assert.NotNull(cookie);
            Assert.False(cookie.Secure);
            session = $"{cookie.Name}={cookie.Value}";
            var made = await browser.PostAsJsonAsync("/api/v1/tokens", new { name = "load", scopes = new[] { "staff" }, days = 1 });
            Assert.True(made.StatusCode == HttpStatusCode.Created, await made.Content.ReadAsStringAsync());
            secret = (await made.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("secret").GetString()!;
        }

        using var client = From("127.0.0.3", proxy, secret);
        var page = await client.GetFromJsonAsync<JsonElement>("/api/v1/customers?pageSize=100");
        // The customers whose mobile number this person may reveal (the list also shows some above their clearance).
        var ids = new List<Guid>();
        var mobile = "";
        foreach (var listed in page.GetProperty("items").EnumerateArray().Select(c => c.GetProperty("id").GetGuid()).Take(40))
        {
            var revealed = await client.PostAsJsonAsync($"/api/v1/customers/{listed}/reveal", new { field = "mobile", purpose = "follow-up" });
            if (revealed.StatusCode == HttpStatusCode.OK)
            {
                ids.Add(listed);
                mobile = (await revealed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("value").GetString()!;
            }
        }

        Assert.True(ids.Count >= 10, page.ToString());

        // The client's address is the one nginx saw; a forged X-Forwarded-For through the proxy is overwritten, and
        // sent straight to a node from an address that is not the proxy it is not believed.
        using (var forged = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/customers/{ids[1]}"))
        {
            forged.Headers.Add("X-Forwarded-For", "10.66.0.1");
            Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(forged)).StatusCode);
        }

        using (var direct = From("127.0.0.4", $"http://127.0.0.1:{portB}", secret))
        using (var forged = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/customers/{ids[2]}"))
        {
            forged.Headers.Add("X-Forwarded-For", "10.66.0.2");
            Assert.Equal(HttpStatusCode.OK, (await direct.SendAsync(forged)).StatusCode);
        }

        // Bodies pass through the proxy without landing on its disk: a 2 MB request and a page of 500 customers.
        using (var large = new StringContent("{\"query\":\"" + new string('1', 2 * 1024 * 1024) + "\"}", Encoding.UTF8, "application/json"))
        {
            await client.PostAsync("/api/v1/customers/search", large);
        }

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/customers?pageSize=500")).StatusCode);

        // A bounded load through the proxy as a browser makes it (the session cookie): lists, exact searches and
        // reveals, 8 connections for 10 seconds.
        var script = Path.Combine(dir, "load.lua");
        File.WriteAllText(script, $$"""
            ids = { {{string.Join(",", ids.Select(i => $"\"{i}\""))}} }
            wrk.headers["Cookie"] = "{{session}}"
            wrk.headers["Content-Type"] = "application/json"
            n = 0
            request = function()
              n = n + 1
              local id = ids[math.random(#ids)]
              if n % 3 == 0 then
                return wrk.format("GET", "/api/v1/customers?pageSize=50")
              elseif n % 3 == 1 then
                return wrk.format("POST", "/api/v1/customers/search", nil, '{"query":"{{mobile}}"}')
              end
              return wrk.format("POST", "/api/v1/customers/" .. id .. "/reveal", nil, '{"field":"mobile","purpose":"follow-up"}')
            end
            """);
        var start = new ProcessStartInfo(wrk) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-t", "2", "-c", "8", "-d", "10s", "-s", script, proxy })
        {
            start.ArgumentList.Add(a);
        }

        using (var load = Process.Start(start)!)
        {
            processes.Add(load);
            var report = await load.StandardOutput.ReadToEndAsync() + await load.StandardError.ReadToEndAsync();
            await load.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            var requests = long.Parse(Requests().Match(report).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(requests >= 200, report);
            var refused = File.ReadAllLines(Path.Combine(dir, "nginx", "access.log")).Where(l => !l.Contains(" 200 ", StringComparison.Ordinal)).Take(10);
            Assert.False(Regex.IsMatch(report, "Non-2xx or 3xx responses|Socket errors"), report + string.Join('\n', refused) + "\n" + Said());
        }

        // nginx spooled nothing to its temporary folders (it says so in its log when it does).
        var said = File.ReadAllText(Path.Combine(dir, "nginx", "error.log"));
        Assert.DoesNotContain("buffered to a temporary file", said, StringComparison.Ordinal);

        // Both nodes served it.
        var upstreams = File.ReadAllLines(Path.Combine(dir, "nginx", "access.log"));
        Assert.Contains(upstreams, l => l.StartsWith($"127.0.0.1:{portA} 200", StringComparison.Ordinal));
        Assert.Contains(upstreams, l => l.StartsWith($"127.0.0.1:{portB} 200", StringComparison.Ordinal));

        // A node killed while reveals go on: every reveal acknowledged is in the log.
        var acknowledged = new ConcurrentBag<string>();
        using var stop = new CancellationTokenSource();
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            using var writer = From("127.0.0.3", proxy, secret);
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var note = $"ack-{w}-{i}";
                try
                {
                    var response = await writer.PostAsJsonAsync($"/api/v1/customers/{ids[(w * 7 + i) % ids.Count]}/reveal", new { field = "mobile", purpose = "follow-up", note });
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        acknowledged.Add(note);
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
                {
                    // Cut off by the kill: not acknowledged.
                }
            }
        })).ToList();
        await Task.Delay(1500);
        nodeB.Kill(entireProcessTree: true); // SIGKILL
        await Task.Delay(1500);
        await stop.CancelAsync();
        await Task.WhenAll(writers);
        Assert.True(acknowledged.Count >= 20, $"only {acknowledged.Count} reveals were acknowledged");

        // Revocation on the next request, on both nodes: the token is revoked through node A, and node B (restarted)
        // and node A refuse it at once.
        nodeB = Start("custos", ["serve", "--no-demo", "--urls", $"http://127.0.0.1:{portB}"]);
        await HealthyAsync($"http://127.0.0.1:{portB}", nodeB);
        using var onA = From("127.0.0.1", $"http://127.0.0.1:{portA}", secret);
        using var onB = From("127.0.0.1", $"http://127.0.0.1:{portB}", secret);
        Assert.Equal(HttpStatusCode.OK, (await onB.GetAsync($"/api/v1/customers/{ids[3]}")).StatusCode);
        var tokens = await onA.GetFromJsonAsync<JsonElement>("/api/v1/tokens");
        var tokenId = tokens.EnumerateArray().Single(t => t.GetProperty("name").GetString() == "load").GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.NoContent, (await onA.DeleteAsync($"/api/v1/tokens/{tokenId}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await onB.GetAsync($"/api/v1/customers/{ids[3]}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await onA.GetAsync($"/api/v1/customers/{ids[3]}")).StatusCode);

        // The log: one sequence without gaps, every acknowledged reveal in it, the addresses as the proxy saw them.
        await RunAsync("audit", "sequence");
        await using var db = new NpgsqlConnection(database);
        await db.OpenAsync();
        var recorded = new HashSet<string>(StringComparer.Ordinal);
        await using (var command = new NpgsqlCommand("""SELECT "Detail" FROM "AuditRecords" WHERE "Action" = 'customer.reveal' AND "Outcome" = 'Success' AND "Sequence" IS NOT NULL""", db))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                if (JsonDocument.Parse(reader.GetString(0)).RootElement.TryGetProperty("note", out var note) && note.GetString() is { } n)
                {
                    recorded.Add(n);
                }
            }
        }

        var lost = acknowledged.Where(n => !recorded.Contains(n)).ToList();
        Assert.True(lost.Count == 0, $"{lost.Count} of {acknowledged.Count} acknowledged reveals have no entry in the log");
        await using (var command = new NpgsqlCommand("""SELECT COUNT("Sequence"), MIN("Sequence"), MAX("Sequence") FROM "AuditRecords" """, db))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            await reader.ReadAsync();
            Assert.Equal(0, reader.GetInt64(1));
            Assert.Equal(reader.GetInt64(0) - 1, reader.GetInt64(2));
        }

        async Task<string?> AddressOf(Guid customer)
        {
            await using var command = new NpgsqlCommand("""SELECT "ClientAddress" FROM "AuditRecords" WHERE "Action" = 'customer.view' AND "TargetId" = @id""", db);
            command.Parameters.AddWithValue("id", customer.ToString());
            return (string?)await command.ExecuteScalarAsync();
        }

        Assert.Equal("127.0.0.3", await AddressOf(ids[1]));
        Assert.Equal("127.0.0.4", await AddressOf(ids[2]));
        var verified = await RunAsync("audit", "verify", "--json");
        using var verdict = JsonDocument.Parse(verified[verified.IndexOf('{', StringComparison.Ordinal)..]);
        Assert.True(verdict.RootElement.GetProperty("ok").GetBoolean(), verified);
    }

    [GeneratedRegex(@"(\d+) requests in")]
    private static partial Regex Requests();
}
