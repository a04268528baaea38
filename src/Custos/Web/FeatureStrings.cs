using System.Collections.Frozen;
using System.Globalization;
using System.Reflection;
using System.Resources;
using Microsoft.Extensions.Localization;

namespace Custos.Web;

/// <summary>
/// The UI text, kept beside the code that shows it: each feature folder has its <c>Strings.resx</c> (Chinese, the
/// default) and <c>Strings.en.resx</c>; <c>Web/</c> holds the text every page shares (navigation, labels, errors).
/// This one localiser serves them all under <c>IStringLocalizer&lt;Strings&gt;</c>, so a page or a command asks
/// for a key without knowing which folder holds it. A key defined in two folders is a start-up error.
/// </summary>
internal sealed class FeatureStrings : IStringLocalizer<Strings>
{
    private const string Suffix = ".Strings.resources";

    private static readonly Lazy<FrozenDictionary<string, ResourceManager>> Owners = new(Load);

    /// <summary>Which resource table holds each key, read once from the neutral (Chinese) tables.</summary>
    private static FrozenDictionary<string, ResourceManager> Load()
    {
        var assembly = typeof(Strings).Assembly;
        var owners = new Dictionary<string, ResourceManager>(StringComparer.Ordinal);
        var from = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.EndsWith(Suffix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            var baseName = name[..^".resources".Length];
            var manager = new ResourceManager(baseName, assembly);
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var reader = new ResourceReader(stream);
            foreach (System.Collections.DictionaryEntry entry in reader)
            {
                var key = (string)entry.Key;
                if (!from.TryAdd(key, baseName))
                {
                    throw new InvalidOperationException($"The text key {key} is defined in both {from[key]} and {baseName}.");
                }

                owners[key] = manager;
            }
        }

        return owners.ToFrozenDictionary(StringComparer.Ordinal);
    }

    /// <summary>Every key and the resource table (by base name) that defines it.</summary>
    internal static IReadOnlyDictionary<string, string> Keys() => Owners.Value.ToDictionary(p => p.Key, p => p.Value.BaseName, StringComparer.Ordinal);

    public LocalizedString this[string name]
    {
        get
        {
            ArgumentNullException.ThrowIfNull(name);
            var value = Find(name, CultureInfo.CurrentUICulture);
            return new LocalizedString(name, value ?? name, resourceNotFound: value is null);
        }
    }

    public LocalizedString this[string name, params object[] arguments]
    {
        get
        {
            ArgumentNullException.ThrowIfNull(name);
            var format = Find(name, CultureInfo.CurrentUICulture);
            var value = string.Format(CultureInfo.CurrentCulture, format ?? name, arguments);
            return new LocalizedString(name, value, resourceNotFound: format is null);
        }
    }

    public IEnumerable<LocalizedString> GetAllStrings(bool includeParentCultures) =>
        Owners.Value.Select(p => new LocalizedString(p.Key, p.Value.GetString(p.Key, CultureInfo.CurrentUICulture) ?? p.Key));

    private static string? Find(string name, CultureInfo culture) =>
        Owners.Value.TryGetValue(name, out var manager) ? manager.GetString(name, culture) : null;
}
