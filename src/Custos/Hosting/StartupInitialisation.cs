using Custos.Data;
using Custos.Features.Demo;

namespace Custos.Hosting;

/// <summary>
/// Runs before the server accepts requests: checks or creates the database (refusing an unknown schema),
/// and creates the demo organisation when asked to or on the first start of an empty installation.
/// </summary>
internal sealed class StartupInitialisation(IServiceProvider services, CustosSettings settings, StartupReport report, ILogger<StartupInitialisation> log) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<Kernel.Classification.FieldCatalogue>(); // a bad classification setting stops start-up
        Features.Audit.AuditForwarder.CheckpointWebhook(settings); // so does a bad audit setting
        Features.Audit.AuditArchiver.CheckRetention(settings);
        Features.Notifications.NotificationSender.Validate(settings.Notifications); // and a bad notification channel
        foreach (var destination in Features.Audit.AuditForwarder.Destinations(settings))
        {
            await destination.DisposeAsync();
        }

        var initialiser = scope.ServiceProvider.GetRequiredService<DatabaseInitialiser>();
        var result = await initialiser.InitialiseAsync(migrate: false, cancellationToken);
        if (result.InitialAdminPasswordFile is not null)
        {
            log.LogWarning("Built-in administrator 'admin' created; its initial password is in {File}", result.InitialAdminPasswordFile);
        }

        report.InitialAdminPassword = result.InitialAdminPasswordFile is null ? result.InitialAdminPassword : null;
        report.InitialAdminPasswordFile = result.InitialAdminPasswordFile;

        var demo = scope.ServiceProvider.GetRequiredService<DemoOrganisation>();
        if (settings.Demo || (result.Fresh && !settings.NoDemo))
        {
            if (!await demo.ExistsAsync(cancellationToken))
            {
                log.LogInformation("Creating the demo organisation with {Count} synthetic customers", settings.DemoCustomers);
                await demo.CreateAsync(settings.DemoCustomers, cancellationToken);
            }
        }

        if (await demo.ExistsAsync(cancellationToken))
        {
            report.Demo = true;
        }

        report.Ready = true;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>What start-up found, for the banner <c>custos serve</c> prints once the server listens.</summary>
public sealed class StartupReport
{
    public bool Demo { get; set; }

    /// <summary>The database and keys are checked; background work may start.</summary>
    public bool Ready { get; set; }

    public string? InitialAdminPassword { get; set; }

    public string? InitialAdminPasswordFile { get; set; }
}
