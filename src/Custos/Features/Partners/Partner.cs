using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Custos.Features.Partners;

/// <summary>An organisation outside the company that works with customer information: an outsourcer, a developer, a call centre (PPL-4, EXP-1).</summary>
public sealed class Partner
{
    public Guid Id { get; set; }

    public string Name { get; set; } = "";

    /// <summary>The unified social credit code 统一社会信用代码 (GB 32100-2015), check character verified.</summary>
    public string CreditCode { get; set; } = "";

    public string ContactName { get; set; } = "";

    public string ContactPhone { get; set; } = "";

    public string? Note { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public string CreatedBy { get; set; } = "";

    /// <summary>Set while the partner is blocked in a leak incident: no share to it, no sign-in or request of its people, whatever its agreement says.</summary>
    public DateTimeOffset? BlockedAt { get; set; }

    public string? BlockedReason { get; set; }
}

/// <summary>
/// A partner's confidentiality agreement (PPL-4): its reference, what it covers, its term, who signed for the
/// partner and the scan (encrypted). While one is in force the partner's users may sign in and shares may go to it.
/// </summary>
public sealed class PartnerAgreement
{
    public Guid Id { get; set; }

    public Guid PartnerId { get; set; }

    public string Reference { get; set; } = "";

    /// <summary>What information, for which purposes.</summary>
    public string Scope { get; set; } = "";

    public DateOnly StartsOn { get; set; }

    public DateOnly EndsOn { get; set; }

    /// <summary>Who signed it for the partner.</summary>
    public string SignedBy { get; set; } = "";

    public byte[] ScanCipher { get; set; } = [];

    public string ScanContentType { get; set; } = "";

    public string ScanSha256 { get; set; } = "";

    public Guid RecordedById { get; set; }

    public string RecordedByName { get; set; } = "";

    public DateTimeOffset RecordedAt { get; set; }

    /// <summary>When the compliance officers were told that it is about to end.</summary>
    public DateTimeOffset? RemindedAt { get; set; }

    /// <summary>Why it was ended before its term (a breach, the work finished); <see cref="EndsOn"/> is then the last day it held.</summary>
    public string? EndedReason { get; set; }
}

/// <summary>A person who works for a partner (the <c>partner</c> role): they act only while the partner's agreement is in force.</summary>
public sealed class PartnerUser
{
    public Guid PersonId { get; set; }

    public Guid PartnerId { get; set; }
}

/// <summary>A project a partner works on.</summary>
public sealed class PartnerProject
{
    public Guid PartnerId { get; set; }

    public Guid ProjectId { get; set; }
}

internal sealed class PartnerMapping : IEntityTypeConfiguration<Partner>
{
    public void Configure(EntityTypeBuilder<Partner> e)
    {
        ArgumentNullException.ThrowIfNull(e);
        e.Property(p => p.Name).HasMaxLength(200);
        e.Property(p => p.CreditCode).HasMaxLength(18);
        e.Property(p => p.ContactName).HasMaxLength(100);
        e.Property(p => p.ContactPhone).HasMaxLength(40);
        e.Property(p => p.Note).HasMaxLength(500);
        e.Property(p => p.CreatedBy).HasMaxLength(256);
        e.HasIndex(p => p.CreditCode).IsUnique();
        e.HasIndex(p => p.Name).IsUnique();
    }
}

internal sealed class PartnerAgreementMapping : IEntityTypeConfiguration<PartnerAgreement>
{
    public void Configure(EntityTypeBuilder<PartnerAgreement> e)
    {
        ArgumentNullException.ThrowIfNull(e);
        e.Property(a => a.Reference).HasMaxLength(100);
        e.Property(a => a.Scope).HasMaxLength(1000);
        e.Property(a => a.SignedBy).HasMaxLength(100);
        e.Property(a => a.ScanContentType).HasMaxLength(40);
        e.Property(a => a.ScanSha256).HasMaxLength(64);
        e.Property(a => a.RecordedByName).HasMaxLength(256);
        e.Property(a => a.EndedReason).HasMaxLength(500);
        e.HasIndex(a => new { a.PartnerId, a.EndsOn });
        e.HasOne<Partner>().WithMany().HasForeignKey(a => a.PartnerId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class PartnerUserMapping : IEntityTypeConfiguration<PartnerUser>
{
    public void Configure(EntityTypeBuilder<PartnerUser> e)
    {
        ArgumentNullException.ThrowIfNull(e);
        e.HasKey(u => u.PersonId);
        e.HasIndex(u => u.PartnerId);
        e.HasOne<Partner>().WithMany().HasForeignKey(u => u.PartnerId).OnDelete(DeleteBehavior.Restrict);
        e.HasOne<People.Person>().WithMany().HasForeignKey(u => u.PersonId).OnDelete(DeleteBehavior.Cascade);
    }
}

internal sealed class PartnerProjectMapping : IEntityTypeConfiguration<PartnerProject>
{
    public void Configure(EntityTypeBuilder<PartnerProject> e)
    {
        ArgumentNullException.ThrowIfNull(e);
        e.HasKey(p => new { p.PartnerId, p.ProjectId });
        e.HasOne<Partner>().WithMany().HasForeignKey(p => p.PartnerId).OnDelete(DeleteBehavior.Restrict);
        e.HasOne<Organisation.Project>().WithMany().HasForeignKey(p => p.ProjectId).OnDelete(DeleteBehavior.Cascade);
    }
}
