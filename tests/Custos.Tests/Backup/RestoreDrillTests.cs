using System.Diagnostics;
using System.Text;
using Custos.Features.Access;
using Custos.Kernel.Policy;
using Custos.Features.Customers;
using Custos.Features.Destruction;
using Custos.Features.Keys;
using Custos.Features.People;
using Custos.Hosting;
using Custos.Kernel.Crypto;
using Custos.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Custos.Tests.Backup;

/// <summary>
/// The restore drill (SEC-2, DST-1, ADR 0018), on both engines: a backup taken while reveals go on, a customer destroyed
/// after it, bad restores refused leaving nothing behind, the restore itself checked against the manifest, recorded, and
/// verified; the destroyed customer unreadable from the backup, the others as they were.
/// </summary>
public abstract class RestoreDrillTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : CustosApp
{
    private sealed record Result(int ExitCode, string Out, string Error);

    private string SharesPath => app.Factory.Services.GetRequiredService<KeyShareStore>().Description;

    /// <summary>Where a command points: the app's own database, or a restore target.</summary>
    private sealed record Target(string? Database, string DataDir);

    private Target Live => app is PostgresApp pg ? new Target(pg.ConnectionString, pg.DataDir) : new Target(null, ((SqliteApp)(object)app).DataDir);

    private async Task<Result> RunAsync(Target target, string? keyFile, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "custos.dll"));
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        start.Environment["CUSTOS_LANG"] = "en";
        start.Environment.Remove("CUSTOS_DATABASE");
        if (target.Database is not null)
        {
            start.Environment["CUSTOS_DATABASE"] = target.Database;
        }

        start.Environment["CUSTOS_DATA_DIR"] = target.DataDir;
        start.Environment["CUSTOS_KEY_FILE"] = keyFile ?? app.KeyFilePath;
        start.Environment["CUSTOS_KEY_SHARES"] = SharesPath;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(180));
        // Messages are wrapped to the console's width: compare them as one line.
        static string Flat(string text) => System.Text.RegularExpressions.Regex.Replace(text, @"\s+", " ");
        return new Result(process.ExitCode, Flat(await stdout), Flat(await stderr));
    }

    private async Task<Target> NewTargetAsync() => app is PostgresApp
        ? new Target((await SharedPostgres.Server).CreateDatabaseConnectionString(), TestPaths.NewDataDir("restore-work"))
        : new Target(null, TestPaths.NewDataDir("restore"));

    private static async Task<bool> IsEmptyAsync(Target target)
    {
        if (target.Database is null)
        {
            return !Directory.Exists(target.DataDir) || !Directory.EnumerateFileSystemEntries(target.DataDir).Any();
        }

        await using var connection = new Npgsql.NpgsqlConnection(target.Database);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'", connection);
        return (long)(await command.ExecuteScalarAsync())! == 0;
    }

    [Fact]
    public async Task A_backup_under_load_restores_verified_with_the_customer_destroyed_after_it_unreadable_SEC_2()
    {
        var department = await app.DepartmentAsync();
        var head = await app.CreatePersonAsync(Roles.DepartmentHead, departments: [department]);
        var officer = await app.CreatePersonAsync(Roles.InformationOfficer, departments: [department]);
        var compliance = await app.CreatePersonAsync(Roles.ComplianceOfficer, departments: [department]);
        var (doomed, doomedValues) = await app.CustomerAsync(head, department, 1601);
        var (kept, keptValues) = await app.CustomerAsync(head, department, 1602);

        // Reveals go on while the backup is taken: each one writes to the audit log.
        using var stop = new CancellationTokenSource();
        var reveals = 0;
        var load = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                Assert.Equal(keptValues.Name, await app.AsAsync(head, s => s.GetRequiredService<CustomerService>().RevealAsync(kept.Id, "name", "follow-up", null, default)));
                reveals++;
            }
        });
        while (reveals < 3)
        {
            await Task.Delay(20);
        }

        var file = Path.Combine(Path.GetTempPath(), "custos-backup-" + Guid.NewGuid().ToString("N")[..8] + ".bak");
        try
        {
            var before = reveals;
            var backup = await RunAsync(Live, null, "backup", "--out", file);
            var during = reveals;
            await stop.CancelAsync();
            await load;
            Assert.True(backup.ExitCode == 0, backup.Out + backup.Error);
            Assert.True(during > before, "reveals went on during the backup");
            Assert.Contains("Backup written", backup.Out, StringComparison.Ordinal);

            // The file holds no value in clear; a second backup to the same file is refused.
            var bytes = await File.ReadAllBytesAsync(file);
            Assert.Equal(-1, bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(head.DisplayName)));
            Assert.Equal(-1, bytes.AsSpan().IndexOf("CREATE TABLE"u8));
            Assert.Contains("already exists", (await RunAsync(Live, null, "backup", "--out", file)).Error, StringComparison.Ordinal);
            Assert.Equal(0, (await RunAsync(Live, null, "backup", "check", file)).ExitCode);
            var customersAtBackup = await app.WithDbAsync(db => db.Customers.LongCountAsync());

            // After the backup, one customer is destroyed as the policy requires: approved, witnessed.
            var wrapped = await app.WithDbAsync(db => db.Customers.AsNoTracking().Where(c => c.Id == doomed.Id).Select(c => new { c.KekVersion, c.WrappedKey, c.DataKeyVersion, c.KeySplit }).SingleAsync());
            var cipher = await app.WithDbAsync(db => db.CustomerValues.Where(v => v.CustomerId == doomed.Id && v.Field == "name").Select(v => v.Cipher).SingleAsync());
            Assert.True(wrapped.KeySplit);
            await app.ApprovedAsync(officer, new NewRequest(RequestKind.Destroy, "合同终止满三年，按制度销毁", Customer: doomed.Id), head, compliance);
            await app.AsAsync(officer, s => s.GetRequiredService<DestructionService>().DestroyAsync(doomed.Id, new DestroyOrder(), default));

            // What the backup holds of it — the wrapped half and the ciphertext — no longer gives its data key: the share is gone.
            var shares = app.Factory.Services.GetRequiredService<KeyShareStore>();
            Assert.Null(shares.Get(doomed.Id));
            Assert.NotNull(shares.Get(kept.Id));
            var keys = LocalKeyFile.Open(app.KeyFilePath, null);
            using (var half = DataKeys.OpenCipher(keys, "customer", doomed.Id, wrapped.DataKeyVersion, new WrappedDataKey(wrapped.KekVersion, wrapped.WrappedKey)))
            {
                Assert.ThrowsAny<System.Security.Cryptography.CryptographicException>(() => half.DecryptString(new FieldContext("customer", doomed.Id, "name", wrapped.DataKeyVersion), cipher));
            }

            // Bad restores: over the live data, a cut-off file, a foreign file, another installation's keys, a changed manifest.
            Assert.Contains("not empty", (await RunAsync(Live, null, "restore", file)).Error, StringComparison.Ordinal);
            var target = await NewTargetAsync();
            var cut = file + ".cut";
            await File.WriteAllBytesAsync(cut, bytes[..(bytes.Length * 2 / 3)]);
            Assert.Contains("cut off", (await RunAsync(target, null, "restore", cut)).Error, StringComparison.Ordinal);
            Assert.True(await IsEmptyAsync(target), "a failed restore leaves nothing behind");
            var foreign = file + ".foreign";
            await File.WriteAllBytesAsync(foreign, Encoding.UTF8.GetBytes("SQLite format 3\0" + new string('x', 500)));
            Assert.Contains("not a Custos backup", (await RunAsync(target, null, "restore", foreign)).Error, StringComparison.Ordinal);
            var otherKeys = TestPaths.NewKeyFile();
            LocalKeyFile.Create(otherKeys, null, TimeProvider.System.GetUtcNow());
            Assert.Contains("do not open this backup", (await RunAsync(target, otherKeys, "restore", file)).Error, StringComparison.Ordinal);
            File.Delete(otherKeys);
            var changed = file + ".changed";
            await ResealWithOtherCountAsync(file, changed);
            Assert.Contains("does not match the backup's manifest", (await RunAsync(target, null, "restore", changed)).Error, StringComparison.Ordinal);
            Assert.True(await IsEmptyAsync(target), "a refused restore leaves nothing behind");

            // The restore: checked against its manifest, recorded, the destroyed customer removed as unreadable.
            var restore = await RunAsync(target, null, "restore", file);
            Assert.True(restore.ExitCode == 0, restore.Out + restore.Error);
            Assert.Contains("1 customer(s) destroyed after this backup", restore.Out, StringComparison.Ordinal);
            var verify = await RunAsync(target, null, "audit", "verify");
            Assert.True(verify.ExitCode == 0, verify.Out + verify.Error);

            var settings = new Dictionary<string, string?> { ["Custos:DataDir"] = target.DataDir, ["Custos:KeyFile"] = app.KeyFilePath, ["Custos:KeyShares"] = SharesPath, ["Custos:NoDemo"] = "true" };
            if (target.Database is not null)
            {
                settings["Custos:Database"] = target.Database;
            }

            await using (var restored = new CustosFactory(settings))
            {
                restored.StartServer();
                using var scope = restored.Services.CreateScope();
                var db = scope.ServiceProvider.GetRequiredService<Custos.Data.CustosDbContext>();
                Assert.Equal(customersAtBackup - 1, await db.Customers.LongCountAsync());
                var entry = await db.AuditRecords.SingleAsync(a => a.Action == "backup.restore");
                Assert.Contains("\"destroyed_after_backup\":1", entry.Detail!, StringComparison.Ordinal);
                Assert.DoesNotContain(keptValues.Name, entry.Detail!, StringComparison.Ordinal);
                // The backup is recorded in the live log after it was taken, so not in itself; the restore names the backup.
                var taken = await app.WithDbAsync(live => live.AuditRecords.SingleAsync(a => a.Action == "backup.create"));
                Assert.Equal(taken.TargetId, entry.TargetId);
                Assert.False(await db.AuditRecords.AnyAsync(a => a.Action == "backup.create"));

                using var asHead = restored.ActAs(head);
                var customers = asHead.ServiceProvider.GetRequiredService<CustomerService>();
                Assert.Equal(keptValues.Name, await customers.RevealAsync(kept.Id, "name", "follow-up", null, default));
                Assert.Equal(CustosError.NotFound, (await Assert.ThrowsAsync<CustosException>(() => customers.GetAsync(doomed.Id, default))).Kind);
            }

            Assert.Equal(-1, bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(doomedValues.Name)));
            TestPaths.Delete(target.DataDir);
        }
        finally
        {
            foreach (var f in new[] { file, file + ".cut", file + ".foreign", file + ".changed" })
            {
                File.Delete(f);
            }
        }
    }

    /// <summary>A copy of the backup sealed again with the same keys and content but a manifest that counts one more customer.</summary>
    private async Task ResealWithOtherCountAsync(string file, string changed)
    {
        var keys = LocalKeyFile.Open(app.KeyFilePath, null);
        using var content = new MemoryStream();
        SealedArchiveHeader header;
        await using (var input = File.OpenRead(file))
        {
            header = await SealedArchive.OpenAsync(keys, input, content, default);
        }

        var manifest = Features.Backup.BackupManifest.From(header.Manifest)!;
        var other = manifest with { Customers = manifest.Customers + 1 };
        content.Position = 0;
        await using var output = File.Create(changed);
        await SealedArchive.SealAsync(keys, header.Id, other.ToBytes(), content, output, default);
    }
}

public sealed class RestoreDrillTestsOnSqlite(SqliteApp app) : RestoreDrillTests<SqliteApp>(app);

public sealed class RestoreDrillTestsOnPostgres(PostgresApp app) : RestoreDrillTests<PostgresApp>(app);
