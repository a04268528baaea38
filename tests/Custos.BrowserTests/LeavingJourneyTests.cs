using Microsoft.Playwright;
using OtpNet;

namespace Custos.BrowserTests;

/// <summary>
/// Real Chromium against a real <c>custos serve</c> (PPL-1, PPL-3): the IT administrator records a dismissal, names
/// the successor and records the paper exit statement; the successor and the department head confirm the hand-over
/// on their own pages; the file closes; the dismissed person can no longer sign in.
/// </summary>
public sealed class LeavingJourneyTests(CustosServer server) : ChromiumTest, IClassFixture<CustosServer>
{
    private const string DemoPassword = "Custos-Demo-2026";

    private async Task<IPage> SignedInAsync(string user, bool enrol)
    {
        var page = await NewPageAsync(server.BaseUrl);
        await page.GotoAsync("/account/login");
        await page.FillAsync("#username", user);
        await page.FillAsync("#password", DemoPassword);
        await page.ClickAsync("#signin");
        if (enrol)
        {
            await page.WaitForURLAsync("**/account/mfa");
            var key = await page.GetAttributeAsync("#mfa-key", "data-key");
            await page.FillAsync("#code", new Totp(Base32Encoding.ToBytes(key!)).ComputeTotp());
            await page.ClickAsync("#enrol");
        }

        await page.WaitForURLAsync(server.BaseUrl + "/");
        return page;
    }

    [Fact]
    public async Task A_dismissal_is_handed_over_confirmed_by_successor_and_head_and_closed()
    {
        // The administrator records the dismissal: access ends at once.
        var admin = await SignedInAsync("demo.it", enrol: true);
        await admin.ClickAsync("a[href='/leaving']");
        await admin.WaitForSelectorAsync("#record-leaving-form");
        await admin.FillAsync("#leaving-person", "demo.pm");
        await admin.SelectOptionAsync("#leaving-kind", "Dismissal");
        await admin.FillAsync("#leaving-reason", "违反客户信息保密制度");
        await admin.ClickAsync("#record-leaving");
        await admin.WaitForURLAsync("**/leaving/*");
        var file = admin.Url;
        Assert.Contains("李经理", await admin.TextContentAsync("h1"), StringComparison.Ordinal);
        Assert.Equal("step-done", await admin.GetAttributeAsync("#step-access", "class"));

        // The successor, then the paper statement: the list shows the project the successor is not yet in.
        await admin.FillAsync("#successor", "demo.staff");
        await admin.ClickAsync("#name-successor");
        await admin.WaitForSelectorAsync("#handover tr[data-ref='VIP-CARE']");
        Assert.Contains("贵宾客户服务", await admin.TextContentAsync("#handover tr[data-ref='VIP-CARE']"), StringComparison.Ordinal);
        await admin.SelectOptionAsync("#statement-kind", "Paper");
        await admin.FillAsync("#statement-note", "纸质承诺书已签署，存人事档案");
        await admin.ClickAsync("#record-statement");
        await admin.WaitForSelectorAsync("#leaving-notice");
        Assert.Equal("step-done", await admin.GetAttributeAsync("#step-statement", "class"));

        // Not closed before the hand-over is confirmed: the page says what is missing.
        await admin.ClickAsync("#close-file");
        await admin.WaitForSelectorAsync("#leaving-error");
        Assert.Contains("交接清单", await admin.TextContentAsync("#leaving-error"), StringComparison.Ordinal);

        // The successor finds the file among theirs and confirms.
        var successor = await SignedInAsync("demo.staff", enrol: false);
        await successor.GotoAsync("/leaving");
        await successor.ClickAsync("#leaving-files a");
        await successor.WaitForSelectorAsync("#confirm-handover");
        await successor.ClickAsync("#confirm-handover");
        await successor.WaitForSelectorAsync("#leaving-notice");
        Assert.Equal("step-done", await successor.GetAttributeAsync("#step-successor-confirm", "class"));
        Assert.Equal(0, await successor.Locator("#confirm-handover").CountAsync());

        // The department head confirms: the successor's requests are filed for approval.
        var head = await SignedInAsync("demo.head", enrol: true);
        await head.ClickAsync("a[href='/leaving']");
        await head.ClickAsync("#leaving-files a");
        await head.WaitForSelectorAsync("#confirm-handover");
        await head.ClickAsync("#confirm-handover");
        await head.WaitForSelectorAsync("#successor-requests");
        Assert.Equal("step-done", await head.GetAttributeAsync("#step-head-confirm", "class"));

        // Now it closes.
        await admin.GotoAsync(file);
        await admin.ClickAsync("#close-file");
        await admin.WaitForSelectorAsync("#leaving-notice");
        Assert.Equal("step-done", await admin.GetAttributeAsync("#step-closed", "class"));
        await admin.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "custos-leaving.png"), FullPage = true });

        // The dismissed person is refused at sign-in.
        var gone = await NewPageAsync(server.BaseUrl);
        await gone.GotoAsync("/account/login");
        await gone.FillAsync("#username", "demo.pm");
        await gone.FillAsync("#password", DemoPassword);
        await gone.ClickAsync("#signin");
        await gone.WaitForSelectorAsync("#login-error");
        AssertNoConsoleErrors();
    }
}
