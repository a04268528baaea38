using System.CommandLine;
using System.Globalization;
using Custos.Hosting;
using Spectre.Console;

namespace Custos.Features.Incidents;

/// <summary><c>custos incident list</c>: leak incidents with their grade and the clock of the report to the authority.</summary>
internal static class IncidentCommands
{
    public static Command Incident()
    {
        var closed = new Option<bool>("--closed") { Description = "Include closed incidents" };
        var list = new Command("list", "Incidents, their grade, status and the clock of the report to the authority") { closed };
        list.SetAction((parse, ct) => Cli.RunAsync(parse, async (services, text, token) =>
        {
            var table = new Table().AddColumn(text["Incident.Number"]).AddColumn(text["Incident.TitleField"]).AddColumn(text["Incident.Status"])
                .AddColumn(text["Incident.Grade"]).AddColumn(text["Incident.AuthorityDue"]);
            foreach (var i in await services.GetRequiredService<IncidentService>().ListAsync(parse.GetValue(closed), token))
            {
                var due = i.AuthorityDueAt is { } d
                    ? d.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC" + (i.AuthorityReportedAt is not null ? " ✓" : i.Overdue ? " " + text["Incident.Overdue"] : "")
                    : "";
                table.AddRow(i.Number, Markup.Escape(i.Title), text["IncidentStatus." + i.Status], i.Grade is { } g ? text["IncidentGrade." + g] : "", Markup.Escape(due));
            }

            Cli.Write(table);
        }, ct));
        return new Command("incident", "Leak incidents (INC-1..3)") { list };
    }
}
