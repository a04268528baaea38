using System.Net.Http.Json;
using System.Text.Json;
using Custos.Kernel.Policy;

namespace Custos.Tests.Infrastructure;

/// <summary>Puts the built-in policy in force with its preconditions switched on (PPL-1, PPL-2), once per application, through the real approval workflow.</summary>
public static class PolicyPreconditions
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static readonly HashSet<CustosApp> Done = [];

    public static async Task RequireAsync(CustosApp app, bool nda, bool training)
    {
        ArgumentNullException.ThrowIfNull(app);
        await Gate.WaitAsync();
        try
        {
            if (!Done.Add(app))
            {
                return;
            }

            var admin = await app.AdminSessionAsync();
            var version = (await admin.Client.GetFromJsonAsync<JsonElement>("/api/v1/policy")).GetProperty("version").GetProperty("version").GetInt32();
            var text = DefaultPolicy.Yaml.Replace("version: 1", $"version: {version + 1}", StringComparison.Ordinal);
            text = nda ? text.Replace("nda: false", "nda: true", StringComparison.Ordinal) : text;
            text = training ? text.Replace("training: false", "training: true", StringComparison.Ordinal) : text;
            await app.PutPolicyInForceAsync(admin, text);
        }
        finally
        {
            Gate.Release();
        }
    }
}
