using System.CommandLine;
using System.Globalization;
using Custos.Data;
using Custos.Features.Keys;
using Custos.Hosting;
using Custos.Security;
using Microsoft.EntityFrameworkCore;
using Spectre.Console;

namespace Custos.Features.Backup;

/// <summary><c>custos backup --out FILE</c>, <c>custos backup check FILE</c> and <c>custos restore FILE</c> (SEC-2).</summary>
internal static class BackupCommands
{
    public static IEnumerable<Command> Create()
    {
        var output = new Option<FileInfo>("--out") { Description = "The backup file to write (it must not exist yet)", Required = true };
        var backup = new Command("backup", "Take an online, consistent, encrypted backup with a manifest (time, schema, audit log size and root)") { output };
        backup.SetAction((parse, ct) => Cli.RunAsync(parse, async (services, text, token) =>
        {
            var ring = services.GetRequiredService<KeyRing>();

            // Keys still whole (from before ADR 0018) are split first, so no customer in this backup outlives its destruction.
            await services.GetRequiredService<KeyService>().SplitWholeKeysAsync(token);
            if (await services.GetRequiredService<Data.CustosDbContext>().Customers.AnyAsync(c => !c.KeySplit, token))
            {
                throw CustosException.Conflict("BackupKeysNotSplit");
            }

            var outcome = await Cli.WithProgressAsync(text["Backup.Running"], async _ =>
                await services.GetRequiredService<BackupService>().CreateAsync(ring.Keys, parse.GetValue(output)!.FullName, token));
            await services.GetRequiredService<IAuditTrail>().RecordNowAsync(AuditActions.BackupCreate, "backup", outcome.Manifest.Id.ToString(), AuditOutcome.Success,
                new { engine = outcome.Manifest.Engine, schema = outcome.Manifest.Schema, audit_size = outcome.Manifest.AuditSize, audit_root = outcome.Manifest.AuditRoot, customers = outcome.Manifest.Customers, bytes = outcome.Bytes }, token);
            Report(outcome.Manifest, text);
            AnsiConsole.MarkupLine("[green]" + Markup.Escape(text["Backup.Written", parse.GetValue(output)!.FullName, outcome.Bytes]) + "[/]");
        }, ct));

        var file = new Argument<FileInfo>("file") { Description = "The backup file" };
        var check = new Command("check", "Open a backup completely with this installation's keys and show its manifest, without restoring it") { file };
        check.SetAction((parse, ct) => Cli.RunAsync(parse, async (services, text, token) =>
        {
            var outcome = await BackupService.CheckAsync(services.GetRequiredService<KeyRing>().Keys, parse.GetValue(file)!.FullName, token);
            Report(outcome.Manifest, text);
            AnsiConsole.MarkupLine("[green]" + Markup.Escape(text["Backup.CheckPassed", outcome.Bytes]) + "[/]");
        }, ct));
        backup.Add(check);

        var restoreFile = new Argument<FileInfo>("file") { Description = "The backup file" };
        var restore = new Command("restore", "Restore a backup into an empty data directory (or empty PostgreSQL database), check it against its manifest, and record the restore") { restoreFile };
        restore.SetAction((parse, ct) =>
        {
            BackupManifest? restored = null;
            return Cli.RunAsync(
                parse,
                async (services, text, token) =>
                {
                    var manifest = restored!;
                    var destroyed = await RemoveDestroyedAfterBackupAsync(services, token);
                    await services.GetRequiredService<IAuditTrail>().RecordNowAsync(AuditActions.BackupRestore, "backup", manifest.Id.ToString(), AuditOutcome.Success,
                        new { taken_at = manifest.CreatedAt, engine = manifest.Engine, schema = manifest.Schema, audit_size = manifest.AuditSize, audit_root = manifest.AuditRoot, customers = manifest.Customers, destroyed_after_backup = destroyed }, token);
                    Report(manifest, text);
                    AnsiConsole.MarkupLine("[green]" + Markup.Escape(text["Backup.Restored", destroyed]) + "[/]");
                },
                ct,
                migrate: true,
                actAsPerson: false,
                beforeInitialise: async (services, text, token) =>
                {
                    var settings = services.GetRequiredService<CustosSettings>();
                    var keys = KeyRing.OpenWithoutDatabase(settings.FullKeyFile, settings.KeyPassphrase, settings.Hsm.ToOptions());
                    try
                    {
                        restored = await services.GetRequiredService<BackupService>().RestoreAsync(keys, parse.GetValue(restoreFile)!.FullName, token);
                    }
                    finally
                    {
                        (keys as IDisposable)?.Dispose();
                    }
                });
        });

        return [backup, restore];
    }

    /// <summary>
    /// Customers destroyed after the backup was taken: their share is gone, so their data cannot be read (ADR 0018). They
    /// are removed from the restored database, so no list shows a customer that cannot be opened; the count is recorded.
    /// </summary>
    private static async Task<int> RemoveDestroyedAfterBackupAsync(IServiceProvider services, CancellationToken ct)
    {
        var db = services.GetRequiredService<CustosDbContext>();
        var shares = services.GetRequiredService<KeyShareStore>();
        var removed = 0;
        var after = Guid.Empty;
        while (true)
        {
            var ids = await db.Customers.AsNoTracking().Where(c => c.KeySplit && c.Id.CompareTo(after) > 0).OrderBy(c => c.Id).Select(c => c.Id).Take(1000).ToListAsync(ct);
            if (ids.Count == 0)
            {
                return removed;
            }

            after = ids[^1];
            var found = shares.GetMany(ids);
            var gone = shares.Deleted(ids.Where(i => !found.ContainsKey(i))).ToList();
            if (gone.Count > 0)
            {
                removed += await db.Customers.Where(c => gone.Contains(c.Id)).ExecuteDeleteAsync(ct);
            }
        }
    }

    private static void Report(BackupManifest manifest, Microsoft.Extensions.Localization.IStringLocalizer<Web.Strings> text) =>
        AnsiConsole.MarkupLine(Markup.Escape(text["Backup.Manifest", manifest.Id, manifest.CreatedAt.ToString("u", CultureInfo.InvariantCulture), manifest.Engine,
            manifest.Schema, manifest.AuditSize, manifest.AuditRoot, manifest.Customers]));
}
