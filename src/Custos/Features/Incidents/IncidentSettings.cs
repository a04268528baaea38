namespace Custos.Features.Incidents;

/// <summary>
/// How incidents are graded and clocked (<c>Custos:Incidents</c>): the personal-information thresholds of the grading
/// guide of 《国家网络安全事件报告管理办法》 (in force 2025-11-01), whether the company operates critical information
/// infrastructure, and the emergency plan's steps (INC-3).
/// </summary>
public sealed class IncidentSettings
{
    /// <summary>People affected from which an incident is 较大 (the guide: 1 million).</summary>
    public long LargerFrom { get; set; } = 1_000_000;

    /// <summary>重大 from (10 million).</summary>
    public long MajorFrom { get; set; } = 10_000_000;

    /// <summary>特别重大 from (100 million).</summary>
    public long EspeciallyMajorFrom { get; set; } = 100_000_000;

    /// <summary>A critical-information-infrastructure operator reports within 1 hour instead of 4.</summary>
    public bool CriticalInfrastructure { get; set; }

    /// <summary>Hours to the first report to the provincial cyberspace authority for 较大 and above (4; 1 for critical information infrastructure).</summary>
    public int AuthorityHours => CriticalInfrastructure ? 1 : 4;

    /// <summary>Working days after the end of handling by which the summary report is due.</summary>
    public int SummaryWorkingDays { get; set; } = 5;

    /// <summary>The emergency plan's steps; empty: the built-in plan that follows the seed's emergency chapter.</summary>
    public List<PlaybookStep> Playbook { get; set; } = [];

    /// <summary>The plan in force: the configured steps, or the built-in ones.</summary>
    public IReadOnlyList<PlaybookStep> Steps => Playbook.Count > 0 ? Playbook : BuiltInPlaybook;

    /// <summary>
    /// The built-in plan: confirm and triage, tell the GM office, stop the spread, establish the scope, report to the
    /// authority, tell the people affected, review and hold to account. Titles come from the text tables
    /// (<c>Playbook.{code}</c>); owners are roles.
    /// </summary>
    public static readonly IReadOnlyList<PlaybookStep> BuiltInPlaybook =
    [
        new() { Code = "triage", Role = People.Roles.ComplianceOfficer },
        new() { Code = "gm-office", Role = People.Roles.GeneralManager },
        new() { Code = "contain", Role = People.Roles.ComplianceOfficer },
        new() { Code = "scope", Role = People.Roles.ComplianceOfficer },
        new() { Code = "authority", Role = People.Roles.GeneralManager },
        new() { Code = "notify", Role = People.Roles.ComplianceOfficer },
        new() { Code = "review", Role = People.Roles.GeneralManager },
    ];

    /// <summary>The grade the number of people affected gives.</summary>
    public IncidentGrade GradeFor(long affected) =>
        affected >= EspeciallyMajorFrom ? IncidentGrade.EspeciallyMajor
        : affected >= MajorFrom ? IncidentGrade.Major
        : affected >= LargerFrom ? IncidentGrade.Larger
        : IncidentGrade.General;

    /// <summary>Refuses thresholds out of order, so a misconfiguration never grades a large leak down.</summary>
    public void Validate()
    {
        if (LargerFrom < 1 || MajorFrom <= LargerFrom || EspeciallyMajorFrom <= MajorFrom || SummaryWorkingDays is < 1 or > 30)
        {
            throw new InvalidOperationException("Custos:Incidents: the thresholds must rise (LargerFrom < MajorFrom < EspeciallyMajorFrom) and SummaryWorkingDays lie between 1 and 30.");
        }

        var codes = Steps.Select(s => s.Code).ToList();
        if (codes.Any(c => string.IsNullOrWhiteSpace(c) || c.Length > 32) || codes.Distinct(StringComparer.Ordinal).Count() != codes.Count
            || Steps.Any(s => !People.Roles.IsKnown(s.Role) || (s.Title ?? "").Length > 200))
        {
            throw new InvalidOperationException("Custos:Incidents:Playbook: every step needs a code of its own (up to 32 characters), a known role and a title of up to 200 characters.");
        }
    }
}

/// <summary>One step of the emergency plan (INC-3): a code, what it asks (a title, or the built-in text for the code), and the role that owns it.</summary>
public sealed class PlaybookStep
{
    public string Code { get; set; } = "";

    public string? Title { get; set; }

    public string Role { get; set; } = "";
}
