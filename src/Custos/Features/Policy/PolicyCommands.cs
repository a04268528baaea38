using System.CommandLine;
using System.Globalization;
using Custos.Features.Access;
using Custos.Features.People;
using Custos.Hosting;
using Custos.Kernel.Policy;
using Custos.Web;
using Microsoft.Extensions.Localization;
using Spectre.Console;

namespace Custos.Features.Policy;

/// <summary><c>custos policy show|history|load|check|test</c> and <c>custos grant list|revoke</c>.</summary>
internal static class PolicyCommands
{
    /// <summary>Who may read and explain the policy from the command line; loading one is for IT administrators.</summary>
    private static readonly string[] Readers = [Roles.ItAdministrator, Roles.Auditor, Roles.ComplianceOfficer];

    public static Command Create()
    {
        var versionOption = new Option<int?>("--version") { Description = "A version from the history (default: the one in force)" };
        var show = new Command("show", "Print the policy in force (YAML)") { versionOption };
        show.SetAction((parse, ct) => Cli.RunAsync(parse, async (services, text, token) =>
        {
            var service = services.GetRequiredService<PolicyService>();
            var body = parse.GetValue(versionOption) is { } v
                ? await service.TextAsync(v, token) ?? throw CustosException.NotFound("PolicyVersionNotFound", v)
                : (await service.CurrentAsync(token)).Text;
            Console.Write(body);
        }, ct, allowedRoles: Readers));

        var history = new Command("history", "Every policy version loaded, newest first");
        history.SetAction((parse, ct) => Cli.RunAsync(parse, async (services, text, token) =>
        {
            var table = new Table().AddColumn(text["Label.Version"]).AddColumn(text["Label.LoadedBy"]).AddColumn(text["Label.Time"]).AddColumn("SHA-256").AddColumn(text["Label.Note"]);
            foreach (var v in await services.GetRequiredService<PolicyService>().HistoryAsync(token))
            {
                table.AddRow(
                    v.Version.ToString(CultureInfo.InvariantCulture), Markup.Escape(v.BuiltIn ? text["Policy.BuiltIn"] : v.LoadedBy),
                    v.LoadedAt?.ToString("u", CultureInfo.InvariantCulture) ?? "", v.Sha256[..16], Markup.Escape(v.Note ?? ""));
            }

            Cli.Write(table);
        }, ct, allowedRoles: Readers));

        var file = new Argument<FileInfo>("file") { Description = "A policy file (YAML)" };
        var note = new Option<string?>("--note") { Description = "Why the policy changes (kept with the version)" };
        var load = new Command("load", "Validate a policy file and file it for approval (policy-change); every problem is reported with its line") { file, note };
        load.SetAction((parse, ct) => Cli.RunAsync(parse, async (services, text, token) =>
        {
            var body = await ReadAsync(parse.GetValue(file)!, token);
            var request = await Report(text, () => services.GetRequiredService<Access.RequestService>().SubmitPolicyAsync(body, parse.GetValue(note), token));
            AnsiConsole.MarkupLine(Markup.Escape(text["Cli.PolicyFiled", request.Id, PolicyService.Sha256(body)]));
        }, ct, allowedRoles: Readers));

        var user = new Option<string>("--user") { Description = "User name", Required = true };
        var action = new Option<string>("--action") { Description = "list, view-masked, reveal, edit, create, import, export, print, share-external, destroy, approve, administer, audit", Required = true };
        var customer = new Option<Guid?>("--customer") { Description = "Customer id" };
        var department = new Option<string?>("--department") { Description = "Department code (instead of a customer)" };
        var field = new Option<string?>("--field") { Description = "Field, for reveal" };
        var from = new Option<string?>("--from") { Description = "Client address (default: inside the server)" };
        var at = new Option<DateTimeOffset?>("--at") { Description = "Time (default: now)" };
        var check = new Command("check", "Explain what the policy decides for a person, an action and a customer") { user, action, customer, department, field, from, at };
        check.SetAction((parse, ct) => Cli.RunAsync(parse, async (services, text, token) =>
        {
            var e = await services.GetRequiredService<PolicyService>().ExplainAsync(
                parse.GetValue(user)!, parse.GetValue(action)!, parse.GetValue(customer), parse.GetValue(department), parse.GetValue(field), parse.GetValue(from), parse.GetValue(at), token);
            AnsiConsole.MarkupLine((e.Allowed ? "[green]" : "[red]") + Markup.Escape(text[e.Allowed ? "Policy.Allowed" : "Policy.Denied"]) + "[/] " + Markup.Escape(text["Decision." + e.Reason]));
            if (e.Role is not null)
            {
                AnsiConsole.MarkupLine(Markup.Escape(text["Policy.ByRole", text["Role." + e.Role]]));
            }

            if (e.Grant is not null)
            {
                AnsiConsole.MarkupLine(Markup.Escape(text["Policy.ByGrant", e.Grant]));
            }

            if (e.Obligations.Length > 0)
            {
                AnsiConsole.MarkupLine(Markup.Escape(text["Policy.Obligations", e.Obligations]));
            }

            if (e.Remedy is not null)
            {
                AnsiConsole.MarkupLine(Markup.Escape(text["Policy.Remedy", text["RequestKind." + e.Remedy]]));
            }

            AnsiConsole.MarkupLine(Markup.Escape(text["Policy.Version", e.PolicyVersion]));
        }, ct, allowedRoles: Readers));

        var cases = new Argument<FileInfo>("file") { Description = "A table of expected decisions (YAML: cases: [{user, action, customer|department, field, from, at, expect: allow|deny, reason}])" };
        var candidate = new Option<FileInfo?>("--policy") { Description = "Test this policy file instead of the one in force" };
        var test = new Command("test", "Run a table of expected decisions; exit code 1 when any differs") { cases, candidate };
        test.SetAction((parse, ct) => Cli.RunAsync(parse, async (services, text, token) =>
        {
            var body = await ReadAsync(parse.GetValue(cases)!, token);
            var policyText = parse.GetValue(candidate) is { } c ? await ReadAsync(c, token) : null;
            var results = await Report(text, () => services.GetRequiredService<PolicyService>().TestAsync(body, policyText, token));
            var table = new Table().AddColumn(text["Label.Line"]).AddColumn(text["Label.UserName"]).AddColumn(text["Label.Action"]).AddColumn(text["Policy.Expected"]).AddColumn(text["Policy.Actual"]).AddColumn("");
            foreach (var r in results)
            {
                table.AddRow(r.Line.ToString(CultureInfo.InvariantCulture), Markup.Escape(r.User), Markup.Escape(r.Action), Markup.Escape(r.Expected), Markup.Escape(r.Actual), r.Passed ? "[green]✓[/]" : "[red]✗[/]");
            }

            Cli.Write(table);
            var failed = results.Count(r => !r.Passed);
            AnsiConsole.MarkupLine(Markup.Escape(text["Cli.PolicyTested", results.Count, failed]));
            if (failed > 0)
            {
                throw new Cli.CommandFailedException();
            }
        }, ct, allowedRoles: Readers));

        return new Command("policy", "The access policy: show, history, load, check a decision, test a table of decisions") { show, history, load, check, test };
    }

    private static async Task<string> ReadAsync(FileInfo file, CancellationToken ct)
    {
        if (!file.Exists)
        {
            throw CustosException.Invalid("FileNotFound", file.Name);
        }

        if (file.Length > PolicyFile.MaxBytes)
        {
            throw CustosException.Invalid("PolicyTooLarge", PolicyFile.MaxBytes);
        }

        return await File.ReadAllTextAsync(file.FullName, ct);
    }

    /// <summary>Runs the call; a refused policy file is printed problem by problem, with its line and column.</summary>
    private static async Task<T> Report<T>(IStringLocalizer<Strings> text, Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (PolicyInvalidException e)
        {
            Cli.Error(text["Error.PolicyInvalid", e.Errors.Count]);
            foreach (var error in e.Errors)
            {
                Cli.Error(text["Policy.ErrorAt", error.Line, error.Column, text["PolicyError." + error.Code, error.Detail]]);
            }

            throw new Cli.CommandFailedException();
        }
    }
}
