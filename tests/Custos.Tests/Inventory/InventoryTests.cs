using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Custos.Features.Copies;
using Custos.Features.Customers;
using Custos.Features.Imports;
using Custos.Features.Inventory;
using Custos.Features.People;
using Custos.Security;
using Custos.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using MiniExcelLibs;

namespace Custos.Tests.Inventory;

/// <summary>
/// The department's customer-information inventory 客户信息清单 (CLS-5): lines generated from live data (imports with
/// their collection records, customers entered by hand, attachments, paper copies out) with counts by field level and
/// the highest grade; entries for data sets outside Custos added by the head only, checked whole before anything is
/// saved; the monthly review; read by the department and by compliance, a 404 for anyone else; exported as PDF/XLSX.
/// </summary>
public abstract class InventoryTests<TApp>(TApp app) : IClassFixture<TApp>, IDisposable
    where TApp : CustosApp
{
    private readonly string dir = TestPaths.NewDataDir("inventory-files");

    private SignIns? signIns;

    public void Dispose()
    {
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }

        GC.SuppressFinalize(this);
    }

    private Task<WebSession> SignedInAsync(Person person, bool mfa = true) => (signIns ??= new SignIns(app)).AsAsync(person, mfa);

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        Assert.True(response.IsSuccessStatusCode, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static async Task<string?> CodeAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>()).TryGetProperty("code", out var code) ? code.GetString() : null;

    /// <summary>A department with a head, a clerk, an imported list of <paramref name="rows"/> (name, ID number, mobile, income) and one customer entered by hand.</summary>
    private async Task<Setup> SetUpAsync(int rows, int seed)
    {
        var department = await app.DepartmentAsync();
        var head = await app.CreatePersonAsync(Roles.DepartmentHead, departments: [department]);
        var clerk = await app.CreatePersonAsync(Roles.Staff, departments: [department]);
        var synthetic = new Features.Demo.SyntheticCustomers(seed).Generate(rows).ToList();
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, $"list-{seed}.csv");
        await File.WriteAllTextAsync(path, "姓名,身份证号,手机,收入\r\n" + string.Join("\r\n", synthetic.Select((c, i) => $"{c.Name},{c.IdNumber},{c.Mobile},{100000 + i}")) + "\r\n", new UTF8Encoding(false));
        ImportOutcome outcome;
        using (var scope = app.ActAs(head))
        {
            outcome = await scope.ServiceProvider.GetRequiredService<ImportService>().ImportAsync(() => File.OpenRead(path), path, new ImportOptions(
                new Dictionary<int, string> { [0] = "name", [1] = "idNumber", [2] = "mobile", [3] = "income" }, department, null, Clearance.Confidential,
                "展会登记名单", "新品回访", "客户书面同意", null), null, default);
        }

        Assert.True(outcome.Imported, string.Join("; ", outcome.Errors));
        var (byHand, values) = await app.CustomerAsync(head, department, seed + 1);
        return new Setup(department, head, clerk, outcome.CollectionId!.Value, synthetic, byHand, values);
    }

    private sealed record Setup(string Department, Person Head, Person Clerk, Guid Collection, List<Features.Demo.SyntheticCustomer> Imported, Customer ByHand, Features.Demo.SyntheticCustomer ByHandValues)
    {
        public IEnumerable<string> ProtectedValues => [.. Imported.SelectMany(c => new[] { c.IdNumber, c.Mobile }), ByHandValues.IdNumber, ByHandValues.Mobile];
    }

    private Task<InventoryView> InventoryOfAsync(Person person, string department) =>
        app.AsAsync(person, s => s.GetRequiredService<InventoryService>().GetAsync(department, default));

    [Fact]
    public async Task Counts_by_field_level_match_what_was_imported_and_entered_and_cover_attachments_and_paper_out_CLS_5()
    {
        var setup = await SetUpAsync(5, 7100);

        // A scan attached to the customer entered by hand, and a print of its name and ID number still out.
        await app.WithDbAsync(async db =>
        {
            db.CustomerAttachments.Add(new CustomerAttachment { Id = Guid.NewGuid(), CustomerId = setup.ByHand.Id, NameCipher = [1], ContentType = "application/pdf", Size = 1, Cipher = [1], UploadedAt = app.Factory.Time.GetUtcNow(), UploadedBy = "test" });
            var copy = new CopyRecord
            {
                Id = Guid.NewGuid(), Serial = "P-" + Guid.NewGuid().ToString("N")[..12], Kind = CopyKind.Print, PersonId = setup.Head.Id, PersonName = setup.Head.DisplayName, Recipient = setup.Head.DisplayName,
                Purpose = "verification", Customers = 1, Fields = "name,idNumber", CreatedAt = app.Factory.Time.GetUtcNow(), Sha256 = new byte[32], Status = CopyStatus.Issued,
            };
            db.Copies.Add(copy);
            db.CopyItems.Add(new CopyItem { CopyId = copy.Id, CustomerId = setup.ByHand.Id });
            return await db.SaveChangesAsync();
        });

        var view = await InventoryOfAsync(setup.Head, setup.Department);
        var import = Assert.Single(view.Lines, l => l.Source == InventorySource.Import);
        Assert.Equal("import:" + setup.Collection, import.Key);
        Assert.Equal("展会登记名单", import.Name);
        Assert.Equal("客户书面同意", import.LegalBasis);
        Assert.Equal("新品回访", import.Purpose);
        Assert.Equal(setup.Head.DisplayName, import.Owner);
        Assert.Equal(5, import.Customers);
        Assert.Equal(5, import.Items);
        Assert.Equal(Clearance.Confidential, import.Grade);
        Assert.Equal(new LevelCounts(10, 5, 5), import.Values); // name and mobile general, income sensitive, ID number core

        var manual = Assert.Single(view.Lines, l => l.Source == InventorySource.Manual);
        Assert.Equal(1, manual.Customers);
        Assert.Equal(Clearance.Secret, manual.Grade);
        Assert.Equal(new LevelCounts(2, 0, 1), manual.Values);

        var attachments = Assert.Single(view.Lines, l => l.Source == InventorySource.Attachments);
        Assert.Equal((1L, 1L), (attachments.Customers!.Value, attachments.Items!.Value));
        var paper = Assert.Single(view.Lines, l => l.Source == InventorySource.Paper);
        Assert.Equal((1L, 1L), (paper.Customers!.Value, paper.Items!.Value));
        Assert.Equal(new LevelCounts(1, 0, 1), paper.Values);
        Assert.Equal(Clearance.Secret, paper.Grade);

        Assert.Equal(6, view.Customers);
        Assert.Equal(new LevelCounts(12, 5, 6), view.Values);

        // An import into another department is not ours.
        var other = await SetUpAsync(2, 7200);
        Assert.DoesNotContain((await InventoryOfAsync(setup.Head, setup.Department)).Lines, l => l.Key == "import:" + other.Collection);
    }

    [Fact]
    public async Task The_department_reads_its_own_compliance_reads_all_anyone_else_gets_a_404_and_a_clerk_cannot_edit_CLS_5()
    {
        var setup = await SetUpAsync(2, 7300);
        var otherDepartment = await app.DepartmentAsync();
        var outsider = await app.CreatePersonAsync(Roles.DepartmentHead, departments: [otherDepartment]);
        var officer = await app.CreatePersonAsync(Roles.ComplianceOfficer);
        var manager = await app.CreatePersonAsync(Roles.GeneralManager);
        var elsewhere = await app.CreatePersonAsync(Roles.InformationOfficer);
        var url = $"/api/v1/inventory/{setup.Department}";

        using var clerkWeb = await SignedInAsync(setup.Clerk, mfa: false);
        var read = await JsonAsync(await clerkWeb.Client.GetAsync(url));
        Assert.Equal("部门" + setup.Department, read.GetProperty("department").GetString());
        Assert.False(read.GetProperty("mayEdit").GetBoolean());
        var entry = new { name = "通话录音", location = "电话系统", owner = setup.Clerk.UserName, grade = "Secret", legalBasis = "合同履行", purpose = "服务质量", retention = "3 年" };
        var refused = await clerkWeb.Client.PostAsJsonAsync($"{url}/entries", entry);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("MayNotEditInventory", await CodeAsync(refused));
        Assert.Equal(HttpStatusCode.Forbidden, (await clerkWeb.Client.PostAsJsonAsync($"{url}/review", new { })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await clerkWeb.Client.PutAsJsonAsync($"{url}/notes", new { line = "manual", location = "x" })).StatusCode);
        Assert.Equal(0, await app.WithDbAsync(db => db.Set<InventoryEntry>().CountAsync(e => e.Name == "通话录音" && e.OwnerId == setup.Clerk.Id)));
        var (_, clerkPage) = await clerkWeb.GetPageAsync($"/inventory/{setup.Department}");
        Assert.Null(clerkPage.QuerySelector("#entry-form"));
        Assert.NotNull(clerkPage.QuerySelector("#inventory-lines"));
        Assert.NotNull(clerkPage.QuerySelector("a[href='/inventory']")); // in the menu
        Assert.Contains("手工录入的客户", clerkPage.QuerySelector("tr[data-line='manual']")!.TextContent, StringComparison.Ordinal);
        await clerkWeb.SubmitAsync($"/inventory/{setup.Department}", "#culture-form", new Dictionary<string, string>(), [new("culture", "en")]);
        var (_, english) = await clerkWeb.GetPageAsync($"/inventory/{setup.Department}");
        Assert.Contains("Customers entered by hand", english.QuerySelector("tr[data-line='manual']")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("customer-information inventory", english.QuerySelector("h1")!.TextContent, StringComparison.Ordinal);
        var clerkList = await JsonAsync(await clerkWeb.Client.GetAsync("/api/v1/inventory"));
        Assert.Equal([setup.Department], clerkList.EnumerateArray().Select(d => d.GetProperty("code").GetString()));

        // Another department's head, and someone of no department with no oversight role: as if it did not exist, recorded.
        foreach (var stranger in new[] { outsider, elsewhere })
        {
            using var web = await SignedInAsync(stranger);
            Assert.Equal(HttpStatusCode.NotFound, (await web.Client.GetAsync(url)).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await web.Client.GetAsync(url + ".pdf")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await web.Client.GetAsync(url + ".xlsx")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await web.Client.PostAsJsonAsync($"{url}/entries", entry)).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await web.Client.GetAsync($"/inventory/{setup.Department}")).StatusCode);
            Assert.DoesNotContain((await JsonAsync(await web.Client.GetAsync("/api/v1/inventory"))).EnumerateArray(), d => d.GetProperty("code").GetString() == setup.Department);
        }

        Assert.True(await app.WithDbAsync(db => db.AuditRecords.AnyAsync(a => a.Action == AuditActions.InventoryView && a.ActorId == outsider.Id.ToString() && a.Outcome == AuditOutcome.Denied)));

        // Compliance and the general manager read every department's, and do not edit it.
        foreach (var reader in new[] { officer, manager })
        {
            using var web = await SignedInAsync(reader);
            Assert.Equal(3L, (await JsonAsync(await web.Client.GetAsync(url))).GetProperty("customers").GetInt64());
            Assert.Contains((await JsonAsync(await web.Client.GetAsync("/api/v1/inventory"))).EnumerateArray(), d => d.GetProperty("code").GetString() == setup.Department);
            Assert.Equal(HttpStatusCode.Forbidden, (await web.Client.PostAsJsonAsync($"{url}/entries", entry)).StatusCode);
        }
    }

    [Fact]
    public async Task A_bad_entry_is_refused_whole_with_nothing_saved_and_every_change_is_in_the_audit_log_CLS_5()
    {
        var setup = await SetUpAsync(1, 7400);
        var otherDepartment = await app.DepartmentAsync();
        var stranger = await app.CreatePersonAsync(Roles.Staff, departments: [otherDepartment]);
        var url = $"/api/v1/inventory/{setup.Department}";
        using var headWeb = await SignedInAsync(setup.Head);
        Task<int> EntriesAsync() => app.WithDbAsync(db => db.Set<InventoryEntry>().CountAsync(e => db.Departments.Any(d => d.Id == e.DepartmentId && d.Code == setup.Department)));
        var good = new Dictionary<string, object?>
        {
            ["name"] = "客户通话录音", ["location"] = "电话录音系统", ["owner"] = setup.Clerk.UserName, ["grade"] = "Confidential", ["legalBasis"] = "合同履行", ["purpose"] = "服务质量抽检", ["retention"] = "合同终止后 5 年",
        };

        // Each field missing, an owner from another department, a name too long: refused, nothing saved.
        foreach (var field in good.Keys)
        {
            var bad = new Dictionary<string, object?>(good) { [field] = null };
            var response = await headWeb.Client.PostAsJsonAsync($"{url}/entries", bad);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("Required", await CodeAsync(response));
        }

        var foreign = await headWeb.Client.PostAsJsonAsync($"{url}/entries", new Dictionary<string, object?>(good) { ["owner"] = stranger.UserName });
        Assert.Equal("InventoryOwnerUnknown", await CodeAsync(foreign));
        Assert.Equal("TooLong", await CodeAsync(await headWeb.Client.PostAsJsonAsync($"{url}/entries", new Dictionary<string, object?>(good) { ["name"] = new string('长', 201) })));
        Assert.Equal("ForbiddenCharacters", await CodeAsync(await headWeb.Client.PostAsJsonAsync($"{url}/entries", new Dictionary<string, object?>(good) { ["location"] = "柜\u202E3" })));
        Assert.Equal(0, await EntriesAsync());

        // A good one; a change refused whole leaves it as it was.
        var added = await JsonAsync(await headWeb.Client.PostAsJsonAsync($"{url}/entries", good));
        var line = added.GetProperty("lines").EnumerateArray().Single(l => l.GetProperty("source").GetString() == "Outside");
        Assert.Equal(setup.Clerk.DisplayName, line.GetProperty("owner").GetString());
        var id = line.GetProperty("entryId").GetGuid();
        var half = await headWeb.Client.PutAsJsonAsync($"{url}/entries/{id}", new Dictionary<string, object?>(good) { ["name"] = "改过的名字", ["retention"] = " " });
        Assert.Equal(HttpStatusCode.BadRequest, half.StatusCode);
        Assert.Equal("客户通话录音", await app.WithDbAsync(db => db.Set<InventoryEntry>().Where(e => e.Id == id).Select(e => e.Name).SingleAsync()));
        await JsonAsync(await headWeb.Client.PutAsJsonAsync($"{url}/entries/{id}", new Dictionary<string, object?>(good) { ["location"] = "3 号档案柜" }));
        Assert.Equal("3 号档案柜", await app.WithDbAsync(db => db.Set<InventoryEntry>().Where(e => e.Id == id).Select(e => e.Location).SingleAsync()));

        // A note on a generated line; an unknown line refused.
        Assert.Equal("InventoryLineUnknown", await CodeAsync(await headWeb.Client.PutAsJsonAsync($"{url}/notes", new { line = "import:" + Guid.NewGuid(), location = "x" })));
        var noted = await JsonAsync(await headWeb.Client.PutAsJsonAsync($"{url}/notes", new { line = "import:" + setup.Collection, location = "Custos 及共享盘备份", retention = "活动结束后 2 年" }));
        var import = noted.GetProperty("lines").EnumerateArray().Single(l => l.GetProperty("key").GetString() == "import:" + setup.Collection);
        Assert.Equal("活动结束后 2 年", import.GetProperty("retention").GetString());

        // Through the page as a clerk-friendly form: an entry added, another refused with a localised error.
        var page = await headWeb.SubmitAsync($"/inventory/{setup.Department}", "#entry-form", new Dictionary<string, string>
        {
            ["Entry.Name"] = "纸质合同", ["Entry.Location"] = "3 号档案柜", ["Entry.Owner"] = setup.Head.UserName!, ["Entry.Grade"] = "Secret",
            ["Entry.LegalBasis"] = "合同履行", ["Entry.Purpose"] = "合同管理", ["Entry.Retention"] = "合同终止后 5 年",
        });
        Assert.Contains("纸质合同", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(2, await EntriesAsync());
        var refused = await WebSession.ParseAsync(await headWeb.SubmitAsync($"/inventory/{setup.Department}", "#entry-form", new Dictionary<string, string>
        {
            ["Entry.Name"] = "没有期限的", ["Entry.Location"] = "柜子", ["Entry.Owner"] = setup.Head.UserName!, ["Entry.Grade"] = "Secret", ["Entry.LegalBasis"] = "合同", ["Entry.Purpose"] = "合同", ["Entry.Retention"] = "",
        }));
        Assert.Contains("保存期限", refused.QuerySelector("#inventory-error")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(2, await EntriesAsync());

        // The page's edit link fills the form with the entry as it is.
        var (_, editPage) = await headWeb.GetPageAsync($"/inventory/{setup.Department}?edit={id}");
        Assert.Equal("客户通话录音", (editPage.QuerySelector("#entry-name") as AngleSharp.Html.Dom.IHtmlInputElement)!.Value);
        Assert.Equal(id.ToString(), (editPage.QuerySelector("input[name='Entry.Id']") as AngleSharp.Html.Dom.IHtmlInputElement)!.Value);
        var edited = await headWeb.SubmitAsync($"/inventory/{setup.Department}?edit={id}", "#entry-form", new Dictionary<string, string>
        {
            ["Entry.Name"] = "客户通话录音（2025 起）", ["Entry.Location"] = "3 号档案柜", ["Entry.Owner"] = setup.Clerk.UserName!, ["Entry.Grade"] = "Confidential",
            ["Entry.LegalBasis"] = "合同履行", ["Entry.Purpose"] = "服务质量抽检", ["Entry.Retention"] = "合同终止后 5 年",
        });
        Assert.Equal(HttpStatusCode.OK, edited.StatusCode);
        Assert.Equal("客户通话录音（2025 起）", await app.WithDbAsync(db => db.Set<InventoryEntry>().Where(e => e.Id == id).Select(e => e.Name).SingleAsync()));
        Assert.Equal(2, await EntriesAsync());

        await JsonAsync(await headWeb.Client.DeleteAsync($"{url}/entries/{id}"));
        Assert.Equal(1, await EntriesAsync());
        var actions = await app.WithDbAsync(db => db.AuditRecords.Where(a => a.TargetId == setup.Department && a.ActorId == setup.Head.Id.ToString() && a.Outcome == AuditOutcome.Success).Select(a => a.Action).ToListAsync());
        Assert.Equal(2, actions.Count(a => a == AuditActions.InventoryEntryAdd));
        Assert.Contains(AuditActions.InventoryEntryChange, actions);
        Assert.Contains(AuditActions.InventoryNote, actions);
        Assert.Contains(AuditActions.InventoryEntryRemove, actions);
    }

    [Fact]
    public async Task The_head_reviews_monthly_and_the_pdf_and_xlsx_carry_the_department_name_counts_owners_and_reviewer_but_no_protected_value_CLS_5()
    {
        var setup = await SetUpAsync(3, 7500);
        var officer = await app.CreatePersonAsync(Roles.ComplianceOfficer);
        var url = $"/api/v1/inventory/{setup.Department}";
        using var headWeb = await SignedInAsync(setup.Head);
        await JsonAsync(await headWeb.Client.PostAsJsonAsync($"{url}/entries", new
        {
            name = "客户通话录音", location = "电话录音系统", owner = setup.Clerk.UserName, grade = "TopSecret", legalBasis = "合同履行", purpose = "服务质量抽检", retention = "合同终止后 5 年",
        }));

        // Not yet reviewed this month: the list says so.
        using var officerWeb = await SignedInAsync(officer);
        var status = (await JsonAsync(await officerWeb.Client.GetAsync("/api/v1/inventory"))).EnumerateArray().Single(d => d.GetProperty("code").GetString() == setup.Department);
        Assert.False(status.GetProperty("reviewedThisMonth").GetBoolean());
        var (_, listPage) = await officerWeb.GetPageAsync("/inventory");
        Assert.Contains("overdue", listPage.QuerySelector($"tr[data-department='{setup.Department}']")!.ClassName, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, (await officerWeb.Client.PostAsJsonAsync($"{url}/review", new { })).StatusCode);

        // The head confirms it, once a month.
        var reviewed = await JsonAsync(await headWeb.Client.PostAsJsonAsync($"{url}/review", new { }));
        Assert.Equal(setup.Head.DisplayName, reviewed.GetProperty("reviewedBy").GetString());
        Assert.True(reviewed.GetProperty("reviewedThisMonth").GetBoolean());
        Assert.Equal(HttpStatusCode.Conflict, (await headWeb.Client.PostAsJsonAsync($"{url}/review", new { })).StatusCode);
        Assert.True((await JsonAsync(await officerWeb.Client.GetAsync("/api/v1/inventory"))).EnumerateArray().Single(d => d.GetProperty("code").GetString() == setup.Department).GetProperty("reviewedThisMonth").GetBoolean());
        var (_, page) = await headWeb.GetPageAsync($"/inventory/{setup.Department}");
        Assert.Contains(setup.Head.DisplayName, page.QuerySelector("#inventory-reviewed")!.TextContent, StringComparison.Ordinal);

        // A month later it is due again.
        app.Factory.Time.Advance(TimeSpan.FromDays(32));
        using var officerLater = await SignedInAsync(officer);
        Assert.False((await JsonAsync(await officerLater.Client.GetAsync("/api/v1/inventory"))).EnumerateArray().Single(d => d.GetProperty("code").GetString() == setup.Department).GetProperty("reviewedThisMonth").GetBoolean());

        // The exports: department name (not only its code), counts, owner, grade label, reviewer, check code also in the log.
        var pdf = await officerLater.Client.GetAsync(url + ".pdf");
        Assert.Equal("application/pdf", pdf.Content.Headers.ContentType?.MediaType);
        var text = PdfText.Of(await pdf.Content.ReadAsByteArrayAsync());
        Assert.Contains("部门" + setup.Department, text, StringComparison.Ordinal);
        Assert.Contains("展会登记名单", text, StringComparison.Ordinal);
        Assert.Contains("客户通话录音", text, StringComparison.Ordinal);
        Assert.Contains(setup.Clerk.DisplayName, text, StringComparison.Ordinal);
        Assert.Contains(setup.Head.DisplayName, text, StringComparison.Ordinal);
        Assert.Contains("绝密", text, StringComparison.Ordinal);
        Assert.Contains("核心", text, StringComparison.Ordinal);
        var check = JsonDocument.Parse((await app.WithDbAsync(db => db.AuditRecords.Where(a => a.Action == AuditActions.InventoryExport && a.TargetId == setup.Department).OrderBy(a => a.Id).FirstAsync())).Detail!)
            .RootElement.GetProperty("check").GetString()!;
        Assert.Contains(check, text, StringComparison.Ordinal);

        var xlsx = await officerLater.Client.GetByteArrayAsync(url + ".xlsx");
        using var stream = new MemoryStream(xlsx);
        var sheet = stream.Query(useHeaderRow: false).Cast<IDictionary<string, object?>>().Select(r => r.Values.Select(v => v?.ToString()).ToList()).ToList();
        var cells = sheet.SelectMany(r => r).ToList();
        Assert.Contains("部门" + setup.Department, string.Join(" ", cells), StringComparison.Ordinal);
        Assert.Contains(setup.Clerk.DisplayName, cells);
        Assert.Contains(cells, c => c is not null && c.Contains(setup.Head.DisplayName, StringComparison.Ordinal));
        Assert.Contains(check, cells);
        var importRow = sheet.Single(r => r.Any(c => c is not null && c.StartsWith("展会登记名单", StringComparison.Ordinal)));
        Assert.Equal(["3", "3", "6", "3", "3"], importRow.Skip(8).Take(5)); // customers, rows, general, sensitive, core
        Assert.Contains("机密", importRow);

        foreach (var value in setup.ProtectedValues)
        {
            Assert.DoesNotContain(value, text, StringComparison.Ordinal);
            Assert.DoesNotContain(value, string.Join("\n", cells), StringComparison.Ordinal);
        }

        Assert.Equal(HttpStatusCode.BadRequest, (await officerLater.Client.GetAsync(url + ".docx")).StatusCode);
    }
}

public sealed class InventoryTestsOnSqlite(SqliteApp app) : InventoryTests<SqliteApp>(app);

public sealed class InventoryTestsOnPostgres(PostgresApp app) : InventoryTests<PostgresApp>(app);
