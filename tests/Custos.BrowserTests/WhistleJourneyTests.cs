using Microsoft.Playwright;
using OtpNet;

namespace Custos.BrowserTests;

/// <summary>
/// Real Chromium against a real <c>custos serve</c> (INC-4): someone with no account reports a leak — the page's
/// script solves the anti-flood puzzle — and gets a receipt code and secret; the committee's designated handler reads
/// it and asks a question; the reporter follows up with the receipt code, reads the question and answers.
/// </summary>
public sealed class WhistleJourneyTests(CustosServer server) : ChromiumTest, IClassFixture<CustosServer>
{
    private const string DemoPassword = "Custos-Demo-2026";

    [Fact]
    public async Task An_anonymous_report_is_answered_and_followed_up_with_its_receipt_code()
    {
        // Nobody signed in: the page works, and what it sends back may not be cached.
        var reporter = await NewPageAsync(server.BaseUrl);
        var page = await reporter.GotoAsync("/whistle");
        Assert.Equal(200, page!.Status);
        Assert.Contains("no-store", (await page.AllHeadersAsync()).GetValueOrDefault("cache-control") ?? "", StringComparison.Ordinal);
        await reporter.FillAsync("#whistle-summary", "客户名单被拍照外传");
        await reporter.FillAsync("#whistle-body", "客服中心有人用手机拍摄客户名单，发到个人微信群。");
        await reporter.ClickAsync("#send-whistle");
        await reporter.WaitForSelectorAsync("#receipt-code");
        var receipt = (await reporter.TextContentAsync("#receipt-code"))!.Trim();
        var secret = (await reporter.TextContentAsync("#receipt-secret"))!.Trim();
        Assert.Matches("^[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}$", receipt);

        // The designated handler (the demo's auditor on the committee) reads it and asks.
        var handler = await NewPageAsync(server.BaseUrl);
        await handler.GotoAsync("/account/login");
        await handler.FillAsync("#username", "demo.auditor");
        await handler.FillAsync("#password", DemoPassword);
        await handler.ClickAsync("#signin");
        await handler.WaitForURLAsync("**/account/mfa");
        var key = await handler.GetAttributeAsync("#mfa-key", "data-key");
        await handler.FillAsync("#code", new Totp(Base32Encoding.ToBytes(key!)).ComputeTotp());
        await handler.ClickAsync("#enrol");
        await handler.WaitForURLAsync(server.BaseUrl + "/");
        await handler.GotoAsync("/reports");
        await handler.ClickAsync("#reports a");
        await handler.WaitForSelectorAsync("#report-body");
        Assert.Contains("个人微信群", await handler.TextContentAsync("#report-body"), StringComparison.Ordinal);
        Assert.Contains("匿名", await handler.TextContentAsync("dl.facts"), StringComparison.Ordinal);
        await handler.FillAsync("#handler-reply", "请问是哪一天拍摄的？");
        await handler.ClickAsync("#send-handler-reply");
        await handler.WaitForSelectorAsync("#report-notice");

        // The reporter comes back with the receipt code and secret, reads the question and answers.
        var later = await NewPageAsync(server.BaseUrl);
        await later.GotoAsync("/whistle");
        await later.FillAsync("#follow-receipt", receipt);
        await later.FillAsync("#follow-secret", secret);
        await later.ClickAsync("#follow");
        await later.WaitForSelectorAsync("#thread-messages");
        Assert.Contains("请问是哪一天拍摄的？", await later.TextContentAsync("#thread-messages"), StringComparison.Ordinal);
        Assert.DoesNotContain(secret, later.Url, StringComparison.Ordinal);
        await later.FillAsync("#reply-text", "上周五下午。");
        await later.ClickAsync("#send-reply");
        await later.WaitForFunctionAsync("() => document.querySelector('#thread-messages').textContent.includes('上周五下午')");

        // A wrong secret says no more than an unknown receipt.
        var wrong = await NewPageAsync(server.BaseUrl);
        await wrong.GotoAsync("/whistle");
        await wrong.FillAsync("#follow-receipt", receipt);
        await wrong.FillAsync("#follow-secret", "NOTTHESECRET");
        await wrong.ClickAsync("#follow");
        await wrong.WaitForSelectorAsync("#whistle-error");
        Assert.Equal("回执编号或查询密码不正确。", (await wrong.TextContentAsync("#whistle-error"))?.Trim());

        AssertNoConsoleErrors();
    }
}
