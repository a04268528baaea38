using System.CommandLine;
using Custos.Data;
using Custos.Features.ApiTokens;
using Custos.Features.Organisation;
using Custos.Features.People;
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
    PeopleCommands.Create(),
    OrganisationCommands.Create(),
    ApiTokenCommands.Create(),
    Custos.Features.Keys.KeyCommands.Create(),
    Custos.Features.Imports.ImportCommand.Create(),
    Custos.Features.Audit.AuditCommands.Create(),
    Custos.Features.Policy.PolicyCommands.Create(),
    Custos.Features.Policy.PolicyCommands.Grants(),
    Custos.Features.Policy.PolicyCommands.Requests(),
    Custos.Features.Notifications.NotificationsApi.Command(),
    Custos.Features.Copies.CopyCommands.Copies(),
    Custos.Features.Copies.CopyCommands.Destructions(),
};
return await root.Parse(args).InvokeAsync();
