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
