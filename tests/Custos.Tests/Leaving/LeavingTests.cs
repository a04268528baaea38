using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Custos.Features.Access;
using Custos.Features.ApiTokens;
using Custos.Features.Copies;
using Custos.Features.Leaving;
using Custos.Features.Organisation;
using Custos.Features.People;
using Custos.Security;
using Custos.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Custos.Tests.Leaving;

/// <summary>
/// Leaving (PPL-1, PPL-3): access ends on the last working day or at once on dismissal; the hand-over to a named
/// successor is confirmed by the successor and the department head and files the successor's requests; the exit
/// statement is signed (or a paper one or a refusal recorded); prints still out keep the file open and are escalated.
/// </summary>
public abstract class LeavingTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : CustosApp
{
    private DateOnly Today => DateOnly.FromDateTime(app.Factory.Time.GetUtcNow().ToOffset(TimeSpan.FromHours(8)).DateTime);

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    private static async Task<string?> CodeAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).TryGetProperty("code", out var code) ? code.GetString() : null;

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        Assert.True(response.IsSuccessStatusCode, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<WebSession> SignedInAsync(Person person, bool mfa)
    {
        var web = app.Session();
        await web.SignInAsync(person.UserName!);
        if (mfa)
        {
            await web.EnrolMfaAsync();
        }

        return web;
    }

    /// <summary>Confirms the hand-over as the session's person, with the stamp of the file as they just read it.</summary>
    private static async Task<HttpResponseMessage> ConfirmAsync(WebSession web, Guid id)
    {
        var read = await web.Client.GetAsync($"/api/v1/leaving/{id}");
        if (!read.IsSuccessStatusCode)
        {
            return read;
        }

        var stamp = (await read.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("stamp").GetGuid();
        return await web.Client.PostAsJsonAsync($"/api/v1/leaving/{id}/confirm", new { stamp });
    }

    private Task<int> AuditCountAsync(Guid person, string action, AuditOutcome outcome) =>
        app.WithDbAsync(db => db.AuditRecords.CountAsync(a => a.TargetId == person.ToString() && a.Action == action && a.Outcome == outcome));

    /// <summary>A grant of the person's, as an approved access request leaves one.</summary>
    private Task<Guid> GrantAsync(Person person) => app.WithDbAsync(async db =>
    {
        var now = app.Factory.Time.GetUtcNow();
        var grant = new AccessGrant { Id = Guid.NewGuid(), PersonId = person.Id, Actions = "reveal", NotBefore = now.AddHours(-1), NotAfter = now.AddDays(5), GrantedAt = now };
        db.AccessGrants.Add(grant);
        await db.SaveChangesAsync();
        return grant.Id;
    });

    [Fact]
    public async Task A_dismissal_ends_every_session_token_grant_and_open_request_at_once()
    {
        var department = await app.DepartmentAsync();
        var leaver = await app.CreatePersonAsync(Roles.Staff, departments: [department]);
        using var leaverWeb = await SignedInAsync(leaver, mfa: false);
        var (_, secret) = await app.AsAsync(leaver, s => s.GetRequiredService<ApiTokenService>().CreateAsync("脚本", [Roles.Staff], 30, default));
        using var token = app.ApiClient(secret);
        Assert.Equal(HttpStatusCode.OK, (await token.GetAsync("/api/v1/me")).StatusCode);
        var grant = await GrantAsync(leaver);
        await app.EnsureApproversAsync();
        var admin = await app.CreatePersonAsync(Roles.ItAdministrator);
        var pending = await app.AsAsync(admin, s => s.GetRequiredService<PeopleService>().SetRolesAsync(leaver.Id, [Roles.Staff, Roles.ProjectManager], default));
        Assert.Single(pending.Pending);

        using var adminWeb = await SignedInAsync(admin, mfa: true);
        var file = await JsonAsync(await adminWeb.Client.PostAsJsonAsync("/api/v1/leaving", new { person = leaver.UserName, kind = "Dismissal", reason = "严重违反保密制度" }));
        Assert.Equal("Left", file.GetProperty("stage").GetString());
        Assert.Equal(Day(Today), file.GetProperty("lastWorkingDay").GetString());

        // On the next request, whatever they held.
        Assert.NotEqual(HttpStatusCode.OK, (await leaverWeb.Client.GetAsync("/api/v1/me")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await token.GetAsync("/api/v1/me")).StatusCode);
        using var again = app.Session();
        Assert.NotNull((await WebSession.ParseAsync(await again.SignInAsync(leaver.UserName!))).QuerySelector("#login-error"));

        var (status, tokenRevoked, grantRevoked, request, sessions) = await app.WithDbAsync(async db => (
            (await db.Users.SingleAsync(u => u.Id == leaver.Id)).EmploymentStatus,
            await db.ApiTokens.Where(t => t.PersonId == leaver.Id).AllAsync(t => t.RevokedAt != null),
            (await db.AccessGrants.SingleAsync(g => g.Id == grant)).RevokedAt,
            (await db.AccessRequests.SingleAsync(r => r.Id == pending.Pending[0].Id)).Status,
            await db.UserSessions.CountAsync(s => s.PersonId == leaver.Id && s.EndedAt == null)));
        Assert.Equal(EmploymentStatus.Departed, status);
        Assert.True(tokenRevoked);
        Assert.NotNull(grantRevoked);
        Assert.Equal(RequestStatus.Withdrawn, request);
        Assert.Equal(0, sessions);
        Assert.Equal(1, await AuditCountAsync(leaver.Id, AuditActions.LeavingAccessEnd, AuditOutcome.Success));

        // One file per person; a dismissal cannot be withdrawn once it has taken effect.
        Assert.Equal("LeavingExists", await CodeAsync(await adminWeb.Client.PostAsJsonAsync("/api/v1/leaving", new { person = leaver.UserName, kind = "Dismissal", reason = "x" })));
        Assert.Equal("LeavingTookEffect", await CodeAsync(await adminWeb.Client.DeleteAsync($"/api/v1/leaving/{file.GetProperty("id").GetGuid()}")));
    }

    [Fact]
    public async Task Only_administrators_and_compliance_officers_record_a_leaving_on_a_sensible_day()
    {
        var leaver = await app.CreatePersonAsync(Roles.Staff);
        var clerk = await app.CreatePersonAsync(Roles.Staff);
        using var clerkWeb = await SignedInAsync(clerk, mfa: false);
        var refused = await clerkWeb.Client.PostAsJsonAsync("/api/v1/leaving", new { person = leaver.UserName, kind = "Departure", lastWorkingDay = Day(Today), reason = "辞职" });
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("MayNotManageLeaving", await CodeAsync(refused));
        Assert.Null((await app.WithDbAsync(db => db.Users.SingleAsync(u => u.Id == leaver.Id))).DepartsOn);

        var officer = await app.CreatePersonAsync(Roles.ComplianceOfficer);
        using var officerWeb = await SignedInAsync(officer, mfa: true);
        Assert.Equal("LeavingDayRange", await CodeAsync(await officerWeb.Client.PostAsJsonAsync("/api/v1/leaving", new { person = leaver.UserName, kind = "Departure", lastWorkingDay = Day(Today.AddDays(-31)), reason = "辞职" })));
        Assert.Equal("Required", await CodeAsync(await officerWeb.Client.PostAsJsonAsync("/api/v1/leaving", new { person = leaver.UserName, kind = "Departure", reason = "辞职" })));
        Assert.Equal("Required", await CodeAsync(await officerWeb.Client.PostAsJsonAsync("/api/v1/leaving", new { person = leaver.UserName, kind = "Departure", lastWorkingDay = Day(Today), reason = " " })));
        var file = await JsonAsync(await officerWeb.Client.PostAsJsonAsync("/api/v1/leaving", new { person = leaver.UserName, kind = "Departure", lastWorkingDay = Day(Today.AddDays(20)), reason = "辞职" }));
        Assert.Equal("Announced", file.GetProperty("stage").GetString());
        Assert.Equal(Today.AddDays(20), (await app.WithDbAsync(db => db.Users.SingleAsync(u => u.Id == leaver.Id))).DepartsOn);

        // The person still works until then; the clerk cannot see the file at all.
        using var leaverWeb = await SignedInAsync(leaver, mfa: false);
        Assert.Equal(HttpStatusCode.OK, (await leaverWeb.Client.GetAsync("/api/v1/me")).StatusCode);
        var id = file.GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.NotFound, (await clerkWeb.Client.GetAsync($"/api/v1/leaving/{id}")).StatusCode);
        Assert.Empty(await clerkWeb.Client.GetFromJsonAsync<JsonElement[]>("/api/v1/leaving") ?? []);
        Assert.Equal(HttpStatusCode.NotFound, (await clerkWeb.Client.GetAsync($"/leaving/{id}")).StatusCode);

        // Withdrawn before it takes effect: the day goes, the log keeps both steps.
        Assert.Equal(HttpStatusCode.NoContent, (await officerWeb.Client.DeleteAsync($"/api/v1/leaving/{id}")).StatusCode);
        Assert.Null((await app.WithDbAsync(db => db.Users.SingleAsync(u => u.Id == leaver.Id))).DepartsOn);
        Assert.Equal(1, await AuditCountAsync(leaver.Id, AuditActions.LeavingWithdraw, AuditOutcome.Success));
    }

    [Fact]
    public async Task A_hand_over_is_confirmed_by_the_successor_then_the_head_and_the_file_closes_only_when_everything_is_back()
    {
        var department = await app.DepartmentAsync();
        var project = app.UniqueName("P").ToUpperInvariant();
        using (var scope = app.Factory.Services.CreateScope())
        {
            await scope.ServiceProvider.GetRequiredService<OrganisationService>().AddProjectAsync(project, "项目" + project, department, default);
        }

        var head = await app.CreatePersonAsync(Roles.DepartmentHead, departments: [department]);
        var otherHead = await app.CreatePersonAsync(Roles.DepartmentHead, departments: [await app.DepartmentAsync()]);
        var leaver = await app.CreatePersonAsync(Roles.Staff, departments: [department]);
        using (var system = app.AsSystem())
        {
            await system.ServiceProvider.GetRequiredService<PeopleService>().SetMembershipsAsync(leaver.Id, [department], [project], default);
        }

        var successor = await app.CreatePersonAsync(Roles.Staff);
        var suspended = await app.CreatePersonAsync(Roles.Staff);
        var admin = await app.CreatePersonAsync(Roles.ItAdministrator);
        await app.AsAsync(admin, async s =>
        {
            await s.GetRequiredService<PeopleService>().DisableAsync(suspended.Id, default);
            return true;
        });
        await GrantAsync(leaver);
        await app.EnsureApproversAsync();
        using var adminWeb = await SignedInAsync(admin, mfa: true);
        var file = await JsonAsync(await adminWeb.Client.PostAsJsonAsync("/api/v1/leaving", new { person = leaver.UserName, kind = "Departure", lastWorkingDay = Day(Today.AddDays(3)), reason = "个人原因辞职" }));
        var id = file.GetProperty("id").GetGuid();

        // The statement says the hand-over is done and everything is back: not signed before.
        using var leaverWeb = await SignedInAsync(leaver, mfa: false);
        Assert.Equal("StatementTooEarly", await CodeAsync(await leaverWeb.Client.PostAsJsonAsync($"/api/v1/leaving/{id}/statement", new { password = CustosApp.Password })));

        // A successor is someone else who stays.
        Assert.Equal("SuccessorIsLeaver", await CodeAsync(await adminWeb.Client.PutAsJsonAsync($"/api/v1/leaving/{id}/successor", new { successor = leaver.UserName })));
        Assert.Equal("SuccessorNotActive", await CodeAsync(await adminWeb.Client.PutAsJsonAsync($"/api/v1/leaving/{id}/successor", new { successor = suspended.UserName })));
        Assert.Equal("SuccessorIsSelf", await CodeAsync(await adminWeb.Client.PutAsJsonAsync($"/api/v1/leaving/{id}/successor", new { successor = admin.UserName })));
        var named = await JsonAsync(await adminWeb.Client.PutAsJsonAsync($"/api/v1/leaving/{id}/successor", new { successor = successor.UserName }));
        var lines = named.GetProperty("handover").EnumerateArray().Select(l => (l.GetProperty("kind").GetString(), l.GetProperty("reference").GetString())).ToList();
        Assert.Contains(("Department", department), lines);
        Assert.Contains(("Project", project), lines);
        Assert.Contains(("Role", Roles.Staff), lines);
        Assert.Contains(lines, l => l.Item1 == "Grant");
        Assert.Equal(3, await AuditCountAsync(leaver.Id, AuditActions.LeavingSuccessor, AuditOutcome.Denied));

        // The head may not confirm before the successor; a head of another department does not see the file.
        using var headWeb = await SignedInAsync(head, mfa: true);
        Assert.Equal("HandoverSuccessorFirst", await CodeAsync(await ConfirmAsync(headWeb, id)));
        using var otherHeadWeb = await SignedInAsync(otherHead, mfa: true);
        Assert.Equal(HttpStatusCode.NotFound, (await ConfirmAsync(otherHeadWeb, id)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await otherHeadWeb.Client.PostAsJsonAsync($"/api/v1/leaving/{id}/confirm", new { stamp = named.GetProperty("stamp").GetGuid() })).StatusCode);

        using var successorWeb = await SignedInAsync(successor, mfa: false);
        // In person: not through a token, even the successor's own.
        var (_, successorSecret) = await app.AsAsync(successor, s => s.GetRequiredService<ApiTokenService>().CreateAsync("脚本", [Roles.Staff], 1, default));
        using (var successorToken = app.ApiClient(successorSecret))
        {
            Assert.Equal("HandoverInPerson", await CodeAsync(await successorToken.PostAsJsonAsync($"/api/v1/leaving/{id}/confirm", new { stamp = named.GetProperty("stamp").GetGuid() })));
        }

        // The successor sees the hand-over, not why the person leaves.
        Assert.Equal("", (await successorWeb.Client.GetFromJsonAsync<JsonElement>($"/api/v1/leaving/{id}")).GetProperty("reason").GetString());
        var (_, successorPage) = await successorWeb.GetPageAsync($"/leaving/{id}");
        Assert.NotNull(successorPage.QuerySelector("#confirm-form"));
        Assert.NotNull(successorPage.QuerySelector($"#handover tr[data-ref='{project}']"));
        await successorWeb.SubmitAsync($"/leaving/{id}", "#confirm-form", new Dictionary<string, string>());
        Assert.Equal("HandoverConfirmed", await CodeAsync(await ConfirmAsync(successorWeb, id)));
        Assert.Contains(await app.WithDbAsync(db => db.Notifications.Where(n => n.RecipientId == head.Id).Select(n => n.Kind).ToListAsync()), k => k == "Notify.HandoverToConfirm");

        // The head's confirmation files the successor's requests for what they lack; the usual approvers decide them.
        // A stamp from before the successor's confirmation is refused: the head confirms what they see now.
        Assert.Equal("LeavingChanged", await CodeAsync(await headWeb.Client.PostAsJsonAsync($"/api/v1/leaving/{id}/confirm", new { stamp = named.GetProperty("stamp").GetGuid() })));
        var confirmed = await JsonAsync(await ConfirmAsync(headWeb, id));
        var requests = confirmed.GetProperty("successorRequests").EnumerateArray().Select(r => r.GetGuid()).ToList();
        Assert.NotEmpty(requests);
        Assert.DoesNotContain(department, await app.WithDbAsync(db => db.DepartmentMemberships.Where(m => m.PersonId == successor.Id).Select(m => m.Department!.Code).ToListAsync()));
        foreach (var request in requests)
        {
            Assert.Equal(RequestStatus.Approved, (await app.ApproveAsync(request)).Status);
        }

        Assert.Contains(department, await app.WithDbAsync(db => db.DepartmentMemberships.Where(m => m.PersonId == successor.Id).Select(m => m.Department!.Code).ToListAsync()));
        Assert.Contains(project, await app.WithDbAsync(db => db.ProjectMemberships.Where(m => m.PersonId == successor.Id).Select(m => m.Project!.Code).ToListAsync()));

        // Now the person signs the exit statement themselves, while they still work: a wrong password signs nothing and is recorded.
        var (_, statementPage) = await leaverWeb.GetPageAsync($"/leaving/{id}");
        Assert.Contains("未以任何形式保留客户信息的副本", statementPage.QuerySelector("#exit-statement")!.TextContent, StringComparison.Ordinal);
        Assert.NotNull(statementPage.QuerySelector("#sign-statement-form"));
        var wrong = await leaverWeb.Client.PostAsJsonAsync($"/api/v1/leaving/{id}/statement", new { password = "not-my-password" });
        Assert.Equal(HttpStatusCode.Forbidden, wrong.StatusCode);
        Assert.Equal("StatementConfirmationFailed", await CodeAsync(wrong));
        Assert.Equal(1, await AuditCountAsync(leaver.Id, AuditActions.LeavingStatement, AuditOutcome.Denied));
        var signed = await JsonAsync(await leaverWeb.Client.PostAsJsonAsync($"/api/v1/leaving/{id}/statement", new { password = CustosApp.Password }));
        Assert.Equal("Signed", signed.GetProperty("statement").GetString());
        Assert.Equal("StatementRecorded", await CodeAsync(await adminWeb.Client.PostAsJsonAsync($"/api/v1/leaving/{id}/statement/record", new { kind = "Refused", note = "x" })));

        // Not closed while the person still works; refusals are recorded.
        Assert.Equal("LeavingIncomplete", await CodeAsync(await adminWeb.Client.PostAsync($"/api/v1/leaving/{id}/close", null)));
        Assert.Equal(1, await AuditCountAsync(leaver.Id, AuditActions.LeavingClose, AuditOutcome.Denied));

        // A print still out after the last day keeps it open and is escalated, once.
        var print = await app.WithDbAsync(async db =>
        {
            var copy = new CopyRecord
            {
                Id = Guid.NewGuid(), Serial = "P-" + app.UniqueName("x"), Kind = CopyKind.Print, PersonId = leaver.Id, PersonName = leaver.DisplayName, Recipient = leaver.DisplayName,
                Purpose = "回访", CreatedAt = app.Factory.Time.GetUtcNow(), UseBy = app.Factory.Time.GetUtcNow().AddDays(2), Sha256 = new byte[32], Status = CopyStatus.Issued,
            };
            db.Set<CopyRecord>().Add(copy);
            await db.SaveChangesAsync();
            return copy.Id;
        });
        // The hourly work ends the access and escalates the print: the server's own worker, woken by the clock, or this call — whichever comes first, once.
        app.Factory.Time.Advance(TimeSpan.FromDays(4));
        using (var system = app.AsSystem())
        {
            await system.ServiceProvider.GetRequiredService<LeavingService>().RunDueAsync(default);
        }

        var (endedAt, escalatedAt) = await app.WithDbAsync(async db => (await db.Set<Departure>().AsNoTracking().Where(d => d.Id == id).Select(d => new { d.AccessEndedAt, d.CopiesEscalatedAt }).SingleAsync()) is var f
            ? (f.AccessEndedAt, f.CopiesEscalatedAt) : default);
        Assert.NotNull(endedAt);
        Assert.NotNull(escalatedAt);
        Assert.Equal(1, await AuditCountAsync(leaver.Id, AuditActions.LeavingEscalate, AuditOutcome.Success));
        using (var system = app.AsSystem())
        {
            Assert.Equal((0, 0), await system.ServiceProvider.GetRequiredService<LeavingService>().RunDueAsync(default));
        }

        Assert.Equal(EmploymentStatus.Departed, (await app.WithDbAsync(db => db.Users.SingleAsync(u => u.Id == leaver.Id))).EmploymentStatus);
        Assert.Contains(await app.WithDbAsync(db => db.Notifications.Where(n => n.RecipientId == head.Id).Select(n => n.Kind).ToListAsync()), k => k == "Notify.LeaverCopiesOut");
        using var laterWeb = await SignedInAsync(admin, mfa: false); // four days on: a new session, with the authenticator
        await laterWeb.SubmitTotpAsync((await app.AuthenticatorKeyAsync(admin.Id))!);
        var blocked = await laterWeb.Client.PostAsync($"/api/v1/leaving/{id}/close", null);
        Assert.Equal("LeavingIncomplete", await CodeAsync(blocked));
        var (_, adminPage) = await laterWeb.GetPageAsync($"/leaving/{id}");
        Assert.NotNull(adminPage.QuerySelector("#leaving-copies"));

        await app.WithDbAsync(async db =>
        {
            var copy = await db.Set<CopyRecord>().SingleAsync(c => c.Id == print);
            copy.Status = CopyStatus.Returned;
            copy.ClosedAt = app.Factory.Time.GetUtcNow();
            return await db.SaveChangesAsync();
        });
        var closed = await JsonAsync(await laterWeb.Client.PostAsync($"/api/v1/leaving/{id}/close", null));
        Assert.Equal("Closed", closed.GetProperty("stage").GetString());
        Assert.Equal(1, await AuditCountAsync(leaver.Id, AuditActions.LeavingClose, AuditOutcome.Success));
    }

    [Fact]
    public async Task A_paper_statement_or_a_refusal_is_recorded_by_someone_else_with_a_note()
    {
        var leaver = await app.CreatePersonAsync(Roles.Staff);
        var officer = await app.CreatePersonAsync(Roles.ComplianceOfficer);
        using var officerWeb = await SignedInAsync(officer, mfa: true);
        var file = await JsonAsync(await officerWeb.Client.PostAsJsonAsync("/api/v1/leaving", new { person = leaver.UserName, kind = "Dismissal", reason = "辞退" }));
        var id = file.GetProperty("id").GetGuid();
        Assert.Equal("Required", await CodeAsync(await officerWeb.Client.PostAsJsonAsync($"/api/v1/leaving/{id}/statement/record", new { kind = "Refused" })));
        Assert.Equal("InvalidEnum", await CodeAsync(await officerWeb.Client.PostAsJsonAsync($"/api/v1/leaving/{id}/statement/record", new { kind = "Signed", note = "x" })));
        var recorded = await JsonAsync(await officerWeb.Client.PostAsJsonAsync($"/api/v1/leaving/{id}/statement/record", new { kind = "Refused", note = "拒签，人事部李某见证" }));
        Assert.Equal("Refused", recorded.GetProperty("statement").GetString());
        Assert.Equal(officer.DisplayName, recorded.GetProperty("statementBy").GetString());
    }

    [Fact]
    public async Task A_successor_who_leaves_steps_down_a_withdrawn_leaving_takes_its_requests_and_nobody_handles_their_own_file()
    {
        await app.EnsureApproversAsync();
        var department = await app.DepartmentAsync();
        var head = await app.CreatePersonAsync(Roles.DepartmentHead, departments: [department]);
        var leaver = await app.CreatePersonAsync(Roles.Staff, departments: [department]);
        var successor = await app.CreatePersonAsync(Roles.Staff);
        var officer = await app.CreatePersonAsync(Roles.ComplianceOfficer);
        using var officerWeb = await SignedInAsync(officer, mfa: true);
        var id = (await JsonAsync(await officerWeb.Client.PostAsJsonAsync("/api/v1/leaving", new { person = leaver.UserName, lastWorkingDay = Day(Today.AddDays(10)), reason = "辞职" }))).GetProperty("id").GetGuid();
        await JsonAsync(await officerWeb.Client.PutAsJsonAsync($"/api/v1/leaving/{id}/successor", new { successor = successor.UserName }));

        // The successor's own leaving is recorded: they are no longer the successor, and cannot be named again.
        var theirs = (await JsonAsync(await officerWeb.Client.PostAsJsonAsync("/api/v1/leaving", new { person = successor.UserName, lastWorkingDay = Day(Today.AddDays(5)), reason = "辞职" }))).GetProperty("id").GetGuid();
        var file = await JsonAsync(await officerWeb.Client.GetAsync($"/api/v1/leaving/{id}"));
        Assert.Equal(JsonValueKind.Null, file.GetProperty("successorId").ValueKind);
        Assert.Empty(file.GetProperty("handover").EnumerateArray());
        Assert.Equal("SuccessorNotActive", await CodeAsync(await officerWeb.Client.PutAsJsonAsync($"/api/v1/leaving/{id}/successor", new { successor = successor.UserName })));
        Assert.Equal(HttpStatusCode.NoContent, (await officerWeb.Client.DeleteAsync($"/api/v1/leaving/{theirs}")).StatusCode);

        // Confirmed hand-over, then the person stays after all: the successor's requests go with the file.
        await JsonAsync(await officerWeb.Client.PutAsJsonAsync($"/api/v1/leaving/{id}/successor", new { successor = successor.UserName }));
        using (var successorWeb = await SignedInAsync(successor, mfa: false))
        {
            await JsonAsync(await ConfirmAsync(successorWeb, id));
        }

        using var headWeb = await SignedInAsync(head, mfa: true);
        var requests = (await JsonAsync(await ConfirmAsync(headWeb, id))).GetProperty("successorRequests").EnumerateArray().Select(r => r.GetGuid()).ToList();
        Assert.NotEmpty(requests);
        Assert.Equal(HttpStatusCode.NoContent, (await officerWeb.Client.DeleteAsync($"/api/v1/leaving/{id}")).StatusCode);
        Assert.All(await app.WithDbAsync(db => db.AccessRequests.Where(r => requests.Contains(r.Id)).Select(r => r.Status).ToListAsync()), s => Assert.Equal(RequestStatus.Withdrawn, s));

        // A keeper's own leaving is handled by someone else; a dismissed person is not enabled again.
        var otherOfficer = await app.CreatePersonAsync(Roles.ComplianceOfficer);
        var own = (await JsonAsync(await officerWeb.Client.PostAsJsonAsync("/api/v1/leaving", new { person = otherOfficer.UserName, kind = "Dismissal", reason = "辞退" }))).GetProperty("id").GetGuid();
        var admin = await app.CreatePersonAsync(Roles.ItAdministrator);
        using var adminWeb = await SignedInAsync(admin, mfa: true);
        var enable = await adminWeb.Client.PostAsync($"/api/v1/people/{otherOfficer.Id}/enable", null);
        Assert.Equal(HttpStatusCode.Conflict, enable.StatusCode);
        Assert.Equal("PersonDeparted", await CodeAsync(enable));
        Assert.Equal(EmploymentStatus.Departed, (await app.WithDbAsync(db => db.Users.SingleAsync(u => u.Id == otherOfficer.Id))).EmploymentStatus);
        var adminLeaving = (await JsonAsync(await officerWeb.Client.PostAsJsonAsync("/api/v1/leaving", new { person = admin.UserName, lastWorkingDay = Day(Today.AddDays(3)), reason = "辞职" }))).GetProperty("id").GetGuid();
        var self = await adminWeb.Client.PutAsJsonAsync($"/api/v1/leaving/{adminLeaving}/successor", new { successor = successor.UserName });
        Assert.Equal(HttpStatusCode.Forbidden, self.StatusCode);
        Assert.Equal("CannotChangeOwnRights", await CodeAsync(self));
        Assert.Equal("CannotChangeOwnRights", await CodeAsync(await adminWeb.Client.DeleteAsync($"/api/v1/leaving/{adminLeaving}")));
        Assert.Equal(2, await AuditCountAsync(admin.Id, AuditActions.LeavingSuccessor, AuditOutcome.Denied) + await AuditCountAsync(admin.Id, AuditActions.LeavingWithdraw, AuditOutcome.Denied));
        Assert.Equal(HttpStatusCode.OK, (await adminWeb.Client.GetAsync($"/api/v1/leaving/{own}")).StatusCode);
    }
}

public sealed class LeavingTestsOnSqlite(SqliteApp app) : LeavingTests<SqliteApp>(app);

public sealed class LeavingTestsOnPostgres(PostgresApp app) : LeavingTests<PostgresApp>(app);
