using System.CommandLine;
using System.Globalization;
using Custos.Hosting;
using Spectre.Console;

namespace Custos.Features.Leaving;

/// <summary><c>custos leaving list|record</c>: leaving files from the command line (PPL-3).</summary>
internal static class LeavingCommands
{
    public static Command Leaving()
    {
        var list = new Command("list", "Leaving files: last working day, successor, statement, what keeps each open");
        list.SetAction((parse, ct) => Cli.RunAsync(parse, async (services, text, token) =>
        {
            var table = new Table().AddColumn(text["Register.Col.User"]).AddColumn(text["Leaving.Kind"]).AddColumn(text["Leaving.LastWorkingDay"])
                .AddColumn(text["Leaving.Successor"]).AddColumn(text["Leaving.Stage"]).AddColumn(text["Leaving.Open"]);
            foreach (var f in await services.GetRequiredService<LeavingService>().ListAsync(token))
            {
                table.AddRow(Markup.Escape($"{f.PersonName} ({f.UserName})"), text["Leaving.Kind." + f.Kind], f.LastWorkingDay.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                    Markup.Escape(f.SuccessorName ?? ""), text["Leaving.Stage." + f.Stage], Markup.Escape(string.Join("、", f.Missing.Select(m => text[m].Value))));
            }

            Cli.Write(table);
        }, ct));

        var user = new Argument<string>("user") { Description = "User name or id of the person leaving" };
        var on = new Option<DateOnly?>("--on") { Description = "The last working day, e.g. 2026-12-31 (access ends after it)" };
        var dismissal = new Option<bool>("--dismissal") { Description = "A dismissal: access ends at once" };
        var reason = new Option<string>("--reason") { Description = "Why (resignation, end of contract, dismissal for …)", Required = true };
        var record = new Command("record", "Open a person's leaving file") { user, on, dismissal, reason };
        record.SetAction((parse, ct) => Cli.RunAsync(parse, async (services, text, token) =>
        {
            var kind = parse.GetValue(dismissal) ? DepartureKind.Dismissal : DepartureKind.Departure;
            var file = await services.GetRequiredService<LeavingService>().RecordAsync(new NewDeparture(parse.GetValue(user), kind, parse.GetValue(on), parse.GetValue(reason)), token);
            AnsiConsole.MarkupLine(Markup.Escape(text["Leaving.Recorded", file.PersonName, file.LastWorkingDay.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)]));
        }, ct));

        return new Command("leaving", "People leaving: last working day, hand-over, exit statement, closure") { list, record };
    }
}
