using System.Globalization;
using Custos.Hosting;
using Custos.Kernel.Classification;
using Custos.Kernel.Masking;
using Custos.Web;
using Microsoft.Extensions.Localization;
using Custos.Features;

namespace Custos.Features.Classification;

/// <summary>A field's level and mask where they differ from the policies' defaults (CLS-1, ACC-3).</summary>
public sealed class FieldSettings
{
    /// <summary>1 general, 2 sensitive, 3 core.</summary>
    public int? Level { get; set; }

    /// <summary>A mask name (<c>Mobile</c>, <c>IdNumber</c>, <c>BankCard</c>, <c>Name</c>, <c>Address</c>, <c>Email</c>, <c>Landline</c>, <c>Full</c>) or <c>keep:H:T</c>.</summary>
    public string? Mask { get; set; }
}

/// <summary>Settings that cannot be used; start-up stops with this message, which names the setting.</summary>
[Contract]
public sealed class SettingsException(string message) : Exception(message);

/// <summary>The organisation's classification: the field catalogue with its configured levels and masks, and the levels' names.</summary>
public static class ClassificationSetup
{
    public static FieldCatalogue Catalogue(CustosSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var problems = new List<string>();
        var overrides = new Dictionary<string, FieldOverride>(StringComparer.Ordinal);
        foreach (var (field, setting) in settings.Fields)
        {
            MaskRule? mask = null;
            if (setting.Mask is not null)
            {
                if (MaskRule.TryParse(setting.Mask, out var rule))
                {
                    mask = rule;
                }
                else
                {
                    problems.Add($"{field}: mask \"{setting.Mask}\" is neither a mask name ({string.Join(", ", Enum.GetNames<MaskKind>().Where(n => n != nameof(MaskKind.Keep)))}) nor keep:H:T with H and T at most {MaskRule.MaxKept}");
                }
            }

            overrides[field] = new FieldOverride(setting.Level is { } level ? (Sensitivity)level : null, mask);
        }

        var catalogue = FieldCatalogue.Default.With(overrides, out var invalid);
        problems.AddRange(invalid);
        foreach (var level in settings.LevelNames.Keys.Where(k => k is not ("1" or "2" or "3")))
        {
            problems.Add($"LevelNames: \"{level}\" is not a level (1, 2 or 3)");
        }

        return problems.Count == 0
            ? catalogue
            : throw new SettingsException("Custos:Fields — " + string.Join("; ", problems));
    }
}

/// <summary>The display name of a level (CLS-1): the configured one for the current language, else the built-in text.</summary>
[Contract]
public sealed class LevelNames(CustosSettings settings, IStringLocalizer<Strings> text)
{
    public string Of(Sensitivity level)
    {
        var key = ((int)level).ToString(CultureInfo.InvariantCulture);
        if (settings.LevelNames.TryGetValue(key, out var names))
        {
            var culture = CultureInfo.CurrentUICulture;
            if (names.TryGetValue(culture.Name, out var name) || names.TryGetValue(culture.TwoLetterISOLanguageName, out name))
            {
                return name;
            }
        }

        return text["Level." + key];
    }
}
