using System.Collections.Concurrent;
using Custos.Data;
using Custos.Features.People;
using Custos.Kernel.Policy;
using Microsoft.EntityFrameworkCore;

namespace Custos.Security;

/// <summary>
/// The policy in force: the newest loaded version, or the built-in one when none was loaded. Every call
/// reads the newest version number (one indexed row), so a policy loaded on one node holds on the next
/// request on every node; compiled engines are cached by version.
/// </summary>
public sealed class PolicyStore
{
    private readonly ConcurrentDictionary<int, PolicyEngine> engines = new();

    private volatile AgreementTerms? terms;

    public PolicyEngine BuiltIn { get; } = new(DefaultPolicy.Document(Roles.All));

    /// <summary>The policy as it was at <paramref name="version"/> (a request is approved along the chain in force when it was filed).</summary>
    public async Task<PolicyEngine> AtAsync(CustosDbContext db, int version, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (engines.TryGetValue(version, out var engine))
        {
            return engine;
        }

        var text = await db.PolicyVersions.AsNoTracking().Where(v => v.Version == version).Select(v => v.Text).SingleOrDefaultAsync(ct);
        if (text is null)
        {
            return version == BuiltIn.Document.Version ? BuiltIn : throw new InvalidOperationException($"Policy version {version} is not kept.");
        }

        var parse = PolicyFile.Parse(text, Roles.All);
        engine = parse.Document is { } document
            ? new PolicyEngine(document)
            : throw new InvalidOperationException($"Policy version {version} is no longer valid: line {parse.Errors[0].Line}, {parse.Errors[0].Code}.");
        return engines.GetOrAdd(version, engine);
    }

    public async Task<PolicyEngine> CurrentAsync(CustosDbContext db, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var newest = await db.PolicyVersions.AsNoTracking().OrderByDescending(v => v.Version).Select(v => (int?)v.Version).FirstOrDefaultAsync(ct);
        return await NewestAsync(db, newest, ct);
    }

    /// <summary>
    /// The agreement's versions and deadlines (PPL-1) as of <paramref name="newest"/>, the newest template version the
    /// caller read: read again only when a version was published since (versions are never rewritten).
    /// </summary>
    public async Task<AgreementTerms> AgreementTermsAsync(CustosDbContext db, int? newest, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (newest is null)
        {
            return AgreementTerms.None;
        }

        if (terms is { } known && known.Current == newest)
        {
            return known;
        }

        var versions = await db.Set<Features.Agreements.AgreementTemplate>().AsNoTracking().Select(t => new { t.Version, t.SignBy }).ToListAsync(ct);
        var read = new AgreementTerms(versions.Select(v => (v.Version, v.SignBy)));
        terms = read;
        return read;
    }

    /// <summary>The agreement's terms now (one query for the newest version).</summary>
    public async Task<AgreementTerms> AgreementTermsAsync(CustosDbContext db, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        return await AgreementTermsAsync(db, await db.Set<Features.Agreements.AgreementTemplate>().MaxAsync(t => (int?)t.Version, ct), ct);
    }

    /// <summary>The engine for <paramref name="newest"/>, the newest loaded version read by the caller (none: the built-in policy).</summary>
    public async Task<PolicyEngine> NewestAsync(CustosDbContext db, int? newest, CancellationToken ct) =>
        newest is { } version ? await AtAsync(db, version, ct) : BuiltIn;
}
