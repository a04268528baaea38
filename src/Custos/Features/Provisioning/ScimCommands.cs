using System.CommandLine;
using System.Globalization;
using Custos.Data;
using Custos.Hosting;
using Custos.Security;
using Microsoft.EntityFrameworkCore;
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
            var db = services.GetRequiredService<CustosDbContext>();
            var actor = services.GetRequiredService<ICurrentActor>();
            var client = TextInput.Clean(parse.GetValue(name), "name");
            if (client.Length is 0 or > 100)
            {
                throw CustosException.Invalid("FieldTooLong", "name", 100);
            }

            if (await db.Set<ScimClient>().AnyAsync(c => c.Name == client, token))
            {
                throw CustosException.Conflict("ScimClientExists", client);
            }

            var secret = ScimTokenHandler.NewSecret();
            var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
            var entity = new ScimClient { Id = Guid.CreateVersion7(now), Name = client, SecretHash = ScimTokenHandler.Hash(secret), CreatedAt = now, CreatedByName = actor.Name };
            db.Set<ScimClient>().Add(entity);
            services.GetRequiredService<IAuditTrail>().Record(AuditActions.ScimClientCreate, "scim", entity.Id.ToString(), detail: new { name = client });
            await db.SaveChangesAsync(token);
            AnsiConsole.MarkupLine(Markup.Escape(text["Scim.TokenCreated", client]));
            Console.Out.WriteLine(secret);
        }, ct));

        var list = new Command("list", "SCIM clients and when each last called");
        list.SetAction((parse, ct) => Cli.RunAsync(parse, async (services, text, token) =>
        {
            var table = new Table().AddColumn(text["Scim.Client"]).AddColumn(text["Scim.Created"]).AddColumn(text["Scim.LastUsed"]).AddColumn(text["Scim.Revoked"]);
            foreach (var c in await services.GetRequiredService<CustosDbContext>().Set<ScimClient>().AsNoTracking().OrderBy(c => c.Name).ToListAsync(token))
            {
                table.AddRow(Markup.Escape(c.Name), Day(c.CreatedAt), c.LastUsedAt is { } used ? Day(used) : "", c.RevokedAt is { } revoked ? Day(revoked) : "");
            }

            Cli.Write(table);
        }, ct));

        var revokeName = new Argument<string>("name") { Description = "The client whose token ends now" };
        var revoke = new Command("revoke", "End a client's SCIM token at once, on every node") { revokeName };
        revoke.SetAction((parse, ct) => Cli.RunAsync(parse, async (services, text, token) =>
        {
            var db = services.GetRequiredService<CustosDbContext>();
            var client = parse.GetValue(revokeName);
            var entity = await db.Set<ScimClient>().SingleOrDefaultAsync(c => c.Name == client && c.RevokedAt == null, token) ?? throw CustosException.NotFound("ScimClientNotFound");
            entity.RevokedAt = services.GetRequiredService<TimeProvider>().GetUtcNow();
            services.GetRequiredService<IAuditTrail>().Record(AuditActions.ScimClientRevoke, "scim", entity.Id.ToString(), detail: new { name = entity.Name });
            await db.SaveChangesAsync(token);
            AnsiConsole.MarkupLine(Markup.Escape(text["Scim.TokenRevoked", entity.Name]));
        }, ct));

        return new Command("scim", "SCIM 2.0 provisioning from HR systems and identity providers") { new Command("token", "SCIM bearer tokens") { create, list, revoke } };
    }

    private static string Day(DateTimeOffset at) => at.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
}
