using System.Globalization;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Custos.Data;
using Custos.Hosting;
using Custos.Web;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using MimeKit;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Custos.Features.Notifications;

/// <summary>One message on its way through one outside channel: attempts, the next try, the last error.</summary>
public sealed class NotificationDelivery
{
    public Guid Id { get; set; }

    public Guid NotificationId { get; set; }

    /// <summary><c>email</c>, <c>wecom</c>, <c>dingtalk</c> or <c>feishu</c>.</summary>
    public string Channel { get; set; } = "";

    public int Attempts { get; set; }

    public DateTimeOffset NextAttemptAt { get; set; }

    public DateTimeOffset? DeliveredAt { get; set; }

    /// <summary>Given up after the configured number of attempts (or no address to send to).</summary>
    public bool Failed { get; set; }

    public string? LastError { get; set; }
}

public sealed record DeliveryStatus(string Channel, int Pending, int Delivered, int Failed, string? LastError, DateTimeOffset? LastErrorAt);

/// <summary>
/// Sends inbox messages through e-mail (SMTP, MailKit) and the group robots of WeCom, DingTalk and Feishu.
/// Failures are retried with growing pauses and stay visible (<c>custos notify status</c>, the API); a
/// delivery is claimed before it is sent, so two nodes never send the same one. Messages hold names and
/// kinds of request only — never a protected value — and errors never show a webhook's key.
/// </summary>
public sealed partial class NotificationSender(CustosDbContext db, CustosSettings settings, IStringLocalizer<Strings> text, IHttpClientFactory http, TimeProvider time, ILogger<NotificationSender> log)
{
    public const string Email = "email";
    public const string WeCom = "wecom";
    public const string DingTalk = "dingtalk";
    public const string Feishu = "feishu";

    private static readonly TimeSpan Claim = TimeSpan.FromMinutes(5);

    /// <summary>Chinese text as it is, not as \u escapes: the robots show it either way, and it stays readable in their logs.</summary>
    private static readonly System.Text.Json.JsonSerializerOptions Json = new()
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.Create(System.Text.Unicode.UnicodeRanges.All),
    };

    /// <summary>The outside channels configured, in the order they are tried.</summary>
    public static IReadOnlyList<string> Channels(NotificationSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var channels = new List<string>();
        if (!string.IsNullOrWhiteSpace(settings.SmtpServer))
        {
            channels.Add(Email);
        }

        if (!string.IsNullOrWhiteSpace(settings.WeCom))
        {
            channels.Add(WeCom);
        }

        if (!string.IsNullOrWhiteSpace(settings.DingTalk))
        {
            channels.Add(DingTalk);
        }

        if (!string.IsNullOrWhiteSpace(settings.Feishu))
        {
            channels.Add(Feishu);
        }

        return channels;
    }

    /// <summary>Checks the channel settings at start-up: a URL that is not http(s) or an SMTP server that is not host:port stops Custos.</summary>
    public static void Validate(NotificationSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        foreach (var (name, url) in new[] { ("WeCom", settings.WeCom), ("DingTalk", settings.DingTalk), ("Feishu", settings.Feishu) })
        {
            if (!string.IsNullOrWhiteSpace(url) && (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http")))
            {
                throw new Classification.SettingsException($"Custos:Notifications:{name} must be an http(s) URL.");
            }
        }

        if (!string.IsNullOrWhiteSpace(settings.SmtpServer) && SmtpEndpoint(settings.SmtpServer) is null)
        {
            throw new Classification.SettingsException("Custos:Notifications:SmtpServer must be host:port, e.g. smtp.example.com:587.");
        }

        if (settings.MaxAttempts is < 1 or > 50 || settings.TimeoutSeconds is < 1 or > 120)
        {
            throw new Classification.SettingsException("Custos:Notifications:MaxAttempts must be 1–50 and TimeoutSeconds 1–120.");
        }
    }

    /// <summary>Sends every delivery that is due; returns how many were delivered.</summary>
    public async Task<int> SendDueAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var due = await db.NotificationDeliveries.AsNoTracking()
            .Where(d => d.DeliveredAt == null && !d.Failed && d.NextAttemptAt <= now)
            .OrderBy(d => d.NextAttemptAt).Take(50).Select(d => new { d.Id, d.NextAttemptAt }).ToListAsync(ct);
        var delivered = 0;
        foreach (var item in due)
        {
            // Claim it: only the node whose update lands sends it.
            var claimed = await db.NotificationDeliveries.Where(d => d.Id == item.Id && d.NextAttemptAt == item.NextAttemptAt && d.DeliveredAt == null)
                .ExecuteUpdateAsync(u => u.SetProperty(d => d.NextAttemptAt, now + Claim), ct);
            if (claimed == 1 && await SendOneAsync(item.Id, ct))
            {
                delivered++;
            }
        }

        return delivered;
    }

    public async Task<IReadOnlyList<DeliveryStatus>> StatusAsync(CancellationToken ct)
    {
        var rows = await db.NotificationDeliveries.AsNoTracking()
            .GroupBy(d => d.Channel)
            .Select(g => new
            {
                Channel = g.Key,
                Pending = g.Count(d => d.DeliveredAt == null && !d.Failed),
                Delivered = g.Count(d => d.DeliveredAt != null),
                Failed = g.Count(d => d.Failed),
            })
            .ToListAsync(ct);
        var result = new List<DeliveryStatus>();
        foreach (var row in rows.OrderBy(r => r.Channel, StringComparer.Ordinal))
        {
            var last = await db.NotificationDeliveries.AsNoTracking().Where(d => d.Channel == row.Channel && d.LastError != null)
                .OrderByDescending(d => d.NextAttemptAt).Select(d => new { d.LastError, d.NextAttemptAt }).FirstOrDefaultAsync(ct);
            result.Add(new DeliveryStatus(row.Channel, row.Pending, row.Delivered, row.Failed, last?.LastError, last?.NextAttemptAt));
        }

        return result;
    }

    private async Task<bool> SendOneAsync(Guid id, CancellationToken ct)
    {
        var delivery = await db.NotificationDeliveries.SingleAsync(d => d.Id == id, ct);
        var notification = await db.Notifications.AsNoTracking().SingleAsync(n => n.Id == delivery.NotificationId, ct);
        var recipient = await db.Users.AsNoTracking().Where(u => u.Id == notification.RecipientId).Select(u => new { u.DisplayName, u.Email }).SingleOrDefaultAsync(ct);
        var now = time.GetUtcNow();
        delivery.Attempts++;
        try
        {
            var text = Render(notification);
            switch (delivery.Channel)
            {
                case Email when string.IsNullOrWhiteSpace(recipient?.Email):
                    delivery.Failed = true;
                    delivery.LastError = "no e-mail address";
                    await db.SaveChangesAsync(ct);
                    return false;
                case Email:
                    await SendMailAsync(recipient!.Email!, recipient.DisplayName, text, ct);
                    break;
                case WeCom or DingTalk or Feishu:
                    await PostRobotAsync(delivery.Channel, $"{recipient?.DisplayName}：{text}", ct);
                    break;
                default:
                    throw new InvalidOperationException("unknown channel");
            }

            delivery.DeliveredAt = now;
            delivery.LastError = null;
            await db.SaveChangesAsync(ct);
            return true;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException or System.Net.Sockets.SocketException
            or MailKit.ProtocolException or MailKit.CommandException or AuthenticationException or DeliveryRefusedException or InvalidOperationException)
        {
            // Only the kind of failure and its first line: never the URL (it holds the robot's key).
            delivery.LastError = $"{e.GetType().Name}: {FirstLine(e.Message)}";
            delivery.Failed = delivery.Attempts >= settings.Notifications.MaxAttempts;
            delivery.NextAttemptAt = now + TimeSpan.FromSeconds(Math.Min(3600, 15 * Math.Pow(2, delivery.Attempts - 1)));
            await db.SaveChangesAsync(ct);
            LogFailed(log, delivery.Channel, delivery.Attempts, e.GetType().Name);
            return false;
        }
    }

    /// <summary>The message as its recipient reads it in the inbox, in the product's default language.</summary>
    private string Render(Notification n)
    {
        var previous = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("zh-CN");
        try
        {
            return "【Custos】" + Notifier.Text(text, n.Kind, n.ArgList);
        }
        finally
        {
            CultureInfo.CurrentUICulture = previous;
        }
    }

    private async Task SendMailAsync(string address, string name, string text, CancellationToken ct)
    {
        var (host, port) = SmtpEndpoint(settings.Notifications.SmtpServer!)!.Value;
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(settings.Notifications.SmtpFrom));
        message.To.Add(new MailboxAddress(name, address));
        message.Subject = text.Length > 60 ? text[..60] + "…" : text;
        message.Body = new TextPart("plain") { Text = text };
        using var client = new SmtpClient { Timeout = settings.Notifications.TimeoutSeconds * 1000 };
        var security = port switch
        {
            465 => SecureSocketOptions.SslOnConnect,
            587 => SecureSocketOptions.StartTls,
            _ => SecureSocketOptions.StartTlsWhenAvailable,
        };
        await client.ConnectAsync(host, port, security, ct);
        if (!string.IsNullOrEmpty(settings.Notifications.SmtpUser))
        {
            await client.AuthenticateAsync(settings.Notifications.SmtpUser, settings.Notifications.SmtpPassword ?? "", ct);
        }

        await client.SendAsync(message, ct);
        await client.DisconnectAsync(true, ct);
    }

    /// <summary>Posts to a group robot in its own format and checks its answer (each answers 200 with an error code inside).</summary>
    private async Task PostRobotAsync(string channel, string text, CancellationToken ct)
    {
        var n = settings.Notifications;
        var seconds = time.GetUtcNow().ToUnixTimeSeconds();
        (string Url, object Body) request = channel switch
        {
            WeCom => (n.WeCom!, new { msgtype = "text", text = new { content = text } }),
            DingTalk => (Signed(n.DingTalk!, n.DingTalkSecret, seconds * 1000), new { msgtype = "text", text = new { content = text } }),
            _ => (n.Feishu!, string.IsNullOrEmpty(n.FeishuSecret)
                ? new { msg_type = "text", content = new { text } }
                : (object)new { timestamp = seconds.ToString(CultureInfo.InvariantCulture), sign = FeishuSign(n.FeishuSecret, seconds), msg_type = "text", content = new { text } }),
        };
        using var client = http.CreateClient("notifications");
        client.Timeout = TimeSpan.FromSeconds(n.TimeoutSeconds);
        using var response = await client.PostAsJsonAsync(new Uri(request.Url), request.Body, Json, ct);
        if (!response.IsSuccessStatusCode)
        {
            throw new DeliveryRefusedException($"HTTP {(int)response.StatusCode}");
        }

        using var answer = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
        var root = answer.RootElement;
        var code = root.TryGetProperty("errcode", out var e) ? e.GetInt32() : root.TryGetProperty("code", out var c) ? c.GetInt32() : root.TryGetProperty("StatusCode", out var s) ? s.GetInt32() : 0;
        if (code != 0)
        {
            var message = root.TryGetProperty("errmsg", out var m) ? m.GetString() : root.TryGetProperty("msg", out var m2) ? m2.GetString() : null;
            throw new DeliveryRefusedException($"robot error {code} {message}");
        }
    }

    /// <summary>DingTalk's signature: HMAC-SHA256 over "timestamp\nsecret", Base64, in the query.</summary>
    private static string Signed(string url, string? secret, long millis)
    {
        if (string.IsNullOrEmpty(secret))
        {
            return url;
        }

        var sign = Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{millis}\n{secret}")));
        return $"{url}{(url.Contains('?', StringComparison.Ordinal) ? '&' : '?')}timestamp={millis}&sign={Uri.EscapeDataString(sign)}";
    }

    /// <summary>Feishu's signature: HMAC-SHA256 keyed with "timestamp\nsecret" over nothing, Base64, in the body.</summary>
    private static string FeishuSign(string secret, long seconds) =>
        Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes($"{seconds}\n{secret}"), Array.Empty<byte>()));

    private static (string Host, int Port)? SmtpEndpoint(string value)
    {
        var colon = value.LastIndexOf(':');
        return colon > 0 && int.TryParse(value[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536
            ? (value[..colon], port)
            : null;
    }

    private static string FirstLine(string message)
    {
        var line = message.Split('\n')[0];
        var query = line.IndexOf('?', StringComparison.Ordinal);
        line = query >= 0 ? line[..query] : line;
        return line.Length > 200 ? line[..200] : line;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A message through {Channel} failed (attempt {Attempt}, {Error}); it will be retried")]
    private static partial void LogFailed(ILogger logger, string channel, int attempt, string error);
}

/// <summary>A channel answered, but refused the message.</summary>
public sealed class DeliveryRefusedException : Exception
{
    public DeliveryRefusedException()
        : base("refused")
    {
    }

    public DeliveryRefusedException(string message)
        : base(message)
    {
    }

    public DeliveryRefusedException(string message, Exception inner)
        : base(message, inner)
    {
    }
}

/// <summary>How <see cref="NotificationDelivery"/> is stored.</summary>
internal sealed class NotificationDeliveryMapping : IEntityTypeConfiguration<NotificationDelivery>
{
    public void Configure(EntityTypeBuilder<NotificationDelivery> e)
    {
        ArgumentNullException.ThrowIfNull(e);
        e.Property(d => d.Channel).HasMaxLength(16);
        e.Property(d => d.LastError).HasMaxLength(300);
        e.HasIndex(d => new { d.DeliveredAt, d.Failed, d.NextAttemptAt });
    }
}
