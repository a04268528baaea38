using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Custos.Features.Notifications;

/// <summary>
/// A message to one person: shown in their inbox, and sent by e-mail and group robots where configured.
/// It names a request and people, never a protected value: <c>Kind</c> is a message key, <c>Args</c> plain words.
/// </summary>
public sealed class Notification
{
    public Guid Id { get; set; }

    public Guid RecipientId { get; set; }

    public string Kind { get; set; } = "";

    /// <summary>Arguments of the message, separated by a unit separator (U+001F).</summary>
    public string Args { get; set; } = "";

    public Guid? RequestId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? ReadAt { get; set; }

    public IReadOnlyList<string> ArgList => Args.Length == 0 ? [] : Args.Split('\u001f');
}

/// <summary>How <see cref="Notification"/> is stored.</summary>
internal sealed class NotificationMapping : IEntityTypeConfiguration<Notification>
{
    public void Configure(EntityTypeBuilder<Notification> e)
    {
        ArgumentNullException.ThrowIfNull(e);
        e.Property(n => n.Kind).HasMaxLength(64);
        e.Property(n => n.Args).HasMaxLength(2000);
        e.Ignore(n => n.ArgList);
        e.HasIndex(n => new { n.RecipientId, n.CreatedAt });
    }
}
