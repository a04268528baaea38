using System.Text.RegularExpressions;
using Serilog.Core;
using Serilog.Events;

namespace Custos.Hosting;

/// <summary>
/// Last line of defence for logs: properties whose names suggest a secret are replaced, and anything
/// that looks like a Custos API token is masked wherever it appears. Code must still never log secrets.
/// </summary>
public sealed partial class LogRedaction : ILogEventEnricher
{
    public const string Mask = "***";

    private static readonly string[] SecretNames = ["password", "passphrase", "secret", "token", "authorization", "cookie", "code", "otp", "key"];

    public void Enrich(LogEvent logEvent, ILogEventPropertyFactory propertyFactory)
    {
        ArgumentNullException.ThrowIfNull(logEvent);
        foreach (var (name, value) in logEvent.Properties.ToList())
        {
            if (IsSecretName(name))
            {
                logEvent.AddOrUpdateProperty(new LogEventProperty(name, new ScalarValue(Mask)));
            }
            else if (Redact(value) is { } redacted)
            {
                logEvent.AddOrUpdateProperty(new LogEventProperty(name, redacted));
            }
        }
    }

    public static bool IsSecretName(string name) =>
        SecretNames.Any(s => name.Contains(s, StringComparison.OrdinalIgnoreCase));

    public static string RedactText(string text) => TokenPattern().Replace(text, "cst_" + Mask);

    private static LogEventPropertyValue? Redact(LogEventPropertyValue value) => value switch
    {
        ScalarValue { Value: string s } when TokenPattern().IsMatch(s) => new ScalarValue(RedactText(s)),
        StructureValue structure => new StructureValue(
            structure.Properties.Select(p => IsSecretName(p.Name)
                ? new LogEventProperty(p.Name, new ScalarValue(Mask))
                : new LogEventProperty(p.Name, Redact(p.Value) ?? p.Value)),
            structure.TypeTag),
        _ => null,
    };

    [GeneratedRegex("cst_[A-Za-z0-9_-]{20,}")]
    private static partial Regex TokenPattern();
}
