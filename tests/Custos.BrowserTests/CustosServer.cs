using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Custos.BrowserTests;

/// <summary>A real <c>custos serve</c> process on a free loopback port with the demo organisation.</summary>
public sealed class CustosServer : IAsyncLifetime
{
    private readonly string dataDir = Path.Combine(Path.GetTempPath(), "custos-browser-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly StringBuilder output = new();
    private Process? process;

    public string BaseUrl { get; private set; } = "";

    /// <summary>Where the server keeps its database and key file (for the command line beside it).</summary>
    public string DataDir => dataDir;

    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    public async Task InitializeAsync()
    {
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            BaseUrl = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}";
        }

        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "custos.dll"), "serve", "--demo", "--data-dir", dataDir, "--urls", BaseUrl })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment.Remove("CUSTOS_DATABASE");
        process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var http = new HttpClient();
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(90))
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException("custos serve exited early:\n" + Output);
            }

            try
            {
                if ((await http.GetAsync(BaseUrl + "/healthz")).IsSuccessStatusCode)
                {
                    // The sign-in page compiled once before a browser waits on it.
                    (await http.GetAsync(BaseUrl + "/account/login")).EnsureSuccessStatusCode();
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(250);
        }

        throw new TimeoutException("custos serve did not become healthy:\n" + Output);
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    public async Task DisposeAsync()
    {
        if (process is { HasExited: false })
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        process?.Dispose();
        if (Directory.Exists(dataDir))
        {
            Directory.Delete(dataDir, recursive: true);
        }

        File.Delete(dataDir + ".keys");
    }
}
