using Custos.Tests.Infrastructure;

namespace Custos.Tests.Inventory;

/// <summary><c>custos inventory show --department CODE</c> (CLS-5): the inventory as the acting person may read it, run as a separate process.</summary>
[Collection(CommandLineTest.Collection)]
public sealed class InventoryCommandTests : CommandLineTest
{
    [Fact]
    public async Task A_compliance_officer_prints_a_departments_inventory_and_an_unknown_department_is_refused_CLS_5()
    {
        Assert.Equal(0, (await RunAsync("org", "department", "add", "SALES", "销售部")).ExitCode);
        await FoundAsync();

        var shown = await RunAsync("inventory", "show", "--department", "sales", "--as", "qian.hg");
        Assert.True(shown.ExitCode == 0, shown.Error);
        Assert.Contains("销售部 (SALES)", shown.Out, StringComparison.Ordinal);
        Assert.Contains("Total (customers in Custos): 0", shown.Out, StringComparison.Ordinal);
        Assert.Contains("Not reviewed yet", shown.Out, StringComparison.Ordinal);

        var unknown = await RunAsync("inventory", "show", "--department", "NOPE", "--as", "qian.hg");
        Assert.NotEqual(0, unknown.ExitCode);
        Assert.Contains("No inventory was found", unknown.Error + unknown.Out, StringComparison.Ordinal);
    }
}
