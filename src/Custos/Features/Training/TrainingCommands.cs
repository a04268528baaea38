using System.CommandLine;
using System.Globalization;
using Custos.Features.People;
using Custos.Hosting;
using Spectre.Console;

namespace Custos.Features.Training;

/// <summary>
/// <c>custos training courses|results</c>: the courses and the results for performance reviews (or their XLSX/PDF
/// file), as the person named by <c>--as</c>. Exams are sat and question banks kept in the web, by the people
/// themselves (the command line names a person without their credentials).
/// </summary>
internal static class TrainingCommands
{
    private static readonly string[] Readers = [Roles.ComplianceOfficer, Roles.Auditor, Roles.DepartmentHead];


    public static Command Training()
    {
        var courses = new Command("courses", "The courses and the acting person's standing in each");
        courses.SetAction((parse, ct) => Cli.RunAsync(parse, async (services, text, token) =>
        {
            var table = new Table().AddColumn(text["Training.Col.Code"]).AddColumn(text["Training.Col.Course"]).AddColumn(text["Training.Col.Questions"])
                .AddColumn(text["Training.Col.PassMark"]).AddColumn(text["Training.Col.TimeLimit"]).AddColumn(text["Training.Col.Validity"]);
            foreach (var c in await services.GetRequiredService<TrainingService>().CoursesAsync(token))
            {
                table.AddRow(Markup.Escape(c.Code), Markup.Escape(c.Title), c.Questions.ToString(CultureInfo.InvariantCulture), c.PassMark + "%",
                    c.TimeLimitMinutes.ToString(CultureInfo.InvariantCulture), c.ValidityDays.ToString(CultureInfo.InvariantCulture));
            }

            Cli.Write(table);
        }, ct, requireAdministrator: false));

        var xlsx = new Option<FileInfo?>("--xlsx") { Description = "Write the results to this XLSX file" };
        var pdf = new Option<FileInfo?>("--pdf") { Description = "Write the results to this PDF file" };
        var results = new Command("results", "Training results per person and required course, for performance reviews") { xlsx, pdf };
        results.SetAction((parse, ct) => Cli.RunAsync(parse, async (services, text, token) =>
        {
            var service = services.GetRequiredService<TrainingService>();
            var wrote = false;
            foreach (var (option, format) in new[] { (xlsx, "xlsx"), (pdf, "pdf") })
            {
                if (parse.GetValue(option) is { } target)
                {
                    var exported = await service.ExportResultsAsync(format, text, token);
                    await File.WriteAllBytesAsync(target.FullName, exported.Content, token);
                    AnsiConsole.MarkupLine(Markup.Escape(text["Register.Exported", target.Name, exported.Content.Length]));
                    wrote = true;
                }
            }

            if (wrote)
            {
                return;
            }

            var table = new Table().AddColumn(text["Register.Col.User"]).AddColumn(text["Register.Col.Name"]).AddColumn(text["Label.Department"])
                .AddColumn(text["Training.Col.Course"]).AddColumn(text["Training.Col.Attempts"]).AddColumn(text["Training.Col.Best"])
                .AddColumn(text["Training.Col.ValidUntil"]).AddColumn(text["Training.Col.Standing"]);
            foreach (var r in await service.ResultsAsync(token))
            {
                table.AddRow(Markup.Escape(r.UserName), Markup.Escape(r.Name), Markup.Escape(r.Departments), Markup.Escape(r.Course),
                    r.Attempts.ToString(CultureInfo.InvariantCulture), r.BestScore?.ToString(CultureInfo.InvariantCulture) ?? "",
                    r.ValidUntil?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "", Markup.Escape(text["Training.Standing." + r.Standing]));
            }

            Cli.Write(table);
        }, ct, requireAdministrator: false, allowedRoles: Readers));

        return new Command("training", "Confidentiality training: courses and results") { courses, results };
    }
}
