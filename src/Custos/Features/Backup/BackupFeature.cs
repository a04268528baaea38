using System.CommandLine;
using Custos.Hosting;

namespace Custos.Features.Backup;

/// <summary>The backups feature's entry point: the commands only (backups are taken and restored from the command line).</summary>
internal sealed class BackupFeature : Feature
{
    public override void AddServices(IServiceCollection services, CustosSettings settings) => services.AddScoped<BackupService>();

    public override IEnumerable<Command> Commands() => BackupCommands.Create();
}
