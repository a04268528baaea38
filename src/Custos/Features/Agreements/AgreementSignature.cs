using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Custos.Features.Agreements;

/// <summary>How an agreement was signed.</summary>
public enum SignatureMethod
{
    /// <summary>In Custos: the person read the text and confirmed with their password or authenticator code.</summary>
    Online = 0,

    /// <summary>On paper: the signed agreement was scanned and recorded by someone who checked it.</summary>
    Paper = 1,
}

/// <summary>
/// A person's signature of one version of the confidentiality agreement (PPL-1, PPL-4): the version, when, from
/// where and the hash of the text they saw; for a paper agreement, the scan (encrypted) and who checked it. Never
/// changed once written.
/// </summary>
public sealed class AgreementSignature
{
    public Guid Id { get; set; }

    public Guid PersonId { get; set; }

    public int TemplateVersion { get; set; }

    public SignatureMethod Method { get; set; }

    /// <summary>The day the agreement was signed (for paper: the date on the paper), in the organisation's time.</summary>
    public DateOnly SignedOn { get; set; }

    /// <summary>When Custos recorded it.</summary>
    public DateTimeOffset RecordedAt { get; set; }

    /// <summary>The client address the signature came from (online), or the recorder's (paper).</summary>
    public string? Address { get; set; }

    /// <summary>SHA-256 of the text signed (the template's body).</summary>
    public string BodySha256 { get; set; } = "";

    /// <summary>How the person confirmed it was them: <c>password</c> or <c>totp</c>; for paper, null.</summary>
    public string? Confirmation { get; set; }

    /// <summary>For paper: who checked the signed paper and recorded it (never the signer).</summary>
    public Guid? CheckedById { get; set; }

    public string? CheckedByName { get; set; }

    /// <summary>For paper: the scan, encrypted under the installation's secrets key and bound to this signature.</summary>
    public byte[]? ScanCipher { get; set; }

    public string? ScanContentType { get; set; }

    public long? ScanSize { get; set; }

    /// <summary>SHA-256 of the scan as received, so a copy produced later can be shown to be the one recorded.</summary>
    public string? ScanSha256 { get; set; }

    public string? Note { get; set; }
}

/// <summary>How <see cref="AgreementSignature"/> is stored.</summary>
internal sealed class AgreementSignatureMapping : IEntityTypeConfiguration<AgreementSignature>
{
    public void Configure(EntityTypeBuilder<AgreementSignature> e)
    {
        ArgumentNullException.ThrowIfNull(e);
        e.Property(s => s.Method).HasConversion<string>().HasMaxLength(16);
        e.Property(s => s.Address).HasMaxLength(64);
        e.Property(s => s.BodySha256).HasMaxLength(64);
        e.Property(s => s.Confirmation).HasMaxLength(16);
        e.Property(s => s.CheckedByName).HasMaxLength(256);
        e.Property(s => s.ScanContentType).HasMaxLength(40);
        e.Property(s => s.ScanSha256).HasMaxLength(64);
        e.Property(s => s.Note).HasMaxLength(500);
        e.HasIndex(s => new { s.PersonId, s.TemplateVersion });

        // One online signature per person and version (paper ones may be recorded beside it).
        e.HasIndex(s => new { s.PersonId, s.TemplateVersion, s.Method }).IsUnique().HasFilter("\"Method\" = 'Online'").HasDatabaseName("IX_AgreementSignatures_OneOnline");
        e.HasOne<People.Person>().WithMany().HasForeignKey(s => s.PersonId).OnDelete(DeleteBehavior.Restrict);
    }
}
