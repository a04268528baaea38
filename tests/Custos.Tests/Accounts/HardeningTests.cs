using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Custos.Features.People;
using Custos.Tests.Infrastructure;

namespace Custos.Tests.Accounts;

/// <summary>
/// What an outside review found by hand, each pinned by a test (ACC-7, SEC): sign-in messages that said which
/// user names exist, forms and addresses that crashed the server, enums stored out of range, a cross-site upload
/// on a session cookie, pages that sent their Chinese as character references.
/// </summary>
public abstract class HardeningTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : CustosApp
{
    [Fact]
    public async Task A_locked_or_disabled_account_is_told_only_to_whoever_knows_its_password_ACC_7()
    {
        var locked = await app.CreatePersonAsync(Roles.Staff);
        using var web = app.Session();
        for (var i = 0; i < 6; i++)
        {
            await web.SignInAsync(locked.UserName!, "Wrong-Password-" + i);
        }

        async Task<string> MessageAsync(string user, string password) =>
            (await WebSession.ParseAsync(await web.SignInAsync(user, password))).QuerySelector("#login-error")!.TextContent.Trim();

        var unknown = await MessageAsync(app.UniqueName("nobody"), "Wrong-Password-9");
        Assert.Equal(unknown, await MessageAsync(locked.UserName!, "Wrong-Password-9")); // locked, but the guess is wrong: the same words
        Assert.Equal(unknown, await MessageAsync(locked.UserName!, CustosApp.Password)); // while locked, not even a right guess is told apart

        var disabled = await app.CreatePersonAsync(Roles.Staff);
        using (var scope = app.AsSystem())
        {
            await scope.ServiceProvider.GetRequiredService<PeopleService>().DisableAsync(disabled.Id, default);
        }

        Assert.Equal(unknown, await MessageAsync(disabled.UserName!, "Wrong-Password-9"));
        Assert.NotEqual(unknown, await MessageAsync(disabled.UserName!, CustosApp.Password));
    }

    [Theory]
    [InlineData("/%09/evil.com")]
    [InlineData("/\r\nSet-Cookie: x=1")]
    [InlineData("//evil.com")]
    [InlineData("/\\evil.com")]
    public async Task A_return_address_that_is_not_a_plain_local_path_goes_home_instead_of_failing(string returnUrl)
    {
        using var web = app.Session();
        var response = await web.SubmitAsync("/account/login", "#culture-form", new Dictionary<string, string> { ["culture"] = "en", ["returnUrl"] = Uri.UnescapeDataString(returnUrl) });
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", WebSession.Location(response));
    }

    [Fact]
    public async Task A_sign_in_form_posted_without_its_handler_gets_the_error_page_not_an_empty_400()
    {
        using var web = app.Session();
        var (_, page) = await web.GetPageAsync("/account/login");
        var token = page.QuerySelector("#login-form input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        var response = await web.FollowAsync(await web.Client.PostAsync("/account/login", new FormUrlEncodedContent([new("__RequestVerificationToken", token), new("Form.UserName", "x"), new("Form.Password", "y")])));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotNull((await WebSession.ParseAsync(response)).QuerySelector("#error-message"));
    }

    [Fact]
    public async Task An_enum_out_of_range_is_a_400_naming_the_field_and_nothing_is_stored()
    {
        using var admin = await app.AdminSessionAsync();
        var person = await app.CreatePersonAsync(Roles.Staff);
        foreach (var body in new object[] { new { clearance = 99 }, new { clearance = "Galactic" }, new { clearance = (string?)null } })
        {
            var response = await admin.Client.PutAsJsonAsync($"/api/v1/people/{person.Id}/clearance", body);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
            Assert.Equal("clearance", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("field").GetString());
        }

        var customer = await admin.Client.PostAsJsonAsync("/api/v1/customers", new { values = new Dictionary<string, string> { ["name"] = "王五" }, kind = 7, grade = 99 });
        Assert.Equal(HttpStatusCode.BadRequest, customer.StatusCode);
        Assert.False(await app.WithDbAsync(db => Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.AnyAsync(db.Customers, c => (int)c.Grade > 3 || (int)c.Kind > 1)));
    }

    [Fact]
    public async Task A_change_on_a_session_cookie_from_another_site_is_refused()
    {
        var person = await app.CreatePersonAsync(Roles.Staff);
        using var web = app.Session();
        await web.SignInAsync(person.UserName!);
        foreach (var (header, value) in new[] { ("Origin", "https://evil.example"), ("Sec-Fetch-Site", "cross-site") })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/notifications/read") { Content = JsonContent.Create(new { }) };
            request.Headers.Add(header, value);
            var response = await web.Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.Equal("CrossOrigin", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("code").GetString());
        }

        using var same = new HttpRequestMessage(HttpMethod.Get, "/api/v1/me");
        same.Headers.Add("Sec-Fetch-Site", "cross-site"); // reading is not a change
        Assert.Equal(HttpStatusCode.OK, (await web.Client.SendAsync(same)).StatusCode);
    }

    [Fact]
    public async Task Pages_carry_their_chinese_as_utf8_text_not_character_references()
    {
        using var web = app.Session();
        var response = await web.Client.GetAsync("/account/login");
        var bytes = await response.Content.ReadAsByteArrayAsync();
        var html = System.Text.Encoding.UTF8.GetString(bytes);
        Assert.Contains("登录", html, StringComparison.Ordinal);
        Assert.DoesNotMatch("&#x[4-9][0-9A-F]{3};", html);
        Assert.Equal("utf-8", response.Content.Headers.ContentType!.CharSet);
    }
}

public sealed class HardeningTestsOnSqlite(SqliteApp app) : HardeningTests<SqliteApp>(app);

public sealed class HardeningTestsOnPostgres(PostgresApp app) : HardeningTests<PostgresApp>(app);
