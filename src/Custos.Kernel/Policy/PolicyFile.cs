using System.Globalization;
using System.Net;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Custos.Kernel.Policy;

/// <summary>One problem in a policy file, at a line and column (1-based). <c>Code</c> is a message key; <c>Detail</c> the offending text.</summary>
public sealed record PolicyError(int Line, int Column, string Code, string Detail);

public sealed record PolicyParse(PolicyDocument? Document, IReadOnlyList<PolicyError> Errors)
{
    public bool Valid => Document is not null;
}

/// <summary>
/// Reads a policy file (YAML). Every problem is reported with its line and column, and a file with any
/// problem yields no document: a policy is loaded whole or not at all.
/// </summary>
public static class PolicyFile
{
    public const int MaxBytes = 256 * 1024;

    private static readonly Dictionary<string, RequestKind> Kinds = new(StringComparer.Ordinal)
    {
        ["access"] = RequestKind.Access,
        ["reveal"] = RequestKind.Reveal,
        ["import"] = RequestKind.Import,
        ["export"] = RequestKind.Export,
        ["print"] = RequestKind.Print,
        ["share-external"] = RequestKind.ShareExternal,
        ["destroy"] = RequestKind.Destroy,
        ["role-change"] = RequestKind.RoleChange,
        ["privilege-change"] = RequestKind.PrivilegeChange,
        ["policy-change"] = RequestKind.PolicyChange,
    };

    public static string KindName(RequestKind kind) => Kinds.First(k => k.Value == kind).Key;

    public static bool TryParseKind(string? name, out RequestKind kind) => Kinds.TryGetValue(name ?? "", out kind);

    public static PolicyParse Parse(string text, IReadOnlyCollection<string> knownRoles)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(knownRoles);
        var reader = new Reader(knownRoles);
        if (text.Length > MaxBytes)
        {
            return new PolicyParse(null, [new PolicyError(1, 1, "TooLarge", MaxBytes.ToString(CultureInfo.InvariantCulture))]);
        }

        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            return new PolicyParse(null, [new PolicyError((int)e.Start.Line, (int)e.Start.Column, "Syntax", e.Message)]);
        }

        if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            return new PolicyParse(null, [new PolicyError(1, 1, "NotAMapping", "")]);
        }

        var document = reader.Read(root);
        return reader.Errors.Count == 0 ? new PolicyParse(document, []) : new PolicyParse(null, reader.Errors);
    }

    private sealed class Reader(IReadOnlyCollection<string> knownRoles)
    {
        public List<PolicyError> Errors { get; } = [];

        public PolicyDocument Read(YamlMappingNode root)
        {
            var keys = Keys(root, "version", "timezone", "preconditions", "networks", "default-networks", "roles", "approvals", "requests");
            var version = Int(Required(root, keys, "version"), 1, int.MaxValue);
            var offset = keys.TryGetValue("timezone", out var tz) ? Offset(tz) : TimeSpan.FromHours(8);

            var preconditions = new Preconditions(false, false);
            if (keys.TryGetValue("preconditions", out var pre) && Mapping(pre) is { } preMap)
            {
                var p = Keys(preMap, "nda", "training");
                preconditions = new Preconditions(p.TryGetValue("nda", out var nda) && Bool(nda), p.TryGetValue("training", out var tr) && Bool(tr));
            }

            var networks = new Dictionary<string, IReadOnlyList<IPNetwork>>(StringComparer.Ordinal);
            if (keys.TryGetValue("networks", out var nets) && Mapping(nets) is { } netMap)
            {
                foreach (var (name, value) in netMap.Children)
                {
                    networks[Scalar(name)] = [.. Sequence(value).Select(Network).Where(n => n is not null).Select(n => n!.Value)];
                }
            }

            var defaults = keys.TryGetValue("default-networks", out var dn) ? NetworkNames(dn, networks) : [];
            if (defaults.Count == 0 && !keys.ContainsKey("default-networks"))
            {
                Error(root, "Missing", "default-networks");
            }

            var roles = new Dictionary<string, RolePolicy>(StringComparer.Ordinal);
            if (Mapping(Required(root, keys, "roles")) is { } roleMap)
            {
                foreach (var (nameNode, value) in roleMap.Children)
                {
                    var name = Scalar(nameNode);
                    if (!knownRoles.Contains(name))
                    {
                        Error(nameNode, "UnknownRole", name);
                        continue;
                    }

                    if (Mapping(value) is { } r)
                    {
                        roles[name] = Role(name, r, networks);

                        // Separation of duties: the audit log is how administrators' work is checked; they do not read it.
                        var role = roles[name];
                        if ((name == PolicyEngine.AccountAdministratorRole || role.Allow.Contains(PolicyAction.Administer) || role.WithApproval.Contains(PolicyAction.Administer))
                            && (role.Allow.Contains(PolicyAction.Audit) || role.WithApproval.Contains(PolicyAction.Audit)))
                        {
                            Error(nameNode, "AdministratorAudits", name);
                        }
                    }
                }
            }

            var approvals = new Dictionary<RequestKind, IReadOnlyList<ApprovalStep>>();
            if (keys.TryGetValue("approvals", out var ap) && Mapping(ap) is { } apMap)
            {
                foreach (var (kindNode, value) in apMap.Children)
                {
                    if (!Kinds.TryGetValue(Scalar(kindNode), out var kind))
                    {
                        Error(kindNode, "UnknownRequestKind", Scalar(kindNode));
                        continue;
                    }

                    var steps = Sequence(value).Select(s => (Node: s, Step: Step(s, roles))).Where(s => s.Step is not null).ToList();
                    if (ApprovalRules.IsRightsChange(kind))
                    {
                        // Separation of duties: rights are never approved by those who administer them, and never by nobody.
                        if (steps.Count == 0)
                        {
                            Error(value, "RightsNeedApproval", Scalar(kindNode));
                        }

                        foreach (var (node, step) in steps.Where(s => s.Step!.Role == PolicyEngine.AccountAdministratorRole
                            || (roles.TryGetValue(s.Step!.Role, out var r) && (r.Allow.Contains(PolicyAction.Administer) || r.WithApproval.Contains(PolicyAction.Administer)))))
                        {
                            Error(node, "AdministratorApprovesRights", step!.Role);
                        }
                    }

                    approvals[kind] = [.. steps.Select(s => s.Step!)];
                }
            }

            var timings = new RequestTimings(72, 24, 30);
            if (keys.TryGetValue("requests", out var rq) && Mapping(rq) is { } rqMap)
            {
                var t = Keys(rqMap, "expire-after-hours", "remind-after-hours", "max-grant-days");
                timings = new RequestTimings(
                    t.TryGetValue("expire-after-hours", out var e) ? Int(e, 1, 24 * 90) : 72,
                    t.TryGetValue("remind-after-hours", out var m) ? Int(m, 1, 24 * 90) : 24,
                    t.TryGetValue("max-grant-days", out var g) ? Int(g, 1, 366) : 30);
            }

            return new PolicyDocument(version, roles, networks, defaults, offset, preconditions, approvals, timings);
        }

        private RolePolicy Role(string name, YamlMappingNode node, Dictionary<string, IReadOnlyList<IPNetwork>> networks)
        {
            var keys = Keys(node, "scope", "allow", "with-approval", "networks", "hours");
            var scope = CustomerScope.None;
            if (keys.TryGetValue("scope", out var s))
            {
                scope = Scalar(s) switch
                {
                    "none" => CustomerScope.None,
                    "projects" => CustomerScope.Projects,
                    "own" => CustomerScope.Own,
                    "all" => CustomerScope.All,
                    var other => Error(s, "UnknownScope", other, CustomerScope.None),
                };
            }

            var allow = keys.TryGetValue("allow", out var a) ? Actions(a) : ActionSet.None;
            var approval = keys.TryGetValue("with-approval", out var w) ? Actions(w) : ActionSet.None;
            if (allow.Bits != 0 && (allow.Bits & approval.Bits) != 0)
            {
                Error(w!, "AllowedAndApproval", new ActionSet(allow.Bits & approval.Bits).ToString());
            }

            var roleNetworks = keys.TryGetValue("networks", out var n) ? NetworkNames(n, networks) : [];
            TimeWindow? hours = keys.TryGetValue("hours", out var h) ? Hours(h) : null;
            return new RolePolicy(name, scope, allow, approval, roleNetworks, hours);
        }

        private ApprovalStep? Step(YamlNode node, Dictionary<string, RolePolicy> roles)
        {
            if (Mapping(node) is not { } map)
            {
                return null;
            }

            var keys = Keys(map, "role", "of", "count");
            var roleNode = Required(map, keys, "role");
            var role = roleNode is null ? "" : Scalar(roleNode);
            if (roleNode is not null && !knownRoles.Contains(role))
            {
                Error(roleNode, "UnknownRole", role);
            }
            else if (roleNode is not null && (!roles.TryGetValue(role, out var r) || !r.Allow.Contains(PolicyAction.Approve)))
            {
                Error(roleNode, "ApproverCannotApprove", role);
            }

            var of = ApproverRelation.Anyone;
            if (keys.TryGetValue("of", out var o))
            {
                of = Scalar(o) switch
                {
                    "anyone" => ApproverRelation.Anyone,
                    "department" => ApproverRelation.Department,
                    "project" => ApproverRelation.Project,
                    var other => Error(o, "UnknownRelation", other, ApproverRelation.Anyone),
                };
            }

            var count = keys.TryGetValue("count", out var c) ? Int(c, 1, 9) : 1;
            return new ApprovalStep(role, of, count);
        }

        private ActionSet Actions(YamlNode node)
        {
            var set = ActionSet.None;
            foreach (var item in Sequence(node))
            {
                var name = Scalar(item);
                if (PolicyActions.TryParse(name, out var action))
                {
                    set = set.Union(ActionSet.Of(action));
                }
                else
                {
                    Error(item, "UnknownAction", name);
                }
            }

            return set;
        }

        private List<string> NetworkNames(YamlNode node, Dictionary<string, IReadOnlyList<IPNetwork>> networks)
        {
            var names = new List<string>();
            foreach (var item in Sequence(node))
            {
                var name = Scalar(item);
                if (networks.ContainsKey(name))
                {
                    names.Add(name);
                }
                else
                {
                    Error(item, "UnknownNetwork", name);
                }
            }

            return names;
        }

        private IPNetwork? Network(YamlNode node)
        {
            var text = Scalar(node);
            return IPNetwork.TryParse(text, out var network) ? network : Error<IPNetwork?>(node, "BadNetwork", text, null);
        }

        private TimeWindow? Hours(YamlNode node)
        {
            var text = Scalar(node);
            var parts = text.Split('-', 2, StringSplitOptions.TrimEntries);
            return parts.Length == 2
                && TimeOnly.TryParseExact(parts[0], "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var start)
                && TimeOnly.TryParseExact(parts[1], "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var end)
                && start != end
                ? new TimeWindow(start, end)
                : Error<TimeWindow?>(node, "BadHours", text, null);
        }

        private TimeSpan Offset(YamlNode node)
        {
            var text = Scalar(node);
            var negative = text.StartsWith('-');
            return text.Length == 6 && (text[0] is '+' or '-')
                && TimeSpan.TryParseExact(text[1..], @"hh\:mm", CultureInfo.InvariantCulture, out var span) && span <= TimeSpan.FromHours(14)
                ? (negative ? -span : span)
                : Error(node, "BadTimezone", text, TimeSpan.Zero);
        }

        private int Int(YamlNode? node, int min, int max)
        {
            if (node is null)
            {
                return min;
            }

            var text = Scalar(node);
            return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
                ? value
                : Error(node, "BadNumber", $"{text} ({min}–{max})", min);
        }

        private bool Bool(YamlNode node) => Scalar(node) switch
        {
            "true" => true,
            "false" => false,
            var other => Error(node, "BadBoolean", other, false),
        };

        private Dictionary<string, YamlNode> Keys(YamlMappingNode node, params string[] allowed)
        {
            var keys = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
            foreach (var (key, value) in node.Children)
            {
                var name = Scalar(key);
                if (!allowed.Contains(name, StringComparer.Ordinal))
                {
                    Error(key, "UnknownKey", name);
                }
                else if (!keys.TryAdd(name, value))
                {
                    Error(key, "Duplicate", name);
                }
            }

            return keys;
        }

        private YamlNode? Required(YamlMappingNode parent, Dictionary<string, YamlNode> keys, string key) =>
            keys.TryGetValue(key, out var node) ? node : Error<YamlNode?>(parent, "Missing", key, null);

        private YamlMappingNode? Mapping(YamlNode? node) =>
            node is null ? null : node as YamlMappingNode ?? Error<YamlMappingNode?>(node, "NotAMapping", "", null);

        private IEnumerable<YamlNode> Sequence(YamlNode node) =>
            node as YamlSequenceNode is { } seq ? seq.Children : Error<IEnumerable<YamlNode>>(node, "NotAList", "", []);

        private string Scalar(YamlNode node) =>
            node is YamlScalarNode { Value: { } value } ? value.Trim() : Error(node, "NotAValue", "", "");

        private void Error(YamlNode node, string code, string detail) =>
            Errors.Add(new PolicyError((int)node.Start.Line, (int)node.Start.Column, code, detail));

        private T Error<T>(YamlNode node, string code, string detail, T fallback)
        {
            Error(node, code, detail);
            return fallback;
        }
    }
}
