using System.Net;
using Custos.Features.Audit;
using Custos.Features.People;
using Custos.Security;
using Custos.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Custos.Tests.Accounts;

/// <summary>ACC-7: sign-in, two-factor enrolment by role, lockout, disabled accounts — on every storage engine.</summary>
public abstract class SignInTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : CustosApp
{
    public static TheoryData<string> AllRoles => [.. Roles.All];

    [Theory]
    [MemberData(nameof(AllRoles))]
    public async Task Every_role_signs_in_and_roles_above_staff_reach_nothing_before_enrolling_totp(string role)
    {
        var person = await app.CreatePersonAsync(role);
        using var web = app.Session();

        var landing = await web.SignInAsync(person.UserName!);

        if (role == Roles.Staff)
        {
            Assert.Equal("/", landing.RequestMessage!.RequestUri!.AbsolutePath);
            var home = await WebSession.ParseAsync(landing);
            Assert.Contains("测试" + role, home.QuerySelector("#welcome")!.TextContent, StringComparison.Ordinal);
            return;
        }

        // Before enrolment every page and API answers with the enrolment page or a 403 problem.
        Assert.Equal("/account/mfa", landing.RequestMessage!.RequestUri!.AbsolutePath);
        foreach (var path in new[] { "/", "/account", "/admin/people", "/api-docs", "/account/password" })
        {
            var response = await web.Client.GetAsync(path);
            Assert.Equal(HttpStatusCode.Found, response.StatusCode);
            Assert.Equal("/account/mfa", WebSession.Location(response));
        }

        var api = await web.Client.GetAsync("/api/v1/me");
        Assert.Equal(HttpStatusCode.Forbidden, api.StatusCode);
        Assert.Contains("MfaEnrolmentRequired", await api.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var key = await web.EnrolMfaAsync();
        var after = await web.Client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await web.Client.GetAsync("/api/v1/me")).StatusCode);

        // The next sign-in asks for the code.
        using var again = app.Session();
        var prompt = await again.SignInAsync(person.UserName!);
        Assert.Equal("/account/login/2fa", prompt.RequestMessage!.RequestUri!.AbsolutePath);
        var wrong = await again.SubmitTotpAsync(key, "000000");
        Assert.NotNull((await WebSession.ParseAsync(wrong)).QuerySelector("#login-error"));
        var done = await again.SubmitTotpAsync(key);
        Assert.Equal("/", done.RequestMessage!.RequestUri!.AbsolutePath);
    }

    [Fact]
    public async Task An_authenticator_code_signs_in_once_ACC_7()
    {
        var person = await app.CreatePersonAsync(Roles.Auditor);
        using var first = app.Session();
        await first.SignInAsync(person.UserName!);
        var key = await first.EnrolMfaAsync();

        using var second = app.Session();
        await second.SignInAsync(person.UserName!);
        var code = second.FreshCode(key);
        Assert.Equal("/", (await second.SubmitTotpAsync(key, code)).RequestMessage!.RequestUri!.AbsolutePath);

        // The same code, within its 30 seconds, from another browser (someone who saw it): refused, and on the next step accepted.
        using var third = app.Session();
        await third.SignInAsync(person.UserName!);
        var replay = await third.SubmitTotpAsync(key, code);
        Assert.NotNull((await WebSession.ParseAsync(replay)).QuerySelector("#login-error"));
        Assert.Equal("/", (await third.SubmitTotpAsync(key)).RequestMessage!.RequestUri!.AbsolutePath);
    }

    [Fact]
    public async Task Signing_out_ends_the_session_on_the_server_so_a_copied_cookie_is_dead_ACC_7()
    {
        var person = await app.CreatePersonAsync(Roles.Staff);
        using var web = app.Session();
        await web.SignInAsync(person.UserName!);
        var cookie = (await web.Client.GetAsync("/account")).RequestMessage!.Headers.GetValues("Cookie").Single();
        using var thief = app.ApiClient();
        thief.DefaultRequestHeaders.Add("Cookie", cookie);
        Assert.Equal(HttpStatusCode.OK, (await thief.GetAsync("/api/v1/me")).StatusCode);

        Assert.Equal(HttpStatusCode.Redirect, (await web.SubmitAsync("/account", "#logout-form", new Dictionary<string, string>())).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await thief.GetAsync("/api/v1/me")).StatusCode);
        var session = await app.WithDbAsync(db => db.UserSessions.AsNoTracking().SingleAsync(s => s.PersonId == person.Id));
        Assert.Equal("sign-out", session.EndReason);
    }

    [Fact]
    public async Task Authenticator_keys_and_the_webs_data_protection_keys_are_sealed_in_the_database_SEC_1()
    {
        var person = await app.CreatePersonAsync(Roles.Auditor);
        using var web = app.Session();
        await web.SignInAsync(person.UserName!);
        var key = await web.EnrolMfaAsync();

        var stored = await app.WithDbAsync(db => db.UserTokens.AsNoTracking().SingleAsync(t => t.UserId == person.Id && t.Name == "AuthenticatorKey"));
        Assert.StartsWith("v1:", stored.Value, StringComparison.Ordinal);
        Assert.DoesNotContain(key, stored.Value!, StringComparison.OrdinalIgnoreCase);
        var protection = await app.WithDbAsync(db => db.DataProtectionKeys.AsNoTracking().Select(k => k.Xml!).ToListAsync());
        Assert.NotEmpty(protection);
        Assert.All(protection, xml =>
        {
            Assert.Contains("custosSealedKey", xml, StringComparison.Ordinal);
            Assert.DoesNotContain("<masterKey", xml, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task Wrong_password_is_refused_with_a_message_and_recorded()
    {
        var person = await app.CreatePersonAsync(Roles.Staff);
        using var web = app.Session();

        var response = await web.SignInAsync(person.UserName!, "Wrong-Password-1");

        var page = await WebSession.ParseAsync(response);
        Assert.Equal("用户名或密码错误，或账户因多次输错已被暂时锁定。", page.QuerySelector("#login-error")!.TextContent.Trim());
        Assert.Equal(HttpStatusCode.Found, (await web.Client.GetAsync("/")).StatusCode);
        var denied = await app.WithDbAsync(db => db.AuditRecords.CountAsync(a => a.Action == "session.signin" && a.TargetId == person.Id.ToString() && a.Outcome == AuditOutcome.Denied));
        Assert.Equal(1, denied);
    }

    [Fact]
    public async Task Five_failures_lock_the_account_even_against_the_right_password()
    {
        var person = await app.CreatePersonAsync(Roles.Staff);
        using var web = app.Session();
        for (var i = 0; i < 5; i++)
        {
            await web.SignInAsync(person.UserName!, "Wrong-Password-" + i);
        }

        var response = await web.SignInAsync(person.UserName!);

        // Locked: the right password is not even looked at, and the answer is the one a wrong guess gets.
        var message = (await WebSession.ParseAsync(response)).QuerySelector("#login-error")!.TextContent;
        var wrong = (await WebSession.ParseAsync(await web.SignInAsync(person.UserName!, "Wrong-Password-9"))).QuerySelector("#login-error")!.TextContent;
        Assert.Equal(wrong, message);
        Assert.Equal(HttpStatusCode.Found, (await web.Client.GetAsync("/")).StatusCode);
    }

    [Fact]
    public async Task Disabling_a_person_ends_their_open_session_at_the_next_request_and_refuses_sign_in()
    {
        var person = await app.CreatePersonAsync(Roles.Staff);
        using var web = app.Session();
        await web.SignInAsync(person.UserName!);
        Assert.Equal(HttpStatusCode.OK, (await web.Client.GetAsync("/")).StatusCode);

        using (var scope = app.Factory.Services.CreateScope())
        {
            await scope.ServiceProvider.GetRequiredService<PeopleService>().DisableAsync(person.Id, default);
        }

        var next = await web.Client.GetAsync("/");
        Assert.Equal(HttpStatusCode.Found, next.StatusCode);
        Assert.StartsWith("/account/login", WebSession.Location(next), StringComparison.Ordinal);
        Assert.Contains("expired=1", WebSession.Location(next), StringComparison.Ordinal);

        using var fresh = app.Session();
        var refused = await fresh.SignInAsync(person.UserName!);
        Assert.Contains("停用", (await WebSession.ParseAsync(refused)).QuerySelector("#login-error")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_session_is_checked_on_every_request_without_a_new_cookie_and_a_changed_security_stamp_ends_it_ACC_7()
    {
        var person = await app.CreatePersonAsync(Roles.Staff);
        using var web = app.Session();
        await web.SignInAsync(person.UserName!);
        Assert.Equal(HttpStatusCode.OK, (await web.Client.GetAsync("/api/v1/customers")).StatusCode);
        var again = await web.Client.GetAsync("/api/v1/customers");
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        // The principal is not rebuilt and re-sent on every response (one query checks session and stamp instead).
        Assert.False(again.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith(".Custos.Session=", StringComparison.Ordinal)),
            "the session cookie was sent again");

        // A new security stamp (as a password or authenticator change writes) ends the session at the next request,
        // even where nothing closed the session's row.
        using (var scope = app.Factory.Services.CreateScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<Person>>();
            Assert.True((await users.UpdateSecurityStampAsync((await users.FindByIdAsync(person.Id.ToString()))!)).Succeeded);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await web.Client.GetAsync("/api/v1/customers")).StatusCode);
    }

    [Fact]
    public async Task A_role_taken_away_by_any_save_ends_the_sessions_that_claim_it_at_the_next_request_ACC_7()
    {
        var person = await app.CreatePersonAsync(Roles.Staff);
        using var web = app.Session();
        await web.SignInAsync(person.UserName!);
        Assert.Equal(HttpStatusCode.OK, (await web.Client.GetAsync("/api/v1/customers")).StatusCode);

        // Not through PeopleService (which also closes the sessions): the row removed directly through the context.
        using (var scope = app.Factory.Services.CreateScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<Custos.Data.CustosDbContext>();
            db.UserRoles.RemoveRange(await db.UserRoles.Where(r => r.UserId == person.Id).ToListAsync());
            await db.SaveChangesAsync();
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await web.Client.GetAsync("/api/v1/customers")).StatusCode);
    }

    [Fact]
    public async Task Signing_out_everywhere_ends_every_session_of_the_person()
    {
        var person = await app.CreatePersonAsync(Roles.Staff);
        using var first = app.Session();
        using var second = app.Session();
        await first.SignInAsync(person.UserName!);
        await second.SignInAsync(person.UserName!);

        var response = await first.SubmitAsync("/account", "#signout-all-form", new Dictionary<string, string>());

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Equal(HttpStatusCode.Found, (await second.Client.GetAsync("/")).StatusCode);
        Assert.Equal(HttpStatusCode.Found, (await first.Client.GetAsync("/")).StatusCode);
    }

    [Fact]
    public async Task A_session_ends_after_the_idle_timeout()
    {
        var person = await app.CreatePersonAsync(Roles.Staff);
        using var web = app.Session();
        await web.SignInAsync(person.UserName!);
        app.Factory.Time.Advance(TimeSpan.FromMinutes(20));
        Assert.Equal(HttpStatusCode.OK, (await web.Client.GetAsync("/")).StatusCode);

        app.Factory.Time.Advance(TimeSpan.FromMinutes(31));

        var response = await web.Client.GetAsync("/");
        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Contains("expired=1", WebSession.Location(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_session_ends_after_its_absolute_lifetime_even_when_active()
    {
        var person = await app.CreatePersonAsync(Roles.Staff);
        using var web = app.Session();
        await web.SignInAsync(person.UserName!);
        for (var hour = 0; hour < 9; hour++)
        {
            for (var step = 0; step < 3; step++)
            {
                app.Factory.Time.Advance(TimeSpan.FromMinutes(20));
                Assert.Equal(HttpStatusCode.OK, (await web.Client.GetAsync("/account")).StatusCode);
            }
        }

        app.Factory.Time.Advance(TimeSpan.FromMinutes(70));

        var response = await web.Client.GetAsync("/account");
        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.StartsWith("/account/login", WebSession.Location(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_forged_antiforgery_token_is_rejected_with_a_localised_page_and_no_sign_in()
    {
        var person = await app.CreatePersonAsync(Roles.Staff);
        using var web = app.Session();

        var response = await web.SubmitAsync("/account/login", "#login-form", new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = "forged",
            ["Form.UserName"] = person.UserName!,
            ["Form.Password"] = CustosApp.Password,
        });

        Assert.Equal("/error/400", WebSession.Location(response));
        var explained = await web.FollowAsync(response);
        Assert.Equal(HttpStatusCode.BadRequest, explained.StatusCode);
        var page = await WebSession.ParseAsync(explained);
        Assert.Contains("安全令牌", page.QuerySelector("#error-message")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Found, (await web.Client.GetAsync("/")).StatusCode);
    }

    [Fact]
    public async Task Changing_the_password_enforces_the_policy()
    {
        var person = await app.CreatePersonAsync(Roles.Staff);
        using var web = app.Session();
        await web.SignInAsync(person.UserName!);

        var rejected = await web.SubmitAsync("/account/password", "#password-form", new Dictionary<string, string>
        {
            ["Form.Current"] = CustosApp.Password, ["Form.New"] = "Password2024!", ["Form.Confirm"] = "Password2024!",
        });
        var errors = (await WebSession.ParseAsync(rejected)).QuerySelector("#password-errors")!.TextContent;
        Assert.Contains("常见密码", errors, StringComparison.Ordinal);

        var accepted = await web.SubmitAsync("/account/password", "#password-form", new Dictionary<string, string>
        {
            ["Form.Current"] = CustosApp.Password, ["Form.New"] = "Quartz-River-8812", ["Form.Confirm"] = "Quartz-River-8812",
        });
        Assert.NotNull((await WebSession.ParseAsync(accepted)).QuerySelector("#password-changed"));

        using var fresh = app.Session();
        Assert.Equal("/", (await fresh.SignInAsync(person.UserName!, "Quartz-River-8812")).RequestMessage!.RequestUri!.AbsolutePath);
    }
}

public sealed class SignInTestsOnSqlite(SqliteApp app) : SignInTests<SqliteApp>(app);

public sealed class SignInTestsOnPostgres(PostgresApp app) : SignInTests<PostgresApp>(app);
