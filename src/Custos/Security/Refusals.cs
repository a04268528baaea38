using Custos.Hosting;
using Custos.Kernel.Policy;

namespace Custos.Security;

/// <summary>Turns a refusal into the error the caller sees: out of scope is "not found" (404); the rest say why (403).</summary>
public static class Refusals
{
    /// <param name="noRole">The code to use when no role allows the action at all.</param>
    public static CustosException ToException(Decision decision, string noRole) => decision.Reason switch
    {
        DecisionReason.OutOfScope => CustosException.NotFound("CustomerNotFound"),
        DecisionReason.NoRole => new CustosException(CustosError.Forbidden, noRole),
        DecisionReason.AboveClearance => new CustosException(CustosError.Forbidden, "RevealNeedsGrant"),
        DecisionReason.ApprovalRequired => new CustosException(CustosError.Forbidden, "ApprovalRequired", new TextKey("RequestKind." + PolicyFile.KindName(decision.Remedy ?? RequestKind.Access))),
        _ => new CustosException(CustosError.Forbidden, "Policy." + decision.Reason),
    };

    /// <summary>The reason as recorded in the audit log: a stable, lower-case word.</summary>
    public static string AuditReason(Decision decision) => decision.Reason switch
    {
        DecisionReason.OutOfScope => "out-of-scope",
        DecisionReason.AboveClearance => "clearance",
        DecisionReason.ApprovalRequired => "approval-required",
        DecisionReason.ViewOnlyGrant => "view-only",
        DecisionReason.ViewOnlyRecord => "third-party-view-only",
        DecisionReason.NdaMissing => "nda",
        DecisionReason.TrainingExpired => "training",
        DecisionReason.NotActive => "inactive",
        DecisionReason.NoRole => "no-role",
        DecisionReason.Network => "network",
        DecisionReason.Hours => "hours",
        _ => decision.Reason.ToString().ToLowerInvariant(),
    };
}
