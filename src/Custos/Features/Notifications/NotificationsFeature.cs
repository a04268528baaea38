using System.CommandLine;
using Custos.Hosting;

namespace Custos.Features.Notifications;

/// <summary>The notifications feature's entry point.</summary>
internal sealed class NotificationsFeature : Feature
{
    public override void AddServices(IServiceCollection services, CustosSettings settings)
    {
        services.AddScoped<Notifier>();
        services.AddScoped<NotificationSender>();
    }

    public override void AddWorkers(IServiceCollection services)
    {
        services.AddHostedService<NotificationWorker>();
    }

    public override void MapApi(RouteGroupBuilder api) => NotificationsApi.Map(api);

    public override IEnumerable<Command> Commands() => [NotificationsApi.Command()];
}
