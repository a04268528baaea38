using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Custos.Tests.Infrastructure;

/// <summary>For tests that start servers as processes (<c>custos serve</c>, PostgreSQL, nginx): a free port, and waiting until one answers.</summary>
public static class ServerProcess
{
    /// <summary>A loopback port nothing listens on at the moment.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// Polls <c>/healthz</c> until it answers with success. Fails if the process exits first or nothing answers within
    /// <paramref name="within"/> (default one minute), with what the process said (<paramref name="said"/>) in the message.
    /// </summary>
    public static async Task WaitUntilHealthyAsync(HttpClient http, Process process, Func<string>? said = null, TimeSpan? within = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(process);
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < (within ?? TimeSpan.FromSeconds(60)))
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{process.StartInfo.FileName} exited early:\n{said?.Invoke()}");
            }

            try
            {
                if ((await http.GetAsync("/healthz")).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"{process.StartInfo.FileName} did not become healthy:\n{said?.Invoke()}");
    }
}
