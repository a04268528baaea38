using Custos.Features.People;
using Spectre.Console;
using Custos.Hosting;
using Custos.Web;
using Microsoft.Extensions.Localization;

namespace Custos.Features.Accountability;

/// <summary>Rewards and penalties' entry point (INC-5).</summary>
internal sealed class AccountabilityFeature : Feature
{
    public sealed record DecisionRequest(bool Approve, string? Note = null, Guid? Stamp = null);

    public sealed record ClaimRequest(string? Receipt = null, string? ClaimCode = null);

    public override void AddServices(IServiceCollection services, CustosSettings settings)
    {
        var accountability = settings.SectionOf<AccountabilitySettings>("Accountability");
        accountability.Validate();
        services.AddSingleton(accountability);
        services.AddScoped<AccountabilityService>();
    }

    public override void MapApi(RouteGroupBuilder api)
    {
        var group = api.MapGroup("/accountability").WithTags("Rewards and penalties").WithMetadata(new GateAttribute(Gate.RoleChecked));

        group.MapGet("/", async (EntryStatus? status, AccountabilityService service, CancellationToken ct) => TypedResults.Ok(await service.ListAsync(status, ct)))
            .WithName("ListAccountability").WithSummary("The register of rewards and penalties as the caller may see it");

        group.MapPost("/", async (NewEntry request, AccountabilityService service, CancellationToken ct) =>
            {
                var entry = await service.ProposeAsync(request, ct);
                return TypedResults.Created($"/api/v1/accountability/{entry.Id}", entry);
            })
            .WithName("ProposeAccountability").WithSummary("Propose a reward or penalty for a person (user name) or an anonymous report's reporter (whistleReport)")
            .ProducesProblem(400).ProducesProblem(403).ProducesProblem(404);

        group.MapPost("/{id:guid}/decision", async (Guid id, DecisionRequest request, AccountabilityService service, CancellationToken ct) =>
                TypedResults.Ok(await service.DecideAsync(id, request.Approve, request.Note, request.Stamp, ct)))
            .WithName("DecideAccountability").WithSummary("The general manager approves or rejects (with a reason)").ProducesProblem(400).ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);

        group.MapPost("/claims", async (ClaimRequest request, AccountabilityService service, CancellationToken ct) =>
                TypedResults.Ok(new { amount = await service.ClaimAsync(request.Receipt, request.ClaimCode, ct) }))
            .WithName("PayAnonymousReward").WithSummary("Pay an anonymous reporter's reward against the receipt code and the claim code (compliance officers)")
            .ProducesProblem(400).ProducesProblem(403);

        group.MapGet("/register.{format}", async (string format, DateOnly from, DateOnly to, AccountabilityService service, IStringLocalizer<Strings> text, CancellationToken ct) =>
            {
                var (content, type, name) = await service.ExportAsync(from, to, format, text, ct);
                return TypedResults.File(content, type, name);
            })
            .WithName("ExportAccountability").WithSummary("Approved rewards and penalties decided in a period, for performance reviews (xlsx or pdf)").ProducesProblem(400);
    }

    /// <summary><c>custos accountability list</c>: the register as the acting person may see it.</summary>
    public override IEnumerable<System.CommandLine.Command> Commands()
    {
        var list = new System.CommandLine.Command("list", "Rewards and penalties: number, person, what, amount, status");
        list.SetAction((parse, ct) => Cli.RunAsync(parse, async (services, text, token) =>
        {
            var table = new Spectre.Console.Table().AddColumn(text["Accountability.Number"]).AddColumn(text["Accountability.Person"]).AddColumn(text["Accountability.Type"])
                .AddColumn(text["Accountability.Amount"]).AddColumn(text["Accountability.Status"]);
            foreach (var e in await services.GetRequiredService<AccountabilityService>().ListAsync(null, token))
            {
                table.AddRow(e.Number, Spectre.Console.Markup.Escape(e.Anonymous ? text["Accountability.AnonymousReporter"] : e.Person ?? ""), text["EntryType." + e.Type],
                    e.Amount?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "", text["EntryStatus." + e.Status]);
            }

            Cli.Write(table);
        }, ct, requireAdministrator: false, allowedRoles: [Roles.ComplianceOfficer, Roles.GeneralManager, Roles.Auditor, Roles.DepartmentHead]));
        return [new System.CommandLine.Command("accountability", "Rewards and penalties (INC-5)") { list }];
    }

    public override IEnumerable<NavigationItem> Navigation() =>
        [new("/accountability", "Nav.Accountability", [Roles.ComplianceOfficer, Roles.GeneralManager, Roles.Auditor, Roles.DepartmentHead, Roles.CommitteeMember])];
}
