namespace Custos.Hosting;

/// <summary>Configuration sources in order of precedence: command line, <c>CUSTOS_*</c> environment, appsettings.</summary>
public static class CustosConfiguration
{
    /// <summary>Environment variables that map to settings, besides the generic <c>Custos__Key</c> form.</summary>
    private static readonly (string Variable, string Key)[] Environment =
    [
        ("CUSTOS_DATABASE", "Custos:Database"),
        ("CUSTOS_DATA_DIR", "Custos:DataDir"),
        ("CUSTOS_KEY_FILE", "Custos:KeyFile"),
        ("CUSTOS_KEY_SHARES", "Custos:KeyShares"),
        ("CUSTOS_KEY_PASSPHRASE", "Custos:KeyPassphrase"),
        ("CUSTOS_HSM_LIBRARY", "Custos:Hsm:Library"),
        ("CUSTOS_HSM_TOKEN", "Custos:Hsm:TokenLabel"),
        ("CUSTOS_HSM_PIN", "Custos:Hsm:Pin"),
    ];

    public static void Add(IConfigurationBuilder builder, IDictionary<string, string?> overrides)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var fromEnvironment = new Dictionary<string, string?>();
        foreach (var (variable, key) in Environment)
        {
            var value = System.Environment.GetEnvironmentVariable(variable);
            if (!string.IsNullOrEmpty(value))
            {
                fromEnvironment[key] = value;
            }
        }

        builder.AddInMemoryCollection(fromEnvironment);
        builder.AddInMemoryCollection(overrides.Where(kv => kv.Value is not null));
    }
}
