using System.CommandLine;
using Custos.Hosting;
using Spectre.Console;

namespace Custos.Features.Organisation;

/// <summary><c>custos org department|project add|list</c>.</summary>
internal static class OrganisationCommands
{
    public static Command Create()
    {
        var code = new Argument<string>("code") { Description = "Short code, e.g. SALES" };
        var name = new Argument<string>("name") { Description = "Name, e.g. 销售部" };

        var addDepartment = new Command("add", "Create a department") { code, name };
        addDepartment.SetAction((parse, ct) => Cli.RunAsync(parse, async (services, text, token) =>
        {
            var d = await services.GetRequiredService<OrganisationService>().AddDepartmentAsync(parse.GetValue(code)!, parse.GetValue(name)!, token);
            AnsiConsole.MarkupLine(Markup.Escape(text["Cli.DepartmentCreated", d.Code]));
        }, ct));

        var listDepartments = new Command("list", "List departments");
        listDepartments.SetAction((parse, ct) => Cli.RunAsync(parse, async (services, text, token) =>
        {
            var table = new Table().AddColumn(text["Label.Code"]).AddColumn(text["Label.Name"]).AddColumn(text["Label.People"]).AddColumn(text["Label.Projects"]);
            foreach (var d in await services.GetRequiredService<OrganisationService>().DepartmentsAsync(token))
            {
                table.AddRow(Markup.Escape(d.Code), Markup.Escape(d.Name), d.People.ToString(System.Globalization.CultureInfo.InvariantCulture), d.Projects.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            Cli.Write(table);
        }, ct));

        var department = new Option<string>("--department") { Description = "Code of the department the project belongs to", Required = true };
        var addProject = new Command("add", "Create a project") { code, name, department };
        addProject.SetAction((parse, ct) => Cli.RunAsync(parse, async (services, text, token) =>
        {
            var p = await services.GetRequiredService<OrganisationService>().AddProjectAsync(parse.GetValue(code)!, parse.GetValue(name)!, parse.GetValue(department)!, token);
            AnsiConsole.MarkupLine(Markup.Escape(text["Cli.ProjectCreated", p.Code]));
        }, ct));

        var listProjects = new Command("list", "List projects");
        listProjects.SetAction((parse, ct) => Cli.RunAsync(parse, async (services, text, token) =>
        {
            var table = new Table().AddColumn(text["Label.Code"]).AddColumn(text["Label.Name"]).AddColumn(text["Label.Department"]).AddColumn(text["Label.People"]);
            foreach (var p in await services.GetRequiredService<OrganisationService>().ProjectsAsync(token))
            {
                table.AddRow(Markup.Escape(p.Code), Markup.Escape(p.Name), Markup.Escape(p.DepartmentCode), p.People.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            Cli.Write(table);
        }, ct));

        return new Command("org", "Departments and projects")
        {
            new Command("department", "Departments") { addDepartment, listDepartments },
            new Command("project", "Projects") { addProject, listProjects },
        };
    }
}
