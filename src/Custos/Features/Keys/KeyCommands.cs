using System.CommandLine;
using System.Globalization;
using Custos.Hosting;
using Spectre.Console;

namespace Custos.Features.Keys;

/// <summary><c>custos keys status|rotate|retire</c>.</summary>
internal static class KeyCommands
{
    public static Command Create()
    {
        var status = new Command("status", "Show the key file, its versions and how many data keys each wraps");
        status.SetAction((parse, ct) => Cli.RunAsync(parse, async (services, text, token) =>
        {
            var s = await services.GetRequiredService<KeyService>().StatusAsync(token);
            AnsiConsole.MarkupLine(Markup.Escape(text["Keys.File", s.KeyFile, s.Sealed ? text["Keys.Sealed"] : text["Keys.NotSealed"]]));
            AnsiConsole.MarkupLine(Markup.Escape(text["Keys.Provider", s.Provider]));
            var table = new Table().AddColumn(text["Keys.Version"]).AddColumn(text["Label.Status"]).AddColumn(text["Keys.Created"]).AddColumn(text["Keys.DataKeys"]);
            foreach (var v in s.Versions)
            {
                table.AddRow(v.Version.ToString(CultureInfo.InvariantCulture), Markup.Escape(text["KeyState." + v.State]), v.CreatedAt.ToString("u", CultureInfo.InvariantCulture), v.DataKeys.ToString(CultureInfo.InvariantCulture));
            }

            Cli.Write(table);
        }, ct));

        var rotate = new Command("rotate", "Add a key version and re-wrap every data key under it (online; safe while custos serve runs)");
        rotate.SetAction((parse, ct) => Cli.RunAsync(parse, async (services, text, token) =>
        {
            var version = await Cli.WithProgressAsync(text["Keys.Rewrapping"], progress => services.GetRequiredService<KeyService>().RotateAsync(progress, token));
            AnsiConsole.MarkupLine(Markup.Escape(text["Keys.Rotated", version]));
        }, ct));

        var versionOption = new Option<int>("--version") { Description = "The retired key version to destroy", Required = true };
        var retire = new Command("retire", "Destroy a retired key version once no data key uses it (irreversible)") { versionOption };
        retire.SetAction((parse, ct) => Cli.RunAsync(parse, async (services, text, token) =>
        {
            var version = parse.GetValue(versionOption);
            await Cli.WithProgressAsync(text["Keys.Rewrapping"], async progress =>
            {
                await services.GetRequiredService<KeyService>().RetireAsync(version, progress, token);
                return 0;
            });
            AnsiConsole.MarkupLine(Markup.Escape(text["Keys.Retired", version]));
        }, ct));

        return new Command("keys", "Key-encryption keys: status, rotation, retirement") { status, rotate, retire };
    }
}
