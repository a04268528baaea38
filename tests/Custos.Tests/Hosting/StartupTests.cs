using System.Net;
using Custos.Data;
using Custos.Features.Demo;
using Custos.Kernel.Recognisers;
using Custos.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Custos.Tests.Hosting;

/// <summary>Start-up on empty, foreign, newer and unreachable databases; the demo organisation.</summary>
public sealed class StartupTests
{
    private static Dictionary<string, string?> Sqlite(string dir) => new() { ["Custos:DataDir"] = dir, ["Custos:NoDemo"] = "true" };

    private static string TempDir() => TestPaths.NewDataDir("start");

    [Fact]
    public void The_synthetic_customer_generator_makes_valid_distinct_identities()
    {
        var today = new DateOnly(2026, 11, 29);
        var customers = new SyntheticCustomers(seed: 7).Generate(5000).ToList();
        Assert.All(customers, c => Assert.Equal(ResidentIdCheck.Valid, ResidentIdNumber.Validate(c.IdNumber, today)));
        Assert.All(customers, c => Assert.True(MobileNumber.IsValid(c.Mobile), c.Mobile));
        Assert.All(customers, c => Assert.InRange(c.Name.Length, 2, 4));
        Assert.Equal(5000, customers.Select(c => c.IdNumber).Distinct().Count());
        Assert.Equal(customers.Select(c => c.IdNumber), new SyntheticCustomers(seed: 7).Generate(5000).Select(c => c.IdNumber));
    }

    [Fact]
    public async Task An_empty_data_directory_gets_schema_wal_an_administrator_and_a_default_department()
    {
        var dir = TempDir();
        await using (var factory = new CustosFactory(Sqlite(dir)))
        {
            factory.StartServer();
            using var scope = factory.Services.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<CustosDbContext>();
            Assert.True(await db.Users.AnyAsync(u => u.IsBuiltIn && u.UserName == "admin"));
            Assert.True(await db.Departments.AnyAsync(d => d.IsDefault && d.Code == "GENERAL"));
            Assert.False(await db.Customers.AnyAsync());
            Assert.Equal("wal", (await db.Database.SqlQuery<string>($"PRAGMA journal_mode").ToListAsync()).Single());
        }

        var file = Path.Combine(dir, DatabaseInitialiser.AdminPasswordFileName);
        Assert.True(File.Exists(file));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }
        TestPaths.Delete(dir);
    }

    [Fact]
    public async Task A_database_with_a_schema_this_build_does_not_know_is_refused_naming_the_version()
    {
        var dir = TempDir();
        await using (var first = new CustosFactory(Sqlite(dir)))
        {
            first.StartServer();
        }

        await using (var connection = new SqliteConnection($"Data Source={Path.Combine(dir, "custos.db")}"))
        {
            await connection.OpenAsync();
            var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO __custos_migrations (MigrationId, ProductVersion) VALUES ('29991231000000_FromTheFuture', '99.0')";
            await command.ExecuteNonQueryAsync();
        }

        await using var second = new CustosFactory(Sqlite(dir));
        var error = Assert.Throws<SchemaMismatchException>(second.StartServer);
        Assert.Contains("29991231000000_FromTheFuture", error.Message, StringComparison.Ordinal);
        TestPaths.Delete(dir);
    }

    [Fact]
    public async Task A_database_holding_other_tables_is_refused()
    {
        var dir = TempDir();
        Directory.CreateDirectory(dir);
        await using (var connection = new SqliteConnection($"Data Source={Path.Combine(dir, "custos.db")}"))
        {
            await connection.OpenAsync();
            var command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE invoices (id INTEGER PRIMARY KEY)";
            await command.ExecuteNonQueryAsync();
        }

        await using var factory = new CustosFactory(Sqlite(dir));
        var error = Assert.Throws<SchemaMismatchException>(factory.StartServer);
        Assert.Contains("not a Custos database", error.Message, StringComparison.Ordinal);
        TestPaths.Delete(dir);
    }

    [Fact]
    public async Task An_unreachable_postgresql_server_stops_start_up_with_a_message_that_hides_the_password()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Custos:Database"] = "Host=127.0.0.1;Port=1;Username=custos;Password=S3cret-Never-Shown;Database=custos;Timeout=2",
            ["Custos:NoDemo"] = "true",
        };
        await using var factory = new CustosFactory(settings);

        var error = Assert.Throws<DatabaseUnavailableException>(factory.StartServer);

        Assert.Contains("postgresql://127.0.0.1:1/custos", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("S3cret", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_demo_organisation_has_every_role_and_a_thousand_well_formed_synthetic_customers()
    {
        var dir = TempDir();
        var settings = new Dictionary<string, string?> { ["Custos:DataDir"] = dir, ["Custos:Demo"] = "true" };
        await using (var factory = new CustosFactory(settings))
        {
            factory.StartServer();
            using var scope = factory.Services.CreateScope();
            var db = scope.ServiceProvider.GetRequiredService<CustosDbContext>();
            var customers = await db.Customers.Include(c => c.Values).Include(c => c.Indexes).ToListAsync();
            Assert.Equal(1000, customers.Count);
            Assert.All(customers, c => Assert.Equal(3, c.Values.Count));
            var idIndexes = customers.Select(c => Convert.ToHexString(c.Indexes.Single(i => i.Kind == Custos.Kernel.Crypto.IndexedKind.IdNumber).Hash));
            Assert.Equal(1000, idIndexes.Distinct().Count());

            foreach (var account in DemoOrganisation.Accounts)
            {
                Assert.True(await db.Users.AnyAsync(u => u.UserName == account.UserName));
            }

            using var web = new WebSession(factory.CreateClient(new() { AllowAutoRedirect = false }), factory.Time);
            var home = await web.SignInAsync("demo.staff", DemoOrganisation.Password);
            Assert.Equal(HttpStatusCode.OK, home.StatusCode);
            var page = await WebSession.ParseAsync(home);
            Assert.True(int.Parse(page.QuerySelector("#scope-customers")!.TextContent, System.Globalization.CultureInfo.InvariantCulture) > 0);
        }

        TestPaths.Delete(dir);
    }
}
