using System.Net.Http.Json;
using System.Text.Json;
using Custos.Features.People;
using Custos.Hosting;
using Custos.Tests.Infrastructure;
using Serilog;
using Serilog.Events;
using Serilog.Parsing;

namespace Custos.Tests.Hosting;

/// <summary>Passwords, TOTP secrets and API tokens never reach a log line.</summary>
public sealed class LoggingTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    [Fact]
    public async Task Signing_in_and_using_tokens_leaves_no_secret_in_the_logs()
    {
        var admin = await app.CreatePersonAsync(Roles.ItAdministrator);
        using var web = app.Session();
        await web.SignInAsync(admin.UserName!, "Wrong-Password-7");
        await web.SignInAsync(admin.UserName!);
        var key = await web.EnrolMfaAsync();
        var secret = (await (await web.Client.PostAsJsonAsync("/api/v1/tokens", new { name = "logging", scopes = new[] { Roles.ItAdministrator }, days = 1 }))
            .Content.ReadFromJsonAsync<JsonElement>()).GetProperty("secret").GetString()!;
        await app.ApiClient(secret).GetAsync("/api/v1/me");
        await app.ApiClient(secret + "x").GetAsync("/api/v1/me");

        var logs = app.Factory.Logs.All;
        Assert.NotEmpty(logs);
        Assert.DoesNotContain(CustosApp.Password, logs, StringComparison.Ordinal);
        Assert.DoesNotContain("Wrong-Password-7", logs, StringComparison.Ordinal);
        Assert.DoesNotContain(key, logs, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(secret[4..], logs, StringComparison.Ordinal);
    }

    [Fact]
    public void The_redaction_enricher_masks_secret_properties_and_token_shaped_text()
    {
        var sink = new LogCapture();
        using var logger = new LoggerConfiguration().Enrich.With<LogRedaction>().WriteTo.Sink(sink).CreateLogger();
        const string token = "cst_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";

        logger.Information("Sign-in for {User} with {Password}", "zhang", "Hunter-2-Secret");
        logger.Information("Header was {Header}", "Bearer " + token);
        logger.Information("Request {@Request}", new { Path = "/x", ApiToken = "abc-123-def" });
        logger.Information("Export {@Order}", new { Purpose = "service", Passphrase = "长城-Great-Wall-2026" });

        Assert.Contains("zhang", sink.All, StringComparison.Ordinal);
        Assert.DoesNotContain("Hunter-2-Secret", sink.All, StringComparison.Ordinal);
        Assert.DoesNotContain(token, sink.All, StringComparison.Ordinal);
        Assert.DoesNotContain("abc-123-def", sink.All, StringComparison.Ordinal);
        Assert.DoesNotContain("Great-Wall", sink.All, StringComparison.Ordinal); // an export's passphrase
        Assert.Contains("cst_***", sink.All, StringComparison.Ordinal);
    }
}
