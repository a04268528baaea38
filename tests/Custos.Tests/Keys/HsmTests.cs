using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Custos.Data;
using Custos.Features.Audit;
using Custos.Features.Keys;
using Custos.Features.People;
using Custos.Hosting;
using Custos.Kernel.Crypto;
using Custos.Tests.Infrastructure;
using Custos.Tests.Shared;
using Microsoft.EntityFrameworkCore;

namespace Custos.Tests.Keys;

/// <summary>Custos with its key-encryption keys in an HSM (SoftHSM2 over PKCS#11), end to end.</summary>
public sealed class HsmTests(SoftHsm hsm) : IClassFixture<SoftHsm>
{
    [Fact]
    public async Task Customers_are_protected_by_a_key_in_the_hsm_rotated_online_without_a_failed_read()
    {
        var dir = TestPaths.NewDataDir("hsm");
        var token = hsm.NewToken();
        var settings = new Dictionary<string, string?>
        {
            ["Custos:DataDir"] = dir,
            ["Custos:NoDemo"] = "true",
            ["Custos:Hsm:Library"] = SoftHsm.Library,
            ["Custos:Hsm:TokenLabel"] = token,
            ["Custos:Hsm:Pin"] = SoftHsm.Pin,
        };
        await using (var factory = new CustosFactory(settings))
        {
            factory.StartServer();
            Person staff;
            using (var scope = factory.Services.CreateScope())
            {
                (staff, _, _) = await scope.ServiceProvider.GetRequiredService<PeopleService>().CreateAsync(
                    new NewPerson("hsm.staff", "员工", null, [Roles.Staff], ["GENERAL"], [], Clearance.Secret, CustosApp.Password), default);
            }

            using var web = new WebSession(factory.CreateClient(new() { AllowAutoRedirect = false }), factory.Time);
            await web.SignInAsync(staff.UserName!);
            var ids = new List<Guid>();
            for (var i = 0; i < 20; i++)
            {
                var created = await web.Client.PostAsJsonAsync("/api/v1/customers", new { values = new Dictionary<string, string> { ["name"] = "客户" + i, ["mobile"] = "1370000" + (1000 + i) } });
                ids.Add((await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid());
            }

            var ring = factory.Services.GetRequiredService<KeyRing>();
            Assert.StartsWith("PKCS#11 token", ring.Keys.Description, StringComparison.Ordinal);
            Assert.True(((Pkcs11KeyEncryptionKeys)ring.Keys).IsNonExtractable(1));

            using var stop = new CancellationTokenSource();
            var failures = 0;
            var reader = Task.Run(async () =>
            {
                var i = 0;
                while (!stop.IsCancellationRequested)
                {
                    var response = await web.Client.PostAsJsonAsync($"/api/v1/customers/{ids[i++ % ids.Count]}/reveal", new { field = "mobile", purpose = "service" });
                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        Interlocked.Increment(ref failures);
                    }
                }
            });

            using (var scope = factory.Services.CreateScope())
            {
                Assert.Equal(2, await scope.ServiceProvider.GetRequiredService<KeyService>().RotateAsync(null, default));
                await scope.ServiceProvider.GetRequiredService<KeyService>().RetireAsync(1, null, default);
            }

            await stop.CancelAsync();
            await reader;
            Assert.Equal(0, failures);
            var revealed = await web.Client.PostAsJsonAsync($"/api/v1/customers/{ids[3]}/reveal", new { field = "mobile", purpose = "service" });
            Assert.Equal("13700001003", (await revealed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("value").GetString());
            Assert.Equal([2], ring.Keys.Versions.Select(v => v.Version));
        }

        // The same database with the key file but without the HSM: the key check fails and start-up is refused.
        settings["Custos:Hsm:Library"] = null;
        await using (var withoutHsm = new CustosFactory(settings))
        {
            Assert.Contains("do not belong to this database", Assert.Throws<KeyFileException>(withoutHsm.StartServer).Message, StringComparison.Ordinal);
        }

        TestPaths.Delete(dir);
    }
}
