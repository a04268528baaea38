using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Custos.Data;
using Custos.Features.Audit;
using Custos.Features.Customers;
using Custos.Features.People;
using Custos.Hosting;
using Custos.Kernel.Classification;
using Custos.Kernel.Policy;
using Microsoft.EntityFrameworkCore;
using YamlDotNet.RepresentationModel;
using Custos.Security;
using Custos.Features;

namespace Custos.Features.Policy;

[Contract]
public sealed record PolicyVersionView(int Version, string LoadedBy, DateTimeOffset? LoadedAt, string Sha256, string? Note, bool BuiltIn);

/// <summary>A decision explained: the outcome, its reason as a stable word, obligations, and what allowed it.</summary>
public sealed record Explanation(bool Allowed, string Reason, string Obligations, string? Role, Guid? Grant, string? Remedy, int PolicyVersion);

public sealed record PolicyTestResult(int Line, string User, string Action, string Expected, string Actual, bool Passed);

/// <summary>A policy file that was refused, with every problem found in it.</summary>
[Contract]
public sealed class PolicyInvalidException(IReadOnlyList<PolicyError> errors) : Exception("The policy file is invalid.")
{
    public IReadOnlyList<PolicyError> Errors { get; } = errors;
}

/// <summary>
/// The access policy as a file (ACC-2): shows the version in force and its history, loads a new version
/// (validated whole; every load recorded with its hash), explains a decision for anyone, and runs a table of
/// expected decisions against the policy in force or a candidate file. Administrators, the compliance officer
/// and auditors may read, explain and propose; a new version is put in force only by an approved request
/// (policy-change: the compliance officer and the general manager by default), never by the one who proposed it.
/// </summary>
[Contract]
public sealed class PolicyService(CustosDbContext db, Callers callers, CustomerAccess access, PolicyStore store, IAuditTrail audit, TimeProvider time)
{
    public async Task<(PolicyVersionView Current, string Text)> CurrentAsync(CancellationToken ct)
    {
        await RequireAsync(PolicyAction.Audit, AuditActions.PolicyRead, ct);
        var newest = await db.PolicyVersions.AsNoTracking().OrderByDescending(v => v.Version).FirstOrDefaultAsync(ct);
        return newest is null ? (BuiltInView, DefaultPolicy.Yaml) : (View(newest), newest.Text);
    }

    public async Task<IReadOnlyList<PolicyVersionView>> HistoryAsync(CancellationToken ct)
    {
        await RequireAsync(PolicyAction.Audit, AuditActions.PolicyRead, ct);
        var versions = await db.PolicyVersions.AsNoTracking().OrderByDescending(v => v.Version).ToListAsync(ct);
        return [.. versions.Select(View), BuiltInView];
    }

    public async Task<string?> TextAsync(int version, CancellationToken ct)
    {
        await RequireAsync(PolicyAction.Audit, AuditActions.PolicyRead, ct);
        return version == BuiltInView.Version && !await db.PolicyVersions.AnyAsync(v => v.Version == version, ct)
            ? DefaultPolicy.Yaml
            : await db.PolicyVersions.AsNoTracking().Where(v => v.Version == version).Select(v => v.Text).SingleOrDefaultAsync(ct);
    }

    /// <summary>
    /// Checks a candidate policy before it is filed for approval: the proposer may manage the policy, the file is
    /// valid whole, and it raises the version. A refused file is recorded with its first problem's line.
    /// </summary>
    public async Task<PolicyDocument> ValidateCandidateAsync(Caller viewer, string text, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(viewer);
        ArgumentNullException.ThrowIfNull(text);
        await RequireAsync(viewer, PolicyAction.Audit, AuditActions.PolicyLoad, ct);
        var document = await ParseOrRecordAsync(text, ct);
        var current = (await store.CurrentAsync(db, ct)).Document.Version;
        return document.Version > current ? document : throw CustosException.Conflict("PolicyVersionNotRaised", document.Version, current);
    }

    /// <summary>
    /// Puts an approved policy in force (the last approval of a policy-change request, in its transaction). It is
    /// validated again: a version overtaken since it was proposed is refused, and nothing changes.
    /// </summary>
    public async Task<PolicyVersionView> PutInForceAsync(string text, string? note, string proposedBy, Guid request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(text);
        var document = await ParseOrRecordAsync(text, ct);
        var current = (await store.CurrentAsync(db, ct)).Document.Version;
        if (document.Version <= current)
        {
            throw CustosException.Conflict("PolicyVersionNotRaised", document.Version, current);
        }

        var version = new PolicyVersion
        {
            Version = document.Version,
            Text = text,
            Sha256 = Sha256(text),
            LoadedBy = proposedBy,
            LoadedAt = time.GetUtcNow(),
            Note = string.IsNullOrWhiteSpace(note) ? null : note.Trim() is { Length: > 500 } n ? n[..500] : note.Trim(),
        };
        db.PolicyVersions.Add(version);
        audit.Record(AuditActions.PolicyLoad, "policy", version.Version.ToString(CultureInfo.InvariantCulture), detail: new { before = current, after = version.Version, sha256 = version.Sha256, request });
        await db.SaveChangesAsync(ct);
        return View(version);
    }

    public static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private async Task<PolicyDocument> ParseOrRecordAsync(string text, CancellationToken ct)
    {
        var parse = PolicyFile.Parse(text, Roles.All);
        if (parse.Document is { } document)
        {
            return document;
        }

        await audit.RecordNowAsync(AuditActions.PolicyLoad, "policy", null, AuditOutcome.Failed, new { errors = parse.Errors.Count, first = parse.Errors[0].Line }, ct);
        throw new PolicyInvalidException(parse.Errors);
    }

    /// <summary>Explains what the policy decides for a person, an action and a customer (or department), from an address at a time.</summary>
    public async Task<Explanation> ExplainAsync(string user, string action, Guid? customer, string? department, string? field, string? from, DateTimeOffset? at, CancellationToken ct)
    {
        await RequireAsync(PolicyAction.Audit, AuditActions.PolicyExplain, ct);
        var engine = await store.CurrentAsync(db, ct);
        var decision = await DecideAsync(engine, user, action, customer, department, field, from, at, ct);
        audit.Record(AuditActions.PolicyExplain, "person", user, detail: new { action, customer, department, field, allowed = decision.Allowed });
        await db.SaveChangesAsync(ct);
        return Explain(decision, engine.Document.Version);
    }

    /// <summary>
    /// Runs a table of expected decisions (YAML: <c>cases: [{user, action, customer|department, field, from, at, expect, reason}]</c>)
    /// against the policy in force, or against <paramref name="candidate"/> before loading it.
    /// </summary>
    public async Task<IReadOnlyList<PolicyTestResult>> TestAsync(string cases, string? candidate, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(cases);
        await RequireAsync(PolicyAction.Audit, AuditActions.PolicyTest, ct);
        PolicyEngine engine;
        if (candidate is not null)
        {
            var parse = PolicyFile.Parse(candidate, Roles.All);
            engine = parse.Document is { } document ? new PolicyEngine(document) : throw new PolicyInvalidException(parse.Errors);
        }
        else
        {
            engine = await store.CurrentAsync(db, ct);
        }

        var results = new List<PolicyTestResult>();
        foreach (var (line, values) in ReadCases(cases))
        {
            string Get(string key) => values.GetValueOrDefault(key) ?? "";
            var expect = Get("expect");
            if (expect is not ("allow" or "deny"))
            {
                throw new PolicyInvalidException([new PolicyError(line, 1, "BadExpect", expect)]);
            }

            Guid? customer = Guid.TryParse(Get("customer"), out var c) ? c : null;
            DateTimeOffset? at = DateTimeOffset.TryParse(Get("at"), CultureInfo.InvariantCulture, DateTimeStyles.None, out var t) ? t : null;
            Decision decision;
            try
            {
                decision = await DecideAsync(engine, Get("user"), Get("action"), customer, values.GetValueOrDefault("department"), values.GetValueOrDefault("field"), values.GetValueOrDefault("from"), at, ct);
            }
            catch (CustosException e)
            {
                throw new PolicyInvalidException([new PolicyError(line, 1, e.Code, string.Join(", ", e.Args))]);
            }

            var actual = (decision.Allowed ? "allow" : "deny") + " (" + ReasonName(decision) + ")";
            var wantedReason = values.GetValueOrDefault("reason");
            var passed = (decision.Allowed == (expect == "allow")) && (wantedReason is null || wantedReason == ReasonName(decision));
            results.Add(new PolicyTestResult(line, Get("user"), Get("action"), wantedReason is null ? expect : $"{expect} ({wantedReason})", actual, passed));
        }

        audit.Record(AuditActions.PolicyTest, "policy", engine.Document.Version.ToString(CultureInfo.InvariantCulture), detail: new { cases = results.Count, failed = results.Count(r => !r.Passed), candidate = candidate is not null });
        await db.SaveChangesAsync(ct);
        return results;
    }

    public static string ReasonName(Decision decision) => decision.Reason switch
    {
        DecisionReason.AllowedByRole => "role",
        DecisionReason.AllowedByGrant => "grant",
        _ => Refusals.AuditReason(decision),
    };

    public static Explanation Explain(Decision decision, int version) => new(
        decision.Allowed, ReasonName(decision),
        decision.Obligations == Obligations.None ? "" : decision.Obligations.ToString().ToLowerInvariant(),
        decision.Role, decision.Grant, decision.Remedy is { } r ? PolicyFile.KindName(r) : null, version);

    private async Task<Decision> DecideAsync(PolicyEngine engine, string user, string actionName, Guid? customerId, string? department, string? field, string? from, DateTimeOffset? at, CancellationToken ct)
    {
        if (!PolicyActions.TryParse(actionName, out var action))
        {
            throw CustosException.Invalid("UnknownAction", actionName);
        }

        IPAddress? address = null;
        if (!string.IsNullOrWhiteSpace(from) && !IPAddress.TryParse(from, out address))
        {
            throw CustosException.Invalid("BadAddress", from);
        }

        var now = at ?? time.GetUtcNow();
        var name = user?.Trim() ?? "";
        var person = await db.Users.AsNoTracking().SingleOrDefaultAsync(p => p.UserName == name, ct) ?? throw CustosException.NotFound("PersonNotFound");
        var subject = (await PolicySubjects.LoadAsync(db, person.Id, now, ct))!.Value.Subject;
        var context = new PolicyContext(address, now, await store.AgreementTermsAsync(db, ct));
        if (customerId is { } id)
        {
            var customer = await db.Customers.AsNoTracking().SingleOrDefaultAsync(c => c.Id == id, ct) ?? throw CustosException.NotFound("CustomerNotFound");
            var protection = (int)customer.Grade;
            if (!string.IsNullOrWhiteSpace(field))
            {
                var definition = access.Catalogue.Find(field) ?? throw CustosException.Invalid("UnknownField", field);
                protection = FieldCatalogue.EffectiveProtection(definition.Level, (int)customer.Grade);
            }

            return engine.Decide(subject, action, new PolicyResource(customer.Id, customer.DepartmentId, customer.ProjectId, protection, string.IsNullOrWhiteSpace(field) ? null : field) { ViewOnly = customer.ViewOnly }, context);
        }

        if (!string.IsNullOrWhiteSpace(department))
        {
            var code = department.Trim().ToUpperInvariant();
            var d = await db.Departments.AsNoTracking().SingleOrDefaultAsync(x => x.Code == code, ct) ?? throw CustosException.Invalid("UnknownDepartment", code);
            return engine.Decide(subject, action, PolicyResource.InDepartment(d.Id), context);
        }

        return engine.Decide(subject, action, PolicyResource.Nothing, context);
    }

    private static IEnumerable<(int Line, Dictionary<string, string> Values)> ReadCases(string text)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw new PolicyInvalidException([new PolicyError((int)e.Start.Line, (int)e.Start.Column, "Syntax", e.Message)]);
        }

        if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode root
            || !root.Children.TryGetValue(new YamlScalarNode("cases"), out var list) || list is not YamlSequenceNode cases)
        {
            throw new PolicyInvalidException([new PolicyError(1, 1, "Missing", "cases")]);
        }

        var result = new List<(int, Dictionary<string, string>)>();
        foreach (var item in cases.Children)
        {
            if (item is not YamlMappingNode map)
            {
                throw new PolicyInvalidException([new PolicyError((int)item.Start.Line, (int)item.Start.Column, "NotAMapping", "")]);
            }

            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (key, value) in map.Children)
            {
                var name = (key as YamlScalarNode)?.Value ?? "";
                if (name is not ("user" or "action" or "customer" or "department" or "field" or "from" or "at" or "expect" or "reason") || value is not YamlScalarNode { Value: { } v })
                {
                    throw new PolicyInvalidException([new PolicyError((int)key.Start.Line, (int)key.Start.Column, "UnknownKey", name)]);
                }

                values[name] = v.Trim();
            }

            result.Add(((int)item.Start.Line, values));
        }

        return result;
    }

    private async Task<Caller> RequireAsync(PolicyAction action, string auditAction, CancellationToken ct) =>
        await RequireAsync(await callers.CurrentAsync(ct), action, auditAction, ct);

    /// <summary>Reading, explaining and proposing a change to the policy: administrators, auditors and the compliance officer (a change then needs approval).</summary>
    private async Task<Caller> RequireAsync(Caller viewer, PolicyAction action, string auditAction, CancellationToken ct)
    {
        var decision = viewer.Decide(action);
        if (!decision.Allowed && action == PolicyAction.Audit)
        {
            decision = viewer.Decide(PolicyAction.Administer);
        }

        if (!decision.Allowed)
        {
            await audit.RecordNowAsync(auditAction, "policy", null, AuditOutcome.Denied, new { reason = Refusals.AuditReason(decision) }, ct);
            throw new CustosException(CustosError.Forbidden, "MayNotManagePolicy");
        }

        return viewer;
    }

    private static readonly string BuiltInSha256 = Sha256(DefaultPolicy.Yaml);

    private PolicyVersionView BuiltInView => new(store.BuiltIn.Document.Version, "", null, BuiltInSha256, null, true);

    private static PolicyVersionView View(PolicyVersion v) => new(v.Version, v.LoadedBy, v.LoadedAt, v.Sha256, v.Note, false);
}
