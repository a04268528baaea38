using System.CommandLine;
using System.Globalization;
using Custos.Features.Classification;
using Custos.Features.People;
using Custos.Hosting;
using Spectre.Console;

namespace Custos.Features.Inventory;

/// <summary>The departments' customer-information inventories 客户信息清单 (CLS-5).</summary>
internal sealed class InventoryFeature : Feature
{
    public override void AddServices(IServiceCollection services, CustosSettings settings) => services.AddScoped<InventoryService>();

    public override void MapApi(RouteGroupBuilder api) => InventoryApi.Map(api);

    /// <summary>For the departments' people and those who oversee them; not for partners' users, who belong to no department.</summary>
    public override IEnumerable<NavigationItem> Navigation() =>
        [new("/inventory", "Nav.Inventory", [Roles.Staff, Roles.InformationOfficer, Roles.DepartmentHead, Roles.ProjectManager, Roles.ComplianceOfficer, Roles.GeneralManager])];

    /// <summary><c>custos inventory show --department CODE</c>: the department's inventory as the acting person may read it.</summary>
    public override IEnumerable<Command> Commands()
    {
        var department = new Option<string>("--department") { Description = "The department's code", Required = true };
        var show = new Command("show", "A department's customer-information inventory: data sets, where, owner, grade, retention, counts by field level") { department };
        show.SetAction((parse, ct) => Cli.RunAsync(parse, async (services, text, token) =>
        {
            var view = await services.GetRequiredService<InventoryService>().GetAsync(parse.GetValue(department)!, token);
            var levels = services.GetRequiredService<LevelNames>();
            AnsiConsole.MarkupLine(Markup.Escape($"{view.Department} ({view.Code})"));
            var table = new Table().AddColumn(text["Inventory.DataSet"]).AddColumn(text["Inventory.Source"]).AddColumn(text["Inventory.Location"]).AddColumn(text["Inventory.Owner"])
                .AddColumn(text["Inventory.Grade"]).AddColumn(text["Inventory.Retention"]).AddColumn(text["Inventory.Customers"])
                .AddColumn(levels.Of(Kernel.Classification.Sensitivity.General)).AddColumn(levels.Of(Kernel.Classification.Sensitivity.Sensitive)).AddColumn(levels.Of(Kernel.Classification.Sensitivity.Core));
            static string N(long? n) => n?.ToString(CultureInfo.InvariantCulture) ?? "—";
            foreach (var l in view.Lines)
            {
                table.AddRow(Markup.Escape(InventoryService.LineName(text, l)), Markup.Escape(text["InventorySource." + l.Source]), Markup.Escape(InventoryService.LineLocation(text, l)),
                    Markup.Escape(l.Owner ?? ""), l.Grade is { } g ? Markup.Escape(text["Clearance." + g]) : "—", Markup.Escape(l.Retention ?? ""), N(l.Customers),
                    N(l.Values?.General), N(l.Values?.Sensitive), N(l.Values?.Core));
            }

            Cli.Write(table);
            AnsiConsole.MarkupLine(Markup.Escape($"{text["Inventory.Total"]}: {view.Customers.ToString(CultureInfo.InvariantCulture)}"));
            AnsiConsole.MarkupLine(Markup.Escape(view.ReviewedBy is null
                ? text["Inventory.NotReviewed"]
                : text["Inventory.ReviewedLine", view.ReviewedBy, view.ReviewedAt?.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC", view.ReviewedPeriod ?? ""]));
        }, ct, requireAdministrator: false, allowedRoles: [.. Roles.All.Where(r => r != Roles.Partner)]));
        return [new Command("inventory", "The departments' customer-information inventories (CLS-5)") { show }];
    }
}
