using System.Diagnostics;
using System.Text.Json;
using Custos.Features.Training;
using Custos.Kernel.Policy;
using Microsoft.Playwright;
using OtpNet;

namespace Custos.BrowserTests;

/// <summary>
/// A demo organisation whose policy, loaded and approved as any company would (proposed from the command line by
/// the IT administrator, approved on the web by the compliance officer and the general manager), requires the
/// confidentiality agreement and current training before any customer information (PPL-1, PPL-2).
/// </summary>
public sealed class OnboardingServer : IAsyncLifetime
{
    public const string Password = "Custos-Demo-2026";

    public CustosServer Server { get; } = new();

    public async Task InitializeAsync()
    {
        await Server.InitializeAsync();
        var file = Path.Combine(Server.DataDir, "onboarding-policy.yaml");
        await File.WriteAllTextAsync(file, DefaultPolicy.Yaml.Replace("version: 1", "version: 2", StringComparison.Ordinal)
            .Replace("nda: false", "nda: true", StringComparison.Ordinal).Replace("training: false", "training: true", StringComparison.Ordinal));
        var load = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "custos.dll"), "policy", "load", file, "--data-dir", Server.DataDir, "--as", "demo.it", "--note", "入职须签署保密协议并通过培训" })
        {
            load.ArgumentList.Add(arg);
        }

        load.Environment.Remove("CUSTOS_DATABASE");
        using (var process = Process.Start(load)!)
        {
            var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException("custos policy load failed:\n" + output);
            }
        }

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = "/usr/bin/chromium", Headless = true, Args = ["--no-sandbox", "--disable-gpu"] });
        foreach (var approver in new[] { "demo.compliance", "demo.gm" })
        {
            var context = await browser.NewContextAsync(new() { BaseURL = Server.BaseUrl, Locale = "zh-CN" });
            var page = await context.NewPageAsync();
            await page.GotoAsync("/account/login");
            await page.FillAsync("#username", approver);
            await page.FillAsync("#password", Password);
            await page.ClickAsync("#signin");
            await page.WaitForURLAsync("**/account/mfa");
            var key = await page.GetAttributeAsync("#mfa-key", "data-key");
            await page.FillAsync("#code", new Totp(Base32Encoding.ToBytes(key!)).ComputeTotp());
            await page.ClickAsync("#enrol");
            await page.WaitForURLAsync(Server.BaseUrl + "/");
            var pending = JsonDocument.Parse(await (await context.APIRequest.GetAsync("/api/v1/requests/to-approve")).TextAsync()).RootElement;
            var id = pending.EnumerateArray().Single(r => r.GetProperty("kind").GetString() == "PolicyChange").GetProperty("id").GetGuid();
            var approved = await context.APIRequest.PostAsync($"/api/v1/requests/{id}/approve", new()
            {
                DataObject = new { note = "同意" },
                Headers = new Dictionary<string, string> { ["Origin"] = Server.BaseUrl },
            });
            if (!approved.Ok)
            {
                throw new InvalidOperationException($"{approver} could not approve the policy: {approved.Status} {await approved.TextAsync()}");
            }

            await context.CloseAsync();
        }
    }

    public Task DisposeAsync() => Server.DisposeAsync();
}

/// <summary>Real Chromium: a new person's first sign-in — sign the agreement, study, pass the exam, reach the customers.</summary>
public sealed class OnboardingJourneyTests(OnboardingServer fixture) : ChromiumTest, IClassFixture<OnboardingServer>
{
    [Fact]
    public async Task A_new_person_signs_the_agreement_studies_passes_the_exam_and_reaches_the_customers()
    {
        var server = fixture.Server;
        var page = await NewPageAsync(server.BaseUrl);

        await page.GotoAsync("/account/login");
        await page.FillAsync("#username", "demo.staff");
        await page.FillAsync("#password", OnboardingServer.Password);
        await page.ClickAsync("#signin");

        // Before anything else: the agreement. Other pages lead back to it.
        await page.WaitForURLAsync("**/agreement");
        Assert.Contains("保密义务继续有效", await page.TextContentAsync("#agreement-text"), StringComparison.Ordinal);
        await page.GotoAsync("/customers");
        await page.WaitForURLAsync("**/agreement");
        await page.CheckAsync("#agreement-read");
        await page.FillAsync("#agreement-password", OnboardingServer.Password);
        await page.ClickAsync("#agreement-sign");
        await page.WaitForURLAsync(server.BaseUrl + "/");

        // Signed, but not trained: the customer list says so (with a 403, which the browser reports) and leads to the course.
        await page.GotoAsync("/customers");
        ConsoleErrors.RemoveAll(e => e.Contains("status of 403", StringComparison.Ordinal));
        Assert.Contains("培训", await page.TextContentAsync("#refusal"), StringComparison.Ordinal);
        await page.ClickAsync("#to-training");
        await page.WaitForURLAsync("**/training");
        await page.ClickAsync("tr[data-course='confidentiality'] a.button");
        await page.WaitForSelectorAsync("#course-material h1");
        Assert.Contains("最小知悉", await page.TextContentAsync("#course-material"), StringComparison.Ordinal);
        await page.ClickAsync("#start-exam");
        await page.WaitForURLAsync("**/training/exam/*");

        // Answer every question as the course teaches: the bank's answers, matched by the question's text and, since
        // each exam shows the options in an order of its own, by the options' text.
        var questions = page.Locator("fieldset.question");
        var count = await questions.CountAsync();
        Assert.Equal(20, count);
        for (var i = 0; i < count; i++)
        {
            var question = questions.Nth(i);
            var legend = await question.Locator("legend").TextContentAsync() ?? "";
            var item = BuiltInCourse.Questions.Single(q => legend.Contains(q.Text, StringComparison.Ordinal));
            if (item.Kind == QuestionKind.TrueFalse)
            {
                await question.Locator($"input[value='{item.Answer}']").CheckAsync();
                continue;
            }

            var right = item.Answer.Select(c => item.Options[c - 'A']).ToHashSet(StringComparer.Ordinal);
            var labels = question.Locator("label");
            for (var j = 0; j < await labels.CountAsync(); j++)
            {
                var text = (await labels.Nth(j).TextContentAsync() ?? "").Trim();
                if (right.Contains(text[(text.IndexOf('.', StringComparison.Ordinal) + 1)..].Trim()))
                {
                    await labels.Nth(j).Locator("input").CheckAsync();
                }
            }
        }

        await page.ClickAsync("#submit-exam");
        await page.WaitForSelectorAsync("#exam-score");
        Assert.Contains("100", await page.TextContentAsync("#exam-score"), StringComparison.Ordinal);
        Assert.Contains("PX-", await page.TextContentAsync("#exam-certificate"), StringComparison.Ordinal);
        await page.ClickAsync("#to-customers");
        await page.WaitForSelectorAsync("#customers tbody tr");
        Assert.Matches(@"^1\d\d\*{4}\d{4}$", await page.TextContentAsync("#customers tbody tr:first-child td:nth-child(2)"));
        await page.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "custos-onboarded.png"), FullPage = true });
        AssertNoConsoleErrors();
    }
}
