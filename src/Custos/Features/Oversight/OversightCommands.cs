using System.CommandLine;
using System.Globalization;
using Custos.Features.People;
using Custos.Hosting;
using Spectre.Console;

namespace Custos.Features.Oversight;

/// <summary><c>custos assessment list|open|template</c>: the monthly risk assessments (AUD-3).</summary>
internal static class OversightCommands
{
    private static readonly string[] Readers = [Roles.ComplianceOfficer, Roles.Auditor, Roles.GeneralManager, Roles.DepartmentHead];

    public static Command Assessment()
    {
        var period = new Option<string?>("--period") { Description = "Only this month (yyyy-MM)" };
        var list = new Command("list", "Risk assessments, their status, scores and open corrective actions") { period };
        list.SetAction((parse, ct) => Cli.RunAsync(parse, async (services, text, token) =>
        {
            var table = new Table().AddColumn(text["Assessment.Number"]).AddColumn(text["Label.Department"]).AddColumn(text["Assessment.Period"])
                .AddColumn(text["Assessment.Status"]).AddColumn(text["Assessment.Due"]).AddColumn(text["Assessment.Total"]).AddColumn(text["Assessment.OpenActions"]);
            foreach (var a in await services.GetRequiredService<RiskAssessmentService>().ListAsync(parse.GetValue(period), token))
            {
                table.AddRow(a.Number, Markup.Escape(a.Department), a.Period, text["AssessmentStatus." + a.Status] + (a.Overdue ? " " + text["Assessment.Overdue"] : ""),
                    a.DueAt.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), a.TotalScore.ToString(CultureInfo.InvariantCulture), a.OpenActions.ToString(CultureInfo.InvariantCulture));
            }

            Cli.Write(table);
        }, ct, requireAdministrator: false, allowedRoles: Readers));

        var open = new Command("open", "Open this month's assessments now for departments without one (the server does this on the month's first working day)");
        open.SetAction((parse, ct) => Cli.RunAsync(parse, async (services, text, token) =>
            AnsiConsole.MarkupLine(Markup.Escape(text["Assessment.Opened", await services.GetRequiredService<RiskAssessmentService>().OpenMonthAsync(token)])), ct, requireAdministrator: false, allowedRoles: [Roles.ComplianceOfficer]));

        // Publishing is a compliance officer's act in person (the page or the API), not the command line's.
        var show = new Command("show", "Print the current template (the built-in one until a compliance officer publishes a version on /assessments)");
        show.SetAction((parse, ct) => Cli.RunAsync(parse, async (services, text, token) =>
            Console.WriteLine((await services.GetRequiredService<RiskAssessmentService>().TemplateAsync(token)).Content), ct, requireAdministrator: false, allowedRoles: Readers));

        return new Command("assessment", "Monthly departmental risk assessments (AUD-3)") { list, open, new Command("template", "The assessment template") { show } };
    }

    /// <summary><c>custos inspection list</c>: the inspection plan of a cycle (AUD-4).</summary>
    public static Command Inspection()
    {
        var cycle = new Option<string?>("--cycle") { Description = "Only this cycle (yyyy-MM, its first month)" };
        var list = new Command("list", "Inspections: project, planned day, inspector, status, failed lines, major hidden dangers") { cycle };
        list.SetAction((parse, ct) => Cli.RunAsync(parse, async (services, text, token) =>
        {
            var table = new Table().AddColumn(text["Inspection.Number"]).AddColumn(text["Inspection.Project"]).AddColumn(text["Inspection.PlannedOn"])
                .AddColumn(text["Inspection.Inspector"]).AddColumn(text["Inspection.Status"]).AddColumn(text["Inspection.Failed"]).AddColumn(text["Inspection.Major"]);
            foreach (var i in await services.GetRequiredService<InspectionService>().ListAsync(parse.GetValue(cycle), token))
            {
                table.AddRow(i.Number, Markup.Escape(i.Project), i.PlannedOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + (i.Overdue ? " " + text["Assessment.Overdue"] : ""),
                    Markup.Escape(i.Inspector ?? ""), text["InspectionStatus." + i.Status], i.Failed.ToString(CultureInfo.InvariantCulture), i.MajorFindings.ToString(CultureInfo.InvariantCulture));
            }

            Cli.Write(table);
        }, ct, requireAdministrator: false, allowedRoles: [Roles.ComplianceOfficer, Roles.Auditor, Roles.GeneralManager, Roles.DepartmentHead, Roles.ProjectManager]));
        return new Command("inspection", "Compliance inspections every two months (AUD-4)") { list };
    }
}
