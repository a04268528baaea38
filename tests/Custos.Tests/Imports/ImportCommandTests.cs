using System.Diagnostics;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Custos.Tests.Infrastructure;

namespace Custos.Tests.Imports;

/// <summary>Imports from the command line (SEC-4). The <c>custos</c> executable, run as a separate process the way scripts and CI run it.</summary>
[Collection(CommandLineTest.Collection)]
public sealed class ImportCommandTests : CommandLineTest
{
    [Fact]
    public async Task A_department_head_imports_a_csv_non_interactively_and_a_bad_file_is_refused_with_row_and_column()
    {
        Assert.Equal(0, (await RunAsync("org", "department", "add", "SALES", "销售部")).ExitCode);
        await FoundAsync();
        await AddApprovedAsync("wang.head", "王部长", ["--role", "department-head", "--department", "SALES"], "qian.hg", "zhou.gm");
        Directory.CreateDirectory(dataDir + "-files");
        var good = Path.Combine(dataDir + "-files", "list.csv");
        File.WriteAllText(good, "姓名,身份证号,手机\n张伟,11010519491231002X,13812345678\n李娜,440524188001010014,13912345678\n", new System.Text.UTF8Encoding(true));
        string[] collection = ["--source", "展会登记表", "--purpose", "会后回访", "--legal-basis", "客户书面同意"];

        var notInteractive = await RunAsync(["import", good, "--as", "wang.head", .. collection]);
        Assert.Equal(1, notInteractive.ExitCode);
        Assert.Contains("--yes", notInteractive.Error, StringComparison.Ordinal);

        var imported = await RunAsync(["import", good, "--as", "wang.head", "--yes", .. collection]);
        Assert.Equal(0, imported.ExitCode);
        Assert.Contains("Imported 2 customers", imported.Out, StringComparison.Ordinal);
        Assert.Contains("138****5678", imported.Out, StringComparison.Ordinal); // the preview is masked
        Assert.DoesNotContain("13812345678", imported.Out, StringComparison.Ordinal);

        // A third party's list (EXP-3): recorded with its third party and owner; its customers view-only.
        var received = Path.Combine(dataDir + "-files", "received.csv");
        File.WriteAllText(received, "姓名,手机\n陈静,13712345678\n", new System.Text.UTF8Encoding(false));
        Assert.Equal(0, (await RunAsync(["import", received, "--as", "wang.head", "--yes", "--third-party", "某开发商", .. collection])).ExitCode);
        using (var connection = new SqliteConnection($"Data Source={Path.Combine(dataDir, "custos.db")}"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT COUNT(*) FROM Customers c JOIN Collections r ON r.Id = c.CollectionId WHERE r.ThirdParty = '某开发商' AND c.ViewOnly = 1";
            Assert.Equal(1L, (long)command.ExecuteScalar()!);
        }

        // Accuracy reviews (SEC-4): nothing is due yet; a customer the person may not see is refused.
        var stale = await RunAsync("customer", "stale", "--as", "wang.head");
        Assert.Equal(0, stale.ExitCode);
        Assert.DoesNotContain("陈", stale.Out, StringComparison.Ordinal);
        Assert.Equal(1, (await RunAsync("customer", "reviewed", Guid.NewGuid().ToString(), "--outcome", "Confirmed", "--as", "wang.head")).ExitCode);

        var bad = Path.Combine(dataDir + "-files", "bad.csv");
        File.WriteAllText(bad, "姓名,身份证号,手机\n赵磊,110105194912310021,13812345678\n", new System.Text.UTF8Encoding(false));
        File.WriteAllText(Path.Combine(dataDir + "-files", "map.json"), "{\"姓名\":\"name\",\"2\":\"idNumber\",\"手机\":\"mobile\"}");
        var refused = await RunAsync(["import", bad, "--as", "wang.head", "--mapping", Path.Combine(dataDir + "-files", "map.json"), .. collection]);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("nothing was imported", refused.Error, StringComparison.Ordinal);
        Assert.Matches(@"\|\s*2\s*\|\s*身份证号", refused.Out);
        Directory.Delete(dataDir + "-files", true);
    }
}
