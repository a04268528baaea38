using System.Globalization;
using System.Text.RegularExpressions;
using Custos.Features.Policy;
using Custos.Kernel.Policy;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using YamlDotNet.RepresentationModel;

namespace Custos.Features.Retention;

/// <summary>What a retention period counts from.</summary>
public enum RetentionStart
{
    /// <summary>The last contact with the customer (a prospect).</summary>
    LastContact,

    /// <summary>The end of the customer's contract.</summary>
    ContractEnd,

    /// <summary>When the customer was entered.</summary>
    Created,
}

/// <summary>How long one kind of customer data is kept: <see cref="Months"/> and <see cref="Days"/> after <see cref="After"/>.</summary>
public sealed record RetentionRule(string Kind, int Months, int Days, RetentionStart After)
{
    /// <summary>The latest start that is due on <paramref name="today"/>: a start on or before it has run out.</summary>
    public DateTimeOffset DueCutoff(DateTimeOffset today) => today.AddMonths(-Months).AddDays(-Days);
}

/// <summary>The rules in force: one per data kind, and how long data is kept after consent is withdrawn when consent was its only basis.</summary>
public sealed record RetentionRuleSet(IReadOnlyDictionary<string, RetentionRule> Rules, int WithdrawnDays)
{
    public RetentionRule For(string kind) => Rules.TryGetValue(kind, out var rule) ? rule : Rules[RetentionRules.Prospect];
}

/// <summary>One loaded version of the retention file (DST-3), kept like the policy's versions: who loaded it and when.</summary>
public sealed class RetentionFile
{
    public int Version { get; set; }

    public string Text { get; set; } = "";

    public string Sha256 { get; set; } = "";

    public Guid LoadedById { get; set; }

    public string LoadedByName { get; set; } = "";

    public DateTimeOffset LoadedAt { get; set; }
}

internal sealed class RetentionFileMapping : IEntityTypeConfiguration<RetentionFile>
{
    public void Configure(EntityTypeBuilder<RetentionFile> e)
    {
        e.HasKey(f => f.Version);
        e.Property(f => f.Version).ValueGeneratedNever();
        e.Property(f => f.Text).HasMaxLength(RetentionRules.MaxFile);
        e.Property(f => f.Sha256).HasMaxLength(64);
        e.Property(f => f.LoadedByName).HasMaxLength(200);
    }
}

/// <summary>
/// The retention file (DST-3): how long each kind of customer data is kept, as YAML, versioned and validated like the
/// policy — every mistake reported at its line and column, nothing loaded when there is one. A customer's own agreed
/// period (on the customer's record) comes before the rule of its kind.
/// </summary>
public static partial class RetentionRules
{
    public const int MaxFile = 32 * 1024;

    public const string Prospect = "prospect";
    public const string Contract = "contract";
    public const string Former = "former";

    /// <summary>The data kinds a rule may name (labels <c>DataKind.{kind}</c>).</summary>
    public static readonly IReadOnlyList<string> Kinds = [Prospect, Contract, Former];

    public const string BuiltIn = """
        # 客户信息保存期限（内置）— DST-3
        # keep: a period such as 2y, 18m or 90d; after: last-contact, contract-end or created.
        rules:
          - kind: prospect
            keep: 2y
            after: last-contact
          - kind: contract
            keep: 5y
            after: contract-end
          - kind: former
            keep: 3y
            after: contract-end
        # After consent is withdrawn, data kept only on consent is destroyed within:
        consent-withdrawn: 30d
        """;

    public static RetentionRuleSet Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > MaxFile)
        {
            throw new PolicyInvalidException([new PolicyError(1, 1, "TooLarge", MaxFile.ToString(CultureInfo.InvariantCulture))]);
        }

        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new PolicyInvalidException([new PolicyError((int)e.Start.Line, (int)e.Start.Column, "Syntax", e.Message)]);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            throw new PolicyInvalidException([new PolicyError(1, 1, "Syntax", e.Message)]);
        }

        if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new PolicyInvalidException([new PolicyError(1, 1, "NotAMapping", "")]);
        }

        var errors = new List<PolicyError>();
        var rules = new Dictionary<string, RetentionRule>(StringComparer.Ordinal);
        int? withdrawn = null;
        foreach (var (key, value) in root.Children)
        {
            switch ((key as YamlScalarNode)?.Value)
            {
                case "rules" when value is YamlSequenceNode list:
                    foreach (var item in list.Children)
                    {
                        if (ParseRule(item, errors) is { } rule)
                        {
                            if (!rules.TryAdd(rule.Kind, rule))
                            {
                                errors.Add(Error(item, "DuplicateKind", rule.Kind));
                            }
                        }
                    }

                    break;
                case "rules":
                    errors.Add(Error(value, "NotAList", "rules"));
                    break;
                case "consent-withdrawn":
                    if (Period(value) is { Months: 0 } days)
                    {
                        withdrawn = days.Days;
                    }
                    else
                    {
                        errors.Add(Error(value, "BadPeriodDays", (value as YamlScalarNode)?.Value ?? ""));
                    }

                    break;
                default:
                    errors.Add(Error(key, "UnknownKey", (key as YamlScalarNode)?.Value ?? ""));
                    break;
            }
        }

        foreach (var kind in Kinds.Where(k => !rules.ContainsKey(k)))
        {
            errors.Add(new PolicyError((int)root.Start.Line, (int)root.Start.Column, "MissingKind", kind));
        }

        if (errors.Count > 0)
        {
            throw new PolicyInvalidException([.. errors.OrderBy(e => e.Line).ThenBy(e => e.Column)]);
        }

        return new RetentionRuleSet(rules, withdrawn ?? 30);
    }

    private static RetentionRule? ParseRule(YamlNode item, List<PolicyError> errors)
    {
        if (item is not YamlMappingNode map)
        {
            errors.Add(Error(item, "NotAMapping", ""));
            return null;
        }

        string? kind = null;
        (int Months, int Days)? keep = null;
        RetentionStart? after = null;
        var before = errors.Count;
        foreach (var (key, value) in map.Children)
        {
            var text = (value as YamlScalarNode)?.Value ?? "";
            switch ((key as YamlScalarNode)?.Value)
            {
                case "kind" when Kinds.Contains(text):
                    kind = text;
                    break;
                case "kind":
                    errors.Add(Error(value, "UnknownDataKind", text));
                    break;
                case "keep" when Period(value) is { } period:
                    keep = period;
                    break;
                case "keep":
                    errors.Add(Error(value, "BadPeriod", text));
                    break;
                case "after":
                    after = text switch
                    {
                        "last-contact" => RetentionStart.LastContact,
                        "contract-end" => RetentionStart.ContractEnd,
                        "created" => RetentionStart.Created,
                        _ => null,
                    };
                    if (after is null)
                    {
                        errors.Add(Error(value, "UnknownStart", text));
                    }

                    break;
                default:
                    errors.Add(Error(key, "UnknownKey", (key as YamlScalarNode)?.Value ?? ""));
                    break;
            }
        }

        if (errors.Count > before)
        {
            return null;
        }

        if (kind is null || keep is null || after is null)
        {
            errors.Add(Error(map, "RuleIncomplete", kind ?? ""));
            return null;
        }

        return new RetentionRule(kind, keep.Value.Months, keep.Value.Days, after.Value);
    }

    /// <summary>A positive period: <c>2y</c>, <c>18m</c>, <c>90d</c> (at most 100 years); null for anything else, a negative or zero one included.</summary>
    private static (int Months, int Days)? Period(YamlNode node)
    {
        if (node is not YamlScalarNode { Value: { } text } || PeriodPattern().Match(text.Trim()) is not { Success: true } match)
        {
            return null;
        }

        if (!int.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n <= 0)
        {
            return null;
        }

        return match.Groups[2].Value switch
        {
            "y" when n <= 100 => (n * 12, 0),
            "m" when n <= 1200 => (n, 0),
            "d" when n <= 36500 => (0, n),
            _ => null,
        };
    }

    [GeneratedRegex("^([0-9]{1,5})([ymd])$")]
    private static partial Regex PeriodPattern();

    private static PolicyError Error(YamlNode node, string code, string detail) => new((int)node.Start.Line, (int)node.Start.Column, code, detail);
}
