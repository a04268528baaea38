using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Custos.Features.Partners;
using Custos.Features.People;
using Custos.Hosting;
using Custos.Security;
using Custos.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Custos.Tests.Partners;

/// <summary>The partner register (PPL-4, EXP-1): verified partners, their agreements with scans, and their users acting only while an agreement is in force.</summary>
public abstract class PartnerTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : CustosApp
{
    private static readonly byte[] Scan = "%PDF-1.4 partner agreement 合作方保密协议"u8.ToArray();

    private DateOnly Today => DateOnly.FromDateTime(app.Factory.Time.GetUtcNow().ToOffset(TimeSpan.FromHours(8)).DateTime);

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

    private static MultipartFormDataContent AgreementForm(string reference, DateOnly starts, DateOnly ends, byte[] scan) => new()
    {
        { new StringContent(reference), "reference" },
        { new StringContent("客服外包：客户姓名和手机号，仅用于回访"), "scope" },
        { new StringContent(starts.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)), "startsOn" },
        { new StringContent(ends.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)), "endsOn" },
        { new StringContent("刘经理"), "signedBy" },
        { new ByteArrayContent(scan), "scan", "nda.pdf" },
    };

    [Fact]
    public async Task Partners_are_registered_with_a_verified_credit_code_by_the_compliance_officer_in_person()
    {
        var (_, web) = await OfficerAsync();
        var code = CreditCodes.Next();
        var wrongCheck = code[..17] + (code[17] == '0' ? '1' : '0');
        var bad = await web.Client.PostAsJsonAsync("/api/v1/partners", new { name = "某外包有限公司", creditCode = wrongCheck, contactName = "刘", contactPhone = "13800138000" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal("PartnerCreditCode", await CodeAsync(bad));
        Assert.Equal("PartnerPhone", await CodeAsync(await web.Client.PostAsJsonAsync("/api/v1/partners", new { name = "某外包有限公司", creditCode = code, contactName = "刘", contactPhone = "12345" })));

        var name = "某外包有限公司" + app.UniqueName("p");
        var added = await web.Client.PostAsJsonAsync("/api/v1/partners", new { name, creditCode = code.ToLowerInvariant(), contactName = "刘经理", contactPhone = "138 0013 8000" });
        Assert.Equal(HttpStatusCode.OK, added.StatusCode);
        Assert.Equal(code, (await added.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("creditCode").GetString());
        Assert.Equal(HttpStatusCode.Conflict, (await web.Client.PostAsJsonAsync("/api/v1/partners", new { name = name + "2", creditCode = code, contactName = "刘", contactPhone = "13800138000" })).StatusCode);

        foreach (var role in new[] { Roles.Staff, Roles.ItAdministrator, Roles.DepartmentHead })
        {
            var someone = await app.CreatePersonAsync(role);
            using var other = app.Session();
            await other.SignInAsync(someone.UserName!);
            if (role != Roles.Staff)
            {
                await other.EnrolMfaAsync();
            }

            var refused = await other.Client.PostAsJsonAsync("/api/v1/partners", new { name = "x" + role, creditCode = CreditCodes.Next(), contactName = "x", contactPhone = "13800138000" });
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Equal("MayNotManagePartners", await CodeAsync(refused));
            if (role == Roles.Staff)
            {
                Assert.Equal("MayNotReadPartners", await CodeAsync(await other.Client.GetAsync("/api/v1/partners")));
            }
        }
    }

    [Fact]
    public async Task A_partners_user_signs_in_and_acts_only_while_the_partners_agreement_is_in_force()
    {
        var (_, web) = await OfficerAsync();
        var partner = await (await web.Client.PostAsJsonAsync("/api/v1/partners", new { name = "呼叫中心" + app.UniqueName("p"), creditCode = CreditCodes.Next(), contactName = "周", contactPhone = "021-12345678" }))
            .Content.ReadFromJsonAsync<JsonElement>();
        var id = partner.GetProperty("id").GetGuid();
        var user = await app.CreatePersonAsync(Roles.Partner);
        Assert.Equal(HttpStatusCode.NoContent, (await web.Client.PostAsJsonAsync($"/api/v1/partners/{id}/links", new { user = user.UserName })).StatusCode);

        // No agreement recorded: the partner's user does not get in.
        using (var refused = app.Session())
        {
            var page = await refused.SignInAsync(user.UserName!);
            Assert.EndsWith("/account/login", page.RequestMessage!.RequestUri!.AbsolutePath, StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.Unauthorized, (await refused.Client.GetAsync("/api/v1/me")).StatusCode);
        }

        // Twenty minutes before midnight in the organisation's time zone, an agreement that ends today is recorded.
        // A scan that is not a PDF, PNG or JPEG is refused first, and nothing is recorded.
        var local = app.Factory.Time.GetUtcNow().ToOffset(TimeSpan.FromHours(8));
        app.Factory.Time.Advance(local.Date.AddDays(1).AddHours(23).AddMinutes(40) - local.DateTime);
        (_, web) = await OfficerAsync();
        Assert.Equal("PartnerAgreementScan", await CodeAsync(await web.Client.PostAsync($"/api/v1/partners/{id}/agreements", AgreementForm("NDA-X", Today.AddDays(-5), Today, "MZ not a scan"u8.ToArray()))));
        var recorded = await web.Client.PostAsync($"/api/v1/partners/{id}/agreements", AgreementForm("NDA-2026-031", Today.AddDays(-5), Today, Scan));
        Assert.Equal(HttpStatusCode.OK, recorded.StatusCode);
        var agreement = (await recorded.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        Assert.Equal(Scan, await web.Client.GetByteArrayAsync($"/api/v1/partners/agreements/{agreement}/scan"));
        Assert.Equal(-1, (await app.WithDbAsync(db => db.Set<PartnerAgreement>().Where(a => a.Id == agreement).Select(a => a.ScanCipher).SingleAsync())).AsSpan().IndexOf("partner agreement"u8));

        using var partnerWeb = app.Session();
        await partnerWeb.SignInAsync(user.UserName!);
        await partnerWeb.EnrolMfaAsync();
        Assert.Equal(HttpStatusCode.OK, (await partnerWeb.Client.GetAsync("/api/v1/me")).StatusCode);

        // A partner's agent who is also staff, with a token scoped to staff only: still the partner's user.
        Person dual;
        using (var system = app.AsSystem())
        {
            (dual, _, _) = await system.ServiceProvider.GetRequiredService<PeopleService>().CreateAsync(new NewPerson(
                app.UniqueName("agent"), "外包坐席", null, [Roles.Partner, Roles.Staff], [Custos.Data.DatabaseInitialiser.DefaultDepartmentCode], [], Clearance.Secret, CustosApp.Password), default);
        }

        Assert.Equal(HttpStatusCode.NoContent, (await web.Client.PostAsJsonAsync($"/api/v1/partners/{id}/links", new { user = dual.UserName })).StatusCode);
        string token;
        using (var scope = app.ActAs(dual))
        {
            (_, token) = await scope.ServiceProvider.GetRequiredService<Features.ApiTokens.ApiTokenService>().CreateAsync("t", [Roles.Staff], 7, default);
        }

        using var tokenClient = app.ApiClient(token);
        Assert.Equal(HttpStatusCode.OK, (await tokenClient.GetAsync("/api/v1/me")).StatusCode);

        // It ends within 30 days: the compliance officers are told, once.
        using (var scope = app.AsSystem())
        {
            var register = scope.ServiceProvider.GetRequiredService<PartnerService>();
            await register.RemindEndingAsync(default); // the reminder worker, woken by the clock, may have been first
            Assert.Equal(0, await register.RemindEndingAsync(default));
        }

        Assert.True(await app.WithDbAsync(db => db.Notifications.AnyAsync(n => n.Kind == "Notify.PartnerAgreementEnding")));

        // Past midnight, in the same session: the next request is refused and recorded, the page says why.
        app.Factory.Time.Advance(TimeSpan.FromMinutes(25));
        Assert.Equal(HttpStatusCode.OK, (await partnerWeb.Client.GetAsync("/api/v1/me")).StatusCode); // one's own account stays reachable
        var api = await partnerWeb.Client.GetAsync("/api/v1/customers");
        Assert.Equal(HttpStatusCode.Forbidden, api.StatusCode);
        Assert.Equal("PartnerAgreementRequired", await CodeAsync(api));
        Assert.Equal("/partner-agreement", WebSession.Location(await partnerWeb.Client.GetAsync("/customers")));
        Assert.True(await app.WithDbAsync(db => db.AuditRecords.AnyAsync(a => a.ActorId == user.Id.ToString() && a.Detail!.Contains("partner-agreement-missing"))));
        var byToken = await tokenClient.GetAsync("/api/v1/customers");
        Assert.Equal(HttpStatusCode.Forbidden, byToken.StatusCode);
        Assert.Equal("PartnerAgreementRequired", await CodeAsync(byToken));

        using var later = app.Session();
        var again = await later.SignInAsync(user.UserName!);
        Assert.EndsWith("/account/login", again.RequestMessage!.RequestUri!.AbsolutePath, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_agreement_ended_early_refuses_the_partners_users_and_shares_from_that_day_and_a_user_taken_off_acts_nowhere()
    {
        var (_, web) = await OfficerAsync();
        var id = (await (await web.Client.PostAsJsonAsync("/api/v1/partners", new { name = "数据清洗" + app.UniqueName("p"), creditCode = CreditCodes.Next(), contactName = "吴", contactPhone = "13700137000" }))
            .Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var agreement = (await (await web.Client.PostAsync($"/api/v1/partners/{id}/agreements", AgreementForm("NDA-2026-077", Today.AddDays(-30), Today.AddDays(300), Scan)))
            .Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var user = await app.CreatePersonAsync(Roles.Partner);
        Assert.Equal(HttpStatusCode.NoContent, (await web.Client.PostAsJsonAsync($"/api/v1/partners/{id}/links", new { user = user.UserName })).StatusCode);
        using var partnerWeb = app.Session();
        await partnerWeb.SignInAsync(user.UserName!);
        await partnerWeb.EnrolMfaAsync();
        Assert.Equal(HttpStatusCode.OK, (await partnerWeb.Client.GetAsync("/api/v1/customers")).StatusCode);

        Assert.Equal(HttpStatusCode.BadRequest, (await web.Client.PostAsJsonAsync($"/api/v1/partners/agreements/{agreement}/end", new { reason = " " })).StatusCode);
        var ended = await web.Client.PostAsJsonAsync($"/api/v1/partners/agreements/{agreement}/end", new { reason = "违约：未按约定销毁名单" });
        Assert.Equal(HttpStatusCode.OK, ended.StatusCode);
        Assert.Equal(Today.AddDays(-1), (await ended.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("endsOn").GetDateTime() is var e ? DateOnly.FromDateTime(e) : default);
        Assert.Equal(HttpStatusCode.Conflict, (await web.Client.PostAsJsonAsync($"/api/v1/partners/agreements/{agreement}/end", new { reason = "再次" })).StatusCode);
        Assert.Equal("PartnerAgreementRequired", await CodeAsync(await partnerWeb.Client.GetAsync("/api/v1/customers")));
        using (var scope = app.AsSystem())
        {
            Assert.Null(await scope.ServiceProvider.GetRequiredService<PartnerService>().InForceAsync(id, default));
        }

        // Taken off the partner: the test partner's agreement is in force, but this user no longer works for it.
        var other = await app.CreatePersonAsync(Roles.Partner);
        var testPartner = await app.TestPartnerAsync();
        using var otherWeb = app.Session();
        await otherWeb.SignInAsync(other.UserName!);
        await otherWeb.EnrolMfaAsync();
        Assert.Equal(HttpStatusCode.OK, (await otherWeb.Client.GetAsync("/api/v1/customers")).StatusCode);
        using (var scope = app.ActAs(await app.WithDbAsync(db => db.Users.AsNoTracking().OrderByDescending(p => p.CreatedAt).FirstAsync(p => p.DisplayName == "测试合规"))))
        {
            await scope.ServiceProvider.GetRequiredService<PartnerService>().UnlinkUserAsync(testPartner, other.UserName, default);
        }

        Assert.Equal("PartnerAgreementRequired", await CodeAsync(await otherWeb.Client.GetAsync("/api/v1/customers")));
    }

    [Fact]
    public async Task A_partners_user_joins_only_their_partners_projects()
    {
        var department = await app.DepartmentAsync();
        var (theirs, others) = (app.UniqueName("PP").ToUpperInvariant(), app.UniqueName("PX").ToUpperInvariant());
        using (var scope = app.Factory.Services.CreateScope())
        {
            var organisation = scope.ServiceProvider.GetRequiredService<Custos.Features.Organisation.OrganisationService>();
            await organisation.AddProjectAsync(theirs, "外包项目", department, default);
            await organisation.AddProjectAsync(others, "内部项目", department, default);
        }

        await app.LinkProjectToTestPartnerAsync(theirs);
        var user = await app.CreatePersonAsync(Roles.Partner);
        using (var system = app.AsSystem())
        {
            var people = system.ServiceProvider.GetRequiredService<PeopleService>();
            // Whoever asks — here the system itself, which gives at once — never into a project the partner does not work on.
            Assert.Equal("PartnerProjectOnly", (await Assert.ThrowsAsync<CustosException>(() => people.SetMembershipsAsync(user.Id, [], [others], default))).Code);
        }

        Assert.Equal(1, await app.WithDbAsync(db => db.AuditRecords.CountAsync(a => a.TargetId == user.Id.ToString() && a.Action == AuditActions.PersonChange && a.Outcome == AuditOutcome.Denied)));
        using (var system = app.AsSystem())
        {
            await system.ServiceProvider.GetRequiredService<PeopleService>().SetMembershipsAsync(user.Id, [], [theirs], default);
        }

        Assert.Equal([theirs], await app.WithDbAsync(db => db.ProjectMemberships.Where(m => m.PersonId == user.Id).Select(m => m.Project!.Code).ToListAsync()));

        // Someone already in another project is not made a partner's user until they are taken out of it.
        var (_, web) = await OfficerAsync();
        var insider = await app.CreatePersonAsync(Roles.Staff);
        using (var system = app.AsSystem())
        {
            var people = system.ServiceProvider.GetRequiredService<PeopleService>();
            await people.SetRolesAsync(insider.Id, [Roles.Staff, Roles.Partner], default);
            await people.SetMembershipsAsync(insider.Id, [], [others], default);
        }

        var partner = await app.TestPartnerAsync();
        var refused = await web.Client.PostAsJsonAsync($"/api/v1/partners/{partner}/links", new { user = insider.UserName });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("PartnerUserOutsideProjects", await CodeAsync(refused));

        // Nor while a request would put them in one: asked for before the link, decided after it.
        await app.EnsureApproversAsync();
        await app.CreatePersonAsync(Roles.DepartmentHead, departments: [department]);
        var asked = await app.CreatePersonAsync(Roles.Staff);
        using (var system = app.AsSystem())
        {
            await system.ServiceProvider.GetRequiredService<PeopleService>().SetRolesAsync(asked.Id, [Roles.Staff, Roles.Partner], default);
        }

        var asker = await app.CreatePersonAsync(Roles.ItAdministrator);
        Assert.NotEmpty((await app.AsAsync(asker, s => s.GetRequiredService<PeopleService>().SetMembershipsAsync(asked.Id, [Custos.Data.DatabaseInitialiser.DefaultDepartmentCode], [others], default))).Pending);
        Assert.Equal("PartnerUserOutsideProjects", await CodeAsync(await web.Client.PostAsJsonAsync($"/api/v1/partners/{partner}/links", new { user = asked.UserName })));
    }
}

public sealed class PartnerTestsOnSqlite(SqliteApp app) : PartnerTests<SqliteApp>(app);

public sealed class PartnerTestsOnPostgres(PostgresApp app) : PartnerTests<PostgresApp>(app);
