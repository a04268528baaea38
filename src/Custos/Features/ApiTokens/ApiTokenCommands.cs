using System.CommandLine;
using System.Globalization;
using Custos.Hosting;
using Spectre.Console;

namespace Custos.Features.ApiTokens;

/// <summary><c>custos token create|list|revoke</c>.</summary>
internal static class ApiTokenCommands
{
    public static Command Create()
    {
        var name = new Argument<string>("name") { Description = "What the token is for, e.g. 'monitoring'" };
        var scopes = new Option<string[]>("--scope") { Description = "Role(s) the token acts with: roles the acting person (--as) holds, or metrics for an IT administrator", AllowMultipleArgumentsPerToken = true, Required = true };
        var days = new Option<int>("--days") { Description = "Lifetime in days", DefaultValueFactory = _ => 90 };
        var create = new Command("create", "Create an API token for the acting person (--as); its secret is printed once") { name, scopes, days };
        create.SetAction((parse, ct) => Cli.RunAsync(parse, async (services, text, token) =>
        {
            var (created, secret) = await services.GetRequiredService<ApiTokenService>().CreateAsync(parse.GetValue(name)!, parse.GetValue(scopes)!, parse.GetValue(days), token);
            AnsiConsole.MarkupLine(Markup.Escape(text["Cli.TokenCreated", created.Name, created.Id, created.ExpiresAt.ToString("u", CultureInfo.InvariantCulture)]));
            Console.WriteLine(secret);
        }, ct, requireAdministrator: false));

        var all = new Option<bool>("--all") { Description = "Every person's tokens (IT administrators)" };
        var list = new Command("list", "List the acting person's API tokens, or with --all everyone's") { all };
        list.SetAction((parse, ct) => Cli.RunAsync(parse, async (services, text, token) =>
        {
            var table = new Table().AddColumn("ID").AddColumn(text["Label.Name"]).AddColumn(text["Token.Person"]).AddColumn(text["Label.Scopes"]).AddColumn(text["Label.Expires"]).AddColumn(text["Label.Status"]);
            foreach (var t in await services.GetRequiredService<ApiTokenService>().ListAsync(token, parse.GetValue(all)))
            {
                table.AddRow(
                    t.Id.ToString(), Markup.Escape(t.Name), Markup.Escape(t.Person), Markup.Escape(string.Join(' ', t.Scopes)),
                    t.ExpiresAt.ToString("u", CultureInfo.InvariantCulture),
                    Markup.Escape(t.Active ? text["Token.Active"] : text["Token.Inactive"]));
            }

            Cli.Write(table);
        }, ct, requireAdministrator: false));

        var id = new Argument<Guid>("id") { Description = "Token id" };
        var revoke = new Command("revoke", "Revoke an API token (one's own; IT administrators: any); it stops working at once") { id };
        revoke.SetAction((parse, ct) => Cli.RunAsync(parse, async (services, text, token) =>
        {
            await services.GetRequiredService<ApiTokenService>().RevokeAsync(parse.GetValue(id), token);
            AnsiConsole.MarkupLine(Markup.Escape(text["Cli.TokenRevoked", parse.GetValue(id)]));
        }, ct, requireAdministrator: false));

        return new Command("token", "API tokens for scripts and integrations, each acting as its person") { create, list, revoke };
    }
}
