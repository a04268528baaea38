using System.Net;
using System.Net.Http.Json;
using System.Text;
using Custos.Features.Customers;
using Custos.Features.Imports;
using Custos.Features.People;
using Custos.Hosting;
using Custos.Security;
using Custos.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Custos.Tests.Imports;

/// <summary>Import of customer lists (CLS-5, SEC-3, EXP-3): encodings, mapping, validation report, all or nothing.</summary>
public abstract class ImportTests<TApp>(TApp app) : IClassFixture<TApp>, IDisposable
    where TApp : CustosApp
{
    private readonly string dir = TestPaths.NewDataDir("import-files");

    private static readonly string[] Header = ["姓名", "身份证号", "手机", "联系邮箱"];

    private string Write(string name, IEnumerable<string[]> rows, Encoding encoding)
    {
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, string.Join("\r\n", new[] { Header }.Concat(rows).Select(r => string.Join(',', r))) + "\r\n", encoding);
        return path;
    }

    private static IEnumerable<string[]> Good(int seed, int count) =>
        new Custos.Features.Demo.SyntheticCustomers(seed).Generate(count).Select((c, i) => new[] { c.Name, c.IdNumber, c.Mobile, $"user{seed}x{i}@example.com" });

    /// <summary>Runs the import as a department head of a fresh department.</summary>
    private async Task<(ImportOutcome Outcome, string Department)> ImportAsync(string path, string role = Roles.DepartmentHead, Dictionary<int, string>? mapping = null)
    {
        var (outcome, department, _) = await ImportAsPersonAsync(path, role, mapping);
        return (outcome, department);
    }

    private async Task<(ImportOutcome Outcome, string Department, Person Importer)> ImportAsPersonAsync(string path, string role = Roles.DepartmentHead, Dictionary<int, string>? mapping = null)
    {
        var code = app.UniqueName("IMP").ToUpperInvariant();
        using var scope = app.Factory.Services.CreateScope();
        await scope.ServiceProvider.GetRequiredService<Custos.Features.Organisation.OrganisationService>().AddDepartmentAsync(code, "导入部" + code, default);
        var person = await app.CreatePersonAsync(role, departments: [code]);
        using var actingScope = ActAs(person);
        var service = actingScope.ServiceProvider.GetRequiredService<ImportService>();
        Stream Open() => File.OpenRead(path);
        var preview = ImportService.Preview(Open, path, Kernel.Classification.FieldCatalogue.Default);
        var outcome = await service.ImportAsync(Open, path, new ImportOptions(
            mapping ?? preview.Suggested, null, null, Clearance.Secret, "开发商客户名单", "楼盘客户回访", "客户书面同意", "CONSENT-2026-11"), null, default);
        return (outcome, code, person);
    }

    private IServiceScope ActAs(Person person) => app.ActAs(person);

    private Task<int> CustomersOf(string department) =>
        app.WithDbAsync(db => db.Customers.CountAsync(c => db.Departments.Any(d => d.Id == c.DepartmentId && d.Code == department)));

    [Fact]
    public void The_mapping_is_suggested_from_headers_and_from_what_the_values_look_like()
    {
        var path = Write("suggest.csv", Good(1, 10), new UTF8Encoding(true));
        var preview = ImportService.Preview(() => File.OpenRead(path), path, Kernel.Classification.FieldCatalogue.Default);

        Assert.Equal("name", preview.Suggested[0]);
        Assert.Equal("idNumber", preview.Suggested[1]);
        Assert.Equal("mobile", preview.Suggested[2]);
        Assert.Equal("email", preview.Suggested[3]); // "联系邮箱" is no known header: recognised by content
        Assert.DoesNotContain(preview.MaskedSamples[0][2]!, File.ReadAllText(path), StringComparison.Ordinal); // samples are masked
    }

    [Theory]
    [InlineData("utf8-bom")]
    [InlineData("utf8")]
    [InlineData("gbk")]
    public async Task A_clean_csv_in_any_common_encoding_is_imported_whole_with_its_collection_record(string encodingName)
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var encoding = encodingName switch { "utf8-bom" => new UTF8Encoding(true), "utf8" => new UTF8Encoding(false), _ => Encoding.GetEncoding("GBK") };
        var rows = Good(encodingName.Length, 25).ToList();
        var path = Write(encodingName + ".csv", rows, encoding);

        var (outcome, department) = await ImportAsync(path);

        Assert.True(outcome.Imported, string.Join("; ", outcome.Errors));
        Assert.Equal(25, outcome.Rows);
        Assert.Equal(25, await CustomersOf(department));
        var collection = await app.WithDbAsync(db => db.Collections.SingleAsync(c => c.Id == outcome.CollectionId));
        Assert.Equal("客户书面同意", collection.LegalBasis);
        Assert.Equal(64, collection.FileSha256.Length);

        // Names survived the encoding: an exact search by name finds the customer.
        var name = rows[0][0];
        var hash = app.Factory.Services.GetRequiredService<Custos.Features.Keys.KeyRing>().BlindIndex.Compute(Custos.Kernel.Crypto.IndexedKind.Name, name);
        Assert.True(await app.WithDbAsync(db => db.CustomerIndexes.AnyAsync(i => i.Kind == Custos.Kernel.Crypto.IndexedKind.Name && i.Hash == hash)));
    }

    [Fact]
    public async Task A_file_longer_than_one_write_batch_reads_back_exactly_as_entered_customers_do()
    {
        var count = CustomerBulkWriter.Batch + 7;
        var rows = Good(1200, count).ToList();
        var path = Write("batches.csv", rows, new UTF8Encoding(false));

        var (outcome, department, importer) = await ImportAsPersonAsync(path);

        Assert.True(outcome.Imported, string.Join("; ", outcome.Errors));
        Assert.Equal(count, await CustomersOf(department));
        using var scope = ActAs(importer);
        var service = scope.ServiceProvider.GetRequiredService<CustomerService>();
        foreach (var row in new[] { rows[0], rows[CustomerBulkWriter.Batch - 1], rows[CustomerBulkWriter.Batch], rows[^1] })
        {
            // Found by the blind index of its ID number, then shown masked and revealed.
            var found = await service.ListAsync(row[1], null, 20, default);
            var id = Assert.Single(found.Items).Id;
            var detail = await service.GetAsync(id, default);
            Assert.Equal(Clearance.Secret, detail.Grade);
            Assert.Equal(department, detail.Department);
            Assert.Equal(Custos.Kernel.Masking.Masks.Apply(Custos.Kernel.Masking.MaskKind.Mobile, row[2]), detail.Fields.Single(f => f.Field == "mobile").Masked);
            Assert.Equal(row[0], await service.RevealAsync(id, "name", "verification", null, default));
            Assert.Equal(row[3], await service.RevealAsync(id, "email", "verification", null, default));
        }
    }

    [Fact]
    public async Task An_xlsx_file_is_imported()
    {
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, "list.xlsx");
        var rows = Good(99, 12).Select(r => new Dictionary<string, object> { ["姓名"] = r[0], ["身份证号"] = r[1], ["手机"] = r[2], ["联系邮箱"] = r[3] }).ToList();
        MiniExcelLibs.MiniExcel.SaveAs(path, rows);

        var (outcome, department) = await ImportAsync(path);

        Assert.True(outcome.Imported, string.Join("; ", outcome.Errors));
        Assert.Equal(12, await CustomersOf(department));
    }

    [Fact]
    public async Task Every_bad_row_is_reported_with_row_and_column_and_nothing_is_imported()
    {
        var good = Good(5, 3).ToList();
        var rows = new List<string[]>
        {
            good[0],                                                   // row 2
            new[] { good[1][0], "110105194912310021", good[1][2], "" },        // row 3: wrong check digit
            new[] { good[2][0], good[0][1], good[2][2], "" },                  // row 4: repeats row 2's ID number
            new[] { "", good[2][1], "12345", "not-an-email" },                 // row 5: no name, bad mobile, bad e-mail
        };
        var path = Write("bad.csv", rows, new UTF8Encoding(false));

        // Too few e-mails to recognise the fourth column by content: map it explicitly.
        var (outcome, department) = await ImportAsync(path, mapping: new() { [0] = "name", [1] = "idNumber", [2] = "mobile", [3] = "email" });

        Assert.False(outcome.Imported);
        Assert.Equal(0, await CustomersOf(department));
        Assert.Contains(outcome.Errors, e => e is { Row: 3, Column: "身份证号", Code: "CheckDigit" });
        Assert.Contains(outcome.Errors, e => e is { Row: 4, Column: "身份证号", Code: "DuplicateInFile:2" });
        Assert.Contains(outcome.Errors, e => e is { Row: 5, Column: "手机", Code: "Format" });
        Assert.Contains(outcome.Errors, e => e is { Row: 5, Column: "联系邮箱", Code: "Format" });
        Assert.Contains(outcome.Errors, e => e is { Row: 5, Column: "姓名", Code: "Missing" });
        Assert.Equal(5, outcome.ErrorCount);
    }

    [Fact]
    public async Task An_id_number_that_already_belongs_to_a_customer_is_flagged()
    {
        var rows = Good(77, 3).ToList();
        var (first, _) = await ImportAsync(Write("first.csv", rows, new UTF8Encoding(false)));
        Assert.True(first.Imported);

        var (second, department) = await ImportAsync(Write("second.csv", [rows[1], .. Good(78, 2)], new UTF8Encoding(false)));

        Assert.False(second.Imported);
        Assert.Equal(0, await CustomersOf(department));
        Assert.Equal(new ImportError(2, "身份证号", "idNumber", "DuplicateExisting"), Assert.Single(second.Errors));
    }

    [Fact]
    public async Task Staff_and_information_officers_cannot_import_and_broken_files_are_refused()
    {
        var path = Write("staff.csv", Good(3, 2), new UTF8Encoding(false));
        Assert.Equal("MayNotImport", (await Assert.ThrowsAsync<CustosException>(() => ImportAsync(path, Roles.Staff))).Code);
        Assert.Equal("MayNotImport", (await Assert.ThrowsAsync<CustosException>(() => ImportAsync(path, Roles.InformationOfficer))).Code);

        Directory.CreateDirectory(dir);
        var broken = Path.Combine(dir, "broken.xlsx");
        File.WriteAllBytes(broken, Encoding.UTF8.GetBytes("this is not a spreadsheet"));
        Assert.Equal("ImportNotAWorkbook", Assert.Throws<CustosException>(() => ImportService.Preview(() => File.OpenRead(broken), broken, Kernel.Classification.FieldCatalogue.Default)).Code);
        Assert.Equal("ImportFileType", Assert.Throws<CustosException>(() => ImportService.Preview(() => File.OpenRead(broken), "list.pdf", Kernel.Classification.FieldCatalogue.Default)).Code);
    }

    [Fact]
    public async Task A_bad_value_is_reported_once_at_its_row_and_column_however_long_or_strange_SEC_4()
    {
        var longName = new string('王', 300);
        var huge = new string('备', 5 * 1024 * 1024 / 3);
        var path = Write("bad-values.csv", [["张三", "11010519491231002X", "13812345678", "a@example.com"], [longName, "", "", ""], ["李\u0007四", "", "", ""], ["赵\u202Egpj.exe", "", "", ""], [huge, "", "", ""]], new UTF8Encoding(false));
        var (outcome, department) = await ImportAsync(path);
        Assert.False(outcome.Imported);
        Assert.Equal(0, await CustomersOf(department));
        Assert.Equal(
            [(3L, "姓名", "TooLong"), (4L, "姓名", "ForbiddenCharacters"), (5L, "姓名", "ForbiddenCharacters"), (6L, "姓名", "TooLong")],
            outcome.Errors.Select(e => (e.Row, e.Column, e.Code)));
    }

    [Fact]
    public async Task Utf8_without_a_bom_from_notepad_is_previewed_and_imported_without_garbling()
    {
        var path = Path.Combine(dir, "notepad.csv");
        Directory.CreateDirectory(dir);
        File.WriteAllBytes(path, Encoding.UTF8.GetBytes("name,mobile\n张三丰,13800138020\n"));
        var preview = ImportService.Preview(() => File.OpenRead(path), path, Kernel.Classification.FieldCatalogue.Default);
        Assert.Equal(("utf-8", false), (preview.Encoding, preview.EncodingGuessed));
        var (outcome, department, head) = await ImportAsPersonAsync(path);
        Assert.True(outcome.Imported);
        using var scope = ActAs(head);
        var customers = scope.ServiceProvider.GetRequiredService<CustomerService>();
        var id = (await customers.ListAsync(null, new CustomerFilter(department), null, 10, default)).Items.Single().Id;
        Assert.Equal("张三丰", await customers.RevealAsync(id, "name", "verification", null, default));
    }

    [Fact]
    public async Task An_information_officer_is_refused_before_the_file_is_read_and_no_upload_is_left_anywhere_ACC_2()
    {
        var code = app.UniqueName("IO").ToUpperInvariant();
        using (var scope = app.Factory.Services.CreateScope())
        {
            await scope.ServiceProvider.GetRequiredService<Custos.Features.Organisation.OrganisationService>().AddDepartmentAsync(code, "信息员部", default);
        }

        var officer = await app.CreatePersonAsync(Roles.InformationOfficer, departments: [code]);
        using var web = app.Session();
        await web.SignInAsync(officer.UserName!);
        await web.EnrolMfaAsync();
        var page = await UploadAsync(web, "officer.csv", Encoding.UTF8.GetBytes("姓名,手机\n张三丰,13800138020\n"));
        Assert.Null(page.QuerySelector("#mapping-form"));
        Assert.Contains("导入", page.QuerySelector("#import-error")!.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("张", page.Body!.InnerHtml, StringComparison.Ordinal); // no preview of it, masked or not
        Assert.Empty(UploadsLeft());
        Assert.True(await app.WithDbAsync(db => db.AuditRecords.AnyAsync(a => a.ActorId == officer.Id.ToString() && a.Action == "customer.import" && a.Outcome == Custos.Security.AuditOutcome.Denied)));
    }

    [Fact]
    public async Task An_upload_never_imported_a_broken_one_and_a_guessed_encoding_leave_no_file_behind()
    {
        var code = app.UniqueName("TMP").ToUpperInvariant();
        using (var scope = app.Factory.Services.CreateScope())
        {
            await scope.ServiceProvider.GetRequiredService<Custos.Features.Organisation.OrganisationService>().AddDepartmentAsync(code, "临时部", default);
        }

        var head = await app.CreatePersonAsync(Roles.DepartmentHead, departments: [code]);
        using var web = app.Session();
        await web.SignInAsync(head.UserName!);
        await web.EnrolMfaAsync();

        // A workbook that is none: refused, and its upload deleted at once.
        var broken = await UploadAsync(web, "broken.xlsx", Encoding.UTF8.GetBytes("not a workbook"));
        Assert.NotNull(broken.QuerySelector("#import-error"));
        Assert.Empty(UploadsLeft());

        // A GBK list: previewed with the guess said, the encoding changed and back, then abandoned — the upload stays an hour only.
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var gbk = await UploadAsync(web, "excel.csv", Encoding.GetEncoding("GBK").GetBytes("姓名,手机\r\n张三丰,13800138020\r\n"));
        Assert.NotNull(gbk.QuerySelector("#encoding-guessed"));
        Assert.Equal("张**", gbk.QuerySelector("#mapping-form td.masked")!.TextContent.Trim());
        var hidden = gbk.QuerySelectorAll("#encoding-form input[type=hidden]").Select(i => new KeyValuePair<string, string>(i.GetAttribute("name")!, i.GetAttribute("value") ?? "")).ToList();
        var reread = await WebSession.ParseAsync(await web.Client.PostAsync("/imports", new FormUrlEncodedContent([.. hidden, new("encoding", "utf-8")])));
        Assert.Equal("utf-8", reread.QuerySelector("#encoding option[selected]")!.GetAttribute("value"));
        Assert.NotEqual("张**", reread.QuerySelector("#mapping-form td.masked")!.TextContent.Trim());
        Assert.Single(UploadsLeft());

        app.Factory.Time.Advance(TimeSpan.FromHours(2)); // past the hour, and the sweeper's rounds come
        for (var i = 0; i < 50 && UploadsLeft().Count > 0; i++)
        {
            await Task.Delay(20);
        }

        Assert.Empty(UploadsLeft());
        Assert.Empty(Directory.EnumerateDirectories(Path.GetTempPath(), "custos-uploads-*"));
    }

    [Fact]
    public async Task A_file_over_the_upload_limit_is_said_to_be_too_large_before_it_is_read_and_nothing_is_kept()
    {
        var code = app.UniqueName("BIG").ToUpperInvariant();
        using (var scope = app.Factory.Services.CreateScope())
        {
            await scope.ServiceProvider.GetRequiredService<Custos.Features.Organisation.OrganisationService>().AddDepartmentAsync(code, "大文件部", default);
        }

        var head = await app.CreatePersonAsync(Roles.DepartmentHead, departments: [code]);
        using var web = app.Session();
        await web.SignInAsync(head.UserName!);
        await web.EnrolMfaAsync();
        var limit = app.Factory.Services.GetRequiredService<Custos.Hosting.CustosSettings>().MaxUploadMegabytes * 1024L * 1024L;
        var (_, uploadPage) = await web.GetPageAsync("/imports");
        var token = uploadPage.QuerySelector("#upload-form input[name=__RequestVerificationToken]")!.GetAttribute("value")!;

        // Excel's export of a whole customer base, a little over the limit: the page says so, not "expired form" or an empty 400.
        var read = new Zeros(limit + (3 * 1024 * 1024));
        using (var multipart = new MultipartFormDataContent { { new StringContent("import-upload"), "_handler" }, { new StringContent(token), "__RequestVerificationToken" }, { new StreamContent(read), "file", "全部客户.csv" } })
        {
            var response = await web.Client.PostAsync("/imports", multipart);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Equal("/error/413", response.Headers.Location?.OriginalString);
        }

        Assert.True(read.Position < limit, $"{read.Position:N0} bytes of the body were read before it was refused");
        var (shown, page) = await web.GetPageAsync("/error/413");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, shown.StatusCode);
        Assert.Contains("custos import", page.Body!.TextContent, StringComparison.Ordinal);
        Assert.Empty(UploadsLeft());

        // The same through the API: a problem with its code.
        using var attachment = new MultipartFormDataContent { { new StreamContent(new Zeros(limit + (3 * 1024 * 1024))), "file", "scan.pdf" } };
        var api = await web.Client.PostAsync($"/api/v1/customers/{Guid.NewGuid()}/attachments", attachment);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, api.StatusCode);
        Assert.Equal("TooLarge", (await api.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("code").GetString());
    }

    /// <summary>A seekable stream of zeros of a given length that keeps no buffer, and says how far it was read.</summary>
    private sealed class Zeros(long length) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position { get; set; }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, length - Position);
            Array.Clear(buffer, offset, n);
            Position += n;
            return n;
        }

        public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => Position + offset,
            _ => length + offset,
        };

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>Every file in this instance's upload folder.</summary>
    private List<string> UploadsLeft() =>
        [.. Directory.EnumerateDirectories(app.WorkDir, "uploads-*").Where(d => d.Contains("-" + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture) + "-", StringComparison.Ordinal))
            .SelectMany(d => Directory.EnumerateFiles(d))];

    private static async Task<AngleSharp.Dom.IDocument> UploadAsync(WebSession web, string name, byte[] content)
    {
        var (_, uploadPage) = await web.GetPageAsync("/imports");
        var token = uploadPage.QuerySelector("#upload-form input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        using var multipart = new MultipartFormDataContent
        {
            { new StringContent("import-upload"), "_handler" },
            { new StringContent(token), "__RequestVerificationToken" },
            { new StringContent("客户登记表"), "source" },
            { new StringContent("售后回访"), "purpose" },
            { new StringContent("客户书面同意"), "legalBasis" },
            { new StringContent(""), "consent" },
            { new StringContent(""), "department" },
            { new StringContent("Secret"), "grade" },
            { new ByteArrayContent(content), "file", name },
        };
        return await WebSession.ParseAsync(await web.Client.PostAsync("/imports", multipart));
    }

    [Fact]
    public async Task A_department_head_imports_through_the_upload_page_and_watches_the_progress()
    {
        var code = app.UniqueName("WEB").ToUpperInvariant();
        using (var scope = app.Factory.Services.CreateScope())
        {
            await scope.ServiceProvider.GetRequiredService<Custos.Features.Organisation.OrganisationService>().AddDepartmentAsync(code, "网页导入部", default);
        }

        var head = await app.CreatePersonAsync(Roles.DepartmentHead, departments: [code]);
        using var web = app.Session();
        await web.SignInAsync(head.UserName!);
        await web.EnrolMfaAsync();
        var path = Write("web.csv", Good(4242, 40), new UTF8Encoding(true));

        var (_, uploadPage) = await web.GetPageAsync("/imports");
        var token = uploadPage.QuerySelector("#upload-form input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        using var multipart = new MultipartFormDataContent
        {
            { new StringContent("import-upload"), "_handler" },
            { new StringContent(token), "__RequestVerificationToken" },
            { new StringContent("客户登记表"), "source" },
            { new StringContent("售后回访"), "purpose" },
            { new StringContent("客户书面同意"), "legalBasis" },
            { new StringContent(""), "consent" },
            { new StringContent(""), "department" },
            { new StringContent("Confidential"), "grade" },
            { new ByteArrayContent(File.ReadAllBytes(path)), "file", "web.csv" },
        };
        var mappingPage = await WebSession.ParseAsync(await web.Client.PostAsync("/imports", multipart));
        Assert.NotNull(mappingPage.QuerySelector("#mapping-form"));
        Assert.Equal("mobile", mappingPage.QuerySelector("select[name='map.2'] option[selected]")!.GetAttribute("value"));

        var hidden = mappingPage.QuerySelectorAll("#mapping-form input[type=hidden]").Select(i => new KeyValuePair<string, string>(i.GetAttribute("name")!, i.GetAttribute("value") ?? "")).ToList();
        hidden.AddRange([new("map.0", "name"), new("map.1", "idNumber"), new("map.2", "mobile"), new("map.3", "email")]);

        // Someone else who may import, given the upload's id: not found, and the upload stays its owner's.
        var rival = await app.CreatePersonAsync(Roles.DepartmentHead, departments: [code]);
        using (var rivalWeb = app.Session())
        {
            await rivalWeb.SignInAsync(rival.UserName!);
            await rivalWeb.EnrolMfaAsync();
            var (_, theirs) = await rivalWeb.GetPageAsync("/imports");
            var theirToken = theirs.QuerySelector("#upload-form input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
            var stolen = hidden.Select(h => h.Key == "__RequestVerificationToken" ? new KeyValuePair<string, string>(h.Key, theirToken) : h).ToList();
            var refusedResponse = await rivalWeb.Client.PostAsync("/imports", new FormUrlEncodedContent(stolen));
            var refused = await WebSession.ParseAsync(refusedResponse);
            Assert.True(refused.QuerySelector("#import-error") is not null, refusedResponse.StatusCode + " " + refusedResponse.Headers.Location + refused.Body?.TextContent);
            Assert.Null(refused.QuerySelector("#mapping-form"));
            var cancel = await WebSession.ParseAsync(await rivalWeb.Client.PostAsync("/imports", new FormUrlEncodedContent(
                [new("_handler", "import-cancel"), new("__RequestVerificationToken", theirToken), hidden.Single(h => h.Key == "upload")])));
            Assert.Null(cancel.QuerySelector("#import-cancelled"));
            Assert.Single(UploadsLeft());
        }

        // A double click: two posts of the same start give one import, both watching it.
        var starts = await Task.WhenAll(web.Client.PostAsync("/imports", new FormUrlEncodedContent(hidden)), web.Client.PostAsync("/imports", new FormUrlEncodedContent(hidden)));
        var progress = WebSession.Location(starts[0]);
        Assert.StartsWith("/imports/", progress, StringComparison.Ordinal);
        Assert.Equal(progress, WebSession.Location(starts[1]));

        AngleSharp.Dom.IDocument page;
        var waited = 0;
        do
        {
            await Task.Delay(100);
            (_, page) = await web.GetPageAsync(progress);
        }
        while (page.QuerySelector("#import-running") is not null && ++waited < 300);

        Assert.NotNull(page.QuerySelector("#import-done"));
        Assert.Equal(40, await CustomersOf(code));
        Assert.Equal(40, await app.WithDbAsync(db => db.Customers.CountAsync(c => c.Grade == Clearance.Confidential && db.Departments.Any(d => d.Id == c.DepartmentId && d.Code == code))));
        var record = await app.WithDbAsync(db => db.AuditRecords.SingleAsync(a => a.Action == "customer.import" && a.Outcome == Custos.Security.AuditOutcome.Success && a.ActorId == head.Id.ToString()));
        Assert.Contains("客户登记表", record.Detail, StringComparison.Ordinal);

        using var stranger = app.Session();
        var other = await app.CreatePersonAsync(Roles.Staff);
        await stranger.SignInAsync(other.UserName!);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await stranger.Client.GetAsync(progress)).StatusCode);
        Assert.Empty(UploadsLeft()); // imported: the upload is gone

        // Changed their mind at the preview: discarding deletes the file at once and says so.
        var second = await UploadAsync(web, "second.csv", Encoding.UTF8.GetBytes("姓名,手机\n张三丰,13800138020\n"));
        Assert.Single(UploadsLeft());
        var discardForm = second.QuerySelectorAll("#cancel-form input[type=hidden]").Select(i => new KeyValuePair<string, string>(i.GetAttribute("name")!, i.GetAttribute("value") ?? "")).ToList();
        var discarded = await WebSession.ParseAsync(await web.Client.PostAsync("/imports", new FormUrlEncodedContent(discardForm)));
        Assert.NotNull(discarded.QuerySelector("#import-cancelled"));
        Assert.NotNull(discarded.QuerySelector("#upload-form"));
        Assert.Empty(UploadsLeft());
    }

    public void Dispose()
    {
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, true);
        }
    }
}

public sealed class ImportTestsOnSqlite(SqliteApp app) : ImportTests<SqliteApp>(app);

public sealed class ImportTestsOnPostgres(PostgresApp app) : ImportTests<PostgresApp>(app);
