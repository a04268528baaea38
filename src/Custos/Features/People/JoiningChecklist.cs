using Custos.Data;
using Custos.Kernel.Policy;
using Custos.Security;
using Microsoft.EntityFrameworkCore;

namespace Custos.Features.People;

/// <summary>Where a step of joining stands: done, still to do, or not asked for by the policy in force.</summary>
[Contract]
public enum JoiningState
{
    Done = 0,
    Open = 1,
    NotRequired = 2,
}

/// <summary>One step of joining, with what it rests on in a few plain words (a date, a version, a count).</summary>
[Contract]
public sealed record JoiningStep(string Step, JoiningState State, string? Detail);

/// <summary>A new person's joining checklist (PPL-1, PPL-2): complete when every step the policy asks for is done.</summary>
[Contract]
public sealed record JoiningView(Guid PersonId, string DisplayName, IReadOnlyList<JoiningStep> Steps)
{
    public bool Complete => Steps.All(s => s.State != JoiningState.Open);
}

/// <summary>
/// The joining checklist, read from what Custos already holds rather than ticked by hand: the account and its second
/// factor, the confidentiality agreement and training as the policy's preconditions judge them, a department, the
/// clearance, and the approvals for customer access — the roles held and the requests still waiting.
/// </summary>
[Contract]
public sealed class JoiningChecklist(CustosDbContext db, PolicyStore policy, Access.RequestService requests, TimeProvider time)
{
    public const string Account = "account";
    public const string SecondFactor = "mfa";
    public const string Agreement = "nda";
    public const string Training = "training";
    public const string Department = "department";
    public const string Clearance = "clearance";
    public const string Approvals = "approvals";

    public async Task<JoiningView> ForAsync(Guid personId, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var loaded = await PolicySubjects.LoadAsync(db, personId, now, ct) ?? throw Hosting.CustosException.NotFound("PersonNotFound");
        var (person, subject) = loaded;
        var engine = await policy.CurrentAsync(db, ct);
        var context = new PolicyContext(null, now, await policy.AgreementTermsAsync(db, ct));
        var today = engine.Today(now);
        var preconditions = engine.Document.Preconditions;
        var pending = await requests.PendingRightsOfAsync(personId, ct);
        static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        static JoiningState Of(bool done, bool required = true) => done ? JoiningState.Done : required ? JoiningState.Open : JoiningState.NotRequired;

        var steps = new List<JoiningStep>
        {
            new(Account, Of(person.EmploymentStatus == EmploymentStatus.Active), person.CreatedAt.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)),
            new(SecondFactor, Of(person.TwoFactorEnabled), null),
            new(Agreement, Of(engine.NdaCurrent(subject, context), preconditions.RequireNda), person.NdaSignedOn is { } signed ? $"v{person.NdaVersion} {Day(signed)}" : null),
            new(Training, Of(person.TrainingValidUntil is { } until && until >= today, preconditions.RequireTraining), person.TrainingValidUntil is { } valid ? Day(valid) : null),
            new(Department, Of(subject.Departments.Count > 0), subject.Departments.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new(Clearance, JoiningState.Done, person.Clearance.ToString()),
            new(Approvals, Of(pending == 0 && subject.Roles.Count > 0), string.Join(",", subject.Roles.Order(StringComparer.Ordinal)) + (pending > 0 ? $" +{pending}" : "")),
        };
        return new JoiningView(person.Id, person.DisplayName, steps);
    }
}
