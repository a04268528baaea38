using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using Custos.Features.People;
using Custos.Tests.Infrastructure;

namespace Custos.Tests.Customers;

/// <summary>
/// SEC-1: customers written with known values; then the SQLite file with its WAL, and a PostgreSQL dump,
/// are searched byte by byte: no protected value appears anywhere, nor in the logs.
/// </summary>
public sealed class PlaintextScanTests
{
    private static readonly Dictionary<string, string>[] Known =
    [
        new() { ["name"] = "慕容云海", ["idNumber"] = "11010519491231002X", ["mobile"] = "13987654321", ["email"] = "murong.yunhai@example.com", ["address"] = "上海市徐汇区漕溪北路88号", ["bankCard"] = "6212345678901232", ["income"] = "年薪九十八万元" },
        new() { ["name"] = "端木青禾", ["idNumber"] = "440524188001010014", ["mobile"] = "13612349876", ["employer"] = "青禾数据科技有限公司", ["complaints"] = "投诉物流延误三次" },
    ];

    /// <summary>Written through the import's bulk path (prepared statements / COPY) rather than EF Core.</summary>
    private static readonly Dictionary<string, string> Imported =
        new() { ["name"] = "上官星澜", ["idNumber"] = "310104199003070026", ["mobile"] = "15011112222", ["email"] = "xinglan.sg@example.com" };

    private static async Task<string> WriteKnownCustomersAsync(CustosApp app)
    {
        var staff = await app.CreatePersonAsync(Roles.Staff);
        using var web = app.Session();
        await web.SignInAsync(staff.UserName!);
        foreach (var values in Known)
        {
            var response = await web.Client.PostAsJsonAsync("/api/v1/customers", new { values });
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }

        var head = await app.CreatePersonAsync(Roles.DepartmentHead);
        var csv = Path.Combine(Path.GetTempPath(), "custos-scan-" + Guid.NewGuid().ToString("N")[..8] + ".csv");
        await File.WriteAllTextAsync(csv, string.Join(",", Imported.Keys) + "\n" + string.Join(",", Imported.Values) + "\n");
        try
        {
            using var scope = app.ActAs(head);
            var mapping = Imported.Keys.Select((field, i) => (field, i)).ToDictionary(x => x.i, x => x.field);
            var outcome = await scope.ServiceProvider.GetRequiredService<Custos.Features.Imports.ImportService>().ImportAsync(
                () => File.OpenRead(csv), csv, new(mapping, null, null, Clearance.Secret, "扫描测试", "扫描测试", "同意", null), null, default);
            Assert.True(outcome.Imported, string.Join("; ", outcome.Errors));
        }
        finally
        {
            File.Delete(csv);
        }

        // Reveal and search too, so their paths have run before the scan.
        var list = await (await web.Client.PostAsJsonAsync("/api/v1/customers/search", new { query = "13987654321" })).Content.ReadAsStringAsync();
        Assert.Contains("139****4321", list, StringComparison.Ordinal);
        return staff.UserName!;
    }

    private static void AssertAbsent(byte[] haystack, string where)
    {
        foreach (var value in Known.Append(Imported).SelectMany(v => v.Values))
        {
            foreach (var encoding in new Encoding[] { Encoding.UTF8, Encoding.Unicode })
            {
                var needle = encoding.GetBytes(value);
                Assert.True(haystack.AsSpan().IndexOf(needle) < 0, $"'{value}' found in {where} ({encoding.WebName})");
            }
        }
    }

    [Fact]
    public async Task The_sqlite_file_and_its_wal_hold_no_protected_value()
    {
        var app = new SqliteApp();
        await app.InitializeAsync();
        try
        {
            var userName = await WriteKnownCustomersAsync(app);
            var files = Directory.GetFiles(app.DataDir, "custos.db*");
            var everything = new List<byte>();
            Assert.Contains(files, f => f.EndsWith("-wal", StringComparison.Ordinal));
            foreach (var file in files)
            {
                await using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                using var memory = new MemoryStream();
                await stream.CopyToAsync(memory);
                Assert.True(memory.Length > 0 || file.EndsWith("-shm", StringComparison.Ordinal));
                AssertAbsent(memory.ToArray(), Path.GetFileName(file));
                everything.AddRange(memory.ToArray());
            }

            // Positive control: a plain column (the user name) is found, so the scan reads real content.
            Assert.True(everything.ToArray().AsSpan().IndexOf(Encoding.UTF8.GetBytes(userName)) >= 0);

            AssertAbsent(Encoding.UTF8.GetBytes(app.Factory.Logs.All), "the logs");
        }
        finally
        {
            await app.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_postgresql_dump_holds_no_protected_value()
    {
        var app = new PostgresApp();
        await app.InitializeAsync();
        try
        {
            var userName = await WriteKnownCustomersAsync(app);
            var dump = await DumpAsync(app.ConnectionString);
            Assert.Contains("CustomerValues", dump, StringComparison.Ordinal);
            Assert.Contains(userName, dump, StringComparison.Ordinal);
            AssertAbsent(Encoding.UTF8.GetBytes(dump), "pg_dump");
            AssertAbsent(Encoding.UTF8.GetBytes(app.Factory.Logs.All), "the logs");
        }
        finally
        {
            await app.DisposeAsync();
        }
    }

    private static async Task<string> DumpAsync(string connectionString)
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        var bin = Directory.GetDirectories("/usr/lib/postgresql").OrderDescending().Select(d => Path.Combine(d, "bin", "pg_dump")).First(File.Exists);
        var start = new ProcessStartInfo(bin) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "-h", builder.Host!, "-p", builder.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", builder.Username!, "--inserts", builder.Database! })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, await error);
        return await output;
    }
}
