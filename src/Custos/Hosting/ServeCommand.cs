using System.CommandLine;
using Custos.Features.Demo;
using Custos.Web;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Localization;
using Spectre.Console;

namespace Custos.Hosting;

/// <summary><c>custos serve</c>: the web UI and REST API.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var urls = new Option<string?>("--urls") { Description = "Addresses to listen on (default http://127.0.0.1:5080, or ASPNETCORE_URLS)" };
        var demo = new Option<bool>("--demo") { Description = "Create the demo organisation (departments, one person per role, synthetic customers)" };
        var noDemo = new Option<bool>("--no-demo") { Description = "Do not create the demo organisation on the first start" };
        var jsonLogs = new Option<bool>("--json-logs") { Description = "Write logs as JSON lines" };
        var certificate = new Option<string?>("--certificate") { Description = "PFX or PEM certificate: serve HTTPS (password in env Custos__Security__CertificatePassword)" };
        var command = new Command("serve", "Start the Custos web UI and REST API") { urls, demo, noDemo, jsonLogs, certificate };
        command.SetAction(async (parse, ct) =>
        {
            var overrides = Cli.Overrides(parse);
            overrides["urls"] = parse.GetValue(urls) ?? Environment.GetEnvironmentVariable("ASPNETCORE_URLS") ?? "http://127.0.0.1:5080";
            overrides["Custos:Demo"] = parse.GetValue(demo) ? "true" : null;
            overrides["Custos:NoDemo"] = parse.GetValue(noDemo) ? "true" : null;
            overrides["Custos:JsonLogs"] = parse.GetValue(jsonLogs) ? "true" : null;
            overrides["Custos:Security:CertificatePath"] = parse.GetValue(certificate);
            using var host = CustosWebHost.CreateBuilder(overrides).Build();
            try
            {
                await host.StartAsync(ct);
            }
            catch (Exception e) when (e is Data.SchemaMismatchException or Data.DatabaseUnavailableException or Kernel.Crypto.KeyFileException or Features.Classification.SettingsException)
            {
                Cli.Error(e.Message);
                return 2;
            }

            PrintBanner(host.Services);
            await host.WaitForShutdownAsync(ct);
            return 0;
        });
        return command;
    }

    private static void PrintBanner(IServiceProvider services)
    {
        var text = services.GetRequiredService<IStringLocalizer<Strings>>();
        var report = services.GetRequiredService<StartupReport>();
        var address = services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "";
        AnsiConsole.MarkupLine(Markup.Escape(text["Cli.Listening", address + "/account/login"]));
        if (report.InitialAdminPasswordFile is not null)
        {
            AnsiConsole.MarkupLine(Markup.Escape(text["Cli.InitialAdminFile", Data.DatabaseInitialiser.AdminUserName, report.InitialAdminPasswordFile]));
        }
        else if (report.InitialAdminPassword is not null)
        {
            AnsiConsole.MarkupLine(Markup.Escape(text["Cli.InitialAdminPassword", Data.DatabaseInitialiser.AdminUserName, report.InitialAdminPassword]));
        }

        if (report.Demo)
        {
            var table = new Table().Title(text["Cli.DemoTitle"]).AddColumn(text["Cli.User"]).AddColumn(text["Cli.Role"]).AddColumn(text["Cli.Password"]);
            foreach (var account in DemoOrganisation.Accounts)
            {
                table.AddRow(Markup.Escape(account.UserName), Markup.Escape(text["Role." + account.Role]), Markup.Escape(DemoOrganisation.Password));
            }

            Cli.Write(table);
            AnsiConsole.MarkupLine(Markup.Escape(text["Cli.DemoWarning"]));
        }
    }
}
