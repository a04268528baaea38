using Custos.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Custos.Features.Customers;

/// <summary>
/// A scan of a paper archive or another document attached to a customer (CLS-4). The file name and the
/// content are encrypted under the customer's data key; only the type and size are stored in clear.
/// </summary>
[Contract]
public sealed class CustomerAttachment
{
    public Guid Id { get; set; }

    public Guid CustomerId { get; set; }

    public byte[] NameCipher { get; set; } = [];

    public string ContentType { get; set; } = "";

    public long Size { get; set; }

    public byte[] Cipher { get; set; } = [];

    public DateTimeOffset UploadedAt { get; set; }

    public string UploadedBy { get; set; } = "";
}

/// <summary>How <see cref="CustomerAttachment"/> is stored.</summary>
internal sealed class CustomerAttachmentMapping : IEntityTypeConfiguration<CustomerAttachment>
{
    public void Configure(EntityTypeBuilder<CustomerAttachment> e)
    {
        ArgumentNullException.ThrowIfNull(e);
        e.Property(a => a.ContentType).HasMaxLength(40);
        e.Property(a => a.UploadedBy).HasMaxLength(64);
        e.HasIndex(a => a.CustomerId);
        e.HasOne<Customer>().WithMany().HasForeignKey(a => a.CustomerId).OnDelete(DeleteBehavior.Cascade);
    }
}
