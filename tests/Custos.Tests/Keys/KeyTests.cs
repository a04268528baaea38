using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Custos.Data;
using Custos.Features.Audit;
using Custos.Features.Keys;
using Custos.Features.People;
using Custos.Hosting;
using Custos.Kernel.Crypto;
using Custos.Security;
using Custos.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Custos.Tests.Keys;

/// <summary>The key file at start-up, rotation while the server reads, retirement (SEC-1).</summary>
public sealed class KeyTests
{
    private static async Task<List<Guid>> SeedCustomersAsync(CustosApp app, WebSession web, int count)
    {
        var ids = new List<Guid>();
        for (var i = 0; i < count; i++)
        {
            var response = await web.Client.PostAsJsonAsync("/api/v1/customers", new { values = new Dictionary<string, string> { ["name"] = "客户" + i, ["mobile"] = "139" + (10_000_000 + i).ToString(System.Globalization.CultureInfo.InvariantCulture) } });
            ids.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid());
        }

        return ids;
    }

    [Fact]
    public async Task The_server_refuses_to_start_without_its_key_file_or_with_another_one()
    {
        var dir = TestPaths.NewDataDir("keys");
        var settings = new Dictionary<string, string?> { ["Custos:DataDir"] = dir, ["Custos:NoDemo"] = "true" };
        await using (var first = new CustosFactory(settings))
        {
            first.StartServer();
        }

        var keyFile = dir + ".keys";
        var saved = File.ReadAllBytes(keyFile);
        File.Delete(keyFile);
        await using (var missing = new CustosFactory(settings))
        {
            Assert.Contains("does not exist", Assert.Throws<KeyFileException>(missing.StartServer).Message, StringComparison.Ordinal);
        }

        Assert.False(File.Exists(keyFile)); // never silently replaced
        LocalKeyFile.Create(keyFile, null, DateTimeOffset.UnixEpoch);
        await using (var other = new CustosFactory(settings))
        {
            Assert.Contains("do not belong to this database", Assert.Throws<KeyFileException>(other.StartServer).Message, StringComparison.Ordinal);
        }

        File.WriteAllBytes(keyFile, saved);
        await using (var restored = new CustosFactory(settings))
        {
            restored.StartServer();
        }

        TestPaths.Delete(dir);
    }

    [Fact]
    public async Task A_sealed_key_file_opens_only_with_its_passphrase()
    {
        var dir = TestPaths.NewDataDir("sealed");
        var settings = new Dictionary<string, string?> { ["Custos:DataDir"] = dir, ["Custos:NoDemo"] = "true", ["Custos:KeyPassphrase"] = "长城-Passphrase-2026" };
        await using (var first = new CustosFactory(settings))
        {
            first.StartServer();
        }

        Assert.Contains("argon2id", File.ReadAllText(dir + ".keys"), StringComparison.Ordinal);
        settings["Custos:KeyPassphrase"] = "wrong";
        await using (var wrong = new CustosFactory(settings))
        {
            Assert.Contains("Wrong passphrase", Assert.Throws<KeyFileException>(wrong.StartServer).Message, StringComparison.Ordinal);
        }

        TestPaths.Delete(dir);
    }

    [Fact]
    public async Task Rotation_by_another_process_during_concurrent_reads_causes_no_failed_read_and_retirement_shreds_the_old_version()
    {
        var app = new SqliteApp();
        await app.InitializeAsync();
        try
        {
            var staff = await app.CreatePersonAsync(Roles.Staff);
            using var web = app.Session();
            await web.SignInAsync(staff.UserName!);
            var ids = await SeedCustomersAsync(app, web, 60);

            // The rotating side opens the key file on its own, as `custos keys rotate` does in its own process.
            using var scope = app.Factory.Services.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<CustosDbContext>();
            var otherRing = new KeyRing();
            await otherRing.LoadAsync(db, app.KeyFilePath, null, TimeProvider.System, default);
            var service = new KeyService(db, otherRing, scope.ServiceProvider.GetRequiredService<KeyShareStore>(), scope.ServiceProvider.GetRequiredService<IAuditTrail>(), scope.ServiceProvider.GetRequiredService<CustosSettings>(), TimeProvider.System, scope.ServiceProvider);

            using var stop = new CancellationTokenSource();
            var failures = 0;
            var reads = 0;
            var readers = Enumerable.Range(0, 3).Select(r => Task.Run(async () =>
            {
                var i = r;
                while (!stop.IsCancellationRequested)
                {
                    var response = await web.Client.PostAsJsonAsync($"/api/v1/customers/{ids[i++ % ids.Count]}/reveal", new { field = "mobile", purpose = "service" });
                    Interlocked.Increment(ref reads);
                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        Interlocked.Increment(ref failures);
                    }
                }
            })).ToList();

            await Task.Delay(200);
            Assert.Equal(2, await service.RotateAsync(null, default));
            await Task.Delay(200);
            await stop.CancelAsync();
            await Task.WhenAll(readers);

            Assert.True(reads > 20, $"only {reads} reads");
            Assert.Equal(0, failures);
            Assert.Equal(60, await db.Customers.CountAsync(c => c.KekVersion == 2));

            // A customer created by the server after rotation is wrapped with the new version too.
            var after = await SeedCustomersAsync(app, web, 1);
            Assert.Equal(2, (await db.Customers.AsNoTracking().SingleAsync(c => c.Id == after[0])).KekVersion);

            await service.RetireAsync(1, null, default);
            Assert.Equal(KekState.Destroyed, LocalKeyFile.Open(app.KeyFilePath, null).Versions.Single(v => v.Version == 1).State);
            var revealed = await web.Client.PostAsJsonAsync($"/api/v1/customers/{ids[0]}/reveal", new { field = "mobile", purpose = "service" });
            Assert.Equal(HttpStatusCode.OK, revealed.StatusCode);
            Assert.Equal(1, await db.AuditRecords.CountAsync(a => a.Action == "keys.rotate"));
            Assert.Equal(1, await db.AuditRecords.CountAsync(a => a.Action == "keys.retire"));
        }
        finally
        {
            await app.DisposeAsync();
        }
    }

    [Fact]
    public async Task The_key_page_shows_versions_to_the_it_administrator_only()
    {
        var app = new SqliteApp();
        await app.InitializeAsync();
        try
        {
            using var admin = await app.AdminSessionAsync();
            var (_, page) = await admin.GetPageAsync("/admin/keys");
            Assert.Contains(".keys", page.QuerySelector("#key-file")!.TextContent, StringComparison.Ordinal);
            Assert.Contains("当前", page.QuerySelector("#key-versions")!.TextContent, StringComparison.Ordinal);
        }
        finally
        {
            await app.DisposeAsync();
        }
    }
}
