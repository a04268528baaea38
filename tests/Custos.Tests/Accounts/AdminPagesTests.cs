using System.Net;
using Custos.Features.People;
using Custos.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Custos.Tests.Accounts;

/// <summary>The administration pages a non-technical IT administrator uses (ACC-2).</summary>
public abstract class AdminPagesTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : CustosApp
{

    [Fact]
    public async Task An_administrator_creates_a_person_who_can_then_sign_in_with_the_generated_password()
    {
        using var web = await app.AdminSessionAsync();
        await app.EnsureApproversAsync();
        await app.CreatePersonAsync(Roles.DepartmentHead, departments: ["GENERAL"]);
        var userName = app.UniqueName("page");

        var response = await web.SubmitAsync("/admin/people", "form:has(#create-person)", new Dictionary<string, string>
        {
            ["Form.UserName"] = userName, ["Form.DisplayName"] = "王小明", ["Form.Clearance"] = "Confidential", ["Form.Reason"] = "新入职审计",
        }, [new("role", Roles.Staff), new("role", Roles.Auditor), new("department", "GENERAL")]);

        // The person exists with no rights; the page says what waits for whose approval (ACC-4).
        var page = await WebSession.ParseAsync(response);
        Assert.NotNull(page.QuerySelector("#person-created"));
        var pending = page.QuerySelectorAll("#rights-pending li[data-request]").Select(li => Guid.Parse(li.GetAttribute("data-request")!)).ToList();
        Assert.Single(pending); // someone with a privileged role (auditor) gets everything through the privilege chain
        Assert.Contains("品质管理/合规 → 总经理", page.QuerySelector("#rights-pending")!.TextContent, StringComparison.Ordinal);
        var password = page.QuerySelector("#generated-password")!.TextContent;
        var person = await app.WithDbAsync(db => db.Users.SingleAsync(u => u.UserName == userName));
        Assert.Equal(Clearance.Secret, person.Clearance);
        foreach (var request in pending)
        {
            await app.ApproveAsync(request);
        }

        Assert.Equal(Clearance.Confidential, (await app.WithDbAsync(db => db.Users.SingleAsync(u => u.UserName == userName))).Clearance);

        using var newcomer = app.Session();
        var landing = await newcomer.SignInAsync(userName, password);
        Assert.Equal("/account/mfa", landing.RequestMessage!.RequestUri!.AbsolutePath); // an auditor must enrol
    }

    [Fact]
    public async Task Roles_are_changed_and_a_person_disabled_from_the_edit_page()
    {
        using var web = await app.AdminSessionAsync();
        var person = await app.CreatePersonAsync(Roles.Staff);
        var url = $"/admin/people/{person.Id}";

        await app.EnsureApproversAsync();
        var saved = await WebSession.ParseAsync(await web.SubmitAsync(url, "form:has(#save-roles)", new Dictionary<string, string>(), [new("role", Roles.ProjectManager)]));
        async Task<List<string?>> RolesAsync() => await app.WithDbAsync(db => (from ur in db.UserRoles join r in db.Roles on ur.RoleId equals r.Id where ur.UserId == person.Id select r.Name).ToListAsync());
        Assert.Empty(await RolesAsync()); // staff taken away at once, the project manager's role waits for approval
        await app.ApproveAsync(Guid.Parse(saved.QuerySelector("#rights-pending li[data-request]")!.GetAttribute("data-request")!));
        Assert.Equal([Roles.ProjectManager], await RolesAsync());

        // The last working day is recorded in the person's leaving file (PPL-3; watched by the departing-staff alert rule), then withdrawn.
        var (_, page) = await web.GetPageAsync(url);
        Assert.Equal($"/leaving?person={person.UserName}", page.QuerySelector("#leaving-link")!.GetAttribute("href"));
        var lastDay = DateOnly.FromDateTime(app.Factory.Time.GetUtcNow().UtcDateTime).AddDays(45);
        var recorded = await web.SubmitAsync($"/leaving?person={person.UserName}", "#record-leaving-form", new Dictionary<string, string>
        {
            ["Input.Person"] = person.UserName!, ["Input.Kind"] = "Departure", ["Input.LastWorkingDay"] = lastDay.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), ["Input.Reason"] = "辞职",
        });
        Assert.Equal(lastDay, (await app.WithDbAsync(db => db.Users.SingleAsync(u => u.Id == person.Id))).DepartsOn);
        var file = WebSession.Location(recorded);
        Assert.StartsWith("/leaving/", file, StringComparison.Ordinal);
        await web.SubmitAsync(file, "#withdraw-form", new Dictionary<string, string>());
        Assert.Null((await app.WithDbAsync(db => db.Users.SingleAsync(u => u.Id == person.Id))).DepartsOn);

        var disabled = await web.SubmitAsync(url, "form:has(#disable)", new Dictionary<string, string>());
        Assert.Contains("已停用", (await WebSession.ParseAsync(disabled)).QuerySelector("#person-status")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(EmploymentStatus.Suspended, (await app.WithDbAsync(db => db.Users.SingleAsync(u => u.Id == person.Id))).EmploymentStatus);
    }

    [Fact]
    public async Task Departments_projects_and_tokens_are_managed_from_their_pages()
    {
        using var web = await app.AdminSessionAsync();
        var code = app.UniqueName("D").ToUpperInvariant();

        await web.SubmitAsync("/admin/departments", "form:has(input[value='new-department'])", new Dictionary<string, string> { ["Form.Code"] = code, ["Form.Name"] = "客服二部" });
        var (_, departments) = await web.GetPageAsync("/admin/departments");
        Assert.Contains(code, departments.QuerySelector("#departments")!.TextContent, StringComparison.Ordinal);

        var duplicate = await web.SubmitAsync("/admin/departments", "form:has(input[value='new-department'])", new Dictionary<string, string> { ["Form.Code"] = code, ["Form.Name"] = "重复" });
        Assert.Contains("已存在", (await WebSession.ParseAsync(duplicate)).QuerySelector(".error")!.TextContent, StringComparison.Ordinal);

        await web.SubmitAsync("/admin/projects", "form:has(input[value='new-project'])", new Dictionary<string, string> { ["Form.Code"] = code + "-P", ["Form.Name"] = "回访", ["Form.Department"] = code });
        Assert.True(await app.WithDbAsync(db => db.Projects.AnyAsync(p => p.Code == code + "-P" && p.Department!.Code == code)));

        var token = await web.SubmitAsync("/admin/tokens", "form:has(#create-token)", new Dictionary<string, string> { ["Form.Name"] = "报表系统", ["Form.Days"] = "30" }, [new("scope", Roles.ItAdministrator)]);
        var secret = (await WebSession.ParseAsync(token)).QuerySelector("#token-secret")!.TextContent;
        Assert.StartsWith("cst_", secret, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await app.ApiClient(secret).GetAsync("/api/v1/me")).StatusCode);
    }

    [Fact]
    public async Task Other_roles_are_turned_away_and_unknown_people_are_not_found()
    {
        var staff = await app.CreatePersonAsync(Roles.Staff);
        using var web = app.Session();
        await web.SignInAsync(staff.UserName!);

        var denied = await web.Client.GetAsync("/admin/people");
        Assert.StartsWith("/error/403", WebSession.Location(denied), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await web.FollowAsync(denied)).StatusCode);

        using var admin = await app.AdminSessionAsync();
        var missing = await admin.Client.GetAsync($"/admin/people/{Guid.NewGuid()}");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }
}

public sealed class AdminPagesTestsOnSqlite(SqliteApp app) : AdminPagesTests<SqliteApp>(app);

public sealed class AdminPagesTestsOnPostgres(PostgresApp app) : AdminPagesTests<PostgresApp>(app);
