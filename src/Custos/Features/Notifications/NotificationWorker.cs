using Custos.Hosting;

namespace Custos.Features.Notifications;

/// <summary>Sends due messages through the configured outside channels every few seconds.</summary>
internal sealed class NotificationWorker(IServiceScopeFactory scopes, StartupReport startup, TimeProvider time, CustosSettings settings, ILogger<NotificationWorker> log)
    : PeriodicWorker(scopes, startup, time, log)
{
    protected override TimeSpan Interval => TimeSpan.FromSeconds(3);

    protected override string ActorName => "custos-notify";

    protected override Task RunAsync(IServiceProvider services, CancellationToken ct) =>
        NotificationSender.Channels(settings.Notifications).Count == 0 ? Task.CompletedTask : services.GetRequiredService<NotificationSender>().SendDueAsync(ct);
}
