using Microsoft.EntityFrameworkCore;
using Custos.Features;

namespace Custos.Features.People;

/// <summary>
/// The roles of ACC-2. The names are stable identifiers stored in the database and the policy; the
/// display names come from localisation (<c>Role.{name}</c>).
/// </summary>
[Contract]
public static class Roles
{
    public const string ItAdministrator = "it-admin";
    public const string InformationOfficer = "information-officer";
    public const string Staff = "staff";
    public const string DepartmentHead = "department-head";
    public const string ProjectManager = "project-manager";
    public const string ComplianceOfficer = "compliance-officer";
    public const string GeneralManager = "general-manager";
    public const string Auditor = "auditor";
    public const string Partner = "partner";

    /// <summary>A seat on the confidentiality committee (ORG-1): decides what the policy's chains put to the committee, N of M.</summary>
    public const string CommitteeMember = "committee-member";

    /// <summary>A scope for API tokens only: may read <c>/metrics</c> and nothing else.</summary>
    public const string MetricsReader = "metrics";

    public static readonly IReadOnlyList<string> All =
    [
        ItAdministrator, InformationOfficer, Staff, DepartmentHead, ProjectManager,
        ComplianceOfficer, GeneralManager, Auditor, Partner, CommitteeMember,
    ];

    /// <summary>Scopes an API token may carry.</summary>
    public static readonly IReadOnlyList<string> TokenScopes = [.. All, MetricsReader];

    public static bool IsKnown(string role) => All.Contains(role, StringComparer.Ordinal);
}

/// <summary>Who holds a role: the people the workflow and the alerts address (approvers, compliance officers).</summary>
[Contract]
public static class RoleHolders
{
    public static Task<List<Guid>> InRoleAsync(this Data.CustosDbContext db, string role, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        return (from ur in db.UserRoles join r in db.Roles on ur.RoleId equals r.Id where r.Name == role select ur.UserId).ToListAsync(ct);
    }
}
