using Microsoft.Playwright;

namespace Custos.BrowserTests;

/// <summary>
/// Real headless Chromium for a test class (Debian's package, <c>apt-get install -y chromium</c>): pages in the
/// Chinese locale against a server, with every console error collected so a test can say none occurred.
/// </summary>
public abstract class ChromiumTest : IAsyncLifetime
{
    private IPlaywright? playwright;

    protected IBrowser Browser { get; private set; } = null!;

    protected List<string> ConsoleErrors { get; } = [];

    public async Task InitializeAsync()
    {
        if (!File.Exists("/usr/bin/chromium"))
        {
            throw new InvalidOperationException("Chromium is not installed. Install it with: apt-get install -y chromium");
        }

        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        playwright?.Dispose();
    }

    /// <summary>A page of a fresh browser context (its own cookies) on <paramref name="baseUrl"/>.</summary>
    protected async Task<IPage> NewPageAsync(string baseUrl)
    {
        var context = await Browser.NewContextAsync(new() { BaseURL = baseUrl, Locale = "zh-CN" });
        // CI runs every test assembly at once on two cores: a server's first pages can take longer than Playwright's 30 s.
        context.SetDefaultTimeout(90_000);
        context.SetDefaultNavigationTimeout(90_000);
        var page = await context.NewPageAsync();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                ConsoleErrors.Add(message.Text);
            }
        };
        return page;
    }

    protected void AssertNoConsoleErrors() => Assert.True(ConsoleErrors.Count == 0, string.Join("\n", ConsoleErrors));
}
