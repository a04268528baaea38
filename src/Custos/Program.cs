using System.CommandLine;
using Custos.Data;
using Custos.Hosting;

[assembly: Microsoft.Extensions.Localization.RootNamespace("Custos")]

Cli.ApplyCulture();
var root = new RootCommand("Custos — customer-information confidentiality: serve the web UI and API, and administer from the command line.")
{
    Cli.DataDir,
    Cli.Database,
    Cli.KeyFile,
    Cli.As,
    ServeCommand.Create(),
    DbCommands.Create(),
};
foreach (var command in Custos.Features.FeatureList.All.SelectMany(f => f.Commands()))
{
    root.Subcommands.Add(command);
}

return await root.Parse(args).InvokeAsync();
