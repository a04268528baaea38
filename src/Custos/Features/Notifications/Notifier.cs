using Custos.Data;
using Custos.Features.Audit;
using Custos.Hosting;
using Custos.Security;
using Microsoft.EntityFrameworkCore;
using Custos.Features;

namespace Custos.Features.Notifications;

[Contract]
public sealed record NotificationView(Guid Id, string Kind, IReadOnlyList<string> Args, Guid? RequestId, DateTimeOffset CreatedAt, bool Read);

/// <summary>
/// Puts messages in people's inboxes, in the caller's unit of work: a message is saved with the change it
/// tells about, or not at all. Outside channels (e-mail, group robots) pick them up from there.
/// </summary>
[Contract]
public sealed class Notifier(CustosDbContext db, ICurrentActor actor, CustosSettings settings, TimeProvider time)
{
    public const int MaxArgLength = 200;

    /// <summary>A query of the requests a person was told about (as an approver, say), for the caller to narrow further.</summary>
    public IQueryable<Guid> RequestsToldTo(Guid person) =>
        db.Notifications.Where(n => n.RecipientId == person && n.RequestId != null).Select(n => n.RequestId!.Value);

    /// <summary>Adds a message for each recipient; the arguments must be plain words (names, codes, times), never a protected value.</summary>
    public void Add(IEnumerable<Guid> recipients, string kind, Guid? request, params string[] args) => Add(recipients, kind, request, inboxOnly: false, args);

    /// <summary>
    /// Adds a message to each recipient's inbox only, never to e-mail or group robots: for what must not reach a
    /// shared chat, or carry a sending time (an anonymous report came in).
    /// </summary>
    public void AddToInbox(IEnumerable<Guid> recipients, string kind, params string[] args) => Add(recipients, kind, null, inboxOnly: true, args);

    private void Add(IEnumerable<Guid> recipients, string kind, Guid? request, bool inboxOnly, string[] args)
    {
        ArgumentNullException.ThrowIfNull(recipients);
        var now = time.GetUtcNow();
        var text = string.Join('\u001f', args.Select(a => a.Length > MaxArgLength ? a[..MaxArgLength] : a.Replace('\u001f', ' ')));
        var channels = inboxOnly ? [] : NotificationSender.Channels(settings.Notifications);
        foreach (var recipient in recipients.Distinct())
        {
            var notification = new Notification
            {
                Id = Guid.CreateVersion7(now),
                RecipientId = recipient,
                Kind = kind,
                Args = text,
                RequestId = request,
                CreatedAt = now,
            };
            db.Notifications.Add(notification);
            foreach (var channel in channels)
            {
                db.NotificationDeliveries.Add(new NotificationDelivery { Id = Guid.CreateVersion7(now), NotificationId = notification.Id, Channel = channel, NextAttemptAt = now });
            }
        }
    }

    /// <summary>A message in the reader's language: arguments that are text keys (a kind of request, an alert rule) are translated too.</summary>
    public static string Text(Microsoft.Extensions.Localization.IStringLocalizer text, string kind, IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(args);
        object Translate(string a) =>
            a.Contains('.', StringComparison.Ordinal) && text[a] is { ResourceNotFound: false } key ? key.Value
            : text["RequestKind." + a] is { ResourceNotFound: false } requestKind ? requestKind.Value
            : a;
        return text[kind, [.. args.Select(Translate)]].Value;
    }

    public async Task<IReadOnlyList<NotificationView>> InboxAsync(bool unreadOnly, CancellationToken ct)
    {
        var me = Me();
        var query = db.Notifications.AsNoTracking().Where(n => n.RecipientId == me);
        if (unreadOnly)
        {
            query = query.Where(n => n.ReadAt == null);
        }

        var items = await query.OrderByDescending(n => n.CreatedAt).Take(200).ToListAsync(ct);
        return [.. items.Select(n => new NotificationView(n.Id, n.Kind, n.ArgList, n.RequestId, n.CreatedAt, n.ReadAt is not null))];
    }

    public Task<int> UnreadAsync(CancellationToken ct)
    {
        var me = Me();
        return db.Notifications.CountAsync(n => n.RecipientId == me && n.ReadAt == null, ct);
    }

    /// <summary>Marks one message (or, with null, all) as read; only the recipient's own.</summary>
    public async Task MarkReadAsync(Guid? id, CancellationToken ct)
    {
        var me = Me();
        var now = time.GetUtcNow();
        var items = await db.Notifications.Where(n => n.RecipientId == me && n.ReadAt == null && (id == null || n.Id == id)).ToListAsync(ct);
        foreach (var item in items)
        {
            item.ReadAt = now;
        }

        await db.SaveChangesAsync(ct);
    }

    private Guid Me() => Guid.TryParse(actor.Id, out var id) ? id : Guid.Empty;
}
