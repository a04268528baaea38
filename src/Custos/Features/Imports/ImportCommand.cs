using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Custos.Features.People;
using Custos.Hosting;
using Custos.Web;
using Microsoft.Extensions.Localization;
using Spectre.Console;

namespace Custos.Features.Imports;

/// <summary><c>custos import FILE.csv|FILE.xlsx</c>: suggested or given column mapping, full validation, then all rows or none.</summary>
internal static class ImportCommand
{
    public static Command Create()
    {
        var file = new Argument<FileInfo>("file") { Description = "CSV (UTF-8 or GBK) or XLSX file with a header row" };
        var department = new Option<string?>("--department") { Description = "Department code (default: the acting person's department)" };
        var project = new Option<string?>("--project") { Description = "Project code within the department" };
        var grade = new Option<Clearance>("--grade") { Description = "Secrecy grade of the imported customers", DefaultValueFactory = _ => Clearance.Secret };
        var source = new Option<string>("--source") { Description = "Where the data came from (collection record, SEC-3)", Required = true };
        var purpose = new Option<string>("--purpose") { Description = "Why it is collected", Required = true };
        var legalBasis = new Option<string>("--legal-basis") { Description = "Legal basis, e.g. consent or contract", Required = true };
        var consent = new Option<string?>("--consent") { Description = "Reference of the consent records" };
        var thirdParty = new Option<string?>("--third-party") { Description = "The list was received from this third party (EXP-3): its customers are view-only, the list is destroyed once verified" };
        var owner = new Option<string?>("--owner") { Description = "User name of the one person who keeps the list (a member of the department; default: the acting person)" };
        var yes = new Option<bool>("--yes") { Description = "Accept the suggested column mapping without asking" };
        var mappingFile = new Option<FileInfo?>("--mapping") { Description = "JSON object mapping column headers (or 1-based numbers) to fields" };
        var encoding = new Option<string?>("--encoding") { Description = "A CSV file's encoding when the guess is wrong: " + string.Join(", ", ImportEncodings.Names) + " (gbk is read as gb18030)" };
        var command = new Command("import", "Import customers from a CSV or XLSX file, all rows or none")
        {
            file, department, project, grade, source, purpose, legalBasis, consent, thirdParty, owner, yes, mappingFile, encoding,
        };
        command.SetAction((parse, ct) => Cli.RunAsync(parse, async (services, text, token) =>
        {
            var path = parse.GetValue(file)!;
            if (!path.Exists)
            {
                throw CustosException.Invalid("ImportFileMissing", path.FullName);
            }

            // Decided before the file is read: whoever may not import never sees a preview of it.
            var imports = services.GetRequiredService<ImportService>();
            await imports.CheckMayImportAsync(token);
            if (!Enum.IsDefined(parse.GetValue(grade)))
            {
                throw CustosException.Invalid("InvalidEnum", "--grade");
            }

            Stream Open() => new FileStream(path.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, 65536, FileOptions.SequentialScan);
            var preview = ImportService.Preview(Open, path.Name, services.GetRequiredService<Kernel.Classification.FieldCatalogue>(), parse.GetValue(encoding));
            var mapping = parse.GetValue(mappingFile) is { } given
                ? ColumnMapping.Resolve(preview.Headers, JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(given.FullName)) ?? [])
                : new Dictionary<int, string>(preview.Suggested);

            var table = new Table().AddColumn(text["Import.Column"]).AddColumn(text["Import.Sample"]).AddColumn(text["Label.Field"]);
            for (var i = 0; i < preview.Headers.Count; i++)
            {
                table.AddRow(Markup.Escape(preview.Headers[i]), Markup.Escape(preview.SampleOf(i)), Markup.Escape(mapping.TryGetValue(i, out var f) ? text["Field." + f].Value : "—"));
            }

            AnsiConsole.MarkupLine(Markup.Escape(text["Import.Mapping", path.Name, preview.Encoding]));
            if (preview.EncodingGuessed)
            {
                AnsiConsole.MarkupLine(Markup.Escape(text["Import.EncodingGuessedCli", preview.Encoding]));
            }
            Cli.Write(table);
            if (parse.GetValue(mappingFile) is null && !parse.GetValue(yes))
            {
                if (Console.IsInputRedirected || !AnsiConsole.Profile.Capabilities.Interactive)
                {
                    throw CustosException.Invalid("ImportConfirmMapping");
                }

                if (!AnsiConsole.Confirm(Markup.Escape(text["Import.Confirm"]), defaultValue: false))
                {
                    throw CustosException.Invalid("ImportCancelled");
                }
            }

            var options = new ImportOptions(mapping, parse.GetValue(department), parse.GetValue(project), parse.GetValue(grade),
                parse.GetValue(source)!, parse.GetValue(purpose)!, parse.GetValue(legalBasis)!, parse.GetValue(consent),
                preview.Encoding == "xlsx" ? null : preview.Encoding, parse.GetValue(thirdParty), parse.GetValue(owner));
            var outcome = await Cli.WithProgressAsync(text["Import.Progress"], progress => imports.ImportAsync(Open, path.Name, options, progress, token));
            if (outcome.Imported)
            {
                AnsiConsole.MarkupLine(Markup.Escape(text["Import.Done", outcome.Rows, outcome.CollectionId!]));
                return;
            }

            Report(outcome, text);
            throw new Cli.CommandFailedException();
        }, ct, requireAdministrator: false));
        return command;
    }

    private static void Report(ImportOutcome outcome, IStringLocalizer<Strings> text)
    {
        Cli.Error(text["Import.Refused", outcome.ErrorCount, outcome.Rows]);
        var table = new Table().AddColumn(text["Import.Row"]).AddColumn(text["Import.Column"]).AddColumn(text["Import.Problem"]);
        foreach (var e in outcome.Errors.Take(50))
        {
            table.AddRow(e.Row.ToString(CultureInfo.InvariantCulture), Markup.Escape(e.Column), Markup.Escape(ImportMessages.Describe(text, e)));
        }

        Cli.Write(table);
        if (outcome.ErrorCount > 50)
        {
            AnsiConsole.MarkupLine(Markup.Escape(text["Import.MoreErrors", outcome.ErrorCount - 50]));
        }
    }
}

/// <summary>Localised text for an import error.</summary>
public static class ImportMessages
{
    public static string Describe(IStringLocalizer<Strings> text, ImportError error)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(error);
        var field = string.IsNullOrEmpty(error.Field) ? "" : text["Field." + error.Field].Value;
        var parts = error.Code.Split(':', 2);
        return parts[0] switch
        {
            "DuplicateInFile" => text["ImportError.DuplicateInFile", field, parts[1]],
            _ when Enum.TryParse<Kernel.Classification.InvalidReason>(parts[0], out _) => text["Error.InvalidField." + parts[0], field],
            _ => text["ImportError." + parts[0], field],
        };
    }
}
