using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Custos.Features.Accountability;
using Custos.Features.Audit;
using Custos.Features.People;
using Custos.Security;
using Custos.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using MiniExcelLibs;

namespace Custos.Tests.Oversight;

/// <summary>
/// Rewards and penalties (INC-5): proposed within the seed's amounts by those who may, decided by the general manager
/// (never their own proposal, never about themselves), the leader's share of a fine proposed by the policy, the
/// person concerned seeing only what was decided, an anonymous reporter's reward told in the thread and paid against
/// the receipt and claim codes, and the register exported for performance reviews.
/// </summary>
public abstract class AccountabilityTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : CustosApp
{
    private DateOnly Today => DateOnly.FromDateTime(app.Factory.Time.GetUtcNow().ToOffset(TimeSpan.FromHours(8)).DateTime);

    private static async Task<string?> CodeAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).TryGetProperty("code", out var code) ? code.GetString() : null;

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        Assert.True(response.IsSuccessStatusCode, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private SignIns? signIns;

    private Task<WebSession> SignedInAsync(Person person, bool mfa = true) => (signIns ??= new SignIns(app)).AsAsync(person, mfa);

    private Task<int> NotifiedAsync(Guid person, string kind, string number) =>
        app.WithDbAsync(db => db.Notifications.CountAsync(n => n.RecipientId == person && n.Kind == kind && n.Args.StartsWith(number)));

    [Fact]
    public async Task A_fine_is_proposed_within_the_amounts_decided_by_the_gm_and_puts_the_leaders_share_before_them_INC_5()
    {
        var department = await app.DepartmentAsync();
        var head = await app.CreatePersonAsync(Roles.DepartmentHead, departments: [department]);
        var clerk = await app.CreatePersonAsync(Roles.Staff, departments: [department]);
        var stranger = await app.CreatePersonAsync(Roles.Staff);
        var gm = await app.CreatePersonAsync(Roles.GeneralManager);
        var officer = await app.CreatePersonAsync(Roles.ComplianceOfficer);
        using var headWeb = await SignedInAsync(head);
        using var gmWeb = await SignedInAsync(gm);
        using var clerkWeb = await SignedInAsync(clerk, mfa: false);

        // Bad input: clear errors, nothing saved.
        var before = await app.WithDbAsync(db => db.Set<AccountabilityEntry>().CountAsync());
        Assert.Equal("AccountabilityAmount", await CodeAsync(await headWeb.Client.PostAsJsonAsync("/api/v1/accountability", new { kind = "Penalty", type = "Fine", ground = "Negligence", person = clerk.UserName, amount = 50, reason = "x" })));
        Assert.Equal("AccountabilityNoAmount", await CodeAsync(await headWeb.Client.PostAsJsonAsync("/api/v1/accountability", new { kind = "Penalty", type = "Warning", ground = "Negligence", person = clerk.UserName, amount = 50, reason = "x" })));
        Assert.Equal("AccountabilityTypeKind", await CodeAsync(await headWeb.Client.PostAsJsonAsync("/api/v1/accountability", new { kind = "Reward", type = "Warning", ground = "Negligence", person = clerk.UserName, reason = "x" })));
        Assert.Equal("AccountabilityIncidentUnknown", await CodeAsync(await headWeb.Client.PostAsJsonAsync("/api/v1/accountability", new { kind = "Penalty", type = "Warning", ground = "Negligence", person = clerk.UserName, incident = "INC-NOPE", reason = "x" })));
        Assert.Equal("Required", await CodeAsync(await headWeb.Client.PostAsJsonAsync("/api/v1/accountability", new { kind = "Penalty", type = "Warning", ground = "Negligence", person = clerk.UserName })));
        // Not for oneself; a head only for their own people; staff not at all.
        Assert.Equal(HttpStatusCode.Forbidden, (await headWeb.Client.PostAsJsonAsync("/api/v1/accountability", new { kind = "Reward", type = "Commendation", ground = "ReportedLeak", person = head.UserName, reason = "x" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await headWeb.Client.PostAsJsonAsync("/api/v1/accountability", new { kind = "Penalty", type = "Warning", ground = "Negligence", person = stranger.UserName, reason = "x" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await clerkWeb.Client.PostAsJsonAsync("/api/v1/accountability", new { kind = "Penalty", type = "Warning", ground = "Negligence", person = stranger.UserName, reason = "x" })).StatusCode);
        Assert.Equal(before, await app.WithDbAsync(db => db.Set<AccountabilityEntry>().CountAsync()));

        var fine = await JsonAsync(await headWeb.Client.PostAsJsonAsync("/api/v1/accountability",
            new { kind = "Penalty", type = "Fine", ground = "LostList", person = clerk.UserName, amount = 500, reason = "遗失书面客户名单一份" }));
        var id = fine.GetProperty("id").GetGuid();
        var number = fine.GetProperty("number").GetString()!;
        Assert.Equal(1, await NotifiedAsync(gm.Id, "Notify.AccountabilityProposed", number));
        // The person concerned does not see a pending proposal.
        Assert.DoesNotContain((await JsonAsync(await clerkWeb.Client.GetAsync("/api/v1/accountability"))).EnumerateArray(), e => e.GetProperty("id").GetGuid() == id);

        // Only the general manager decides; a rejection needs its reason; the GM's own proposal is someone else's to decide.
        Assert.Equal(HttpStatusCode.Forbidden, (await headWeb.Client.PostAsJsonAsync($"/api/v1/accountability/{id}/decision", new { approve = true })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await clerkWeb.Client.PostAsJsonAsync($"/api/v1/accountability/{id}/decision", new { approve = true })).StatusCode);
        Assert.Equal("Required", await CodeAsync(await gmWeb.Client.PostAsJsonAsync($"/api/v1/accountability/{id}/decision", new { approve = false })));
        var own = await JsonAsync(await gmWeb.Client.PostAsJsonAsync("/api/v1/accountability", new { kind = "Reward", type = "Commendation", ground = "LimitedLeak", person = clerk.UserName, reason = "及时追回名单" }));
        // A compliance officer does not see a pending penalty about themselves; nobody proposes a leader's share by hand.
        var aboutOfficer = await JsonAsync(await gmWeb.Client.PostAsJsonAsync("/api/v1/accountability", new { kind = "Penalty", type = "Warning", ground = "BreachOfRules", person = officer.UserName, reason = "未按时检查" }));
        using (var officerSeesWeb = await SignedInAsync(officer))
        {
            Assert.DoesNotContain((await JsonAsync(await officerSeesWeb.Client.GetAsync("/api/v1/accountability"))).EnumerateArray(), e => e.GetProperty("id").GetGuid() == aboutOfficer.GetProperty("id").GetGuid());
        }

        Assert.Equal("AccountabilityLeaderShareByPolicy", await CodeAsync(await gmWeb.Client.PostAsJsonAsync("/api/v1/accountability", new { kind = "Penalty", type = "Fine", ground = "SupervisorLiability", person = head.UserName, amount = 400, reason = "x" })));
        Assert.Equal(HttpStatusCode.Forbidden, (await gmWeb.Client.PostAsJsonAsync($"/api/v1/accountability/{own.GetProperty("id").GetGuid()}/decision", new { approve = true })).StatusCode);

        Assert.Equal("Approved", (await JsonAsync(await gmWeb.Client.PostAsJsonAsync($"/api/v1/accountability/{id}/decision", new { approve = true }))).GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.Conflict, (await gmWeb.Client.PostAsJsonAsync($"/api/v1/accountability/{id}/decision", new { approve = true })).StatusCode);
        Assert.Equal(1, await NotifiedAsync(clerk.Id, "Notify.AccountabilityApproved", number));
        Assert.Contains((await JsonAsync(await clerkWeb.Client.GetAsync("/api/v1/accountability"))).EnumerateArray(), e => e.GetProperty("id").GetGuid() == id);

        // The leader's share: 80% against the department head, proposed by the policy, decided like any.
        var share = await app.WithDbAsync(db => db.Set<AccountabilityEntry>().SingleAsync(e => e.LinkedToId == id));
        Assert.Equal((head.Id, 400, EntryGround.SupervisorLiability, EntryStatus.Proposed), (share.PersonId!.Value, share.Amount!.Value, share.Ground, share.Status));
        Assert.DoesNotContain((await JsonAsync(await headWeb.Client.GetAsync("/api/v1/accountability"))).EnumerateArray(), e => e.GetProperty("id").GetGuid() == share.Id);
        Assert.Equal("Approved", (await JsonAsync(await gmWeb.Client.PostAsJsonAsync($"/api/v1/accountability/{share.Id}/decision", new { approve = true }))).GetProperty("status").GetString());
        Assert.True(await app.WithDbAsync(db => db.AuditRecords.AnyAsync(a => a.Action == AuditActions.AccountabilityDecide && a.TargetId == id.ToString() && a.ActorId == gm.Id.ToString())));

        // The register for performance reviews, read back.
        using var officerWeb = await SignedInAsync(officer);
        var from = Today.AddDays(-1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var to = Today.AddDays(1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var xlsx = await officerWeb.Client.GetByteArrayAsync($"/api/v1/accountability/register.xlsx?from={from}&to={to}");
        using var stream = new MemoryStream(xlsx);
        var cells = stream.Query(useHeaderRow: false).Cast<IDictionary<string, object?>>().SelectMany(r => r.Values).Select(v => v?.ToString()).ToList();
        Assert.Contains(number, cells);
        Assert.Contains(share.Number, cells);
        Assert.DoesNotContain(own.GetProperty("number").GetString(), cells); // not approved
        Assert.Contains("遗失书面客户名单一份", PdfText.Of(await officerWeb.Client.GetByteArrayAsync($"/api/v1/accountability/register.pdf?from={from}&to={to}")), StringComparison.Ordinal);
        // The clerk's export has their own entries only.
        var mine = await clerkWeb.Client.GetByteArrayAsync($"/api/v1/accountability/register.xlsx?from={from}&to={to}");
        using var mineStream = new MemoryStream(mine);
        var mineCells = mineStream.Query(useHeaderRow: false).Cast<IDictionary<string, object?>>().SelectMany(r => r.Values).Select(v => v?.ToString()).ToList();
        Assert.Contains(number, mineCells);
        Assert.DoesNotContain(share.Number, mineCells);
    }

    [Fact]
    public async Task An_anonymous_reporters_reward_is_told_in_the_thread_and_paid_against_the_receipt_and_claim_codes_INC_5()
    {
        await app.EnsureApproversAsync();
        var officer = await app.CreatePersonAsync(Roles.ComplianceOfficer);
        var gm = await app.CreatePersonAsync(Roles.GeneralManager);
        var namedGm = await app.CreatePersonAsync(Roles.GeneralManager);
        using var officerWeb = await SignedInAsync(officer);
        using var gmWeb = await SignedInAsync(gm);
        using var namedWeb = await SignedInAsync(namedGm);
        var (_, handlerWeb) = await WhistleSteps.HandlerAsync(app, officerWeb, Today);
        using var __ = handlerWeb;

        using var anonymous = app.Factory.CreateClient();
        var (challenge, nonce) = await WhistleSteps.SolveAsync(anonymous);
        var receipt = await JsonAsync(await anonymous.PostAsync("/api/v1/whistle/reports", new MultipartFormDataContent
        {
            { new StringContent("Leak"), "kind" }, { new StringContent("名单外传"), "summary" }, { new StringContent("有人把客户名单卖给竞争对手"), "body" },
            { new StringContent(challenge), "challenge" }, { new StringContent(nonce), "nonce" }, { new StringContent(namedGm.UserName!), "subject" },
        }));
        var code = receipt.GetProperty("receipt").GetString()!;
        var secret = receipt.GetProperty("secret").GetString()!;
        var report = (await JsonAsync(await handlerWeb.Client.GetAsync("/api/v1/reports"))).EnumerateArray().First().GetProperty("id").GetGuid();

        // Only a designated handler proposes for a report; an anonymous reporter is only rewarded.
        Assert.Equal(HttpStatusCode.Forbidden, (await officerWeb.Client.PostAsJsonAsync("/api/v1/accountability", new { kind = "Reward", type = "Cash", ground = "ReportedLeak", whistleReport = report, amount = 800, reason = "x" })).StatusCode);
        Assert.Equal("AccountabilityAnonymousReward", await CodeAsync(await handlerWeb.Client.PostAsJsonAsync("/api/v1/accountability", new { kind = "Penalty", type = "Warning", ground = "Other", whistleReport = report, reason = "x" })));
        var reward = await JsonAsync(await handlerWeb.Client.PostAsJsonAsync("/api/v1/accountability",
            new { kind = "Reward", type = "Cash", ground = "ReportedLeak", whistleReport = report, amount = 800, reason = "举报属实，避免了名单外泄" }));
        Assert.True(reward.GetProperty("anonymous").GetBoolean());
        Assert.Null(reward.GetProperty("person").GetString());
        var rewardId = reward.GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.Conflict, (await handlerWeb.Client.PostAsJsonAsync("/api/v1/accountability", new { kind = "Reward", type = "Cash", ground = "ReportedLeak", whistleReport = report, amount = 900, reason = "again" })).StatusCode);

        // The general manager the report names is not told, does not see it and cannot decide it.
        Assert.Equal(0, await NotifiedAsync(namedGm.Id, "Notify.AccountabilityProposed", reward.GetProperty("number").GetString()!));
        Assert.DoesNotContain((await JsonAsync(await namedWeb.Client.GetAsync("/api/v1/accountability"))).EnumerateArray(), e => e.GetProperty("id").GetGuid() == rewardId);
        Assert.Equal(HttpStatusCode.NotFound, (await namedWeb.Client.PostAsJsonAsync($"/api/v1/accountability/{rewardId}/decision", new { approve = false, note = "不实" })).StatusCode);
        await JsonAsync(await gmWeb.Client.PostAsJsonAsync($"/api/v1/accountability/{rewardId}/decision", new { approve = true }));

        // The reporter reads the claim code in the thread; the log and the register carry no code.
        (challenge, nonce) = await WhistleSteps.SolveAsync(anonymous);
        var thread = await JsonAsync(await anonymous.PostAsJsonAsync("/api/v1/whistle/follow", new { receipt = code, secret, challenge, nonce }));
        var message = thread.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("body").GetString()!).Single(m => m.Contains("800", StringComparison.Ordinal));
        var claim = System.Text.RegularExpressions.Regex.Match(message, "[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}").Value;
        Assert.NotEmpty(claim);
        Assert.False(await app.WithDbAsync(db => db.AuditRecords.AnyAsync(a => a.Detail != null && a.Detail.Contains(claim))));

        // Paid against both codes; a wrong pair says only that; paid once.
        Assert.Equal("RewardClaimInvalid", await CodeAsync(await officerWeb.Client.PostAsJsonAsync("/api/v1/accountability/claims", new { receipt = code, claimCode = "AAAA-BBBB-CCCC" })));
        Assert.Equal("RewardClaimInvalid", await CodeAsync(await officerWeb.Client.PostAsJsonAsync("/api/v1/accountability/claims", new { receipt = "ZZZZ-ZZZZ-ZZZZ", claimCode = claim })));
        Assert.Equal(HttpStatusCode.Forbidden, (await gmWeb.Client.PostAsJsonAsync("/api/v1/accountability/claims", new { receipt = code, claimCode = claim })).StatusCode);
        // The payer learns the amount, nothing of the report.
        var paid = await JsonAsync(await officerWeb.Client.PostAsJsonAsync("/api/v1/accountability/claims", new { receipt = code.ToLowerInvariant().Replace("-", " ", StringComparison.Ordinal), claimCode = claim }));
        Assert.Equal(800, paid.GetProperty("amount").GetInt32());
        Assert.Equal("", (await JsonAsync(await officerWeb.Client.GetAsync("/api/v1/accountability"))).EnumerateArray().Single(e => e.GetProperty("id").GetGuid() == rewardId).GetProperty("reason").GetString());
        Assert.Equal("RewardClaimInvalid", await CodeAsync(await officerWeb.Client.PostAsJsonAsync("/api/v1/accountability/claims", new { receipt = code, claimCode = claim })));
        Assert.Equal(3, await app.WithDbAsync(db => db.AuditRecords.CountAsync(a => a.Action == AuditActions.AccountabilityClaim && a.Outcome == AuditOutcome.Denied && a.ActorId == officer.Id.ToString())));
        Assert.Equal(EntryStatus.Paid, await app.WithDbAsync(db => db.Set<AccountabilityEntry>().Where(e => e.Id == rewardId).Select(e => e.Status).SingleAsync()));
    }
}

public sealed class AccountabilityTestsOnSqlite(SqliteApp app) : AccountabilityTests<SqliteApp>(app);

public sealed class AccountabilityTestsOnPostgres(PostgresApp app) : AccountabilityTests<PostgresApp>(app);
