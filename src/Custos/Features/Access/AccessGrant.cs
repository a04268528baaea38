using Custos.Kernel.Policy;
using Custos.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Custos.Features.Access;

/// <summary>
/// A time-limited permission from an approved request (ACC-4): for one person, on one customer or every
/// customer of one department, optionally one field, for some actions; view-only if so approved (ACC-5).
/// Read from the database on every request, so an expiry or a revocation holds on the next request on
/// every node.
/// </summary>
[Contract]
public sealed class AccessGrant
{
    public Guid Id { get; set; }

    public Guid PersonId { get; set; }

    public Guid? CustomerId { get; set; }

    public Guid? DepartmentId { get; set; }

    public string? Field { get; set; }

    /// <summary>Action names, comma-separated, as in policy files.</summary>
    public string Actions { get; set; } = "";

    public bool ViewOnly { get; set; }

    /// <summary>For a share outside the company: the one partner the approval named; a share to another is refused (EXP-1).</summary>
    public Guid? PartnerId { get; set; }

    public DateTimeOffset NotBefore { get; set; }

    public DateTimeOffset NotAfter { get; set; }

    /// <summary>The approved request that gave it.</summary>
    public Guid? RequestId { get; set; }

    public DateTimeOffset GrantedAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }

    public string? RevokedBy { get; set; }

    public string? RevokeReason { get; set; }

    public ActionSet ActionSet => ParseActions(Actions);

    public Grant ToGrant() => new(Id, CustomerId, DepartmentId, Field, ActionSet, ViewOnly, NotBefore, NotAfter);

    public static ActionSet ParseActions(string names)
    {
        var set = ActionSet.None;
        foreach (var name in names.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (PolicyActions.TryParse(name, out var action))
            {
                set = set.Union(ActionSet.Of(action));
            }
        }

        return set;
    }
}

/// <summary>How <see cref="AccessGrant"/> is stored.</summary>
internal sealed class AccessGrantMapping : IEntityTypeConfiguration<AccessGrant>
{
    public void Configure(EntityTypeBuilder<AccessGrant> e)
    {
        ArgumentNullException.ThrowIfNull(e);
        e.Property(g => g.Field).HasMaxLength(64);
        e.Property(g => g.Actions).HasMaxLength(200);
        e.Property(g => g.RevokedBy).HasMaxLength(256);
        e.Property(g => g.RevokeReason).HasMaxLength(500);
        e.Ignore(g => g.ActionSet);
        // Every request reads the caller's live grants: by person, newest expiry first.
        e.HasIndex(g => new { g.PersonId, g.NotAfter });
        e.HasIndex(g => g.RequestId);
    }
}
