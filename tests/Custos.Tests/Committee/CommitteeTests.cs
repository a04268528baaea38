using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Custos.Features.Access;
using Custos.Features.Committee;
using Custos.Features.People;
using Custos.Hosting;
using Custos.Kernel.Policy;
using Custos.Security;
using Custos.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Custos.Tests.Committee;

/// <summary>
/// The confidentiality committee (ORG-1): seats with positions, duties and terms; the power to decide comes through
/// the privilege approvers and goes at once with the seat; the policy's chains name the committee N of M.
/// </summary>
public abstract class CommitteeTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : CustosApp
{
    private DateOnly Today => DateOnly.FromDateTime(app.Factory.Time.GetUtcNow().ToOffset(TimeSpan.FromHours(8)).DateTime);

    private static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    private static async Task<string?> CodeAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).TryGetProperty("code", out var code) ? code.GetString() : null;

    private async Task<(Person Officer, WebSession Web)> OfficerAsync()
    {
        var officer = await app.CreatePersonAsync(Roles.ComplianceOfficer);
        var web = app.Session();
        await web.SignInAsync(officer.UserName!);
        await web.EnrolMfaAsync();
        return (officer, web);
    }

    private async Task<JsonElement> SeatAsync(WebSession officer, Person person, string position = "Member", bool owner = false, int days = 365)
    {
        var response = await officer.Client.PostAsJsonAsync("/api/v1/committee", new
        {
            person = person.UserName, position, duties = "审议对外提供客户信息的申请", policyOwner = owner, endsOn = Day(Today.AddDays(days)),
        });
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private Task<bool> HoldsAsync(Person person) =>
        app.WithDbAsync(db => (from ur in db.UserRoles join r in db.Roles on ur.RoleId equals r.Id where ur.UserId == person.Id && r.Name == Roles.CommitteeMember select ur).AnyAsync());

    [Fact]
    public async Task Committee_members_decide_only_once_approved_and_a_chain_naming_the_committee_needs_two_of_them()
    {
        await app.EnsureApproversAsync();
        var (officer, web) = await OfficerAsync();
        var members = new List<Person>();
        foreach (var position in new[] { "Chair", "Member", "Secretary" })
        {
            var person = await app.CreatePersonAsync(Roles.Staff);
            var seat = await SeatAsync(web, person, position, owner: position == "Chair");
            Assert.False(seat.GetProperty("holdsRole").GetBoolean());
            Assert.False(await HoldsAsync(person)); // seated, but not deciding until the privilege approvers say so
            Assert.Equal(RequestStatus.Approved, (await app.ApproveAsync(seat.GetProperty("roleRequestId").GetGuid())).Status);
            Assert.True(await HoldsAsync(person));
            members.Add(person);
        }

        // One chair, one policy owner, one seat each; never oneself; the officer only.
        Assert.Equal("CommitteeChairTaken", await CodeAsync(await web.Client.PostAsJsonAsync("/api/v1/committee", new { person = (await app.CreatePersonAsync(Roles.Staff)).UserName, position = "Chair", duties = "x", endsOn = Day(Today.AddDays(30)) })));
        Assert.Equal("CommitteeOwnerTaken", await CodeAsync(await web.Client.PostAsJsonAsync("/api/v1/committee", new { person = (await app.CreatePersonAsync(Roles.Staff)).UserName, duties = "x", policyOwner = true, endsOn = Day(Today.AddDays(30)) })));
        Assert.Equal("CommitteeSeated", await CodeAsync(await web.Client.PostAsJsonAsync("/api/v1/committee", new { person = members[1].UserName, duties = "x", endsOn = Day(Today.AddDays(30)) })));
        Assert.Equal("CommitteeTerm", await CodeAsync(await web.Client.PostAsJsonAsync("/api/v1/committee", new { person = (await app.CreatePersonAsync(Roles.Staff)).UserName, duties = "x", endsOn = Day(Today.AddYears(6)) })));
        var own = await web.Client.PostAsJsonAsync("/api/v1/committee", new { person = officer.UserName, duties = "x", endsOn = Day(Today.AddDays(30)) });
        Assert.Equal(HttpStatusCode.Forbidden, own.StatusCode);
        Assert.False(await app.WithDbAsync(db => db.Set<CommitteeSeat>().AnyAsync(s => s.PersonId == officer.Id))); // nothing half-done
        Assert.Equal(1, await app.WithDbAsync(db => db.AuditRecords.CountAsync(a => a.TargetId == officer.Id.ToString() && a.Action == AuditActions.CommitteeAppoint && a.Outcome == AuditOutcome.Denied)));
        // A term begins today at the latest: the role would otherwise decide before it.
        Assert.Equal("CommitteeTerm", await CodeAsync(await web.Client.PostAsJsonAsync("/api/v1/committee", new { person = (await app.CreatePersonAsync(Roles.Staff)).UserName, duties = "x", startsOn = Day(Today.AddDays(10)), endsOn = Day(Today.AddDays(300)) })));
        // Nor is the committee's role given without a seat, through the people pages.
        var asker = await app.CreatePersonAsync(Roles.ItAdministrator);
        var seatless = await app.CreatePersonAsync(Roles.Staff);
        var asked = await app.AsAsync(asker, s => s.GetRequiredService<PeopleService>().SetRolesAsync(seatless.Id, [Roles.Staff, Roles.CommitteeMember], default));
        Assert.Empty(asked.Pending); // the role is not asked for: it comes with a seat
        Assert.False(await HoldsAsync(seatless));
        var head = await app.CreatePersonAsync(Roles.DepartmentHead);
        Assert.Equal("CommitteeRoleBySeat", (await Assert.ThrowsAsync<CustosException>(() => app.AsAsync(head, s => s.GetRequiredService<RequestService>().SubmitAsync(
            new NewRequest(RequestKind.RoleChange, "请加入保密工作小组", Person: seatless.UserName, Role: Roles.CommitteeMember), default)))).Code);
        using var clerk = app.Session();
        await clerk.SignInAsync((await app.CreatePersonAsync(Roles.Staff)).UserName!);
        Assert.Equal("MayNotManageCommittee", await CodeAsync(await clerk.Client.PostAsJsonAsync("/api/v1/committee", new { person = members[2].UserName, duties = "x", endsOn = Day(Today.AddDays(30)) })));
        var listed = await clerk.Client.GetFromJsonAsync<JsonElement[]>("/api/v1/committee");
        Assert.Equal(3, listed!.Count(s => members.Any(m => m.UserName == s.GetProperty("userName").GetString())));
        var (_, page) = await clerk.GetPageAsync("/committee");
        Assert.NotNull(page.QuerySelector($"#committee tr[data-user='{members[0].UserName}'] #policy-owner"));
        Assert.Null(page.QuerySelector("#appoint-form"));

        // A print now needs two committee members, neither the requester nor the same one twice.
        using var admin = await app.AdminSessionAsync();
        var version = (await admin.Client.GetFromJsonAsync<JsonElement>("/api/v1/policy")).GetProperty("version").GetProperty("version").GetInt32();
        await app.PutPolicyInForceAsync(admin, DefaultPolicy.Yaml.Replace("version: 1", $"version: {version + 1}", StringComparison.Ordinal)
            .Replace("print: [{role: department-head, of: department}]", "print: [{role: committee-member, count: 2}]", StringComparison.Ordinal));
        var department = await app.DepartmentAsync();
        var requester = await app.CreatePersonAsync(Roles.Staff, departments: [department]);
        var (customer, _) = await app.CustomerAsync(requester, department, 7);
        var request = await app.AsAsync(requester, s => s.GetRequiredService<RequestService>().SubmitAsync(new NewRequest(RequestKind.Print, "客户要求寄送纸质对账单", Customer: customer.Id), default));
        Task<RequestView> DecideAsync(Person who) => app.AsAsync(who, s => s.GetRequiredService<RequestService>().DecideAsync(request.Id, true, "同意", default));
        Assert.Equal(RequestStatus.Pending, (await DecideAsync(members[0])).Status);
        await Assert.ThrowsAsync<CustosException>(() => DecideAsync(members[0]));
        await Assert.ThrowsAsync<CustosException>(() => DecideAsync(requester));
        Assert.Equal(RequestStatus.Approved, (await DecideAsync(members[1])).Status);
    }

    [Fact]
    public async Task A_seat_that_ends_takes_the_power_to_decide_with_it_by_hand_or_when_its_term_runs_out()
    {
        await app.EnsureApproversAsync();
        var (_, web) = await OfficerAsync();
        var leaving = await app.CreatePersonAsync(Roles.Staff);
        var seat = await SeatAsync(web, leaving);
        await app.ApproveAsync(seat.GetProperty("roleRequestId").GetGuid());
        Assert.True(await HoldsAsync(leaving));
        var id = seat.GetProperty("id").GetGuid();
        Assert.Equal("Required", await CodeAsync(await web.Client.PostAsJsonAsync($"/api/v1/committee/{id}/end", new { reason = "" })));
        var ended = await web.Client.PostAsJsonAsync($"/api/v1/committee/{id}/end", new { reason = "调任其他岗位" });
        Assert.Equal(HttpStatusCode.OK, ended.StatusCode);
        Assert.False(await HoldsAsync(leaving));
        Assert.Equal("CommitteeSeatEnded", await CodeAsync(await web.Client.PostAsJsonAsync($"/api/v1/committee/{id}/end", new { reason = "again" })));

        // Ended before its approval: the request waiting for it is withdrawn, so it can never be given later.
        var waiting = await app.CreatePersonAsync(Roles.Staff);
        var unapproved = await SeatAsync(web, waiting);
        await web.Client.PostAsJsonAsync($"/api/v1/committee/{unapproved.GetProperty("id").GetGuid()}/end", new { reason = "任命有误" });
        Assert.Equal(RequestStatus.Withdrawn, await app.WithDbAsync(db => db.AccessRequests.Where(r => r.Id == unapproved.GetProperty("roleRequestId").GetGuid()).Select(r => r.Status).SingleAsync()));

        // A member who is dismissed leaves the committee with everything else.
        var dismissed = await app.CreatePersonAsync(Roles.Staff);
        var theirSeat = await SeatAsync(web, dismissed);
        await app.ApproveAsync(theirSeat.GetProperty("roleRequestId").GetGuid());
        Assert.True(await HoldsAsync(dismissed));
        Assert.Equal(HttpStatusCode.Created, (await web.Client.PostAsJsonAsync("/api/v1/leaving", new { person = dismissed.UserName, kind = "Dismissal", reason = "辞退" })).StatusCode);
        Assert.False(await HoldsAsync(dismissed));
        Assert.Equal("leaving", await app.WithDbAsync(db => db.Set<CommitteeSeat>().Where(s => s.PersonId == dismissed.Id).Select(s => s.EndedReason).SingleAsync()));

        // A short term: told to the officers within 30 days of its end, and over the day after.
        var shortTerm = await app.CreatePersonAsync(Roles.Staff);
        var term = await SeatAsync(web, shortTerm, days: 10);
        await app.ApproveAsync(term.GetProperty("roleRequestId").GetGuid());
        using (var system = app.AsSystem())
        {
            await system.ServiceProvider.GetRequiredService<CommitteeService>().RunDueAsync(default);
        }

        Assert.NotNull(await app.WithDbAsync(db => db.Set<CommitteeSeat>().Where(s => s.PersonId == shortTerm.Id).Select(s => s.RemindedAt).SingleAsync()));
        app.Factory.Time.Advance(TimeSpan.FromDays(12));
        using (var system = app.AsSystem())
        {
            await system.ServiceProvider.GetRequiredService<CommitteeService>().RunDueAsync(default);
        }

        Assert.False(await HoldsAsync(shortTerm));
        Assert.Equal("term", await app.WithDbAsync(db => db.Set<CommitteeSeat>().Where(s => s.PersonId == shortTerm.Id).Select(s => s.EndedReason).SingleAsync()));
    }
}

public sealed class CommitteeTestsOnSqlite(SqliteApp app) : CommitteeTests<SqliteApp>(app);

public sealed class CommitteeTestsOnPostgres(PostgresApp app) : CommitteeTests<PostgresApp>(app);
