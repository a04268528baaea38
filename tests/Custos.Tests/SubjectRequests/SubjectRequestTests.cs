using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Custos.Features.Access;
using Custos.Features.Copies;
using Custos.Features.Customers;
using Custos.Features.People;
using Custos.Features.SubjectRequests;
using Custos.Hosting;
using Custos.Kernel.Classification;
using Custos.Kernel.Policy;
using Custos.Security;
using Custos.Tests.Copies;
using Custos.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;

namespace Custos.Tests.SubjectRequests;

/// <summary>
/// Individuals' requests (PIPL-44..47, DST-1): registered by the customer's department only after the identity check,
/// due in working days; a copy is an approved, sealed export in the copy ledger; a correction goes through the edit
/// path and names the fields only; a deletion is answered only once the customer is destroyed, or refused with a
/// ground kept; the handler reminded and compliance told once each; no protected value in the log.
/// </summary>
public abstract class SubjectRequestTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : CustosApp
{
    private const string Passphrase = "correct horse battery staple";

    private DateOnly Today => DateOnly.FromDateTime(app.Factory.Time.GetUtcNow().ToOffset(TimeSpan.FromHours(8)).DateTime);

    private Task<SubjectRequestView> CreateAsync(Person person, NewSubjectRequest order) =>
        app.AsAsync(person, s => s.GetRequiredService<SubjectRequestService>().CreateAsync(order, default));

    private Task<(SubjectRequestView Request, CopyFile? Copy)> AnswerAsync(Person person, Guid id, SubjectAnswer answer) =>
        app.AsAsync(person, s => s.GetRequiredService<SubjectRequestService>().AnswerAsync(id, answer, default));

    private async Task<string> CodeOfAsync(Func<Task> call) => (await Assert.ThrowsAsync<CustosException>(call)).Code;

    private async Task AssertNoProtectedValueLoggedAsync(params string[] values)
    {
        var details = await app.WithDbAsync(db => db.AuditRecords.Where(a => a.Action.StartsWith("subject-request.")).Select(a => a.Detail ?? "").ToListAsync());
        Assert.NotEmpty(details);
        foreach (var value in values)
        {
            Assert.DoesNotContain(details, d => d.Contains(value, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void The_deadline_counts_working_days_over_weekends_PIPL_44()
    {
        var friday = new DateOnly(2026, 12, 4);
        Assert.Equal(DayOfWeek.Friday, friday.DayOfWeek);
        Assert.Equal(new DateOnly(2026, 12, 7), SubjectRequestService.AddWorkingDays(friday, 1));       // Monday, not Saturday
        Assert.Equal(new DateOnly(2026, 12, 25), SubjectRequestService.AddWorkingDays(friday, 15));     // three weeks
        Assert.Equal(new DateOnly(2026, 12, 11), SubjectRequestService.AddWorkingDays(new DateOnly(2026, 12, 5), 5)); // from a Saturday: Monday to Friday
        Assert.Equal(new DateOnly(2026, 12, 22), SubjectRequestService.AddWorkingDays(new DateOnly(2026, 12, 25), -3));
    }

    [Fact]
    public void The_deadline_and_the_reminder_are_read_from_the_settings_and_checked_PIPL_44()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Custos:SubjectRequests:DeadlineWorkingDays"] = "10", ["Custos:SubjectRequests:RemindWorkingDaysBefore"] = "2" })
            .Build();
        var read = CustosSettings.From(configuration).SectionOf<SubjectRequestSettings>("SubjectRequests");
        Assert.Equal((10, 2), (read.DeadlineWorkingDays, read.RemindWorkingDaysBefore));
        Assert.Equal((15, 3), (new SubjectRequestSettings().DeadlineWorkingDays, new SubjectRequestSettings().RemindWorkingDaysBefore));
        Assert.Throws<InvalidOperationException>(() => new SubjectRequestSettings { DeadlineWorkingDays = 0 }.Validate());
        Assert.Throws<InvalidOperationException>(() => new SubjectRequestSettings { DeadlineWorkingDays = 3, RemindWorkingDaysBefore = 3 }.Validate());
    }

    [Fact]
    public async Task A_request_is_registered_by_the_customers_department_only_with_the_identity_check_PIPL_44_DST_1()
    {
        var department = await app.DepartmentAsync();
        var head = await app.CreatePersonAsync(Roles.DepartmentHead, departments: [department]);
        var clerk = await app.CreatePersonAsync(Roles.Staff, departments: [department]);
        var outsider = await app.CreatePersonAsync(Roles.Staff, departments: [await app.DepartmentAsync()]);
        var compliance = await app.CreatePersonAsync(Roles.ComplianceOfficer);
        var (customer, values) = await app.CustomerAsync(head, department, 4401);
        var good = new NewSubjectRequest(customer.Id, "Access", "Counter", null, "IdCardInPerson");

        // Bad input: each a clear error, nothing saved.
        Assert.Equal("SubjectRequestIdentityRequired", await CodeOfAsync(() => CreateAsync(clerk, good with { IdentityMethod = null })));
        Assert.Equal("SubjectRequestIdentityRequired", await CodeOfAsync(() => CreateAsync(clerk, good with { IdentityMethod = "Guess" })));
        Assert.Equal("SubjectRequestKind", await CodeOfAsync(() => CreateAsync(clerk, good with { Kind = "Forget" })));
        Assert.Equal("SubjectRequestKind", await CodeOfAsync(() => CreateAsync(clerk, good with { Kind = "7" })));
        Assert.Equal("SubjectRequestChecker", await CodeOfAsync(() => CreateAsync(clerk, good with { IdentityCheckedBy = "nobody-" + Guid.NewGuid().ToString("N") })));
        Assert.Equal("SubjectRequestDeadlinePassed", await CodeOfAsync(() => CreateAsync(clerk, good with { ReceivedOn = Today.AddDays(-40) })));
        Assert.Equal("SubjectRequestReceivedOn", await CodeOfAsync(() => CreateAsync(clerk, good with { ReceivedOn = Today.AddDays(1) })));
        // A customer that does not exist, or of another department, does not exist for the clerk; compliance only reads.
        Assert.Equal(CustosError.NotFound, (await Assert.ThrowsAsync<CustosException>(() => CreateAsync(clerk, good with { Customer = Guid.NewGuid() }))).Kind);
        Assert.Equal(CustosError.NotFound, (await Assert.ThrowsAsync<CustosException>(() => CreateAsync(outsider, good))).Kind);
        Assert.Equal(0, await app.WithDbAsync(db => db.Set<SubjectRequest>().CountAsync(r => r.CustomerId == customer.Id)));

        // Received on the last Friday: due three weeks later, weekends not counted.
        var friday = Today.AddDays(-(((int)Today.DayOfWeek + 2) % 7));
        Assert.Equal(DayOfWeek.Friday, friday.DayOfWeek);
        var created = await CreateAsync(clerk, good with { ReceivedOn = friday, IdentityCheckedBy = head.UserName });
        Assert.Equal((friday.AddDays(21), SubjectRequestStatus.Open, head.DisplayName, clerk.DisplayName), (created.DueOn, created.Status, created.IdentityCheckedBy, created.RegisteredBy));
        Assert.Equal("SubjectRequestAlreadyOpen", await CodeOfAsync(() => CreateAsync(clerk, good)));

        // Who sees it: the department and compliance; not another department (404), and compliance does not answer.
        Assert.Contains(await app.AsAsync(compliance, s => s.GetRequiredService<SubjectRequestService>().ListAsync(false, default)), r => r.Id == created.Id);
        Assert.DoesNotContain(await app.AsAsync(outsider, s => s.GetRequiredService<SubjectRequestService>().ListAsync(false, default)), r => r.Id == created.Id);
        Assert.Equal(CustosError.NotFound, (await Assert.ThrowsAsync<CustosException>(() => app.AsAsync(outsider, s => s.GetRequiredService<SubjectRequestService>().GetAsync(created.Id, default)))).Kind);
        Assert.Equal(CustosError.NotFound, (await Assert.ThrowsAsync<CustosException>(() => app.AsAsync(outsider, s => s.GetRequiredService<SubjectRequestService>().RefuseAsync(created.Id, "LegalHold", "诉讼保全", default)))).Kind);
        Assert.False((await app.AsAsync(compliance, s => s.GetRequiredService<SubjectRequestService>().GetAsync(created.Id, default))).MayHandle);
        Assert.Equal(CustosError.Forbidden, (await Assert.ThrowsAsync<CustosException>(() => app.AsAsync(compliance, s => s.GetRequiredService<SubjectRequestService>().RefuseAsync(created.Id, "LegalHold", "诉讼保全", default)))).Kind);

        var entry = await app.LastEntryAsync(clerk, "subject-request.create");
        Assert.Equal((AuditOutcome.Success, created.Id.ToString()), (entry.Outcome, entry.TargetId));
        await AssertNoProtectedValueLoggedAsync(values.Name, values.Mobile, values.IdNumber);
    }

    [Fact]
    public async Task A_copy_is_an_approved_sealed_export_recorded_in_the_ledger_and_answered_once_PIPL_45()
    {
        var department = await app.DepartmentAsync();
        var head = await app.CreatePersonAsync(Roles.DepartmentHead, departments: [department]);
        var deputy = await app.CreatePersonAsync(Roles.DepartmentHead, departments: [department]);
        var (customer, values) = await app.CustomerAsync(head, department, 4501);
        var request = await CreateAsync(head, new NewSubjectRequest(customer.Id, "Copy", "Letter", null, "Video"));
        var answer = new SubjectAnswer("您好，附件为您的个人信息副本，口令另行告知。", Passphrase, ExportFormat.Csv);

        // No passphrase, or no approved export: refused, the request stays open, nothing in the ledger.
        Assert.Equal("SubjectRequestPassphrase", await CodeOfAsync(() => AnswerAsync(head, request.Id, answer with { Passphrase = null })));
        Assert.Equal("ApprovalRequired", await CodeOfAsync(() => AnswerAsync(head, request.Id, answer)));
        Assert.Equal(SubjectRequestStatus.Open, await app.WithDbAsync(db => db.Set<SubjectRequest>().Where(r => r.Id == request.Id).Select(r => r.Status).SingleAsync()));
        Assert.False(await app.WithDbAsync(db => db.CopyItems.AnyAsync(i => i.CustomerId == customer.Id)));
        Assert.Equal(AuditOutcome.Denied, (await app.LastEntryAsync(head, "subject-request.answer")).Outcome);

        await app.ApprovedAsync(head, new NewRequest(RequestKind.Export, "客户本人申请复制个人信息", Customer: customer.Id), deputy);
        var (answered, copy) = await AnswerAsync(head, request.Id, answer);
        Assert.NotNull(copy);
        Assert.Equal((SubjectRequestStatus.Answered, copy.Serial, head.DisplayName), (answered.Status, answered.CopySerial, answered.AnsweredBy));

        // The customer's own rows only: no canary (a made-up person) in someone's own copy; the name in clear for a head.
        var csv = Encoding.UTF8.GetString(OpenPgpPackage.Open(copy.Content, Passphrase));
        Assert.Contains(values.Name, csv, StringComparison.Ordinal);
        Assert.Equal(2, csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        var ledger = await app.WithDbAsync(db => db.Copies.SingleAsync(c => c.Serial == copy.Serial));
        Assert.Equal((CopyKind.Export, 1, (Guid?)null), (ledger.Kind, ledger.Customers, ledger.CanaryId));
        Assert.True(await app.WithDbAsync(db => db.CopyItems.AnyAsync(i => i.CopyId == ledger.Id && i.CustomerId == customer.Id)));
        // The package's record names no protected value: not the recipient, not the note.
        Assert.DoesNotContain(values.Name, ledger.Recipient + ledger.Note + ledger.Purpose, StringComparison.Ordinal);
        Assert.Contains(request.Number, ledger.Note!, StringComparison.Ordinal);

        // Answered once.
        Assert.Equal("SubjectRequestClosed", await CodeOfAsync(() => AnswerAsync(head, request.Id, answer)));
        Assert.Equal(1, await app.WithDbAsync(db => db.CopyItems.CountAsync(i => i.CustomerId == customer.Id)));
        await AssertNoProtectedValueLoggedAsync(values.Name, values.Mobile, values.IdNumber);
    }

    [Fact]
    public async Task A_correction_goes_through_the_edit_path_and_records_the_field_names_only_PIPL_46()
    {
        var department = await app.DepartmentAsync();
        var head = await app.CreatePersonAsync(Roles.DepartmentHead, departments: [department]);
        var clerk = await app.CreatePersonAsync(Roles.Staff, departments: [department]);
        var (customer, values) = await app.CustomerAsync(head, department, 4601);
        var request = await CreateAsync(clerk, new NewSubjectRequest(customer.Id, "Correct", "Phone", null, "CallbackToStoredPhone"));
        const string NewMobile = "13912345678";

        Assert.Equal("SubjectRequestNoCorrection", await CodeOfAsync(() => AnswerAsync(clerk, request.Id, new SubjectAnswer("已更正"))));
        // A value the catalogue rejects: nothing saved, still open.
        Assert.Equal(CustosError.Invalid, (await Assert.ThrowsAsync<CustosException>(() => AnswerAsync(clerk, request.Id,
            new SubjectAnswer("已更正", Corrections: new Dictionary<string, string?> { [FieldCatalogue.Mobile] = "12" })))).Kind);
        // The same value as held is not a correction.
        Assert.Equal("SubjectRequestNothingChanged", await CodeOfAsync(() => AnswerAsync(clerk, request.Id,
            new SubjectAnswer("已更正", Corrections: new Dictionary<string, string?> { [FieldCatalogue.Mobile] = values.Mobile }))));
        Assert.Equal(SubjectRequestStatus.Open, await app.WithDbAsync(db => db.Set<SubjectRequest>().Where(r => r.Id == request.Id).Select(r => r.Status).SingleAsync()));

        var (answered, copy) = await AnswerAsync(clerk, request.Id, new SubjectAnswer("您的手机号码已按要求更正。", Corrections: new Dictionary<string, string?> { [FieldCatalogue.Mobile] = NewMobile }));
        Assert.Null(copy);
        Assert.Equal([FieldCatalogue.Mobile], answered.ChangedFields);
        Assert.Equal(SubjectRequestStatus.Answered, answered.Status);
        // Through the edit path: the old value kept in the history, the new one readable.
        Assert.True(await app.WithDbAsync(db => db.CustomerHistory.AnyAsync(h => h.CustomerId == customer.Id && h.Field == FieldCatalogue.Mobile)));
        Assert.Equal(NewMobile, await app.AsAsync(head, s => s.GetRequiredService<CustomerService>().RevealAsync(customer.Id, FieldCatalogue.Mobile, "verification", null, default)));
        var stored = await app.WithDbAsync(db => db.Set<SubjectRequest>().SingleAsync(r => r.Id == request.Id));
        Assert.Equal(FieldCatalogue.Mobile, stored.ChangedFields);
        await AssertNoProtectedValueLoggedAsync(values.Name, values.Mobile, NewMobile);
        Assert.Equal("SubjectRequestClosed", await CodeOfAsync(() => app.AsAsync(clerk, s => s.GetRequiredService<SubjectRequestService>().RefuseAsync(request.Id, "InformationAccurate", "x", default))));
    }

    [Fact]
    public async Task A_deletion_is_answered_only_once_the_customer_is_destroyed_or_refused_with_its_ground_kept_PIPL_47_DST_1()
    {
        var department = await app.DepartmentAsync();
        var head = await app.CreatePersonAsync(Roles.DepartmentHead, departments: [department]);
        var officer = await app.CreatePersonAsync(Roles.InformationOfficer, departments: [department]);
        var compliance = await app.CreatePersonAsync(Roles.ComplianceOfficer, departments: [department]);
        var (customer, values) = await app.CustomerAsync(head, department, 4701);
        var (kept, _) = await app.CustomerAsync(head, department, 4702);
        var request = await CreateAsync(officer, new NewSubjectRequest(customer.Id, "Delete", "Counter", null, "IdCardInPerson"));
        var answer = new SubjectAnswer("您的个人信息已删除。", Note: "客户本人申请删除");

        // Before an approved destruction: refused, the customer and the request untouched.
        Assert.Equal("ApprovalRequired", await CodeOfAsync(() => AnswerAsync(officer, request.Id, answer)));
        Assert.True(await app.WithDbAsync(db => db.Customers.AnyAsync(c => c.Id == customer.Id)));
        Assert.Equal(SubjectRequestStatus.Open, await app.WithDbAsync(db => db.Set<SubjectRequest>().Where(r => r.Id == request.Id).Select(r => r.Status).SingleAsync()));

        await app.ApprovedAsync(officer, new NewRequest(RequestKind.Destroy, "客户本人申请删除个人信息", Customer: customer.Id), head, compliance);
        var (answered, _) = await AnswerAsync(officer, request.Id, answer);
        Assert.Equal(SubjectRequestStatus.Answered, answered.Status);
        Assert.False(await app.WithDbAsync(db => db.Customers.AnyAsync(c => c.Id == customer.Id)));
        var record = await app.WithDbAsync(db => db.Destructions.SingleAsync(d => d.CustomerId == customer.Id));
        Assert.Equal((record.Id, compliance.Id), (answered.Destruction!.Value, record.WitnessId));
        // Still on file for the department and compliance after the customer is gone.
        Assert.Equal(SubjectRequestStatus.Answered, (await app.AsAsync(compliance, s => s.GetRequiredService<SubjectRequestService>().GetAsync(request.Id, default))).Status);

        // The law requires keeping the other one: refused, with the ground kept; a ground that does not fit the kind is not accepted.
        var second = await CreateAsync(officer, new NewSubjectRequest(kept.Id, "Delete", "Letter", null, "Video"));
        Assert.Equal("SubjectRequestGround", await CodeOfAsync(() => app.AsAsync(officer, s => s.GetRequiredService<SubjectRequestService>().RefuseAsync(second.Id, "Because", "x", default))));
        Assert.Equal("SubjectRequestGroundKind", await CodeOfAsync(() => app.AsAsync(officer, s => s.GetRequiredService<SubjectRequestService>().RefuseAsync(second.Id, "InformationAccurate", "x", default))));
        var refused = await app.AsAsync(officer, s => s.GetRequiredService<SubjectRequestService>().RefuseAsync(second.Id, "LegalHold", "相关合同纠纷诉讼未结，依法保全。", default));
        Assert.Equal((SubjectRequestStatus.Refused, (RefusalGround?)RefusalGround.LegalHold), (refused.Status, refused.Ground));
        Assert.True(await app.WithDbAsync(db => db.Customers.AnyAsync(c => c.Id == kept.Id)));
        Assert.Equal("SubjectRequestClosed", await CodeOfAsync(() => AnswerAsync(officer, second.Id, answer)));
        Assert.Contains("LegalHold", (await app.LastEntryAsync(officer, "subject-request.refuse")).Detail!, StringComparison.Ordinal);
        await AssertNoProtectedValueLoggedAsync(values.Name, values.Mobile, values.IdNumber);
    }

    [Fact]
    public async Task The_handler_is_reminded_before_the_deadline_and_compliance_told_after_it_once_each_PIPL_44()
    {
        var department = await app.DepartmentAsync();
        var head = await app.CreatePersonAsync(Roles.DepartmentHead, departments: [department]);
        var clerk = await app.CreatePersonAsync(Roles.Staff, departments: [department]);
        var compliance = await app.CreatePersonAsync(Roles.ComplianceOfficer);
        var (customer, _) = await app.CustomerAsync(head, department, 4801);
        var request = await CreateAsync(clerk, new NewSubjectRequest(customer.Id, "Access", "Email", null, "Video"));
        async Task RunTwiceAsync()
        {
            for (var i = 0; i < 2; i++)
            {
                using var scope = app.AsSystem();
                await scope.ServiceProvider.GetRequiredService<SubjectRequestService>().RunDueAsync(default);
            }
        }

        Task<int> ToldAsync(Guid person, string kind) =>
            app.WithDbAsync(db => db.Notifications.CountAsync(n => n.RecipientId == person && n.Kind == kind && n.Args.StartsWith(request.Number)));

        await RunTwiceAsync();
        Assert.Equal(0, await ToldAsync(clerk.Id, "Notify.SubjectRequestDue"));

        // Three working days before the deadline: the handler, once.
        var remindOn = SubjectRequestService.AddWorkingDays(request.DueOn, -3);
        app.Factory.Time.Advance(TimeSpan.FromDays(remindOn.DayNumber - Today.DayNumber));
        await RunTwiceAsync();
        Assert.Equal(1, await ToldAsync(clerk.Id, "Notify.SubjectRequestDue"));
        Assert.Equal(0, await ToldAsync(compliance.Id, "Notify.SubjectRequestOverdue"));

        // The day after the deadline: compliance and the handler, once; shown as overdue.
        app.Factory.Time.Advance(TimeSpan.FromDays(request.DueOn.DayNumber - Today.DayNumber + 1));
        await RunTwiceAsync();
        Assert.Equal(1, await ToldAsync(compliance.Id, "Notify.SubjectRequestOverdue"));
        Assert.Equal(1, await ToldAsync(clerk.Id, "Notify.SubjectRequestOverdue"));
        Assert.Equal(1, await ToldAsync(clerk.Id, "Notify.SubjectRequestDue"));
        Assert.True((await app.AsAsync(clerk, s => s.GetRequiredService<SubjectRequestService>().GetAsync(request.Id, default))).Overdue);
        Assert.Equal(1, await app.WithDbAsync(db => db.AuditRecords.CountAsync(a => a.Action == AuditActions.SubjectRequestEscalate && a.TargetId == request.Id.ToString())));
    }

    [Fact]
    public async Task The_api_and_the_pages_register_and_show_a_request_to_its_department_only_PIPL_44()
    {
        var department = await app.DepartmentAsync();
        var head = await app.CreatePersonAsync(Roles.DepartmentHead, departments: [department]);
        var clerk = await app.CreatePersonAsync(Roles.Staff, departments: [department]);
        var outsider = await app.CreatePersonAsync(Roles.Staff, departments: [await app.DepartmentAsync()]);
        var (customer, values) = await app.CustomerAsync(head, department, 4901);
        var signIns = new SignIns(app);
        using var web = await signIns.AsAsync(clerk, mfa: false);
        using var outsiderWeb = await signIns.AsAsync(outsider, mfa: false);
        static async Task<string?> CodeAsync(HttpResponseMessage response) =>
            (await response.Content.ReadFromJsonAsync<JsonElement>()).TryGetProperty("code", out var code) ? code.GetString() : null;

        var bad = await web.Client.PostAsJsonAsync("/api/v1/subject-requests", new { customer = customer.Id, kind = "Forget", channel = "Counter", identityMethod = "Video" });
        Assert.Equal((HttpStatusCode.BadRequest, "SubjectRequestKind"), (bad.StatusCode, await CodeAsync(bad)));
        Assert.Equal("SubjectRequestIdentityRequired", await CodeAsync(await web.Client.PostAsJsonAsync("/api/v1/subject-requests", new { customer = customer.Id, kind = "Copy", channel = "Counter" })));
        Assert.Equal(HttpStatusCode.NotFound, (await outsiderWeb.Client.PostAsJsonAsync("/api/v1/subject-requests", new { customer = customer.Id, kind = "Copy", channel = "Counter", identityMethod = "Video" })).StatusCode);

        // Registered on the page, in Chinese, reached from the customer's page with the customer filled in.
        var (_, customerPage) = await web.GetPageAsync($"/customers/{customer.Id}");
        Assert.Equal($"/subject-requests?customer={customer.Id}", customerPage.QuerySelector("#register-subject-request")!.GetAttribute("href"));
        var (_, page) = await web.GetPageAsync($"/subject-requests?customer={customer.Id}");
        Assert.Contains("个人信息主体请求", page.QuerySelector("h1")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(customer.Id.ToString(), page.QuerySelector("#sr-customer")!.GetAttribute("value"));
        await web.SubmitAsync("/subject-requests", "#subject-request-form", new Dictionary<string, string>
        {
            ["Input.Customer"] = customer.Id.ToString(), ["Input.Kind"] = "Correct", ["Input.Channel"] = "Counter", ["Input.IdentityMethod"] = "IdCardInPerson",
        });
        var created = await app.WithDbAsync(db => db.Set<SubjectRequest>().SingleAsync(r => r.CustomerId == customer.Id));
        Assert.Equal((SubjectRequestKind.Correct, clerk.Id), (created.Kind, created.RegisteredById));

        var listed = await web.Client.GetFromJsonAsync<JsonElement>("/api/v1/subject-requests?open=true");
        Assert.Contains(listed.EnumerateArray(), r => r.GetProperty("number").GetString() == created.Number);
        Assert.Equal(HttpStatusCode.NotFound, (await outsiderWeb.Client.GetAsync($"/api/v1/subject-requests/{created.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await outsiderWeb.Client.GetAsync($"/subject-requests/{created.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await outsiderWeb.Client.PostAsJsonAsync($"/api/v1/subject-requests/{created.Id}/refuse", new { ground = "LegalHold", explanation = "x" })).StatusCode);

        var (_, file) = await web.GetPageAsync($"/subject-requests/{created.Id}");
        Assert.Equal(created.Number, file.QuerySelector("#subject-request-number")!.TextContent.Trim());
        Assert.NotNull(file.QuerySelector("#correct-form"));
        Assert.DoesNotContain(values.Name, file.Body!.TextContent, StringComparison.Ordinal);

        // Corrected on the page: one box per field, the empty ones left alone; then closed for a refusal.
        await web.SubmitAsync($"/subject-requests/{created.Id}", "#correct-form", new Dictionary<string, string>
        {
            [$"value-{FieldCatalogue.Mobile}"] = "13687654321", [$"value-{FieldCatalogue.Name}"] = "", ["CorrectAnswer"] = "您的手机号码已更正。",
        });
        var corrected = await app.WithDbAsync(db => db.Set<SubjectRequest>().SingleAsync(r => r.Id == created.Id));
        Assert.Equal((SubjectRequestStatus.Answered, FieldCatalogue.Mobile), (corrected.Status, corrected.ChangedFields));
        Assert.Equal(HttpStatusCode.Conflict, (await web.Client.PostAsJsonAsync($"/api/v1/subject-requests/{created.Id}/refuse", new { ground = "InformationAccurate", explanation = "x" })).StatusCode);
    }

    [Fact]
    public async Task The_copy_is_downloaded_from_the_requests_page_and_a_refusal_comes_back_as_a_message_PIPL_45()
    {
        var department = await app.DepartmentAsync();
        var head = await app.CreatePersonAsync(Roles.DepartmentHead, departments: [department]);
        var deputy = await app.CreatePersonAsync(Roles.DepartmentHead, departments: [department]);
        var (customer, values) = await app.CustomerAsync(head, department, 4951);
        var request = await CreateAsync(head, new NewSubjectRequest(customer.Id, "Access", "Counter", null, "IdCardInPerson"));
        using var web = await new SignIns(app).AsAsync(head);
        var form = new Dictionary<string, string> { ["answer"] = "您好，附件为您的个人信息。", ["passphrase"] = Passphrase, ["passphrase2"] = Passphrase, ["format"] = "csv" };

        // Not approved yet: back to the page with the reason, nothing made.
        var refused = await web.SubmitAsync($"/subject-requests/{request.Id}", "#copy-form", form);
        Assert.Equal($"/subject-requests/{request.Id}", WebSession.Location(refused));
        var (_, page) = await web.GetPageAsync($"/subject-requests/{request.Id}");
        Assert.False(string.IsNullOrWhiteSpace(page.QuerySelector("#subject-request-error")?.TextContent));
        Assert.False(await app.WithDbAsync(db => db.CopyItems.AnyAsync(i => i.CustomerId == customer.Id)));

        await app.ApprovedAsync(head, new NewRequest(RequestKind.Export, "客户本人申请查阅个人信息", Customer: customer.Id), deputy);
        var response = await web.SubmitAsync($"/subject-requests/{request.Id}", "#copy-form", form);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/pgp-encrypted", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(values.Name, Encoding.UTF8.GetString(OpenPgpPackage.Open(await response.Content.ReadAsByteArrayAsync(), Passphrase)), StringComparison.Ordinal);
        var stored = await app.WithDbAsync(db => db.Set<SubjectRequest>().SingleAsync(r => r.Id == request.Id));
        Assert.Equal(SubjectRequestStatus.Answered, stored.Status);
        Assert.StartsWith("E-", stored.CopySerial, StringComparison.Ordinal);
        Assert.DoesNotContain(values.Name, response.Content.Headers.ContentDisposition?.ToString() ?? "", StringComparison.Ordinal);
    }
}

public sealed class SubjectRequestTestsOnSqlite(SqliteApp app) : SubjectRequestTests<SqliteApp>(app);

public sealed class SubjectRequestTestsOnPostgres(PostgresApp app) : SubjectRequestTests<PostgresApp>(app);
