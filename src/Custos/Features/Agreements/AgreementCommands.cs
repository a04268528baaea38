using System.CommandLine;
using System.Globalization;
using Custos.Features.People;
using Custos.Hosting;
using Spectre.Console;

namespace Custos.Features.Agreements;

/// <summary>
/// <c>custos agreements templates|register</c>: the agreement's versions and the NDA register (or its XLSX/PDF file),
/// as the person named by <c>--as</c>. Signing, publishing a version and recording a paper agreement are not here:
/// each is a person's own act, and the command line names a person without their credentials.
/// </summary>
internal static class AgreementCommands
{
    private static readonly string[] Readers = [Roles.ComplianceOfficer, Roles.Auditor, Roles.DepartmentHead];

    public static Command Agreements()
    {
        var templates = new Command("templates", "Every published version of the confidentiality agreement, newest first");
        templates.SetAction((parse, ct) => Cli.RunAsync(parse, async (services, text, token) =>
        {
            var table = new Table().AddColumn(text["Agreement.Col.Version"]).AddColumn(text["Agreement.Title"]).AddColumn(text["Agreement.PublishedAt"])
                .AddColumn(text["Agreement.PublishedBy"]).AddColumn(text["Agreement.Col.SignBy"]).AddColumn("SHA-256");
            foreach (var t in await services.GetRequiredService<AgreementService>().TemplatesAsync(token))
            {
                table.AddRow(t.Version.ToString(CultureInfo.InvariantCulture), Markup.Escape(t.Title), t.PublishedAt.ToString("u", CultureInfo.InvariantCulture),
                    Markup.Escape(t.PublishedBy), t.SignBy?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "", t.BodySha256[..16]);
            }

            Cli.Write(table);
        }, ct, requireAdministrator: false));

        var xlsx = new Option<FileInfo?>("--xlsx") { Description = "Write the register to this XLSX file" };
        var pdf = new Option<FileInfo?>("--pdf") { Description = "Write the register to this PDF file" };
        var register = new Command("register", "The NDA register: everyone's standing and latest signature") { xlsx, pdf };
        register.SetAction((parse, ct) => Cli.RunAsync(parse, async (services, text, token) =>
        {
            var service = services.GetRequiredService<AgreementService>();
            foreach (var (option, format) in new[] { (xlsx, "xlsx"), (pdf, "pdf") })
            {
                if (parse.GetValue(option) is { } target)
                {
                    var exported = await service.ExportRegisterAsync(format, text, token);
                    await File.WriteAllBytesAsync(target.FullName, exported.Content, token);
                    AnsiConsole.MarkupLine(Markup.Escape(text["Register.Exported", target.Name, exported.Content.Length]));
                }
            }

            if (parse.GetValue(xlsx) is not null || parse.GetValue(pdf) is not null)
            {
                return;
            }

            var table = new Table().AddColumn(text["Register.Col.User"]).AddColumn(text["Register.Col.Name"]).AddColumn(text["Label.Department"])
                .AddColumn(text["Agreement.Col.Standing"]).AddColumn(text["Agreement.Col.Version"]).AddColumn(text["Agreement.Col.SignedOn"])
                .AddColumn(text["Agreement.Col.Method"]).AddColumn(text["Agreement.Col.SignBy"]);
            foreach (var r in await service.RegisterAsync(token))
            {
                table.AddRow(Markup.Escape(r.UserName), Markup.Escape(r.Name), Markup.Escape(r.Departments), Markup.Escape(text["Agreement.Standing." + r.Standing]),
                    r.Version?.ToString(CultureInfo.InvariantCulture) ?? "", r.SignedOn?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "",
                    r.Method is { } m ? Markup.Escape(text["Agreement.Method." + m]) : "", r.SignBy?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "");
            }

            Cli.Write(table);
        }, ct, requireAdministrator: false, allowedRoles: Readers));

        return new Command("agreements", "Confidentiality agreements: versions and the register") { templates, register };
    }
}
