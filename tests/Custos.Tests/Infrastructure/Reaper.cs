using System.Diagnostics;

namespace Custos.Tests.Infrastructure;

/// <summary>Kills a child process (and its children) when disposed, whether or not the test got as far as stopping it.</summary>
public sealed class Reaper(Process process) : IDisposable
{
    private readonly int id = process.Id;

    public void Dispose()
    {
        try
        {
            using var running = Process.GetProcessById(id);
            running.Kill(entireProcessTree: true);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            // already gone
        }
    }
}
