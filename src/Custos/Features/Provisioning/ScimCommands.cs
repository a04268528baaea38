using System.CommandLine;
using System.Globalization;
using Custos.Hosting;
using Spectre.Console;

namespace Custos.Features.Provisioning;

/// <summary><c>custos scim token create|list|revoke</c>: the bearer tokens HR systems and identity providers provision people with (IT administrators).</summary>
internal static class ScimCommands
{
    public static Command Scim()
    {
        var name = new Argument<string>("name") { Description = "What the client is, e.g. hr-system or idp" };
        var create = new Command("create", "Make a SCIM token for a client; it is shown once and reaches /scim/v2 only") { name };
        create.SetAction((parse, ct) => Cli.RunAsync(parse, async (services, text, token) =>
        {
            var secret = await services.GetRequiredService<ScimClients>().CreateAsync(parse.GetValue(name), token);
            AnsiConsole.MarkupLine(Markup.Escape(text["Scim.TokenCreated", parse.GetValue(name)!.Trim()]));
            Console.Out.WriteLine(secret);
        }, ct));

        var list = new Command("list", "SCIM clients and when each last called");
        list.SetAction((parse, ct) => Cli.RunAsync(parse, async (services, text, token) =>
        {
            var table = new Table().AddColumn(text["Scim.Client"]).AddColumn(text["Scim.Created"]).AddColumn(text["Scim.LastUsed"]).AddColumn(text["Scim.Revoked"]);
            foreach (var c in await services.GetRequiredService<ScimClients>().ListAsync(token))
            {
                table.AddRow(Markup.Escape(c.Name), Day(c.CreatedAt), c.LastUsedAt is { } used ? Day(used) : "", c.RevokedAt is { } revoked ? Day(revoked) : "");
            }

            Cli.Write(table);
        }, ct));

        var revokeName = new Argument<string>("name") { Description = "The client whose token ends now" };
        var revoke = new Command("revoke", "End a client's SCIM token at once, on every node") { revokeName };
        revoke.SetAction((parse, ct) => Cli.RunAsync(parse, async (services, text, token) =>
        {
            var revoked = await services.GetRequiredService<ScimClients>().RevokeAsync(parse.GetValue(revokeName), token);
            AnsiConsole.MarkupLine(Markup.Escape(text["Scim.TokenRevoked", revoked]));
        }, ct));

        return new Command("scim", "SCIM 2.0 provisioning from HR systems and identity providers") { new Command("token", "SCIM bearer tokens") { create, list, revoke } };
    }

    private static string Day(DateTimeOffset at) => at.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
}
