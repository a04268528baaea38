using System.CommandLine;
using System.Globalization;
using Custos.Features.People;
using Custos.Hosting;
using Spectre.Console;

namespace Custos.Features.Customers;

/// <summary><c>custos customer stale</c> and <c>custos customer reviewed</c>: accuracy reviews from the command line (SEC-4).</summary>
internal static class AccuracyCommands
{
    /// <summary>Who works with customers; the policy still decides each customer.</summary>
    private static readonly string[] CustomerRoles =
        [Roles.Staff, Roles.InformationOfficer, Roles.DepartmentHead, Roles.ProjectManager, Roles.ComplianceOfficer, Roles.GeneralManager];

    public static Command Create()
    {
        var department = new Option<string?>("--department") { Description = "Only this department (its code)" };
        var cursor = new Option<string?>("--cursor") { Description = "Go on from where the previous page ended (printed under it)" };
        var size = new Option<int>("--page-size") { Description = "Customers per page (at most 200)", DefaultValueFactory = _ => 50 };
        var stale = new Command("stale", "Customers due for an accuracy review in the acting person's scope, oldest first (SEC-4)") { department, cursor, size };
        stale.SetAction((parse, ct) => Cli.RunAsync(parse, async (services, text, token) =>
        {
            var page = await services.GetRequiredService<AccuracyService>().StaleAsync(parse.GetValue(department), parse.GetValue(cursor), parse.GetValue(size), token);
            var table = new Table().AddColumn(text["Accuracy.Customer"]).AddColumn(text["Label.Name"]).AddColumn(text["Label.Department"])
                .AddColumn(text["Accuracy.AccurateAsOf"]).AddColumn(text["Accuracy.LastReview"]);
            foreach (var row in page.Items)
            {
                table.AddRow(row.Id.ToString(), Markup.Escape(row.Name), Markup.Escape(row.Department), row.AccurateAsOf.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                    row.LastOutcome is { } outcome ? text["ReviewOutcome." + outcome] : text["Accuracy.NeverReviewed"]);
            }

            Cli.Write(table);
            if (page.Next is { } next)
            {
                AnsiConsole.MarkupLine(Markup.Escape(text["Accuracy.NextPage", next]));
            }
        }, ct, requireAdministrator: false, allowedRoles: CustomerRoles));

        var id = new Argument<Guid>("customer") { Description = "The customer's id" };
        var outcome = new Option<ReviewOutcome>("--outcome") { Description = "Confirmed, Corrected or Unreachable", Required = true };
        var reviewed = new Command("reviewed", "Record that a customer's record was reviewed (SEC-4)") { id, outcome };
        reviewed.SetAction((parse, ct) => Cli.RunAsync(parse, async (services, text, token) =>
        {
            var review = await services.GetRequiredService<AccuracyService>().ReviewAsync(parse.GetValue(id), parse.GetValue(outcome), token);
            AnsiConsole.MarkupLine(Markup.Escape(text["Accuracy.Reviewed", text["ReviewOutcome." + review.Outcome]]));
        }, ct, requireAdministrator: false, allowedRoles: CustomerRoles));

        return new Command("customer", "Customer records: accuracy reviews") { stale, reviewed };
    }
}
