using System.CommandLine;
using System.Globalization;
using Custos.Features.People;
using Custos.Hosting;
using Custos.Kernel.Policy;
using Custos.Web;
using Microsoft.Extensions.Localization;
using Spectre.Console;

namespace Custos.Features.Access;

/// <summary><c>custos grant list|revoke</c> and <c>custos request list</c>: grants and requests from a terminal, as the person named by <c>--as</c>.</summary>
internal static class AccessCommands
{
    public static Command Grants()
    {
        var all = new Option<bool>("--all") { Description = "Everyone's grants (administrators, compliance officer, auditors)" };
        var ended = new Option<bool>("--ended") { Description = "Include expired and revoked grants" };
        var list = new Command("list", "List grants") { all, ended };
        list.SetAction((parse, ct) => Cli.RunAsync(parse, async (services, text, token) =>
        {
            var table = new Table().AddColumn("ID").AddColumn(text["Label.Person"]).AddColumn(text["Label.Target"]).AddColumn(text["Label.Actions"]).AddColumn(text["Label.Expires"]).AddColumn(text["Label.Status"]);
            foreach (var g in await services.GetRequiredService<GrantService>().ListAsync(parse.GetValue(all), parse.GetValue(ended), token))
            {
                table.AddRow(
                    g.Id.ToString(), Markup.Escape(g.Person), Markup.Escape(g.Customer?.ToString() ?? g.Department ?? "") + (g.Field is null ? "" : " · " + Markup.Escape(g.Field)),
                    Markup.Escape(g.Actions + (g.ViewOnly ? " (" + text["Grant.ViewOnly"] + ")" : "")), g.NotAfter.ToString("u", CultureInfo.InvariantCulture),
                    Markup.Escape(text[g.Active ? "Grant.Active" : g.RevokedAt is not null ? "Grant.Revoked" : "Grant.Ended"]));
            }

            Cli.Write(table);
        }, ct, requireAdministrator: false));

        var id = new Argument<Guid>("id") { Description = "Grant id" };
        var reason = new Option<string?>("--reason") { Description = "Why" };
        var revoke = new Command("revoke", "End a grant now; it stops working on the next request on every node") { id, reason };
        revoke.SetAction((parse, ct) => Cli.RunAsync(parse, async (services, text, token) =>
        {
            await services.GetRequiredService<GrantService>().RevokeAsync(parse.GetValue(id), parse.GetValue(reason), token);
            AnsiConsole.MarkupLine(Markup.Escape(text["Cli.GrantRevoked", parse.GetValue(id)]));
        }, ct, requireAdministrator: false));

        return new Command("grant", "Time-limited grants from approved requests") { list, revoke };
    }

    /// <summary><c>custos request list|approve|reject</c>: one's requests, or those waiting for one's approval, from a terminal.</summary>
    public static Command Requests()
    {
        var waiting = new Option<bool>("--to-approve") { Description = "Requests waiting for your approval (instead of your own)" };
        var list = new Command("list", "Your requests, or with --to-approve those you may approve now") { waiting };
        list.SetAction((parse, ct) => Cli.RunAsync(parse, async (services, text, token) =>
        {
            var service = services.GetRequiredService<RequestService>();
            var items = parse.GetValue(waiting) ? await service.ToApproveAsync(token) : await service.MineAsync(token);
            var table = new Table().AddColumn("ID").AddColumn(text["Requests.Kind"]).AddColumn(text["Label.Status"]).AddColumn(text["Requests.Requester"])
                .AddColumn(text["Label.Target"]).AddColumn(text["Requests.Reason"]).AddColumn(text["Requests.Expires"]);
            foreach (var r in items)
            {
                table.AddRow(
                    r.Id.ToString(), Markup.Escape(text["RequestKind." + PolicyFile.KindName(r.Kind)]), Markup.Escape(text["RequestStatus." + r.Status]), Markup.Escape(r.Requester),
                    Markup.Escape(r.Customer?.ToString() ?? r.Department ?? r.Role ?? "") + (r.Field is null ? "" : " · " + Markup.Escape(r.Field)),
                    Markup.Escape(r.Reason), r.ExpiresAt.ToString("u", CultureInfo.InvariantCulture));
            }

            Cli.Write(table);
        }, ct, requireAdministrator: false));

        // No approve or reject here: a decision is the approver's own, made signed in on /approvals or with their own token.
        return new Command("request", "Requests for access, reveals, prints, exports and more (approved on /approvals, never from the command line)")
        {
            list,
        };
    }
}
