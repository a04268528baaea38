using System.CommandLine;
using System.Globalization;
using Custos.Hosting;
using Spectre.Console;

namespace Custos.Features.Destruction;

/// <summary><c>custos destructions list</c>: the destruction register from a terminal, as the person named by <c>--as</c> sees it.</summary>
internal static class DestructionCommands
{
    public static Command Destructions()
    {
        var list = new Command("list", "The destruction register: time, method, operator, witness");
        list.SetAction((parse, ct) => Cli.RunAsync(parse, async (services, text, token) =>
        {
            var table = new Table().AddColumn(text["Destruction.At"]).AddColumn(text["Destruction.Customer"]).AddColumn(text["Label.Department"])
                .AddColumn(text["Destruction.Method"]).AddColumn(text["Destruction.Operator"]).AddColumn(text["Destruction.Witness"]);
            foreach (var d in await services.GetRequiredService<DestructionService>().ListAsync(token))
            {
                table.AddRow(d.DestroyedAt.ToString("u", CultureInfo.InvariantCulture), d.CustomerId.ToString(), Markup.Escape(d.Department),
                    Markup.Escape(text["Destruction.Method." + d.Method]), Markup.Escape(d.Operator), Markup.Escape(d.Witness));
            }

            Cli.Write(table);
        }, ct, requireAdministrator: false));

        return new Command("destructions", "Customers destroyed, and by whom") { list };
    }
}
