using System.CommandLine;
using Custos.Hosting;
using Microsoft.EntityFrameworkCore;
using Spectre.Console;

namespace Custos.Data;

/// <summary><c>custos db migrate|status</c>.</summary>
internal static class DbCommands
{
    public static Command Create()
    {
        var migrate = new Command("migrate", "Apply pending schema migrations (back up first)");
        migrate.SetAction((parse, ct) => Cli.RunAsync(parse, async (services, text, token) =>
        {
            var db = services.GetRequiredService<CustosDbContext>();
            var applied = (await db.Database.GetAppliedMigrationsAsync(token)).Count();
            AnsiConsole.MarkupLine(Markup.Escape(text["Cli.SchemaCurrent", applied]));
        }, ct, migrate: true, actAsPerson: false));

        var status = new Command("status", "Show the database in use and its schema version");
        status.SetAction((parse, ct) => Cli.RunAsync(parse, async (services, text, token) =>
        {
            var db = services.GetRequiredService<CustosDbContext>();
            var initialiser = services.GetRequiredService<DatabaseInitialiser>();
            var applied = (await db.Database.GetAppliedMigrationsAsync(token)).ToList();
            AnsiConsole.MarkupLine(Markup.Escape(text["Cli.DatabaseAt", initialiser.DescribeTarget()]));
            AnsiConsole.MarkupLine(Markup.Escape(text["Cli.SchemaVersion", applied.LastOrDefault() ?? "-"]));
        }, ct, actAsPerson: false));

        return new Command("db", "Database schema") { migrate, status };
    }
}
