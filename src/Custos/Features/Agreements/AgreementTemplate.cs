using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Custos.Features.Agreements;

/// <summary>
/// One version of the confidentiality agreement people sign (PPL-1). A version is never rewritten once published:
/// a changed text is a new version, and people who signed an older one sign again by its deadline. A contract: the
/// policy's view of the caller reads the versions and deadlines (PolicyStore.AgreementTermsAsync).
/// </summary>
[Contract]
public sealed class AgreementTemplate
{
    public Guid Id { get; set; }

    /// <summary>1, 2, 3… in the order published.</summary>
    public int Version { get; set; }

    public string Title { get; set; } = "";

    /// <summary>The text as shown and signed (plain text, paragraphs separated by blank lines).</summary>
    public string Body { get; set; } = "";

    /// <summary>SHA-256 of the UTF-8 body, lower-case hex: what each signature records it saw.</summary>
    public string BodySha256 { get; set; } = "";

    public DateTimeOffset PublishedAt { get; set; }

    /// <summary>Who published it; empty for the built-in text.</summary>
    public Guid? PublishedById { get; set; }

    public string PublishedByName { get; set; } = "";

    /// <summary>By when people who signed an older version must sign this one; null for the first version.</summary>
    public DateOnly? SignBy { get; set; }

    public string? Note { get; set; }
}

/// <summary>How <see cref="AgreementTemplate"/> is stored.</summary>
internal sealed class AgreementTemplateMapping : IEntityTypeConfiguration<AgreementTemplate>
{
    public void Configure(EntityTypeBuilder<AgreementTemplate> e)
    {
        ArgumentNullException.ThrowIfNull(e);
        e.Property(t => t.Title).HasMaxLength(200);
        e.Property(t => t.Body).HasMaxLength(AgreementService.MaxBody);
        e.Property(t => t.BodySha256).HasMaxLength(64);
        e.Property(t => t.PublishedByName).HasMaxLength(256);
        e.Property(t => t.Note).HasMaxLength(500);
        e.HasIndex(t => t.Version).IsUnique();
    }
}
