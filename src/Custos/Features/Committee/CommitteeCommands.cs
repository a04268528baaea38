using System.CommandLine;
using System.Globalization;
using Custos.Hosting;
using Spectre.Console;

namespace Custos.Features.Committee;

/// <summary><c>custos committee list</c>: the confidentiality committee, with terms and whether each member may decide yet.</summary>
internal static class CommitteeCommands
{
    public static Command Committee()
    {
        var ended = new Option<bool>("--ended") { Description = "Include seats that have ended" };
        var list = new Command("list", "Members, positions, duties, terms, and whether each may decide yet") { ended };
        list.SetAction((parse, ct) => Cli.RunAsync(parse, async (services, text, token) =>
        {
            var table = new Table().AddColumn(text["Register.Col.Name"]).AddColumn(text["Committee.Position"]).AddColumn(text["Committee.Duties"])
                .AddColumn(text["Committee.Term"]).AddColumn(text["Committee.Decides"]);
            foreach (var s in await services.GetRequiredService<CommitteeService>().ListAsync(parse.GetValue(ended), token))
            {
                table.AddRow(Markup.Escape($"{s.Name} ({s.UserName})" + (s.PolicyOwner ? " · " + text["Committee.PolicyOwner"] : "")), text["Committee.Position." + s.Position],
                    Markup.Escape(s.Duties), $"{Day(s.StartsOn)} — {Day(s.EndsOn)}" + (s.EndedAt is not null ? " ×" : ""), text[s.HoldsRole ? "Committee.Decides.Yes" : "Committee.Decides.Pending"]);
            }

            Cli.Write(table);
        }, ct));
        return new Command("committee", "The confidentiality committee (ORG-1)") { list };
    }

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
