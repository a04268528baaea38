using Microsoft.Playwright;
using OtpNet;

namespace Custos.BrowserTests;

/// <summary>
/// Real Chromium against a real <c>custos serve</c> (INC-1, INC-2, INC-3): a clerk who is leaving lists customers, the
/// log's rules raise an alert; the compliance officer opens an incident from it, triages it as a leak, grades it 较大
/// (the 4-hour clock to the cyberspace authority starts from the alert), suspends the clerk — whose next page is the
/// sign-in — and drafts the PIPL notice, which downloads as text.
/// </summary>
public sealed class IncidentJourneyTests(CustosServer server) : ChromiumTest, IClassFixture<CustosServer>
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
    public async Task An_alert_becomes_an_incident_is_contained_runs_the_four_hour_clock_and_drafts_the_notice()
    {
        // The clerk's departure is recorded for next week; the clerk then lists customers.
        var admin = await SignedInAsync("demo.it", enrol: true);
        await admin.GotoAsync("/leaving");
        await admin.FillAsync("#leaving-person", "demo.staff");
        await admin.SelectOptionAsync("#leaving-kind", "Departure");
        await admin.FillAsync("#leaving-day", TimeProvider.System.GetUtcNow().AddDays(7).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        await admin.FillAsync("#leaving-reason", "个人原因辞职");
        await admin.ClickAsync("#record-leaving");
        await admin.WaitForURLAsync("**/leaving/*");

        var clerk = await SignedInAsync("demo.staff", enrol: false);
        await clerk.GotoAsync("/customers");

        // The compliance officer finds the alert and opens an incident from it.
        var officer = await SignedInAsync("demo.compliance", enrol: true);
        ILocator open = officer.Locator("#open-alerts a[id^='incident-']");
        for (var attempt = 0; attempt < 60 && await open.CountAsync() == 0; attempt++)
        {
            await Task.Delay(500);
            await officer.GotoAsync("/alerts");
        }

        await open.First.ClickAsync();
        await officer.WaitForSelectorAsync("#from-alert-form");
        await officer.ClickAsync("#open-from-alert");
        await officer.WaitForSelectorAsync("#incident-number");
        Assert.Contains("郑小客", await officer.TextContentAsync("#incident-suspect"), StringComparison.Ordinal);
        Assert.Contains("告警", await officer.TextContentAsync("dl.facts"), StringComparison.Ordinal);

        // INC-1: beyond the circle, and it cannot be shown that nobody learnt it — a leak.
        await officer.CheckAsync("#beyond-yes");
        await officer.CheckAsync("#shown-no");
        await officer.ClickAsync("#triage");
        await officer.WaitForSelectorAsync("#incident-notice");
        Assert.Equal("是", (await officer.TextContentAsync("#incident-leak"))?.Trim());

        // 2 million people: 较大, and the 4-hour clock to the authority is running.
        Assert.Contains("尚未定为较大", await officer.TextContentAsync("#clock-card"), StringComparison.Ordinal);
        await officer.FillAsync("#assess-affected", "2000000");
        await officer.ClickAsync("#assess");
        await officer.WaitForSelectorAsync("#authority-clock");
        Assert.Equal("较大", (await officer.TextContentAsync("#incident-grade"))?.Trim());
        var clock = await officer.TextContentAsync("#authority-clock") ?? "";
        Assert.Contains("4 小时内", clock, StringComparison.Ordinal);
        Assert.Matches("剩余 3 小时 [0-9]+ 分", clock);

        // Containment: the clerk is suspended; their next page is the sign-in.
        await officer.ClickAsync("#contain-SuspendPerson");
        await officer.WaitForSelectorAsync("#timeline tr[data-action='SuspendPerson']");
        Assert.Equal("处置中", (await officer.TextContentAsync("#incident-status"))?.Trim());
        await clerk.GotoAsync("/customers");
        Assert.Contains("/account/login", clerk.Url, StringComparison.Ordinal);

        // The PIPL art. 57 notice, drafted and downloaded as text.
        await officer.FillAsync("#notice-Kinds", "姓名、手机号码");
        await officer.FillAsync("#notice-Cause", "离职员工违规查看客户名单");
        await officer.FillAsync("#notice-Harm", "可能收到推销或诈骗电话");
        await officer.FillAsync("#notice-Measures", "已暂停该员工账号并调查");
        await officer.FillAsync("#notice-Advice", "请警惕冒充本公司的来电");
        await officer.FillAsync("#notice-Contact", "合规部 400-000-0000");
        await officer.ClickAsync("#draft-notice");
        await officer.WaitForSelectorAsync("#notice-text");
        var href = await officer.GetAttributeAsync("#notice-text", "href");
        var notice = await officer.Context.APIRequest.GetAsync(href!);
        Assert.Equal(200, notice.Status);
        var text = await notice.TextAsync();
        Assert.Contains("第五十七条", text, StringComparison.Ordinal);
        Assert.Contains("请警惕冒充本公司的来电", text, StringComparison.Ordinal);

        AssertNoConsoleErrors();
    }
}
