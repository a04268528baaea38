using System.CommandLine;
using System.Globalization;
using Custos.Hosting;
using Spectre.Console;

namespace Custos.Features.Copies;

/// <summary>
/// <c>custos copies list [--open]</c>: the ledger from a terminal, as the person named by <c>--as</c> sees them (their own, or everyone's for those who audit).
/// Leak tracing stays on the page and the API: a protected value does not belong on a command line.
/// </summary>
internal static class CopyCommands
{
    public static Command Copies()
    {
        var open = new Option<bool>("--open") { Description = "Only printed copies still out (overdue ones marked)" };
        var list = new Command("list", "The copy ledger: prints, exports and shares, newest first") { open };
        list.SetAction((parse, ct) => Cli.RunAsync(parse, async (services, text, token) =>
        {
            var table = new Table().AddColumn(text["Print.Serial"]).AddColumn(text["Copies.Kind"]).AddColumn(text["Copies.MadeBy"]).AddColumn(text["Copies.Recipient"])
                .AddColumn(text["Copies.Count"]).AddColumn(text["Copies.Made"]).AddColumn(text["Print.UseBy"]).AddColumn(text["Label.Status"]);
            foreach (var c in await services.GetRequiredService<CopyService>().ListAsync(parse.GetValue(open), token))
            {
                table.AddRow(
                    c.Serial, Markup.Escape(text["CopyKind." + c.Kind]), Markup.Escape(c.Person), Markup.Escape(c.Recipient), c.Customers.ToString(CultureInfo.InvariantCulture),
                    c.CreatedAt.ToString("u", CultureInfo.InvariantCulture), c.UseBy?.ToString("u", CultureInfo.InvariantCulture) ?? "—",
                    Markup.Escape(text["CopyStatus." + c.Status] + (c.Overdue ? " · " + text["Copies.Overdue"] : "")));
            }

            Cli.Write(table);
        }, ct, requireAdministrator: false));

        return new Command("copies", "Prints, exports and shares that left Custos") { list };
    }
}
