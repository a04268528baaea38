using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Custos.Data;
using Custos.Features.Customers;
using Custos.Features.People;
using Custos.Hosting;
using Custos.Security;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Custos.Benchmarks;

/// <summary>
/// <c>reveal-concurrency [customers] [postgres]</c> (ACC-3, AUD-1, issue "scale" items 4 and 5): the real web server
/// on a database of <c>customers</c> customers, loaded through HTTP by <c>wrk</c> with 1, 8 and 32 connections of
/// one signed-in staff member (a session cookie, as a browser sends it): the masked detail and the reveal of a
/// mobile number, each on a random one of 1,000 customers. Once with the product as it is, once with a server
/// whose audit trail writes nothing (only here, to measure what recording costs), in one run. Reports requests/s,
/// mean latency, server CPU per request, and the ratio audited / unaudited; and the time of one durable audit
/// write alone, so a single reveal can be compared with "unaudited reveal + one durable write".
/// </summary>
internal static partial class RevealConcurrency
{
    private static readonly int[] Clients = [1, 8, 32];

    public static async Task<int> RunAsync(int customers, string? postgres, int seconds)
    {
        if (!System.Runtime.GCSettings.IsServerGC)
        {
            Console.Error.WriteLine("reveal-concurrency runs the server as `custos serve` does, with the server garbage collector: DOTNET_gcServer=1 dotnet run …");
            return 2;
        }

        if (!File.Exists("/usr/bin/wrk"))
        {
            Console.Error.WriteLine("reveal-concurrency needs wrk: apt-get install -y wrk");
            return 2;
        }

        var dir = Path.Combine(Path.GetTempPath(), "custos-reveal-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        List<Guid> ids;
        string staff;
        double durableWriteMs;
        var (provider, departmentId) = await BenchHost.CreateAsync(dir, postgres);
        await using (provider)
        {
            await ListAtScale.FillAsync(provider, departmentId, customers);
            using var scope = provider.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<CustosDbContext>();
            var step = Math.Max(1, customers / 1000);
            ids = (await db.Customers.AsNoTracking().Where(c => c.DepartmentId == departmentId && c.Grade == Clearance.Secret)
                .OrderBy(c => c.Id).Select(c => c.Id).ToListAsync()).Where((_, i) => i % step == 0).Take(1000).ToList();
            staff = BenchHost.Staff;
            durableWriteMs = await DurableWriteAsync(provider);
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"engine={Engine(postgres)} customers={customers} one_durable_audit_write_ms={durableWriteMs:F2}"));
        var results = new Dictionary<(string Request, bool Audited, int Clients), Run>();
        foreach (var audited in new[] { true, false })
        {
            using var server = await StartAsync(dir, postgres, audited);
            var cookie = await SignInAsync(server.Address, staff);
            // Warm up (compilation, caches, connection pool) before anything is measured.
            await WrkAsync(server.Address, cookie, Script(dir, "reveal", ids), 8, 2);
            await WrkAsync(server.Address, cookie, Script(dir, "masked detail", ids), 8, 2);
            foreach (var request in new[] { "masked detail", "reveal" })
            {
                var script = Script(dir, request, ids);
                foreach (var clients in Clients)
                {
                    var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
                    var run = await WrkAsync(server.Address, cookie, script, clients, seconds);
                    var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
                    run = run with { CpuMsPerRequest = run.Requests == 0 ? 0 : cpu.TotalMilliseconds / run.Requests };
                    results[(request, audited, clients)] = run;
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"engine={Engine(postgres)} request=\"{request}\" audited={audited.ToString().ToLowerInvariant()} clients={clients} requests_per_s={run.PerSecond:F0} mean_ms={run.MeanMs:F2} cpu_ms_per_request={run.CpuMsPerRequest:F2} errors={run.Errors}"));
                }
            }
        }

        foreach (var request in new[] { "masked detail", "reveal" })
        {
            foreach (var clients in Clients)
            {
                var a = results[(request, true, clients)];
                var u = results[(request, false, clients)];
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"request=\"{request}\" clients={clients} audited_over_unaudited_throughput={a.PerSecond / u.PerSecond:F2}x"));
            }
        }

        var single = results[("reveal", true, 1)].MeanMs;
        var bound = results[("reveal", false, 1)].MeanMs + durableWriteMs;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"single_reveal_ms={single:F2} unaudited_plus_one_durable_write_ms={bound:F2} ratio={single / bound:F2}x"));

        if (postgres is null)
        {
            Directory.Delete(dir, true);
        }

        return 0;
    }

    private static string Engine(string? postgres) => postgres is null ? "sqlite" : "postgres";

    /// <summary>The median time of one audit entry written and committed on its own, 200 times in a row.</summary>
    private static async Task<double> DurableWriteAsync(IServiceProvider provider)
    {
        var times = new List<double>();
        for (var i = 0; i < 200; i++)
        {
            using var scope = provider.CreateScope();
            var audit = scope.ServiceProvider.GetRequiredService<IAuditTrail>();
            var clock = Stopwatch.StartNew();
            await audit.RecordNowAsync(AuditActions.ApiCall, "bench", null, AuditOutcome.Success, null, default);
            times.Add(clock.Elapsed.TotalMilliseconds);
        }

        times.Sort();
        return times[times.Count / 2];
    }

    private sealed class Server(IHost host, string address) : IDisposable
    {
        public string Address => address;

        public void Dispose()
        {
            host.StopAsync().GetAwaiter().GetResult();
            host.Dispose();
        }
    }

    private static async Task<Server> StartAsync(string dir, string? postgres, bool audited)
    {
        var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        var address = $"http://127.0.0.1:{port}";
        var overrides = new Dictionary<string, string?>
        {
            ["urls"] = address,
            ["Custos:DataDir"] = Path.Combine(dir, "data"),
            ["Custos:KeyFile"] = Path.Combine(dir, "bench.keys"),
            ["Custos:Database"] = postgres,
            ["Custos:NoDemo"] = "true",
            ["Serilog:MinimumLevel:Default"] = "Warning",
        };
        var builder = CustosWebHost.CreateBuilder(overrides);
        if (!audited)
        {
            builder.ConfigureServices(s => s.Replace(ServiceDescriptor.Scoped<IAuditTrail, NoAuditTrail>()));
        }

        var host = builder.Build();
        await host.StartAsync();
        using var client = new HttpClient();
        for (var i = 0; i < 600; i++)
        {
            if ((await client.GetAsync(address + "/healthz")).StatusCode == HttpStatusCode.OK)
            {
                return new Server(host, address);
            }

            await Task.Delay(100);
        }

        throw new InvalidOperationException("The server did not become healthy.");
    }

    /// <summary>Signs in through the sign-in page as a browser does and returns the session cookie.</summary>
    private static async Task<string> SignInAsync(string address, string userName)
    {
        var cookies = new CookieContainer();
        using var client = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = new Uri(address) };
        var page = await client.GetStringAsync("/account/login");
        var form = page[page.IndexOf("id=\"login-form\"", StringComparison.Ordinal)..];
        form = form[..form.IndexOf("</form>", StringComparison.Ordinal)];
        var fields = Hidden().Matches(form).ToDictionary(m => WebUtility.HtmlDecode(m.Groups[1].Value), m => WebUtility.HtmlDecode(m.Groups[2].Value));
        fields["Form.UserName"] = userName;
        fields["Form.Password"] = BenchHost.Password;
        var response = await client.PostAsync("/account/login", new FormUrlEncodedContent(fields));
        var session = cookies.GetCookies(new Uri(address))[CustosWebHost.SessionCookie]
            ?? throw new InvalidOperationException($"Sign-in failed: {(int)response.StatusCode} {response.Headers.Location}");
        return $"{session.Name}={session.Value}";
    }

    [GeneratedRegex("<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]*)\"")]
    private static partial Regex Hidden();

    private static string Script(string dir, string request, List<Guid> ids)
    {
        var path = Path.Combine(dir, request.Replace(' ', '-') + ".lua");
        var list = string.Join(",", ids.Select(i => $"\"{i}\""));
        var call = request == "reveal"
            ? "wrk.format(\"POST\", \"/api/v1/customers/\" .. id .. \"/reveal\", nil, '{\"field\":\"mobile\",\"purpose\":\"follow-up\"}')"
            : "wrk.format(\"GET\", \"/api/v1/customers/\" .. id)";
        File.WriteAllText(path, $$"""
            ids = { {{list}} }
            wrk.headers["Content-Type"] = "application/json"
            request = function()
              local id = ids[math.random(#ids)]
              return {{call}}
            end
            """);
        return path;
    }

    private sealed record Run(long Requests, double PerSecond, double MeanMs, long Errors, double CpuMsPerRequest);

    private static async Task<Run> WrkAsync(string address, string cookie, string script, int clients, int seconds)
    {
        var start = new ProcessStartInfo("/usr/bin/wrk")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in new[] { "-t", Math.Min(clients, 2).ToString(CultureInfo.InvariantCulture), "-c", clients.ToString(CultureInfo.InvariantCulture),
                     "-d", seconds + "s", "-H", "Cookie: " + cookie, "-H", "Origin: " + address, "-s", script, address })
        {
            start.ArgumentList.Add(a);
        }

        using var wrk = Process.Start(start)!;
        var output = await wrk.StandardOutput.ReadToEndAsync();
        await wrk.WaitForExitAsync();
        var requests = long.Parse(Requests().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);
        var perSecond = double.Parse(PerSecond().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);
        var latency = Latency().Match(output);
        var mean = double.Parse(latency.Groups[1].Value, CultureInfo.InvariantCulture) * latency.Groups[2].Value switch { "us" => 0.001, "ms" => 1, "s" => 1000, _ => 1 };
        var errors = Non2xx().Match(output) is { Success: true } m ? long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        errors += SocketErrors().Matches(output).Sum(x => long.Parse(x.Groups[1].Value, CultureInfo.InvariantCulture));
        return new Run(requests, perSecond, mean, errors, 0);
    }

    [GeneratedRegex(@"(\d+) requests in")]
    private static partial Regex Requests();

    [GeneratedRegex(@"Requests/sec:\s+([\d.]+)")]
    private static partial Regex PerSecond();

    [GeneratedRegex(@"Latency\s+([\d.]+)(us|ms|s)")]
    private static partial Regex Latency();

    [GeneratedRegex(@"Non-2xx or 3xx responses: (\d+)")]
    private static partial Regex Non2xx();

    [GeneratedRegex(@"(?:connect|read|write|timeout) (\d+)")]
    private static partial Regex SocketErrors();

    /// <summary>Records nothing: the baseline that shows what recording costs. Never part of the product.</summary>
    private sealed class NoAuditTrail : IAuditTrail
    {
        public void Record(string action, string targetType, string? targetId, AuditOutcome outcome = AuditOutcome.Success, object? detail = null, string? purpose = null)
        {
        }

        public Task RecordNowAsync(string action, string targetType, string? targetId, AuditOutcome outcome, object? detail, CancellationToken cancellationToken, string? purpose = null) =>
            Task.CompletedTask;
    }
}
