using Microsoft.Playwright;
using OtpNet;

namespace Custos.BrowserTests;

/// <summary>Real Chromium against a real <c>custos serve</c>: sign in, enrol TOTP, sign out, switch language.</summary>
public sealed class SignInJourneyTests(CustosServer server) : ChromiumTest, IClassFixture<CustosServer>
{
    private const string DemoPassword = "Custos-Demo-2026";

    private Task<IPage> NewPageAsync() => NewPageAsync(server.BaseUrl);

    /// <summary>The authenticator's code <paramref name="steps"/> periods from now: each code signs in once, so a second sign-in uses the next one.</summary>
    private static string Code(string key, int steps = 0) => new Totp(Base32Encoding.ToBytes(key)).ComputeTotp(TimeProvider.System.GetUtcNow().UtcDateTime.AddSeconds(30 * steps));

    private static async Task SignInAsync(IPage page, string user)
    {
        await page.GotoAsync("/account/login");
        await page.FillAsync("#username", user);
        await page.FillAsync("#password", DemoPassword);
        await page.ClickAsync("#signin");
    }

    [Fact]
    public async Task An_administrator_enrols_totp_signs_out_and_signs_back_in_with_a_code()
    {
        var page = await NewPageAsync();
        await SignInAsync(page, "demo.it");

        await page.WaitForURLAsync("**/account/mfa");
        var key = await page.GetAttributeAsync("#mfa-key", "data-key");
        Assert.False(string.IsNullOrEmpty(key));
        Assert.True(await page.IsVisibleAsync(".qr img"));
        var enrolled = Code(key!);
        await page.FillAsync("#code", enrolled);
        await page.ClickAsync("#enrol");

        await page.WaitForURLAsync(server.BaseUrl + "/");
        Assert.Contains("周信息", await page.TextContentAsync("#welcome"), StringComparison.Ordinal);
        Assert.True(await page.IsVisibleAsync("a[href='/admin/people']"));

        await page.ClickAsync("#signout");
        await page.WaitForURLAsync("**/account/login");
        var response = await page.GotoAsync("/");
        Assert.Contains("/account/login", page.Url, StringComparison.Ordinal);
        Assert.NotNull(response);

        await SignInAsync(page, "demo.it");
        await page.WaitForURLAsync("**/account/login/2fa**");
        await page.FillAsync("#code", enrolled); // the code that enrolled: it signs in once only
        await page.ClickAsync("#verify");
        await page.WaitForSelectorAsync("#login-error");
        await page.FillAsync("#code", Code(key!, 1));
        await page.ClickAsync("#verify");
        await page.WaitForURLAsync(server.BaseUrl + "/");
        Assert.Contains("周信息", await page.TextContentAsync("#welcome"), StringComparison.Ordinal);

        AssertNoConsoleErrors();
    }

    [Fact]
    public async Task The_language_switch_turns_the_interface_to_english_and_back()
    {
        var page = await NewPageAsync();
        await page.GotoAsync("/account/login");
        Assert.Equal("登录", await page.TextContentAsync("h1"));

        await page.ClickAsync("#culture-form button");
        await page.WaitForFunctionAsync("document.querySelector('h1').textContent === 'Sign in'");
        Assert.Equal("en", await page.GetAttributeAsync("html", "lang"));

        await SignInAsync(page, "demo.staff");
        await page.WaitForURLAsync(server.BaseUrl + "/");
        Assert.Contains("Welcome", await page.TextContentAsync("#welcome"), StringComparison.Ordinal);

        await page.ClickAsync("#culture-form button");
        await page.WaitForFunctionAsync("document.querySelector('#welcome').textContent.startsWith('欢迎')");
        AssertNoConsoleErrors();
    }

    [Fact]
    public async Task A_clerk_finds_a_customer_sees_masked_values_and_reveals_one_for_a_purpose()
    {
        var page = await NewPageAsync();
        await SignInAsync(page, "demo.staff");
        await page.WaitForURLAsync(server.BaseUrl + "/");

        await page.ClickAsync("a[href='/customers']");
        await page.WaitForSelectorAsync("#customers");
        var firstMobile = await page.TextContentAsync("#customers tbody tr:first-child td:nth-child(2)");
        Assert.Matches(@"^1\d\d\*{4}\d{4}$", firstMobile);

        await page.ClickAsync("#customers tbody tr:first-child a");
        await page.WaitForSelectorAsync("#fields");
        var masked = await page.TextContentAsync("tr[data-field='mobile'] .masked");
        Assert.Contains("****", masked, StringComparison.Ordinal);

        await page.SelectOptionAsync("tr[data-field='mobile'] select[name='purpose']", "follow-up");
        await page.ClickAsync("tr[data-field='mobile'] button");
        await page.WaitForSelectorAsync("#revealed-value");
        var revealed = await page.TextContentAsync("#revealed-value");
        Assert.Matches(@"^1[3-9]\d{9}$", revealed);
        Assert.Equal(masked![..3], revealed![..3]);
        Assert.Equal(masked[^4..], revealed[^4..]);
        await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "custos-customer.png"), FullPage = true });

        // Searching by the revealed number finds exactly that customer.
        await page.GotoAsync("/customers");
        await page.FillAsync("#q", revealed);
        await page.ClickAsync("#search");
        await page.WaitForFunctionAsync("document.querySelectorAll('#customers tbody tr').length === 1");
        Assert.DoesNotContain(revealed, page.Url, StringComparison.Ordinal);
        AssertNoConsoleErrors();
    }

    [Fact]
    public async Task Staff_need_no_second_factor_but_see_their_scope_masked_by_default_labels()
    {
        var page = await NewPageAsync();
        await SignInAsync(page, "demo.staff");
        await page.WaitForURLAsync(server.BaseUrl + "/");

        Assert.True(int.Parse(await page.TextContentAsync("#scope-customers") ?? "0", System.Globalization.CultureInfo.InvariantCulture) > 0);
        Assert.False(await page.IsVisibleAsync("a[href='/admin/people']"));
        AssertNoConsoleErrors();

        var denied = await page.GotoAsync("/admin/people");
        Assert.Equal(403, denied!.Status);
        Assert.Contains("无权访问", await page.TextContentAsync("h1"), StringComparison.Ordinal);
    }

    /// <summary>PRT-1, PRT-2 in a real browser: a clerk asks to print, the department head approves, the clerk downloads the stamped PDF and finds it in the ledger.</summary>
    [Fact]
    public async Task A_clerk_asks_to_print_the_head_approves_and_the_clerk_downloads_the_controlled_print()
    {
        var clerk = await NewPageAsync();
        await SignInAsync(clerk, "demo.staff");
        await clerk.WaitForURLAsync(server.BaseUrl + "/");
        await clerk.GotoAsync("/customers");
        await clerk.ClickAsync("#customers tbody tr:first-child a");
        await clerk.WaitForSelectorAsync("#fields");
        var customerUrl = clerk.Url;
        Assert.False(await clerk.IsVisibleAsync("#print-form"));

        await clerk.ClickAsync("#ask-print");
        await clerk.WaitForSelectorAsync("#request-form");
        await clerk.FillAsync("#reason", "客户要求提供纸质确认件");
        await clerk.ClickAsync("#submit-request");
        await clerk.WaitForSelectorAsync("#request-notice");

        var head = await NewPageAsync();
        await SignInAsync(head, "demo.head");
        await head.WaitForURLAsync("**/account/mfa");
        var key = await head.GetAttributeAsync("#mfa-key", "data-key");
        await head.FillAsync("#code", Code(key!));
        await head.ClickAsync("#enrol");
        await head.WaitForURLAsync(server.BaseUrl + "/");
        await head.GotoAsync("/approvals");
        await head.ClickAsync("form[data-request] button[value='approve']");
        await head.WaitForSelectorAsync("#nothing-to-approve");

        await clerk.GotoAsync(customerUrl);
        await clerk.FillAsync("#print-form input[name='recipient']", "郑小客");
        var download = await clerk.RunAndWaitForDownloadAsync(() => clerk.ClickAsync("#print"));
        Assert.EndsWith(".pdf", download.SuggestedFilename, StringComparison.Ordinal);
        var bytes = await File.ReadAllBytesAsync((await download.PathAsync())!);
        Assert.Equal("%PDF-", System.Text.Encoding.ASCII.GetString(bytes, 0, 5));

        await clerk.GotoAsync("/copies");
        var serial = await clerk.GetAttributeAsync("#ledger tbody tr:first-child", "data-serial");
        Assert.StartsWith("P-", serial, StringComparison.Ordinal);
        Assert.Contains(serial!, download.SuggestedFilename, StringComparison.Ordinal);
        AssertNoConsoleErrors();
    }
}
