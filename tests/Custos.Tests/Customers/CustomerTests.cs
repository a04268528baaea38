using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Custos.Features.Audit;
using Custos.Features.Customers;
using Custos.Features.People;
using Custos.Hosting;
using Custos.Kernel.Classification;
using Custos.Security;
using Custos.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Custos.Tests.Customers;

/// <summary>Protected customer records: masked by default, revealed for a purpose, scoped, validated, encrypted.</summary>
public abstract class CustomerTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : CustosApp
{
    /// <summary>A department of its own for each test, and a signed-in person in it.</summary>
    private async Task<(WebSession Web, Person Person, string Department)> PersonInNewDepartmentAsync(string role, Clearance clearance = Clearance.Secret)
    {
        var code = app.UniqueName("D").ToUpperInvariant();
        using (var scope = app.Factory.Services.CreateScope())
        {
            await scope.ServiceProvider.GetRequiredService<Custos.Features.Organisation.OrganisationService>().AddDepartmentAsync(code, "部门" + code, default);
        }

        var person = await app.CreatePersonAsync(role, departments: [code]);
        using (var scope = app.Factory.Services.CreateScope())
        {
            await scope.ServiceProvider.GetRequiredService<PeopleService>().SetClearanceAsync(person.Id, clearance, default);
        }

        var web = app.Session();
        await web.SignInAsync(person.UserName!);
        if (role != Roles.Staff)
        {
            await web.EnrolMfaAsync();
        }

        return (web, person, code);
    }

    private static async Task<JsonElement> SearchAsync(WebSession web, string query)
    {
        var response = await web.Client.PostAsJsonAsync("/api/v1/customers/search", new { query });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static async Task<Guid> CreateAsync(WebSession web, Dictionary<string, string?> values, Clearance grade = Clearance.Secret)
    {
        var response = await web.Client.PostAsJsonAsync("/api/v1/customers", new { grade = grade.ToString(), values });
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
    }

    [Fact]
    public async Task Lists_narrow_to_a_department_project_or_grade_within_the_scope_only()
    {
        var (a, b, outside) = (app.UniqueName("FA").ToUpperInvariant(), app.UniqueName("FB").ToUpperInvariant(), app.UniqueName("FX").ToUpperInvariant());
        var project = app.UniqueName("FP").ToUpperInvariant();
        using (var scope = app.Factory.Services.CreateScope())
        {
            var organisation = scope.ServiceProvider.GetRequiredService<Custos.Features.Organisation.OrganisationService>();
            foreach (var code in new[] { a, b, outside })
            {
                await organisation.AddDepartmentAsync(code, "部门" + code, default);
            }

            await organisation.AddProjectAsync(project, "项目" + project, a, default);
        }

        var clerk = await app.CreatePersonAsync(Roles.Staff, departments: [a, b]);
        var stranger = await app.CreatePersonAsync(Roles.Staff, departments: [outside]);
        var synthetic = new Custos.Features.Demo.SyntheticCustomers(31).Generate(4).ToList();
        Customer tagged;
        using (var scope = app.ActAs(clerk))
        {
            var customers = scope.ServiceProvider.GetRequiredService<CustomerService>();
            Dictionary<string, string?> Values(int i) => new() { ["name"] = synthetic[i].Name, ["mobile"] = synthetic[i].Mobile };
            await customers.CreateAsync(new NewCustomer(CustomerKind.Individual, a, null, Clearance.Secret, Values(0)), default);
            tagged = await customers.CreateAsync(new NewCustomer(CustomerKind.Individual, a, project, Clearance.Confidential, Values(1), ["重点客户", " 华东 "]), default);
            var other = await customers.CreateAsync(new NewCustomer(CustomerKind.Individual, b, null, Clearance.Secret, Values(2)), default);

            async Task<int> Count(CustomerFilter filter) => (await customers.ListAsync(null, filter, null, 50, default)).Total;
            Assert.Equal(3, await Count(CustomerFilter.None));
            Assert.Equal(2, await Count(new(Department: a.ToLowerInvariant())));
            Assert.Equal(1, await Count(new(Department: b)));
            Assert.Equal(1, await Count(new(Project: project)));
            Assert.Equal(1, await Count(new(Department: a, Grade: Clearance.Confidential)));
            Assert.Equal(2, await Count(new(Grade: Clearance.Secret)));
            Assert.Equal(0, await Count(new(Department: outside)));
            Assert.Equal(1, await Count(new(Tag: "重点客户")));
            Assert.Equal(["华东", "重点客户"], (await customers.GetAsync(tagged.Id, default)).Tags);

            // Tags are replaced as a whole; a bad one is refused and nothing changes.
            await customers.SetTagsAsync(other.Id, ["重点客户"], default);
            Assert.Equal(2, await Count(new(Tag: "重点客户")));
            var refused = await Assert.ThrowsAsync<CustosException>(() => customers.SetTagsAsync(other.Id, ["好,坏"], default));
            Assert.Equal("TagInvalid", refused.Code);
            Assert.Equal(["重点客户"], (await customers.GetAsync(other.Id, default)).Tags);
            await customers.SetTagsAsync(other.Id, [], default);
            Assert.Equal(1, await Count(new(Tag: "重点客户")));
            var found = await customers.ListAsync(synthetic[2].Mobile, new CustomerFilter(Department: a), null, 50, default);
            Assert.Equal(0, found.Total); // the search matches a customer of B, the filter asks for A

            var (departments, projects) = await scope.ServiceProvider.GetRequiredService<CustomerAccess>().ScopeAsync(default);
            Assert.Equal(new[] { a, b }.Order(StringComparer.Ordinal), departments.Select(d => d.Code));
            Assert.Equal([project], projects.Select(p => p.Code));
        }

        using (var scope = app.ActAs(stranger))
        {
            // Naming someone else's department in a filter does not widen the scope (ACC-1).
            Assert.Equal(0, (await scope.ServiceProvider.GetRequiredService<CustomerService>().ListAsync(null, new CustomerFilter(Department: a), null, 50, default)).Total);
        }

        var web = app.Session();
        await web.SignInAsync(clerk.UserName!);
        var (_, page) = await web.GetPageAsync($"/customers?department={b}");
        Assert.Single(page.QuerySelectorAll("#customers tbody tr"));
        Assert.NotNull(page.QuerySelector($"#department option[value='{b}'][selected]"));
        var api = await web.Client.GetFromJsonAsync<JsonElement>($"/api/v1/customers?department={a}&grade=Confidential");
        Assert.Equal(1, api.GetProperty("total").GetInt32());
        var byTag = await web.Client.GetFromJsonAsync<JsonElement>("/api/v1/customers?tag=" + Uri.EscapeDataString("华东"));
        Assert.Equal(1, byTag.GetProperty("total").GetInt32());

        // The edit page sets tags; a tag with a comma inside is impossible to type, a too-long one is refused with nothing saved.
        var edited = await web.SubmitAsync($"/customers/{tagged.Id}/edit", "#edit-form", new Dictionary<string, string> { ["tags"] = "重点客户，VIP" });
        Assert.Equal(HttpStatusCode.Redirect, edited.StatusCode);
        var (_, detail) = await web.GetPageAsync($"/customers/{tagged.Id}");
        Assert.Equal(["VIP", "重点客户"], detail.QuerySelectorAll("#customer-tags a.tag").Select(t => t.TextContent));
        var tooLong = await web.SubmitAsync($"/customers/{tagged.Id}/edit", "#edit-form", new Dictionary<string, string> { ["tags"] = new string('长', 41), ["field.mobile"] = synthetic[3].Mobile });
        Assert.Equal(HttpStatusCode.OK, tooLong.StatusCode);
        Assert.Contains("40", (await WebSession.ParseAsync(tooLong)).QuerySelector("#edit-error")!.TextContent, StringComparison.Ordinal);
        using var check = app.ActAs(clerk);
        var afterRefusal = await check.ServiceProvider.GetRequiredService<CustomerService>().GetAsync(tagged.Id, default);
        Assert.Equal(["VIP", "重点客户"], afterRefusal.Tags);
        Assert.NotEqual(Custos.Kernel.Masking.Masks.Apply(Custos.Kernel.Masking.MaskKind.Mobile, synthetic[3].Mobile), afterRefusal.Fields.Single(f => f.Field == "mobile").Masked);
    }

    /// <summary>
    /// Keyset pages (ACC-1 at scale): newest first, next and back again, the same customers each way; a cursor is a
    /// position, never a right — edited it is refused, another person's or a vanished customer's shows only one's own.
    /// </summary>
    [Fact]
    public async Task Lists_page_by_cursor_forwards_and_back_and_a_cursor_grants_nothing_ACC_1()
    {
        var (web, _, _) = await PersonInNewDepartmentAsync(Roles.Staff);
        var created = new List<Guid>();
        foreach (var n in Enumerable.Range(0, 7))
        {
            created.Add(await CreateAsync(web, new() { [FieldCatalogue.Name] = "翻页客户" + n }));
        }

        // Ids are version-7 UUIDs: their text order is the order the databases keep.
        var newestFirst = created.OrderByDescending(id => id.ToString("N"), StringComparer.Ordinal).ToList();
        async Task<JsonElement> PageAsync(WebSession session, string? cursor)
        {
            var response = await session.Client.GetAsync("/api/v1/customers?pageSize=3" + (cursor is null ? "" : "&cursor=" + cursor));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return await response.Content.ReadFromJsonAsync<JsonElement>();
        }

        static List<Guid> Ids(JsonElement page) => [.. page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetGuid())];
        static string? Cursor(JsonElement page, string name) => page.GetProperty(name).ValueKind == JsonValueKind.Null ? null : page.GetProperty(name).GetString();

        var first = await PageAsync(web, null);
        Assert.Equal(newestFirst[..3], Ids(first));
        Assert.Equal((7, false), (first.GetProperty("total").GetInt32(), first.GetProperty("totalIsAtLeast").GetBoolean()));
        Assert.Null(Cursor(first, "previous"));
        var second = await PageAsync(web, Cursor(first, "next"));
        Assert.Equal(newestFirst[3..6], Ids(second));
        var last = await PageAsync(web, Cursor(second, "next"));
        Assert.Equal(newestFirst[6..], Ids(last));
        Assert.Null(Cursor(last, "next"));
        var back = await PageAsync(web, Cursor(last, "previous"));
        Assert.Equal(newestFirst[3..6], Ids(back));
        var start = await PageAsync(web, Cursor(back, "previous"));
        Assert.Equal(newestFirst[..3], Ids(start));
        Assert.Null(Cursor(start, "previous"));

        // An edited cursor is a clear 400, by API and page.
        foreach (var bad in new[] { "zzz", "a" + new string('g', 32), "c" + Guid.NewGuid().ToString("N"), Cursor(first, "next")! + "0" })
        {
            var refused = await web.Client.GetAsync("/api/v1/customers?cursor=" + Uri.EscapeDataString(bad));
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains("InvalidCursor", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var (response, page) = await web.GetPageAsync("/customers?cursor=zzz");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotNull(page.QuerySelector("#refusal"));

        // A cursor past the end (a bookmark, or customers gone since) is an empty page with the way back to the first.
        var (_, beyond) = await web.GetPageAsync("/customers?cursor=a" + Guid.CreateVersion7(DateTimeOffset.UnixEpoch).ToString("N"));
        Assert.Empty(beyond.QuerySelectorAll("#customers tbody tr"));
        Assert.Equal("/customers", beyond.QuerySelector("#first")!.GetAttribute("href"));

        // Someone else's cursor, or one of a customer that no longer exists, is only a position in one's own scope.
        var (stranger, _, _) = await PersonInNewDepartmentAsync(Roles.Staff);
        var own = await CreateAsync(stranger, new() { [FieldCatalogue.Name] = "别部门客户" });
        var borrowed = await PageAsync(stranger, "b" + newestFirst[^1].ToString("N"));
        Assert.DoesNotContain(Ids(borrowed), created.Contains);
        var vanished = await PageAsync(stranger, "a" + Guid.CreateVersion7(app.Factory.Time.GetUtcNow().AddYears(1)).ToString("N"));
        Assert.Equal([own], Ids(vanished));
        web.Dispose();
        stranger.Dispose();
    }

    /// <summary>A tag read from its own index a chunk at a time: every page has exactly the scope's tagged customers, newest first, across chunks.</summary>
    [Fact]
    public async Task A_tag_filter_pages_through_many_tagged_customers_and_only_those_in_scope_ACC_1()
    {
        var (web, person, department) = await PersonInNewDepartmentAsync(Roles.Staff);
        var (_, _, elsewhere) = await PersonInNewDepartmentAsync(Roles.Staff);
        var tag = app.UniqueName("批量");
        async Task<List<Guid>> WriteAsync(string code, int count, Func<int, bool> tagged)
        {
            using var scope = app.AsSystem();
            var db = scope.ServiceProvider.GetRequiredService<Custos.Data.CustosDbContext>();
            var access = scope.ServiceProvider.GetRequiredService<CustomerAccess>();
            var departmentId = await db.Departments.Where(d => d.Code == code).Select(d => d.Id).SingleAsync();
            var built = Enumerable.Range(0, count).Select(i => access.Build(CustomerKind.Individual, departmentId, null, Clearance.Secret,
                new Dictionary<string, string?> { [FieldCatalogue.Name] = "标签客户" + i })).ToList();
            await db.Database.OpenConnectionAsync();
            await using (var tx = await db.Database.BeginTransactionAsync())
            {
                await CustomerBulkWriter.WriteAsync(db, built, null, default, scope.ServiceProvider.GetRequiredService<Custos.Features.Keys.KeyShareStore>());
                await Custos.Data.BulkInsert.InsertAsync(db, built.Where((_, i) => tagged(i)).Select(c => new CustomerTag { CustomerId = c.Id, Tag = tag }).ToList(), default);
                await tx.CommitAsync();
            }

            return [.. built.Where((_, i) => tagged(i)).Select(c => c.Id)];
        }

        var mine = await WriteAsync(department, 1300, i => i % 13 != 0); // 1,200 tagged, over two chunks of the tag's index
        await WriteAsync(elsewhere, 300, _ => true); // the same tag, out of scope
        var expected = mine.OrderByDescending(id => id.ToString("N"), StringComparer.Ordinal).ToList();

        var seen = new List<Guid>();
        string? cursor = null;
        JsonElement page;
        do
        {
            var response = await web.Client.GetAsync($"/api/v1/customers?pageSize=200&tag={Uri.EscapeDataString(tag)}" + (cursor is null ? "" : "&cursor=" + cursor));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            page = await response.Content.ReadFromJsonAsync<JsonElement>();
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetGuid()));
            cursor = page.GetProperty("next").ValueKind == JsonValueKind.Null ? null : page.GetProperty("next").GetString();
        }
        while (cursor is not null);

        Assert.Equal(expected, seen);
        Assert.Equal((1000, true), (page.GetProperty("total").GetInt32(), page.GetProperty("totalIsAtLeast").GetBoolean()));

        // The home page counts the scope as the list does: up to the cap, then "1000+" (not a count of the whole scope).
        var (_, home) = await web.GetPageAsync("/");
        Assert.Equal("1000+", home.QuerySelector("#scope-customers")!.TextContent);
        _ = person;
        web.Dispose();
    }

    [Fact]
    public async Task Values_are_masked_everywhere_until_revealed_with_a_purpose_and_the_reveal_is_recorded()
    {
        var (web, person, _) = await PersonInNewDepartmentAsync(Roles.Staff);
        var id = await CreateAsync(web, new() { ["name"] = "欧阳娜娜", ["mobile"] = "13912345678", ["address"] = "北京市海淀区中关村大街1号" });

        var detail = await web.Client.GetStringAsync($"/api/v1/customers/{id}");
        Assert.Contains("欧阳**", detail, StringComparison.Ordinal);
        Assert.Contains("139****5678", detail, StringComparison.Ordinal);
        Assert.DoesNotContain("13912345678", detail, StringComparison.Ordinal);
        Assert.DoesNotContain("中关村", detail, StringComparison.Ordinal);
        var list = await web.Client.GetStringAsync("/api/v1/customers");
        Assert.Contains("139****5678", list, StringComparison.Ordinal);
        Assert.DoesNotContain("13912345678", list, StringComparison.Ordinal);
        var (_, page) = await web.GetPageAsync($"/customers/{id}");
        Assert.DoesNotContain("13912345678", page.Body!.TextContent, StringComparison.Ordinal);
        Assert.Contains("秘密", page.QuerySelector("#customer-grade")!.TextContent, StringComparison.Ordinal);

        var noPurpose = await web.Client.PostAsJsonAsync($"/api/v1/customers/{id}/reveal", new { field = "mobile", purpose = "" });
        Assert.Equal(HttpStatusCode.BadRequest, noPurpose.StatusCode);
        var otherWithoutNote = await web.Client.PostAsJsonAsync($"/api/v1/customers/{id}/reveal", new { field = "mobile", purpose = "other" });
        Assert.Equal(HttpStatusCode.BadRequest, otherWithoutNote.StatusCode);

        var revealed = await web.Client.PostAsJsonAsync($"/api/v1/customers/{id}/reveal", new { field = "mobile", purpose = "follow-up" });
        Assert.Equal(HttpStatusCode.OK, revealed.StatusCode);
        Assert.Equal("13912345678", (await revealed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("value").GetString());
        Assert.True(revealed.Headers.CacheControl!.NoStore);

        var record = await app.WithDbAsync(db => db.AuditRecords.SingleAsync(a => a.Action == "customer.reveal" && a.TargetId == id.ToString() && a.Outcome == AuditOutcome.Success));
        Assert.Equal(person.Id.ToString(), record.ActorId);
        Assert.Contains("\"field\":\"mobile\"", record.Detail, StringComparison.Ordinal);
        Assert.Equal("follow-up", record.Purpose);
        Assert.DoesNotContain("13912345678", record.Detail, StringComparison.Ordinal);
        web.Dispose();
    }

    [Fact]
    public async Task The_reveal_page_shows_the_value_once_after_a_purpose_is_chosen()
    {
        var (web, _, _) = await PersonInNewDepartmentAsync(Roles.Staff);
        var id = await CreateAsync(web, new() { ["name"] = "张伟", ["mobile"] = "13812345678" });

        var response = await web.SubmitAsync($"/customers/{id}", "form:has(input[value='reveal-mobile'])", new Dictionary<string, string> { ["purpose"] = "service" });

        var page = await WebSession.ParseAsync(response);
        Assert.Equal("13812345678", page.QuerySelector("#revealed-value")!.TextContent);
        var (_, again) = await web.GetPageAsync($"/customers/{id}");
        Assert.Null(again.QuerySelector("#revealed-value"));
        web.Dispose();
    }

    [Fact]
    public async Task Values_above_the_clearance_are_refused_and_the_attempt_recorded()
    {
        var (web, _, _) = await PersonInNewDepartmentAsync(Roles.Staff, Clearance.Secret);
        var id = await CreateAsync(web, new() { ["name"] = "李雷", ["idNumber"] = "11010519491231002X", ["mobile"] = "13812345678" });

        var core = await web.Client.PostAsJsonAsync($"/api/v1/customers/{id}/reveal", new { field = "idNumber", purpose = "verification" });

        Assert.Equal(HttpStatusCode.Forbidden, core.StatusCode);
        Assert.Equal(1, await app.WithDbAsync(db => db.AuditRecords.CountAsync(a => a.Action == "customer.reveal" && a.TargetId == id.ToString() && a.Outcome == AuditOutcome.Denied)));
        var detail = await web.Client.GetFromJsonAsync<JsonElement>($"/api/v1/customers/{id}");
        var idField = detail.GetProperty("fields").EnumerateArray().Single(f => f.GetProperty("field").GetString() == "idNumber");
        Assert.False(idField.GetProperty("mayReveal").GetBoolean());
        Assert.Equal("110***********002X", idField.GetProperty("masked").GetString());
        Assert.Equal(3, idField.GetProperty("protection").GetInt32());
        web.Dispose();
    }

    [Fact]
    public async Task A_customer_outside_the_scope_does_not_exist_for_the_caller()
    {
        var (owner, _, _) = await PersonInNewDepartmentAsync(Roles.Staff);
        var id = await CreateAsync(owner, new() { ["name"] = "王芳", ["mobile"] = "13700000001" });
        var (stranger, _, _) = await PersonInNewDepartmentAsync(Roles.Staff);
        var (admin, _, _) = await PersonInNewDepartmentAsync(Roles.ItAdministrator);

        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Client.GetAsync($"/api/v1/customers/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Client.PostAsJsonAsync($"/api/v1/customers/{id}/reveal", new { field = "mobile", purpose = "service" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Client.GetAsync($"/customers/{id}")).StatusCode);
        Assert.Equal(0, (await SearchAsync(stranger, "13700000001")).GetProperty("total").GetInt32());
        Assert.Equal(HttpStatusCode.NotFound, (await admin.Client.GetAsync($"/api/v1/customers/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await owner.Client.GetAsync($"/api/v1/customers/{Guid.NewGuid()}")).StatusCode);
        owner.Dispose();
        stranger.Dispose();
        admin.Dispose();
    }

    [Fact]
    public async Task A_person_in_two_departments_picks_one_by_name_and_is_asked_rather_than_guessed_for()
    {
        var (web, person, first) = await PersonInNewDepartmentAsync(Roles.DepartmentHead);
        var second = app.UniqueName("D").ToUpperInvariant();
        using (var scope = app.Factory.Services.CreateScope())
        {
            await scope.ServiceProvider.GetRequiredService<Custos.Features.Organisation.OrganisationService>().AddDepartmentAsync(second, "第二营业部", default);
            await scope.ServiceProvider.GetRequiredService<PeopleService>().SetMembershipsAsync(person.Id, [first, second], [], default);
        }

        web.Dispose(); // a change of rights ends the person's sessions
        web = app.Session();
        await web.SignInAsync(person.UserName!);
        await web.SubmitTotpAsync(await app.AuthenticatorKeyAsync(person.Id) ?? "");

        // The pages offer the departments by name, and ask for one when there are several.
        foreach (var path in new[] { "/customers/new", "/imports" })
        {
            var (_, page) = await web.GetPageAsync(path);
            var options = page.QuerySelectorAll("#department option").Select(o => (o.GetAttribute("value") ?? "", o.TextContent.Trim())).ToList();
            Assert.Equal([("", "请选择部门"), (first, "部门" + first), (second, "第二营业部")], options.Where(o => o.Item1 is "" || o.Item1 == first || o.Item1 == second));
            Assert.True(page.QuerySelector("#department")!.HasAttribute("required"));
        }

        // Without a department the API asks which, naming them (it was a 500); with one, the customer goes there.
        var unasked = await web.Client.PostAsJsonAsync("/api/v1/customers", new { values = new Dictionary<string, string> { ["name"] = "两部门客户" } });
        Assert.Equal(HttpStatusCode.BadRequest, unasked.StatusCode);
        var problem = await unasked.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("ChooseDepartment", problem.GetProperty("code").GetString());
        Assert.Contains("第二营业部", problem.GetProperty("title").GetString(), StringComparison.Ordinal);
        var placed = await web.Client.PostAsJsonAsync("/api/v1/customers", new { department = second, values = new Dictionary<string, string> { ["name"] = "两部门客户" } });
        Assert.Equal(HttpStatusCode.Created, placed.StatusCode);
        Assert.Equal(second, (await placed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("department").GetString());
        web.Dispose();
    }

    [Fact]
    public async Task A_partner_sees_only_the_customers_of_their_projects()
    {
        var (staff, _, department) = await PersonInNewDepartmentAsync(Roles.Staff);
        var project = department + "-P";
        using (var scope = app.Factory.Services.CreateScope())
        {
            await scope.ServiceProvider.GetRequiredService<Custos.Features.Organisation.OrganisationService>().AddProjectAsync(project, "外包项目", department, default);
        }

        var inProject = await staff.Client.PostAsJsonAsync("/api/v1/customers", new { project, values = new Dictionary<string, string> { ["name"] = "项目客户" } });
        Assert.Equal(HttpStatusCode.Created, inProject.StatusCode);
        var projectCustomer = (await inProject.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        var departmentCustomer = await CreateAsync(staff, new() { ["name"] = "部门客户" });

        // The partner is in the department too: only the project opens customers to them.
        var partner = await app.CreatePersonAsync(Roles.Partner, departments: [department]);
        await app.LinkProjectToTestPartnerAsync(project);
        using (var scope = app.Factory.Services.CreateScope())
        {
            await scope.ServiceProvider.GetRequiredService<PeopleService>().SetMembershipsAsync(partner.Id, [department], [project], default);
        }

        using var web = app.Session();
        await web.SignInAsync(partner.UserName!);
        await web.EnrolMfaAsync();
        Assert.Equal(HttpStatusCode.OK, (await web.Client.GetAsync($"/api/v1/customers/{projectCustomer}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await web.Client.GetAsync($"/api/v1/customers/{departmentCustomer}")).StatusCode);
        Assert.Equal(1, (await web.Client.GetFromJsonAsync<JsonElement>("/api/v1/customers")).GetProperty("total").GetInt32());
        staff.Dispose();
    }

    [Fact]
    public async Task Exact_search_finds_a_customer_however_the_value_is_typed()
    {
        var (web, _, _) = await PersonInNewDepartmentAsync(Roles.Staff);
        var id = await CreateAsync(web, new() { ["name"] = "赵磊", ["mobile"] = "13612345678", ["idNumber"] = "440524188001010014", ["email"] = "Zhao.Lei@Example.com" });
        await CreateAsync(web, new() { ["name"] = "赵磊", ["mobile"] = "13612345679" });

        foreach (var query in new[] { "136 1234 5678", "+86 136-1234-5678", "４４０５２４１８８００１０１００１４", "zhao.lei@example.COM" })
        {
            var result = await SearchAsync(web, query);
            Assert.Equal(1, result.GetProperty("total").GetInt32());
            Assert.Equal(id, result.GetProperty("items")[0].GetProperty("id").GetGuid());
        }

        Assert.Equal(2, (await SearchAsync(web, "赵 磊")).GetProperty("total").GetInt32());

        // The search page posts the term: it is in no URL.
        var searched = await web.SubmitAsync("/customers", "#search-form", new Dictionary<string, string> { ["q"] = "136-1234-5678" });
        Assert.Equal(HttpStatusCode.OK, searched.StatusCode);
        Assert.DoesNotContain("1234", searched.RequestMessage!.RequestUri!.ToString(), StringComparison.Ordinal);
        var rows = (await WebSession.ParseAsync(searched)).QuerySelectorAll("#customers tbody tr");
        Assert.Single(rows);
        Assert.Contains("136****5678", rows[0].TextContent, StringComparison.Ordinal);
        web.Dispose();
    }

    [Theory]
    [InlineData("idNumber", "11010519491231002Y", "证件号码")]
    [InlineData("idNumber", "110105194912310021", "校验位")]
    [InlineData("mobile", "12345", "手机")]
    [InlineData("bankCard", "4111111111111112", "银行卡号")]
    [InlineData("favouriteColour", "blue", "favouriteColour")]
    public async Task Bad_values_are_refused_naming_the_field_and_nothing_is_stored(string field, string value, string expected)
    {
        var (web, _, department) = await PersonInNewDepartmentAsync(Roles.Staff);

        var response = await web.Client.PostAsJsonAsync("/api/v1/customers", new { values = new Dictionary<string, string> { ["name"] = "测试", [field] = value } });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(expected, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await app.WithDbAsync(db => db.Customers.CountAsync(c => db.Departments.Any(d => d.Id == c.DepartmentId && d.Code == department))));
        web.Dispose();
    }

    [Fact]
    public async Task A_change_keeps_the_previous_value_encrypted_with_who_and_when()
    {
        var (web, person, _) = await PersonInNewDepartmentAsync(Roles.Staff);
        var id = await CreateAsync(web, new() { ["name"] = "孙丽", ["mobile"] = "13811112222" });

        var patch = await web.Client.PatchAsJsonAsync($"/api/v1/customers/{id}", new { values = new Dictionary<string, string?> { ["mobile"] = "13933334444" } });

        Assert.Equal(HttpStatusCode.NoContent, patch.StatusCode);
        var history = await app.WithDbAsync(db => db.CustomerHistory.SingleAsync(h => h.CustomerId == id));
        Assert.Equal("mobile", history.Field);
        Assert.Equal(person.Id.ToString(), history.ChangedBy);
        Assert.DoesNotContain("13811112222", Encoding.UTF8.GetString(history.Cipher), StringComparison.Ordinal);
        Assert.Equal(1, (await SearchAsync(web, "13933334444")).GetProperty("total").GetInt32());
        Assert.Equal(0, (await SearchAsync(web, "13811112222")).GetProperty("total").GetInt32());
        web.Dispose();
    }

    [Fact]
    public async Task The_edit_page_changes_and_clears_values_and_the_history_names_who_changed_what()
    {
        var (web, person, _) = await PersonInNewDepartmentAsync(Roles.Staff);
        var id = await CreateAsync(web, new() { ["name"] = "钱多多", ["mobile"] = "13811110000", ["email"] = "qian@example.com" });

        var saved = await web.SubmitAsync($"/customers/{id}/edit", "#edit-form", new Dictionary<string, string> { ["field.mobile"] = "139 2222 0000" }, [new("clear", "email")]);
        Assert.Equal($"/customers/{id}", WebSession.Location(saved));

        var detail = await web.Client.GetFromJsonAsync<JsonElement>($"/api/v1/customers/{id}");
        var fields = detail.GetProperty("fields").EnumerateArray().ToDictionary(f => f.GetProperty("field").GetString()!, f => f.GetProperty("masked").GetString());
        Assert.Equal("139****0000", fields["mobile"]);
        Assert.False(fields.ContainsKey("email"));

        var history = await web.Client.GetFromJsonAsync<JsonElement>($"/api/v1/customers/{id}/history");
        Assert.Equal(["email", "mobile"], history.EnumerateArray().Select(h => h.GetProperty("field").GetString()).Order());
        Assert.All(history.EnumerateArray(), h => Assert.Equal("测试" + Roles.Staff, h.GetProperty("changedBy").GetString()));
        var (_, page) = await web.GetPageAsync($"/customers/{id}");
        Assert.Equal(2, page.QuerySelectorAll("#history tbody tr").Length);

        var bad = await web.SubmitAsync($"/customers/{id}/edit", "#edit-form", new Dictionary<string, string> { ["field.idNumber"] = "123" });
        Assert.Contains("证件号码", (await WebSession.ParseAsync(bad)).QuerySelector("#edit-error")!.TextContent, StringComparison.Ordinal);
        Assert.NotNull(person);
        web.Dispose();
    }

    [Fact]
    public async Task Scans_are_attached_encrypted_checked_by_content_and_opened_for_a_purpose()
    {
        var (web, _, _) = await PersonInNewDepartmentAsync(Roles.Staff);
        var id = await CreateAsync(web, new() { ["name"] = "档案客户", ["mobile"] = "13855556666" });
        byte[] pdf = [.. "%PDF-1.4\n"u8, .. Encoding.UTF8.GetBytes("合同正文：客户签字页 机密内容XYZ"), .. "\n%%EOF"u8];

        static MultipartFormDataContent File(byte[] bytes, string name) => new() { { new ByteArrayContent(bytes), "file", name } };
        var added = await web.Client.PostAsync($"/api/v1/customers/{id}/attachments", File(pdf, "王先生-合同.pdf"));
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        var disguised = await web.Client.PostAsync($"/api/v1/customers/{id}/attachments", File("MZ\u0090 not a pdf"u8.ToArray(), "scan.pdf"));
        Assert.Equal(HttpStatusCode.BadRequest, disguised.StatusCode);
        Assert.Contains("PDF", await disguised.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var tooLarge = await web.Client.PostAsync($"/api/v1/customers/{id}/attachments", File([.. "%PDF-"u8, .. new byte[11 * 1024 * 1024]], "big.pdf"));
        Assert.Equal(HttpStatusCode.BadRequest, tooLarge.StatusCode);

        var list = await web.Client.GetFromJsonAsync<JsonElement>($"/api/v1/customers/{id}/attachments");
        var attachment = Assert.Single(list.EnumerateArray());
        Assert.Equal("王先生-合同.pdf", attachment.GetProperty("fileName").GetString());
        Assert.Equal("application/pdf", attachment.GetProperty("contentType").GetString());
        var stored = await app.WithDbAsync(db => db.CustomerAttachments.SingleAsync(a => a.CustomerId == id));
        Assert.True(stored.Cipher.AsSpan().IndexOf(Encoding.UTF8.GetBytes("机密内容XYZ")) < 0);
        Assert.True(stored.NameCipher.AsSpan().IndexOf(Encoding.UTF8.GetBytes("王先生")) < 0);

        var attachmentId = attachment.GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.BadRequest, (await web.Client.PostAsJsonAsync($"/api/v1/customers/{id}/attachments/{attachmentId}/open", new { purpose = "" })).StatusCode);
        var opened = await web.Client.PostAsJsonAsync($"/api/v1/customers/{id}/attachments/{attachmentId}/open", new { purpose = "verification" });
        Assert.Equal(pdf, await opened.Content.ReadAsByteArrayAsync());
        Assert.True(opened.Headers.CacheControl!.NoStore);
        Assert.Equal(1, await app.WithDbAsync(db => db.AuditRecords.CountAsync(a => a.Action == "customer.attachment.open" && a.TargetId == id.ToString() && a.Outcome == AuditOutcome.Success)));

        // The page's open form downloads the same bytes.
        var fromPage = await web.SubmitAsync($"/customers/{id}", $"form[action='/customers/{id}/attachments/{attachmentId}']", new Dictionary<string, string> { ["purpose"] = "service" });
        Assert.Equal(pdf, await fromPage.Content.ReadAsByteArrayAsync());

        var (stranger, _, _) = await PersonInNewDepartmentAsync(Roles.Staff);
        Assert.Equal(HttpStatusCode.NotFound, (await stranger.Client.PostAsJsonAsync($"/api/v1/customers/{id}/attachments/{attachmentId}/open", new { purpose = "service" })).StatusCode);
        stranger.Dispose();
        web.Dispose();
    }

    [Fact]
    public async Task A_ciphertext_moved_to_another_customer_or_field_fails_to_decrypt()
    {
        var (web, _, _) = await PersonInNewDepartmentAsync(Roles.Staff);
        var a = await CreateAsync(web, new() { ["name"] = "周一", ["mobile"] = "13800000011", ["landline"] = "010-62345678" });
        var b = await CreateAsync(web, new() { ["name"] = "周二", ["mobile"] = "13800000022" });

        await app.WithDbAsync(async db =>
        {
            var mobileOfA = await db.CustomerValues.SingleAsync(v => v.CustomerId == a && v.Field == FieldCatalogue.Mobile);
            var mobileOfB = await db.CustomerValues.SingleAsync(v => v.CustomerId == b && v.Field == FieldCatalogue.Mobile);
            var landlineOfA = await db.CustomerValues.SingleAsync(v => v.CustomerId == a && v.Field == FieldCatalogue.Landline);
            mobileOfB.Cipher = mobileOfA.Cipher;       // to another customer
            landlineOfA.Cipher = mobileOfA.Cipher;     // to another field
            return await db.SaveChangesAsync();
        });

        var moved = await web.Client.PostAsJsonAsync($"/api/v1/customers/{b}/reveal", new { field = "mobile", purpose = "service" });
        Assert.Equal(HttpStatusCode.InternalServerError, moved.StatusCode);
        var otherField = await web.Client.PostAsJsonAsync($"/api/v1/customers/{a}/reveal", new { field = "landline", purpose = "service" });
        Assert.Equal(HttpStatusCode.InternalServerError, otherField.StatusCode);
        var intact = await web.Client.PostAsJsonAsync($"/api/v1/customers/{a}/reveal", new { field = "mobile", purpose = "service" });
        Assert.Equal("13800000011", (await intact.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("value").GetString());
        web.Dispose();
    }
}

public sealed class CustomerTestsOnSqlite(SqliteApp app) : CustomerTests<SqliteApp>(app);

public sealed class CustomerTestsOnPostgres(PostgresApp app) : CustomerTests<PostgresApp>(app);
