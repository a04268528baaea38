using System.CommandLine;
using System.Globalization;
using Custos.Features.People;
using Custos.Hosting;
using Spectre.Console;

namespace Custos.Features.Agreements;

/// <summary>
/// <c>custos agreements templates|publish|paper|register</c>: the agreement's versions, publishing a new one,
/// recording a signed paper agreement and the NDA register (or its XLSX/PDF file), as the person named by
/// <c>--as</c>. Signing is not here: a person signs for themselves, with their own password, in the web.
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

        var file = new Argument<FileInfo>("file") { Description = "The agreement's text (UTF-8 plain text, paragraphs separated by blank lines)" };
        var title = new Option<string>("--title") { Description = "Its title", Required = true };
        var signBy = new Option<DateOnly?>("--sign-by") { Description = "By when people who signed an older version must sign this one (default: in 30 days)" };
        var note = new Option<string?>("--note") { Description = "Why it changes" };
        var publish = new Command("publish", "Publish a new version of the agreement (compliance officer)") { file, title, signBy, note };
        publish.SetAction((parse, ct) => Cli.RunAsync(parse, async (services, text, token) =>
        {
            var body = await File.ReadAllTextAsync(parse.GetValue(file)!.FullName, token);
            var published = await services.GetRequiredService<AgreementService>().PublishAsync(new NewTemplate(parse.GetValue(title), body, parse.GetValue(signBy), parse.GetValue(note)), token);
            AnsiConsole.MarkupLine(Markup.Escape(text["Agreement.Publish.Done", published.Version, published.SignBy?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? ""]));
        }, ct, requireAdministrator: false, allowedRoles: [Roles.ComplianceOfficer]));

        var user = new Argument<string>("user") { Description = "Whose agreement it is (user name)" };
        var version = new Option<int>("--version") { Description = "The version of the text the paper is", Required = true };
        var signedOn = new Option<DateOnly>("--signed-on") { Description = "The date on the paper", Required = true };
        var scan = new Option<FileInfo>("--scan") { Description = "The scan (PDF, PNG or JPEG)", Required = true };
        var paper = new Command("paper", "Record a signed paper agreement with its scan (compliance officer)") { user, version, signedOn, scan, note };
        paper.SetAction((parse, ct) => Cli.RunAsync(parse, async (services, text, token) =>
        {
            var path = parse.GetValue(scan)!;
            if (path.Exists && path.Length > AgreementService.MaxScanBytes)
            {
                throw CustosException.Invalid("AgreementScanTooLarge", AgreementService.MaxScanBytes / (1024 * 1024));
            }

            var bytes = await File.ReadAllBytesAsync(path.FullName, token);
            var signed = await services.GetRequiredService<AgreementService>().RecordPaperAsync(
                new PaperAgreement(parse.GetValue(user), parse.GetValue(version), parse.GetValue(signedOn), bytes, parse.GetValue(note)), token);
            AnsiConsole.MarkupLine(Markup.Escape(text["Agreement.Paper.Done", signed.Person, signed.Version]));
        }, ct, requireAdministrator: false, allowedRoles: [Roles.ComplianceOfficer]));

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
                    AnsiConsole.MarkupLine(Markup.Escape(text["Agreement.Exported", target.Name, exported.Content.Length]));
                }
            }

            if (parse.GetValue(xlsx) is not null || parse.GetValue(pdf) is not null)
            {
                return;
            }

            var table = new Table().AddColumn(text["Agreement.Col.User"]).AddColumn(text["Agreement.Col.Name"]).AddColumn(text["Label.Department"])
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

        return new Command("agreements", "Confidentiality agreements: versions, paper records, the register") { templates, publish, paper, register };
    }
}
