using Custos.Data;
using Custos.Hosting;
using Custos.Kernel.Policy;

namespace Custos.Security;

/// <summary>
/// The application's one access check (ACC-1..6): who is calling, as the policy sees them, read once per
/// request (scope) so that a page asking for a customer, its history and its attachments reads the roles,
/// memberships and grants once; and what happens when the policy says no — the refusal is recorded with its
/// reason, committed on its own, and turned into the error the caller sees.
/// </summary>
public sealed class Callers(CustosDbContext db, ICurrentActor actor, PolicyStore policy, SubjectCache subjects, IAuditTrail audit, CustosSettings settings, TimeProvider time)
{
    private Caller? current;

    /// <summary>The caller of this request (scope).</summary>
    public async Task<Caller> CurrentAsync(CancellationToken ct) => current ??= await Caller.LoadAsync(db, actor, policy, time, ct, subjects);

    /// <summary>A time as typed on a page (the company's local time, the policy's time zone) as an instant.</summary>
    public async Task<DateTimeOffset> FromCompanyTimeAsync(DateTime local, CancellationToken ct) =>
        new DateTimeOffset(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), (await CurrentAsync(ct)).Engine.Document.UtcOffset).ToUniversalTime();

    /// <summary>Goes on if allowed; otherwise records the refusal with its reason (committed on its own) and throws.</summary>
    /// <param name="customer">The customer the action was on, if any: recorded, and an out-of-scope refusal on a customer the caller can see says "may not" instead of "not found".</param>
    public async Task RequireAsync(Decision decision, string action, Guid? customer, string noRole, CancellationToken ct, string targetType = "customer")
    {
        if (decision.Allowed)
        {
            return;
        }

        await audit.RecordNowAsync(action, targetType, customer?.ToString(), AuditOutcome.Denied, new { reason = Refusals.AuditReason(decision) }, ct);
        // A customer the caller can see but not change: say so rather than pretend it does not exist.
        throw decision.Reason == DecisionReason.OutOfScope && customer is not null
            ? new CustosException(CustosError.Forbidden, noRole)
            : Refusals.ToException(decision, noRole);
    }

    /// <summary>A purpose from the configured list; "other" needs a note of at least four characters. Returns the cleaned note.</summary>
    public string? CheckPurpose(string purpose, string? note)
    {
        if (!settings.RevealPurposes.Contains(purpose, StringComparer.Ordinal))
        {
            throw CustosException.Invalid("PurposeRequired");
        }

        note = TextInput.CleanOptional(note, "note", multiline: true);
        return purpose == "other" && (note is null || note.Length < 4) ? throw CustosException.Invalid("PurposeNoteRequired") : note;
    }
}
