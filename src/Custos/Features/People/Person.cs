using Custos.Features.Organisation;
using Microsoft.AspNetCore.Identity;
using Custos.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Custos.Features.People;

/// <summary>A person who signs in to Custos: an employee, an outsourced worker or a partner's user (ACC-2).</summary>
[Contract]
public sealed class Person : IdentityUser<Guid>
{
    public string DisplayName { get; set; } = "";

    public EmploymentStatus EmploymentStatus { get; set; } = EmploymentStatus.Active;

    /// <summary>The highest customer secrecy grade this person may be cleared for (CLS-2, ACC-1).</summary>
    public Clearance Clearance { get; set; } = Clearance.Secret;

    /// <summary>The account every fresh installation starts with; it cannot be disabled or deleted.</summary>
    public bool IsBuiltIn { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>
    /// When the confidentiality agreement now counted was signed (PPL-1, PPL-4). Written only by the Agreements room,
    /// in the same save as the signature it follows from, so the policy reads it with the person and no extra query.
    /// </summary>
    public DateOnly? NdaSignedOn { get; set; }

    /// <summary>The version of the agreement that signature is of; until when it counts follows from the versions published since (AgreementTerms).</summary>
    public int? NdaVersion { get; set; }

    /// <summary>The last working day of someone who is leaving, once it is known (PPL-3); until then their use of customer information is watched (AUD-1).</summary>
    public DateOnly? DepartsOn { get; set; }

    /// <summary>Until when the confidentiality training is current (PPL-2).</summary>
    public DateOnly? TrainingValidUntil { get; set; }

    /// <summary>
    /// Replaced by a new random value in the same transaction as every change to this person's rights — roles,
    /// memberships, grants, standing, clearance, preconditions — so a cached view of them is used only while this
    /// is unchanged (RightsStamps).
    /// </summary>
    public long RightsVersion { get; set; }

    /// <summary>The time step of the last authenticator code accepted: a code is accepted once (ACC-7).</summary>
    public long? LastTotpStep { get; set; }

    public List<DepartmentMembership> Departments { get; } = [];

    public List<ProjectMembership> Projects { get; } = [];
}

[Contract]
public enum EmploymentStatus
{
    Active = 0,
    Suspended = 1,
    Departed = 2,
}

/// <summary>Secrecy grades of CLS-2, in increasing order: 秘密, 机密, 绝密.</summary>
[Contract]
public enum Clearance
{
    Secret = 1,
    Confidential = 2,
    TopSecret = 3,
}

/// <summary>How <see cref="Person"/> is stored.</summary>
internal sealed class PersonMapping : IEntityTypeConfiguration<Person>
{
    public void Configure(EntityTypeBuilder<Person> e)
    {
        ArgumentNullException.ThrowIfNull(e);
        e.Property(p => p.DisplayName).HasMaxLength(100);
        e.Property(p => p.EmploymentStatus).HasConversion<string>().HasMaxLength(20);
        e.Property(p => p.Clearance).HasConversion<string>().HasMaxLength(20);
    }
}
