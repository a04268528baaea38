using System.Text.RegularExpressions;
using Custos.Features.Policy;
using Custos.Hosting;
using Custos.Kernel.Policy;
using YamlDotNet.RepresentationModel;

namespace Custos.Features.Oversight;

/// <summary>One line of an assessment template: its code, its title (none: the built-in title in the page's language), and what it measures.</summary>
public sealed record TemplateItem(string Code, string? Title, string? Measure);

/// <summary>
/// The assessment template 《客户信息保密风险评估表》 as a YAML file, versioned like the policy (AUD-3): a title and the
/// items, each with a code, an optional title and an optional measure (<see cref="RiskMeasures.All"/>) that fills it
/// from live data. Mistakes are reported with their line and column, all at once.
/// </summary>
public static partial class AssessmentTemplates
{
    public const int MaxItems = 60;

    public const int MaxFile = 64 * 1024;

    /// <summary>The built-in template, following the seed's risk assessment form: what the department holds and how it left, who is not bound, what the log shows.</summary>
    public const string BuiltIn = """
        # 客户信息保密风险评估表（内置模板）
        # Each item: code (a-z, 0-9, -), optional title, optional measure (filled from live data).
        title: 客户信息保密风险评估表
        items:
          - code: customers
            measure: customers
          - code: grants
            measure: grants
          - code: copies-out
            measure: copies-out
          - code: exports
            measure: exports
          - code: no-agreement
            measure: no-agreement
          - code: no-training
            measure: no-training
          - code: leavers
            measure: leavers
          - code: reveals
            measure: reveals
          - code: refusals
            measure: refusals
          - code: alerts
            measure: alerts
          - code: imports
            measure: imports
          - code: visitors
          - code: paper
        """;

    /// <summary>The built-in inspection checklist (AUD-4): what the compliance department looks at in each project every two months.</summary>
    public const string BuiltInChecklist = """
        # 客户信息保密检查表（内置模板）
        title: 客户信息保密检查表
        items:
          - code: customers
            measure: customers
          - code: copies-out
            measure: copies-out
          - code: exports
            measure: exports
          - code: no-agreement
            measure: no-agreement
          - code: no-training
            measure: no-training
          - code: reveals
            measure: reveals
          - code: refusals
            measure: refusals
          - code: alerts
            measure: alerts
          - code: clean-desk
          - code: screen-lock
          - code: usb
          - code: paper
          - code: visitors
          - code: meetings
        """;

    /// <summary>Codes the built-in template titles in both languages (<c>RiskItem.{code}</c>).</summary>
    public static readonly IReadOnlySet<string> BuiltInCodes = new HashSet<string>(StringComparer.Ordinal)
    {
        "customers", "grants", "copies-out", "exports", "no-agreement", "no-training", "leavers", "reveals", "refusals", "alerts", "imports", "visitors", "paper",
        "clean-desk", "screen-lock", "usb", "meetings",
    };

    /// <summary>The file's items, or every mistake with its place.</summary>
    public static (string Title, IReadOnlyList<TemplateItem> Items) Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > MaxFile)
        {
            throw new PolicyInvalidException([new PolicyError(1, 1, "TooLarge", MaxFile.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
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
        string? title = null;
        YamlSequenceNode? list = null;
        foreach (var (key, value) in root.Children)
        {
            switch ((key as YamlScalarNode)?.Value)
            {
                case "title" when value is YamlScalarNode { Value: { } t } && !string.IsNullOrWhiteSpace(t) && t.Trim().Length <= 200 && TextInput.FirstForbidden(t) is null:
                    title = t.Trim();
                    break;
                case "title":
                    errors.Add(Error(value, "NotAValue", "title"));
                    break;
                case "items" when value is YamlSequenceNode s:
                    list = s;
                    break;
                case "items":
                    errors.Add(Error(value, "NotAList", "items"));
                    break;
                default:
                    errors.Add(Error(key, "UnknownKey", (key as YamlScalarNode)?.Value ?? ""));
                    break;
            }
        }

        if (title is null && !errors.Any(e => e.Detail == "title"))
        {
            errors.Add(new PolicyError(1, 1, "Missing", "title"));
        }

        var items = new List<TemplateItem>();
        if (list is null)
        {
            if (!errors.Any(e => e.Detail == "items"))
            {
                errors.Add(new PolicyError(1, 1, "Missing", "items"));
            }
        }
        else
        {
            var codes = new HashSet<string>(StringComparer.Ordinal);
            foreach (var node in list.Children)
            {
                if (ReadItem(node, errors) is { } item)
                {
                    if (!codes.Add(item.Code))
                    {
                        errors.Add(Error(node, "Duplicate", item.Code));
                    }

                    items.Add(item);
                }
            }

            if (list.Children.Count == 0 || list.Children.Count > MaxItems)
            {
                errors.Add(Error(list, "BadNumber", $"items: 1–{MaxItems}"));
            }
        }

        return errors.Count > 0 ? throw new PolicyInvalidException(errors) : (title!, items);
    }

    private static TemplateItem? ReadItem(YamlNode node, List<PolicyError> errors)
    {
        if (node is not YamlMappingNode map)
        {
            errors.Add(Error(node, "NotAMapping", ""));
            return null;
        }

        string? code = null, title = null, measure = null;
        var before = errors.Count;
        foreach (var (key, value) in map.Children)
        {
            var name = (key as YamlScalarNode)?.Value ?? "";
            if (value is not YamlScalarNode { Value: { } raw } || string.IsNullOrWhiteSpace(raw))
            {
                errors.Add(Error(value, "NotAValue", name));
                continue;
            }

            var v = raw.Trim();
            switch (name)
            {
                case "code" when CodePattern().IsMatch(v):
                    code = v;
                    break;
                case "code":
                    errors.Add(Error(value, "NotAValue", "code: " + v));
                    break;
                case "title" when v.Length <= 200 && TextInput.FirstForbidden(v) is null:
                    title = v;
                    break;
                case "title" when v.Length > 200:
                    errors.Add(Error(value, "TooLarge", "title: 200"));
                    break;
                case "title":
                    errors.Add(Error(value, "NotAValue", "title"));
                    break;
                case "measure" when RiskMeasures.All.Contains(v):
                    measure = v;
                    break;
                case "measure":
                    errors.Add(Error(value, "UnknownMeasure", v));
                    break;
                default:
                    errors.Add(Error(key, "UnknownKey", name));
                    break;
            }
        }

        if (code is null && errors.Count == before)
        {
            errors.Add(Error(map, "Missing", "code"));
        }

        if (code is not null && title is null && !BuiltInCodes.Contains(code))
        {
            errors.Add(Error(map, "Missing", "title"));
        }

        return errors.Count == before ? new TemplateItem(code!, title, measure) : null;
    }

    private static PolicyError Error(YamlNode node, string code, string detail) => new((int)node.Start.Line, (int)node.Start.Column, code, detail);

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,31}$", RegexOptions.CultureInvariant)]
    private static partial Regex CodePattern();
}
