using Custos.Security;
namespace Custos.Hosting;

/// <summary>
/// Background work that runs every <see cref="Interval"/> in a fresh scope once start-up is done, as a named
/// system actor; a failure of the database or of the work is logged and tried again on the next round.
/// </summary>
internal abstract partial class PeriodicWorker(IServiceScopeFactory scopes, StartupReport startup, TimeProvider time, ILogger logger) : BackgroundService
{
    protected abstract TimeSpan Interval { get; }

    /// <summary>The name the work acts and is recorded under.</summary>
    protected abstract string ActorName { get; }

    protected abstract Task RunAsync(IServiceProvider services, CancellationToken ct);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await Task.Delay(Interval, time, stoppingToken);
                if (!startup.Ready)
                {
                    continue;
                }

                try
                {
                    await using var scope = scopes.CreateAsyncScope();
                    scope.ServiceProvider.GetRequiredService<BackgroundActor>().Set(Custos.Security.FixedActor.System.Id, ActorName, null);
                    await RunAsync(scope.ServiceProvider, stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    // Whatever went wrong this round (the database, a conflict with another node, a bug), the worker goes on.
                    LogFailed(logger, ActorName, e.GetType().Name);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Worker} could not run ({Error}); trying again")]
    private static partial void LogFailed(ILogger logger, string worker, string error);
}
