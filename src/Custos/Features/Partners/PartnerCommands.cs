using System.CommandLine;
using System.Globalization;
using Custos.Features.People;
using Custos.Hosting;
using Spectre.Console;

namespace Custos.Features.Partners;

/// <summary><c>custos partners list</c>: the partner register and whose agreement is in force, as the person named by <c>--as</c>.</summary>
internal static class PartnerCommands
{
    public static Command Partners()
    {
        var list = new Command("list", "Partners, their agreement in force and when it ends");
        list.SetAction((parse, ct) => Cli.RunAsync(parse, async (services, text, token) =>
        {
            var table = new Table().AddColumn(text["Partner.Field.name"]).AddColumn(text["Partner.Field.creditCode"]).AddColumn(text["Partner.Agreement"])
                .AddColumn(text["Partner.EndsOn"]).AddColumn(text["Partner.Users"]);
            foreach (var p in await services.GetRequiredService<PartnerService>().ListAsync(token))
            {
                table.AddRow(Markup.Escape(p.Name), p.CreditCode, Markup.Escape(p.InForce?.Reference ?? text["Partner.NoAgreement"]),
                    p.EndsOn?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "", p.Users.Count.ToString(CultureInfo.InvariantCulture));
            }

            Cli.Write(table);
        }, ct, requireAdministrator: false, allowedRoles: [Roles.ComplianceOfficer, Roles.Auditor, Roles.GeneralManager]));

        return new Command("partners", "The partner register") { list };
    }
}
