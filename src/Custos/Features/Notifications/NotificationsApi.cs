using System.CommandLine;
using Custos.Hosting;
using Spectre.Console;

namespace Custos.Features.Notifications;

/// <summary>Delivery through the outside channels, for administrators: <c>GET /api/v1/notifications/deliveries</c> and <c>custos notify status</c>.</summary>
internal static class NotificationsApi
{
    public static void Map(RouteGroupBuilder api) =>
        api.MapGroup("/notifications").RequireAuthorization(Policies.Administer).WithTags("Inbox")
            .MapGet("/deliveries", async (NotificationSender sender, CancellationToken ct) => TypedResults.Ok(await sender.StatusAsync(ct)))
            .WithName("DeliveryStatus").WithSummary("Per channel: messages pending, delivered and given up, and the last error");

    public static Command Command()
    {
        var status = new Command("status", "Messages pending, delivered and given up per outside channel, with the last error");
        status.SetAction((parse, ct) => Cli.RunAsync(parse, async (services, text, token) =>
        {
            var rows = await services.GetRequiredService<NotificationSender>().StatusAsync(token);
            if (NotificationSender.Channels(services.GetRequiredService<CustosSettings>().Notifications).Count == 0 && rows.Count == 0)
            {
                AnsiConsole.MarkupLine(Markup.Escape(text["Notify.None"]));
                return;
            }

            var table = new Table().Title(Markup.Escape(text["Cli.NotifyStatus"])).AddColumn(text["Notify.Channel"]).AddColumn(text["Notify.Pending"])
                .AddColumn(text["Notify.Delivered"]).AddColumn(text["Notify.Failed"]).AddColumn(text["Notify.LastError"]);
            foreach (var r in rows)
            {
                table.AddRow(r.Channel, r.Pending.ToString(System.Globalization.CultureInfo.InvariantCulture), r.Delivered.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    r.Failed.ToString(System.Globalization.CultureInfo.InvariantCulture), Markup.Escape(r.LastError ?? ""));
            }

            Cli.Write(table);
        }, ct));
        return new Command("notify", "Messages through e-mail and group robots") { status };
    }
}
