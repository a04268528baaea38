using System.Collections.Concurrent;
using Serilog.Core;
using Serilog.Events;

namespace Custos.Tests.Infrastructure;

/// <summary>Keeps every log event rendered with its properties, so tests can look for leaked secrets.</summary>
public sealed class LogCapture : ILogEventSink
{
    private readonly ConcurrentQueue<string> lines = new();

    public void Emit(LogEvent logEvent)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        var properties = string.Join(' ', logEvent.Properties.Select(p => $"{p.Key}={p.Value}"));
        lines.Enqueue($"{logEvent.RenderMessage(System.Globalization.CultureInfo.InvariantCulture)} {properties} {logEvent.Exception}");
    }

    public string All => string.Join('\n', lines);
}
