using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Custos.Features.Access;
using Custos.Features.People;
using Custos.Features.Whistleblowing;
using Custos.Security;
using Custos.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Custos.Tests.Whistleblowing;

/// <summary>
/// Anonymous reports (INC-4): anyone reports without an account, after solving a puzzle; nothing names the reporter
/// (no address, cookie or account; the audit entry says only that a report came in); the text, identity and files
/// are encrypted and read only by the committee's designated handlers, never by the person a report names; the
/// reporter follows up with the receipt and secret, and a wrong secret answers as an unknown receipt.
/// </summary>
public abstract class WhistleTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : CustosApp
{
    private static readonly byte[] Png = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3, 4];

    private DateOnly Today => DateOnly.FromDateTime(app.Factory.Time.GetUtcNow().ToOffset(TimeSpan.FromHours(8)).DateTime);

    private static async Task<string?> CodeAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).TryGetProperty("code", out var code) ? code.GetString() : null;

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        Assert.True(response.IsSuccessStatusCode, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static Task<(string Challenge, string Nonce)> SolveAsync(HttpClient client) => WhistleSteps.SolveAsync(client);

    private static MultipartFormDataContent Form(string challenge, string nonce, string body, string? subject = null, string? identity = null, (string Name, byte[] Content)? file = null)
    {
        var form = new MultipartFormDataContent
        {
            { new StringContent("Leak"), "kind" },
            { new StringContent("客户名单被拍照外传"), "summary" },
            { new StringContent(body), "body" },
            { new StringContent(challenge), "challenge" },
            { new StringContent(nonce), "nonce" },
        };
        if (subject is not null)
        {
            form.Add(new StringContent(subject), "subject");
        }

        if (identity is not null)
        {
            form.Add(new StringContent(identity), "identity");
        }

        if (file is { } f)
        {
            form.Add(new ByteArrayContent(f.Content), "files", f.Name);
        }

        return form;
    }

    private Task<(Person Person, WebSession Web)> HandlerAsync(WebSession officer) => WhistleSteps.HandlerAsync(app, officer, Today);

    [Fact]
    public async Task A_report_needs_a_solved_puzzle_names_nobody_and_is_read_only_by_designated_handlers_never_its_subject_INC_4()
    {
        await app.EnsureApproversAsync();
        var officer = await app.CreatePersonAsync(Roles.ComplianceOfficer);
        using var officerWeb = app.Session();
        await officerWeb.SignInAsync(officer.UserName!);
        await officerWeb.EnrolMfaAsync();
        var (handler, handlerWeb) = await HandlerAsync(officerWeb);
        var (subject, subjectWeb) = await HandlerAsync(officerWeb);
        using var _ = handlerWeb;
        using var __ = subjectWeb;

        // A signed-in clerk reports from their own browser: their cookie never reaches the report.
        var clerk = await app.CreatePersonAsync(Roles.Staff);
        using var clerkWeb = app.Session();
        await clerkWeb.SignInAsync(clerk.UserName!);
        var client = clerkWeb.Client;
        var before = await app.WithDbAsync(db => db.AuditRecords.MaxAsync(a => a.Id));

        // No puzzle, a wrong answer, a used puzzle: refused; a text file is not an attachment.
        var reportsBefore = await app.WithDbAsync(db => db.Set<WhistleReport>().CountAsync());
        Assert.Equal("WhistlePuzzle", await CodeAsync(await client.PostAsync("/api/v1/whistle/reports", Form("", "", "x"))));
        var (challenge, nonce) = await SolveAsync(client);
        Assert.Equal("WhistlePuzzle", await CodeAsync(await client.PostAsync("/api/v1/whistle/reports", Form(challenge, nonce + "1", "x"))));
        (challenge, nonce) = await SolveAsync(client);
        Assert.Equal("WhistleFileType", await CodeAsync(await client.PostAsync("/api/v1/whistle/reports", Form(challenge, nonce, "x", file: ("list.txt", Encoding.UTF8.GetBytes("张三 13800000000"))))));
        Assert.Equal(reportsBefore, await app.WithDbAsync(db => db.Set<WhistleReport>().CountAsync()));

        (challenge, nonce) = await SolveAsync(client);
        const string body = "销售部有人用手机拍摄客户名单并发到个人微信";
        var receipt = await JsonAsync(await client.PostAsync("/api/v1/whistle/reports",
            Form(challenge, nonce, body, subject: subject.UserName, identity: "王五 139 0000 0000", file: ("../../etc/照片.png", Png))));
        Assert.Equal("WhistlePuzzle", await CodeAsync(await client.PostAsync("/api/v1/whistle/reports", Form(challenge, nonce, "again")))); // each puzzle once
        var code = receipt.GetProperty("receipt").GetString()!;
        var secret = receipt.GetProperty("secret").GetString()!;

        // Nothing names the reporter: the entry says a report came in; no address, no account; the text is encrypted.
        var entry = await app.WithDbAsync(db => db.AuditRecords.Where(a => a.Action == AuditActions.WhistleReceive).OrderByDescending(a => a.Id).FirstAsync());
        Assert.Equal("anonymous", entry.ActorId);
        Assert.Null(entry.ClientAddress);
        Assert.Null(entry.Detail);
        Assert.False(await app.WithDbAsync(db => db.AuditRecords.AnyAsync(a => a.ActorId == clerk.Id.ToString() && a.Id > before)));
        var stored = await app.WithDbAsync(db => db.Set<WhistleReport>().SingleAsync(r => r.Receipt == code));
        Assert.DoesNotContain("微信", stored.BodyCipher + stored.SummaryCipher + stored.IdentityCipher, StringComparison.Ordinal);
        Assert.Equal(subject.Id, stored.SubjectPersonId);
        Assert.Equal("attachment-1.png", (await app.WithDbAsync(db => db.Set<WhistleAttachment>().SingleAsync(a => a.ReportId == stored.Id))).FileName); // never the reporter's file name

        // The designated handler reads it and is told of it; the member it names is not told and gets a 404; others a 403.
        Assert.True(await app.WithDbAsync(db => db.Notifications.AnyAsync(n => n.RecipientId == handler.Id && n.Kind == "Notify.WhistleReceived")));
        Assert.False(await app.WithDbAsync(db => db.Notifications.AnyAsync(n => n.RecipientId == subject.Id && n.Kind == "Notify.WhistleReceived")));
        var list = await JsonAsync(await handlerWeb.Client.GetAsync("/api/v1/reports"));
        var id = stored.Id;
        Assert.Contains(list.EnumerateArray(), r => r.GetProperty("id").GetGuid() == id);
        var view = await JsonAsync(await handlerWeb.Client.GetAsync($"/api/v1/reports/{id}"));
        Assert.Equal(body, view.GetProperty("body").GetString());
        Assert.True(view.GetProperty("hasIdentity").GetBoolean());
        Assert.DoesNotContain((await JsonAsync(await subjectWeb.Client.GetAsync("/api/v1/reports"))).EnumerateArray(), r => r.GetProperty("id").GetGuid() == id);
        Assert.Equal(HttpStatusCode.NotFound, (await subjectWeb.Client.GetAsync($"/api/v1/reports/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await subjectWeb.Client.GetAsync($"/api/v1/reports/{id}/identity")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await officerWeb.Client.GetAsync($"/api/v1/reports/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await clerkWeb.Client.GetAsync("/api/v1/reports")).StatusCode);
        Assert.Equal("王五 139 0000 0000", await handlerWeb.Client.GetStringAsync($"/api/v1/reports/{id}/identity"));
        Assert.True(await app.WithDbAsync(db => db.AuditRecords.AnyAsync(a => a.Action == AuditActions.WhistleIdentity && a.ActorId == handler.Id.ToString())));
        var attachment = view.GetProperty("attachments").EnumerateArray().Single().GetProperty("id").GetGuid();
        Assert.Equal(Png, await handlerWeb.Client.GetByteArrayAsync($"/api/v1/reports/{id}/attachments/{attachment}"));

        // An incident from the report, in the handler's words — never the reporter's.
        Assert.Equal("Required", await CodeAsync(await handlerWeb.Client.PostAsJsonAsync($"/api/v1/reports/{id}/incident", new { })));
        var opened = await JsonAsync(await handlerWeb.Client.PostAsJsonAsync($"/api/v1/reports/{id}/incident", new { title = "举报：客服中心疑似拍摄客户名单" }));
        var incident = await app.WithDbAsync(db => db.Set<Features.Incidents.Incident>().SingleAsync(i => i.Id == opened.GetProperty("incidentId").GetGuid()));
        Assert.Equal(Features.Incidents.IncidentSource.Anonymous, incident.Source);
        Assert.Equal(subject.Id, incident.SuspectId);
        Assert.DoesNotContain("微信", incident.Description, StringComparison.Ordinal);
        Assert.Equal("WhistleIncidentExists", await CodeAsync(await handlerWeb.Client.PostAsJsonAsync($"/api/v1/reports/{id}/incident", new { title = "again" })));

        // The handler asks; the reporter reads with receipt and secret and answers, anonymously.
        await JsonAsync(await handlerWeb.Client.PostAsJsonAsync($"/api/v1/reports/{id}/messages", new { text = "请问拍摄的是哪一天的名单？" }));
        using var anonymous = app.ApiClient();
        (challenge, nonce) = await SolveAsync(anonymous);
        var thread = await JsonAsync(await anonymous.PostAsJsonAsync("/api/v1/whistle/follow", new { receipt = code, secret, challenge, nonce }));
        Assert.Equal("Answered", thread.GetProperty("status").GetString());
        Assert.Equal("请问拍摄的是哪一天的名单？", thread.GetProperty("messages").EnumerateArray().Single().GetProperty("body").GetString());
        (challenge, nonce) = await SolveAsync(anonymous);
        await JsonAsync(await anonymous.PostAsJsonAsync("/api/v1/whistle/follow/reply", new { receipt = code, secret, text = "上周五的重点客户名单", challenge, nonce }));
        Assert.Equal(2, (await JsonAsync(await handlerWeb.Client.GetAsync($"/api/v1/reports/{id}"))).GetProperty("messages").GetArrayLength());

        // A wrong secret answers exactly as an unknown receipt; five in a row lock the receipt, the right secret too, for an hour.
        async Task<HttpResponseMessage> FollowAsync(string r, string s)
        {
            var (c, n) = await SolveAsync(anonymous);
            return await anonymous.PostAsJsonAsync("/api/v1/whistle/follow", new { receipt = r, secret = s, challenge = c, nonce = n });
        }

        var unknown = await FollowAsync("AAAA-BBBB-CCCC", secret);
        var wrong = await FollowAsync(code, "WRONGSECRET");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(await unknown.Content.ReadFromJsonAsync<JsonElement>() is var a ? a.GetProperty("title").GetString() : null,
            (await wrong.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("title").GetString());
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(HttpStatusCode.NotFound, (await FollowAsync(code, "WRONG" + i)).StatusCode);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await FollowAsync(code, secret)).StatusCode);
        app.Factory.Time.Advance(TimeSpan.FromMinutes(61));
        Assert.Equal(HttpStatusCode.OK, (await FollowAsync(code.Replace("-", " ", StringComparison.Ordinal).ToLowerInvariant(), secret)).StatusCode); // typed any way
        Assert.False(await app.WithDbAsync(db => db.AuditRecords.AnyAsync(a => a.Action == AuditActions.WhistleFollow && a.Detail != null && a.Detail.Contains(code))));
    }

    /// <summary>The page, as a browser without script would drive it: report, follow up, answer — each form's puzzle solved.</summary>
    [Fact]
    public async Task The_page_takes_a_report_shows_the_receipt_once_and_follows_it_up_with_an_answer()
    {
        using var web = app.Session();
        async Task<Dictionary<string, string>> PuzzleAsync(string prefix)
        {
            var (challenge, nonce) = await SolveAsync(web.Client);
            return new() { [prefix + ".Challenge"] = challenge, [prefix + ".Nonce"] = nonce };
        }

        var fields = await PuzzleAsync("Input");
        fields["Input.Kind"] = "Breach";
        fields["Input.Summary"] = "违规带走客户档案";
        fields["Input.Body"] = "有人把纸质档案带回家";
        var submitted = await web.SubmitAsync("/whistle", "#whistle-form", fields);
        var page = await WebSession.ParseAsync(submitted);
        Assert.True(submitted.IsSuccessStatusCode, $"{submitted.StatusCode}: {page.QuerySelector("#whistle-error")?.TextContent}");
        var receipt = page.QuerySelector("#receipt-code")!.TextContent.Trim();
        var secret = page.QuerySelector("#receipt-secret")!.TextContent.Trim();
        Assert.Equal("no-store", submitted.Headers.CacheControl?.ToString());

        var follow = await PuzzleAsync("Follow");
        follow["Follow.Receipt"] = receipt;
        follow["Follow.Secret"] = secret;
        var followed = await WebSession.ParseAsync(await web.SubmitAsync("/whistle", "#follow-form", follow));
        var reply = (AngleSharp.Html.Dom.IHtmlFormElement)followed.QuerySelector("#reply-form")!;
        var values = reply.QuerySelectorAll("input[type=hidden]").OfType<AngleSharp.Html.Dom.IHtmlInputElement>()
            .Where(i => !i.Name!.EndsWith("Challenge", StringComparison.Ordinal) && !i.Name.EndsWith("Nonce", StringComparison.Ordinal))
            .Select(i => new KeyValuePair<string, string>(i.Name!, i.Value)).ToList();
        values.AddRange(await PuzzleAsync("Follow"));
        values.Add(new("Follow.Text", "档案编号 A-17"));
        var answered = await web.Client.PostAsync("/whistle", new FormUrlEncodedContent(values));
        var answeredPage = await WebSession.ParseAsync(answered);
        Assert.True(answered.IsSuccessStatusCode, $"{answered.StatusCode}: {await answered.Content.ReadAsStringAsync()}");
        Assert.Contains("档案编号 A-17", answeredPage.QuerySelector("#thread-messages")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_hourly_limits_hold_for_everyone_together_and_free_up_after_an_hour()
    {
        var limits = new WhistleLimits();
        var now = app.Factory.Time.GetUtcNow();
        for (var i = 0; i < 3; i++)
        {
            Assert.True(limits.TakeReport(now.AddMinutes(i), 3));
        }

        Assert.False(limits.TakeReport(now.AddMinutes(10), 3));
        Assert.True(limits.TakeFollowUp(now.AddMinutes(10), 1)); // a separate allowance
        Assert.True(limits.TakeReport(now.AddMinutes(61), 3));
        Assert.Equal(16, WhistleService.LeadingZeroBits([0, 0, 0xFF]));
        Assert.Equal(12, WhistleService.LeadingZeroBits([0, 0x0F, 0xFF]));
    }
}

public sealed class WhistleTestsOnSqlite(SqliteApp app) : WhistleTests<SqliteApp>(app);

public sealed class WhistleTestsOnPostgres(PostgresApp app) : WhistleTests<PostgresApp>(app);
