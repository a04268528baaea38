using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Custos.Features.Access;
using Custos.Features.Audit;
using Custos.Features.Copies;
using Custos.Features.Customers;
using Custos.Features.Destruction;
using Custos.Features.Organisation;
using Custos.Features.People;
using Custos.Hosting;
using Custos.Kernel.Classification;
using Custos.Kernel.Policy;
using Custos.Security;
using Custos.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Custos.Tests.Copies;

/// <summary>
/// Copies that leave and customers that are destroyed (PRT-1, PRT-2, PRT-3, EXP-1, EXP-2, DST-1, DST-2, AUD-1):
/// each is allowed only as the policy says, recorded in the ledger and the audit log before anything leaves,
/// and traceable afterwards. Each assertion fails if its rule is removed.
/// </summary>
public abstract class CopyTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : CustosApp
{
    private const string Passphrase = "长城-Great-Wall-2026";

    /// <summary>The review's case: a view-only reveal grant for the bank card and an approved print — the card stays masked on paper (ACC-5).</summary>
    [Fact]
    public async Task A_value_revealed_through_a_view_only_grant_is_masked_in_a_print_ACC_5()
    {
        const string card = "6222021234567890128";
        var department = await app.DepartmentAsync();
        var head = await app.CreatePersonAsync(Roles.DepartmentHead, departments: [department]);
        var clerk = await app.CreatePersonAsync(Roles.Staff, departments: [department]);
        Customer customer;
        using (var scope = app.ActAs(head))
        {
            customer = await scope.ServiceProvider.GetRequiredService<CustomerService>().CreateAsync(new NewCustomer(
                CustomerKind.Individual, department, null, Clearance.Secret,
                new Dictionary<string, string?> { [FieldCatalogue.Name] = "郑卡", [FieldCatalogue.BankCard] = card }), default);
        }

        await app.ApprovedAsync(clerk, new NewRequest(RequestKind.Reveal, "核对还款卡号", Customer: customer.Id, Field: FieldCatalogue.BankCard, ViewOnly: true, Hours: 8), head);
        await app.ApprovedAsync(clerk, new NewRequest(RequestKind.Print, "客户要求纸质确认", Customer: customer.Id), head);
        Assert.Equal(card, await app.AsAsync(clerk, s => s.GetRequiredService<CustomerService>().RevealAsync(customer.Id, FieldCatalogue.BankCard, "verification", null, default)));

        var file = await app.AsAsync(clerk, s => s.GetRequiredService<CopyService>().PrintAsync(customer.Id, new PrintOrder("service"), default));
        var text = PdfText.Of(file.Content);
        Assert.DoesNotContain(card, text.Replace(" ", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("郑卡", text, StringComparison.Ordinal);
        var entry = await app.LastEntryAsync(clerk, "customer.print");
        Assert.DoesNotContain(FieldCatalogue.BankCard, entry.Detail!.Split("revealed")[1].Split(']')[0], StringComparison.Ordinal);
        Assert.DoesNotContain(FieldCatalogue.BankCard, (await app.WithDbAsync(db => db.Copies.SingleAsync(c => c.Serial == file.Serial))).Revealed, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_print_needs_approval_is_stamped_and_ledgered_and_is_recorded_without_values_PRT_1_PRT_2_PRT_3()
    {
        var department = await app.DepartmentAsync();
        var head = await app.CreatePersonAsync(Roles.DepartmentHead, departments: [department]);
        var clerk = await app.CreatePersonAsync(Roles.Staff, departments: [department]);
        var (customer, values) = await app.CustomerAsync(head, department, 71);
        Task<CopyFile> PrintAsync(PrintOrder order) => app.AsAsync(clerk, s => s.GetRequiredService<CopyService>().PrintAsync(customer.Id, order, default));

        // PRT-1: no print without the department head's approval; the refusal says which request to make and is recorded.
        var refused = await Assert.ThrowsAsync<CustosException>(() => PrintAsync(new PrintOrder("service")));
        Assert.Equal(("ApprovalRequired", CustosError.Forbidden), (refused.Code, refused.Kind));
        Assert.Equal(AuditOutcome.Denied, (await app.LastEntryAsync(clerk, "customer.print")).Outcome);
        Assert.Empty(await app.WithDbAsync(db => db.Copies.Where(c => c.PersonId == clerk.Id).ToListAsync()));

        await app.ApprovedAsync(clerk, new NewRequest(RequestKind.Print, "客户要求纸质确认", Customer: customer.Id), head);
        Assert.Equal("UseByDays", (await Assert.ThrowsAsync<CustosException>(() => PrintAsync(new PrintOrder("service", UseByDays: 99)))).Code);
        Assert.Equal("PurposeRequired", (await Assert.ThrowsAsync<CustosException>(() => PrintAsync(new PrintOrder("curiosity")))).Code);

        var file = await PrintAsync(new PrintOrder("service", Recipient: "王小二", UseByDays: 3));
        Assert.Equal("application/pdf", file.ContentType);
        Assert.StartsWith("%PDF-", Encoding.ASCII.GetString(file.Content, 0, 5), StringComparison.Ordinal);

        // PRT-2: stamped 受控文件, with serial, recipient and use-by date; clear only what the clerk may reveal.
        var copy = await app.WithDbAsync(db => db.Copies.SingleAsync(c => c.Serial == file.Serial));
        var text = PdfText.Of(file.Content);
        Assert.Contains("受控文件", text, StringComparison.Ordinal);
        Assert.Contains(file.Serial, text, StringComparison.Ordinal);
        Assert.Contains("王小二", text, StringComparison.Ordinal);
        Assert.Contains("证件号码（核心）", text, StringComparison.Ordinal); // each field with its level (CLS-3), and the grade
        Assert.Contains("秘密", text, StringComparison.Ordinal);
        Assert.Contains(copy.UseBy!.Value.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), text, StringComparison.Ordinal);
        var clear = new Dictionary<string, string> { [FieldCatalogue.Name] = values.Name, [FieldCatalogue.Mobile] = values.Mobile, [FieldCatalogue.IdNumber] = values.IdNumber };
        var revealed = copy.Revealed.Split(',', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEmpty(revealed);
        foreach (var (field, value) in clear)
        {
            Assert.Equal(revealed.Contains(field), text.Contains(value, StringComparison.Ordinal));
        }

        Assert.Equal((CopyKind.Print, CopyStatus.Issued, "王小二"), (copy.Kind, copy.Status, copy.Recipient));
        Assert.Equal(SHA256.HashData(file.Content), copy.Sha256);
        Assert.InRange(copy.UseBy.Value - app.Factory.Time.GetUtcNow(), TimeSpan.FromDays(3) - TimeSpan.FromMinutes(1), TimeSpan.FromDays(3));
        Assert.True(await app.WithDbAsync(db => db.CopyItems.AnyAsync(i => i.CopyId == copy.Id && i.CustomerId == customer.Id)));

        // AUD-1: recorded with purpose and serial, and no protected value.
        var entry = await app.LastEntryAsync(clerk, "customer.print");
        Assert.Equal((AuditOutcome.Success, "service", customer.Id.ToString()), (entry.Outcome, entry.Purpose, entry.TargetId));
        Assert.Contains(file.Serial, entry.Detail!, StringComparison.Ordinal);
        Assert.All(clear.Values, v => Assert.DoesNotContain(v, entry.Detail!, StringComparison.Ordinal));

        // PRT-3: the paper copy comes back or is shredded before a witness who is someone else.
        Assert.Equal("WitnessRequired", (await Assert.ThrowsAsync<CustosException>(() =>
            app.AsAsync(clerk, s => s.GetRequiredService<CopyService>().CloseAsync(copy.Id, CopyStatus.Destroyed, clerk.UserName, null, default)))).Code);
        var other = await app.CreatePersonAsync(Roles.Staff, departments: [department]);
        Assert.Equal(CustosError.NotFound, (await Assert.ThrowsAsync<CustosException>(() =>
            app.AsAsync(other, s => s.GetRequiredService<CopyService>().CloseAsync(copy.Id, CopyStatus.Returned, null, null, default)))).Kind);
        var closed = await app.AsAsync(clerk, s => s.GetRequiredService<CopyService>().CloseAsync(copy.Id, CopyStatus.Destroyed, head.UserName, "碎纸机", default));
        Assert.Equal((CopyStatus.Destroyed, head.DisplayName), (closed.Status, closed.Witness));
        Assert.Equal("CopyClosed", (await Assert.ThrowsAsync<CustosException>(() =>
            app.AsAsync(clerk, s => s.GetRequiredService<CopyService>().CloseAsync(copy.Id, CopyStatus.Returned, null, null, default)))).Code);
        Assert.Equal(AuditOutcome.Success, (await app.LastEntryAsync(clerk, "copy.destroy")).Outcome);

        // The ledger: the clerk sees their own copies, the other clerk none of them.
        Assert.Contains(await app.AsAsync(clerk, s => s.GetRequiredService<CopyService>().ListAsync(false, default)), c => c.Serial == file.Serial);
        Assert.DoesNotContain(await app.AsAsync(other, s => s.GetRequiredService<CopyService>().ListAsync(false, default)), c => c.Serial == file.Serial);
    }

    [Fact]
    public async Task A_print_past_its_use_by_date_is_reported_once_to_its_holder_and_the_compliance_officers_PRT_2()
    {
        var department = await app.DepartmentAsync();
        var head = await app.CreatePersonAsync(Roles.DepartmentHead, departments: [department]);
        var clerk = await app.CreatePersonAsync(Roles.Staff, departments: [department]);
        var compliance = await app.CreatePersonAsync(Roles.ComplianceOfficer, departments: [department]);
        var (customer, _) = await app.CustomerAsync(head, department, 77);
        await app.ApprovedAsync(clerk, new NewRequest(RequestKind.Print, "客户要求纸质确认", Customer: customer.Id), head);
        var file = await app.AsAsync(clerk, s => s.GetRequiredService<CopyService>().PrintAsync(customer.Id, new PrintOrder("service", UseByDays: 1), default));
        var copy = await app.WithDbAsync(db => db.Copies.SingleAsync(c => c.Serial == file.Serial));
        Task<int> RemindAsync() => app.AsAsync(head, s => s.GetRequiredService<CopyService>().RemindOverdueAsync(default));
        Task<bool> ToldAsync(Person person) => app.AsAsync(person, async s =>
            (await s.GetRequiredService<Features.Notifications.Notifier>().InboxAsync(false, default)).Any(n => n.Kind == "Notify.PrintOverdue" && n.Args.Contains(file.Serial)));

        await RemindAsync();
        Assert.False(await ToldAsync(clerk));

        app.Factory.Time.Advance(TimeSpan.FromDays(2));
        await RemindAsync();
        Assert.True(await ToldAsync(clerk));
        Assert.True(await ToldAsync(compliance));
        Assert.True(await app.WithDbAsync(db => db.AuditRecords.AnyAsync(a => a.Action == "copy.overdue" && a.TargetId == copy.Id.ToString())));
        Assert.True((await app.AsAsync(clerk, s => s.GetRequiredService<CopyService>().ListAsync(true, default))).Single(c => c.Serial == file.Serial).Overdue);

        // Told once: the next round finds nothing new about this copy.
        await RemindAsync();
        Assert.Equal(1, await app.WithDbAsync(db => db.AuditRecords.CountAsync(a => a.Action == "copy.overdue" && a.TargetId == copy.Id.ToString())));
    }

    [Fact]
    public async Task A_lent_paper_archive_is_recorded_reported_when_overdue_and_only_returned_PRT_3()
    {
        var department = await app.DepartmentAsync();
        var head = await app.CreatePersonAsync(Roles.DepartmentHead, departments: [department]);
        var clerk = await app.CreatePersonAsync(Roles.Staff, departments: [department]);
        var outsider = await app.CreatePersonAsync(Roles.Staff, departments: [await app.DepartmentAsync()]);
        var (customer, _) = await app.CustomerAsync(head, department, 78);
        Task<CopyView> LendAsync(Person person, LoanOrder order) => app.AsAsync(person, s => s.GetRequiredService<CopyService>().LendAsync(customer.Id, order, default));

        // Only someone who may see the customer borrows its archive, for a stated purpose, within the limit.
        Assert.Equal(CustosError.NotFound, (await Assert.ThrowsAsync<CustosException>(() => LendAsync(outsider, new LoanOrder("service")))).Kind);
        Assert.Equal("PurposeRequired", (await Assert.ThrowsAsync<CustosException>(() => LendAsync(clerk, new LoanOrder("")))).Code);
        Assert.Equal("UseByDays", (await Assert.ThrowsAsync<CustosException>(() => LendAsync(clerk, new LoanOrder("service", Days: 400)))).Code);

        var loan = await LendAsync(clerk, new LoanOrder("complaint", Borrower: "赵六", Days: 2));
        Assert.Equal((CopyKind.Loan, "赵六", CopyStatus.Issued), (loan.Kind, loan.Recipient, loan.Status));
        Assert.StartsWith("L-", loan.Serial, StringComparison.Ordinal);
        var entry = await app.LastEntryAsync(clerk, "archive.lend");
        Assert.Equal(("complaint", customer.Id.ToString()), (entry.Purpose, entry.TargetId));
        Assert.Contains(await app.AsAsync(clerk, s => s.GetRequiredService<CopyService>().ListAsync(true, default)), c => c.Serial == loan.Serial);

        app.Factory.Time.Advance(TimeSpan.FromDays(3));
        await app.AsAsync(head, s => s.GetRequiredService<CopyService>().RemindOverdueAsync(default));
        Assert.Contains(await app.AsAsync(clerk, s => s.GetRequiredService<Features.Notifications.Notifier>().InboxAsync(false, default)),
            n => n.Kind == "Notify.LoanOverdue" && n.Args.Contains(loan.Serial));

        Assert.Equal("LoanReturnOnly", (await Assert.ThrowsAsync<CustosException>(() =>
            app.AsAsync(clerk, s => s.GetRequiredService<CopyService>().CloseAsync(loan.Id, CopyStatus.Destroyed, head.UserName, null, default)))).Code);
        var back = await app.AsAsync(clerk, s => s.GetRequiredService<CopyService>().CloseAsync(loan.Id, CopyStatus.Returned, null, "完好归还", default));
        Assert.Equal(CopyStatus.Returned, back.Status);
        Assert.Equal(AuditOutcome.Success, (await app.LastEntryAsync(clerk, "archive.return")).Outcome);
    }

    [Fact]
    public async Task An_export_is_sealed_carries_a_canary_and_traces_back_to_its_maker_EXP_1_EXP_2()
    {
        var department = await app.DepartmentAsync();
        var head = await app.CreatePersonAsync(Roles.DepartmentHead, departments: [department]);
        var deputy = await app.CreatePersonAsync(Roles.DepartmentHead, departments: [department]);
        var officer = await app.CreatePersonAsync(Roles.ComplianceOfficer, departments: [department]);
        var customers = new List<(Customer Customer, Features.Demo.SyntheticCustomer Values)>();
        for (var i = 0; i < 3; i++)
        {
            customers.Add(await app.CustomerAsync(head, department, 80 + i));
        }

        var order = new ExportOrder("verification", Passphrase, Department: department, Fields: [FieldCatalogue.Name, FieldCatalogue.Mobile]);
        Task<CopyFile> ExportAsync(Person person, ExportOrder o) => app.AsAsync(person, s => s.GetRequiredService<CopyService>().ExportAsync(o, default));

        // EXP-1: an export needs approval; nothing is written without it.
        Assert.Equal("ApprovalRequired", (await Assert.ThrowsAsync<CustosException>(() => ExportAsync(head, order))).Code);
        Assert.Equal(AuditOutcome.Denied, (await app.LastEntryAsync(head, "customer.export")).Outcome);
        await app.ApprovedAsync(head, new NewRequest(RequestKind.Export, "季度回访名单", Department: department), deputy);
        Assert.Equal("PassphraseTooShort", (await Assert.ThrowsAsync<CustosException>(() => ExportAsync(head, order with { Passphrase = "short" }))).Code);
        Assert.Equal("UnknownField", (await Assert.ThrowsAsync<CustosException>(() => ExportAsync(head, order with { Fields = ["shoeSize"] }))).Code);

        var file = await ExportAsync(head, order);
        Assert.EndsWith(".csv.gpg", file.FileName, StringComparison.Ordinal);
        Assert.ThrowsAny<Org.BouncyCastle.Bcpg.OpenPgp.PgpException>(() => OpenPgpPackage.Open(file.Content, "wrong passphrase!"));
        var csv = Encoding.UTF8.GetString(OpenPgpPackage.Open(file.Content, Passphrase)).TrimStart('\uFEFF');
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(l => l.Replace("\"", "", StringComparison.Ordinal)).ToArray();
        Assert.Equal(1 + customers.Count + 1, lines.Length); // header, the customers, one canary
        Assert.Contains("手机（一般）", lines[0], StringComparison.Ordinal); // every column names its level (CLS-3)
        foreach (var (customer, _) in customers)
        {
            Assert.Single(lines, l => l.StartsWith(customer.Id.ToString(), StringComparison.Ordinal));
        }

        var canary = lines.Skip(1).Single(l => !customers.Any(c => l.StartsWith(c.Customer.Id.ToString(), StringComparison.Ordinal))).Split(',');
        var copy = await app.WithDbAsync(db => db.Copies.SingleAsync(c => c.Serial == file.Serial));
        Assert.Equal((CopyKind.Export, customers.Count, Guid.Parse(canary[0])), (copy.Kind, copy.Customers, copy.CanaryId));
        Assert.Equal(SHA256.HashData(file.Content), copy.Sha256);

        var entry = await app.LastEntryAsync(head, "customer.export");
        Assert.Equal((AuditOutcome.Success, "verification"), (entry.Outcome, entry.Purpose));
        Assert.Contains(file.Serial, entry.Detail!, StringComparison.Ordinal);
        Assert.All(customers, c => Assert.DoesNotContain(c.Values.Mobile, entry.Detail!, StringComparison.Ordinal));

        // A leaked row names its copy: by the canary's id or mobile; a real customer's mobile lists the copies holding it.
        var trace = (string value) => app.AsAsync(officer, s => s.GetRequiredService<CopyService>().TraceAsync(value, default));
        Assert.Equal(file.Serial, (await trace(canary[0])).Fingerprint.Single().Serial);
        Assert.Equal("秘密", canary[1]); // shaped like the real rows, grade included
        if (copy.Revealed.Contains(FieldCatalogue.Mobile, StringComparison.Ordinal))
        {
            Assert.Equal(file.Serial, (await trace(canary[3])).Fingerprint.Single().Serial);
        }

        var real = await trace(customers[0].Values.Mobile);
        Assert.Empty(real.Fingerprint);
        Assert.Contains(real.Containing, c => c.Serial == file.Serial);
        Assert.DoesNotContain(customers[0].Values.Mobile, (await app.LastEntryAsync(officer, "copy.trace")).Detail!, StringComparison.Ordinal);
        Assert.Equal("MayNotAudit", (await Assert.ThrowsAsync<CustosException>(() => app.AsAsync(head, s => s.GetRequiredService<CopyService>().TraceAsync(customers[0].Values.Mobile, default)))).Code);

        // The same export as an Excel workbook.
        var xlsx = await ExportAsync(head, order with { Format = ExportFormat.Xlsx });
        Assert.EndsWith(".xlsx.gpg", xlsx.FileName, StringComparison.Ordinal);
        Assert.Equal("PK", Encoding.ASCII.GetString(OpenPgpPackage.Open(xlsx.Content, Passphrase), 0, 2));
    }

    /// <summary>A value a spreadsheet would run as a formula stays text: apostrophed in CSV wherever a cell could start, a plain text cell in XLSX.</summary>
    [Fact]
    public async Task Formulas_in_values_stay_text_in_exports_csv_and_xlsx()
    {
        var department = await app.DepartmentAsync();
        var head = await app.CreatePersonAsync(Roles.DepartmentHead, departments: [department]);
        var deputy = await app.CreatePersonAsync(Roles.DepartmentHead, departments: [department]);
        Customer customer;
        using (var scope = app.ActAs(head))
        {
            customer = await scope.ServiceProvider.GetRequiredService<CustomerService>().CreateAsync(new NewCustomer(CustomerKind.Individual, department, null, Clearance.Secret,
                new Dictionary<string, string?> { [FieldCatalogue.Name] = "公式客户", [FieldCatalogue.ServiceNotes] = "=HYPERLINK(\"http://x\"),=cmd|' /C calc'!A0" }), default);
        }

        await app.ApprovedAsync(head, new NewRequest(RequestKind.Export, "核对服务记录", Customer: customer.Id), deputy);
        var order = new ExportOrder("verification", Passphrase, Customers: [customer.Id], Fields: [FieldCatalogue.Name, FieldCatalogue.ServiceNotes]);
        Task<CopyFile> ExportAsync(ExportOrder o) => app.AsAsync(head, s => s.GetRequiredService<CopyService>().ExportAsync(o, default));
        var csv = Encoding.UTF8.GetString(OpenPgpPackage.Open((await ExportAsync(order)).Content, Passphrase));
        Assert.Contains("\"'=HYPERLINK(\"\"http://x\"\"),'=cmd|' /C calc'!A0\"", csv, StringComparison.Ordinal);

        var workbook = OpenPgpPackage.Open((await ExportAsync(order with { Format = ExportFormat.Xlsx })).Content, Passphrase);
        using var zip = new System.IO.Compression.ZipArchive(new MemoryStream(workbook));
        var sheet = new StreamReader(zip.GetEntry("xl/worksheets/sheet1.xml")!.Open()).ReadToEnd();
        Assert.Contains("=HYPERLINK(&quot;http://x&quot;),=cmd", sheet.Replace("\"", "&quot;", StringComparison.Ordinal), StringComparison.Ordinal); // the text, no apostrophe shown
        Assert.DoesNotContain("<x:f>", sheet, StringComparison.Ordinal); // and no formula
        Assert.DoesNotContain("'=HYPERLINK", sheet, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_share_outside_needs_the_general_manager_and_a_valid_nda_EXP_1()
    {
        var department = await app.DepartmentAsync();
        var head = await app.CreatePersonAsync(Roles.DepartmentHead, departments: [department]);
        var deputy = await app.CreatePersonAsync(Roles.DepartmentHead, departments: [department]);
        var manager = await app.CreatePersonAsync(Roles.GeneralManager, departments: [department]);
        var (customer, _) = await app.CustomerAsync(head, department, 90);
        var today = DateOnly.FromDateTime(app.Factory.Time.GetUtcNow().ToOffset(TimeSpan.FromHours(8)).DateTime);

        // The partner from the register, with an agreement in force; another whose agreement has ended.
        var officer = await app.CreatePersonAsync(Roles.ComplianceOfficer);
        var (developer, lapsed) = await app.AsAsync(officer, async s =>
        {
            var register = s.GetRequiredService<Features.Partners.PartnerService>();
            var scan = "%PDF-1.4 signed"u8.ToArray();
            var a = await register.AddAsync(new Features.Partners.NewPartner("某开发商有限公司" + department, CreditCodes.Next(), "刘经理", "13800138000"), default);
            await register.RecordAgreementAsync(a.Id, new Features.Partners.NewPartnerAgreement("NDA-2026-017", "交付客户名单核对", today.AddDays(-10), today.AddDays(90), "刘经理", scan), default);
            var b = await register.AddAsync(new Features.Partners.NewPartner("旧合作方" + department, CreditCodes.Next(), "周经理", "13900139000"), default);
            await register.RecordAgreementAsync(b.Id, new Features.Partners.NewPartnerAgreement("NDA-2025-003", "旧项目", today.AddDays(-400), today.AddDays(-1), "周经理", scan), default);
            return (a, b);
        });
        var order = new ExportOrder("service", Passphrase, Customers: [customer.Id], Share: new ShareTerms(developer.Id));
        Task<CopyFile> ShareAsync(ExportOrder o) => app.AsAsync(head, s => s.GetRequiredService<CopyService>().ExportAsync(o, default));

        Assert.Equal("ApprovalRequired", (await Assert.ThrowsAsync<CustosException>(() => ShareAsync(order))).Code);
        await app.ApprovedAsync(head, new NewRequest(RequestKind.ShareExternal, "交付开发商核对", Customer: customer.Id, Partner: developer.Id), deputy, manager);

        // Approved for the developer, taken to another partner in force: refused, recorded.
        var other = await app.TestPartnerAsync();
        Assert.Equal("SharePartnerNotApproved", (await Assert.ThrowsAsync<CustosException>(() => ShareAsync(order with { Share = new ShareTerms(other) }))).Code);
        Assert.Contains("partner-not-approved", (await app.LastEntryAsync(head, "customer.share")).Detail, StringComparison.Ordinal);

        // The approval for this customer does not cover another one: nothing leaves.
        var (neighbour, _) = await app.CustomerAsync(head, department, 91);
        Assert.Equal(CustosError.Forbidden, (await Assert.ThrowsAsync<CustosException>(() => ShareAsync(order with { Customers = [customer.Id, neighbour.Id] }))).Kind);
        // A customer of another department does not exist for the head: "not found", as for an unknown id.
        var elsewhere = await app.DepartmentAsync();
        var (foreign, _) = await app.CustomerAsync(await app.CreatePersonAsync(Roles.DepartmentHead, departments: [elsewhere]), elsewhere, 92);
        Assert.Equal(CustosError.NotFound, (await Assert.ThrowsAsync<CustosException>(() => ShareAsync(order with { Customers = [customer.Id, foreign.Id] }))).Kind);
        Assert.Equal(CustosError.NotFound, (await Assert.ThrowsAsync<CustosException>(() => ShareAsync(order with { Customers = [customer.Id, Guid.NewGuid()] }))).Kind);
        Assert.Equal("ShareNdaInvalid", (await Assert.ThrowsAsync<CustosException>(() => ShareAsync(order with { Share = new ShareTerms(lapsed.Id) }))).Code);
        Assert.Equal("ShareNdaInvalid", (await Assert.ThrowsAsync<CustosException>(() => ShareAsync(order with { Share = new ShareTerms(Guid.NewGuid()) }))).Code);
        var refusals = await app.WithDbAsync(db => db.AuditRecords.Where(a => a.ActorId == head.Id.ToString() && a.Action == "customer.share" && a.Outcome == AuditOutcome.Denied).Select(a => a.Detail!).ToListAsync());
        Assert.Contains(refusals, d => d.Contains("nda-not-in-force", StringComparison.Ordinal)); // the reason an investigator needs, not just a 400
        Assert.Contains(refusals, d => d.Contains("partner-unknown", StringComparison.Ordinal));

        var file = await ShareAsync(order);
        Assert.StartsWith("custos-S-", file.FileName, StringComparison.Ordinal);
        var copy = await app.WithDbAsync(db => db.Copies.SingleAsync(c => c.Serial == file.Serial));
        Assert.Equal((CopyKind.Share, "某开发商有限公司" + department, "NDA-2026-017", developer.Id), (copy.Kind, copy.Recipient, copy.NdaReference, copy.PartnerId));
        Assert.Equal(AuditOutcome.Success, (await app.LastEntryAsync(head, "customer.share")).Outcome);
    }

    [Fact]
    public async Task Print_and_export_over_the_api_return_the_file_only_after_recording_it()
    {
        var department = await app.DepartmentAsync();
        var head = await app.CreatePersonAsync(Roles.DepartmentHead, departments: [department]);
        var clerk = await app.CreatePersonAsync(Roles.Staff, departments: [department]);
        var (customer, _) = await app.CustomerAsync(head, department, 97);
        await app.ApprovedAsync(clerk, new NewRequest(RequestKind.Print, "客户要求", Customer: customer.Id), head);
        var web = app.Session();
        await web.SignInAsync(clerk.UserName!);

        var response = await web.Client.PostAsJsonAsync($"/api/v1/customers/{customer.Id}/print", new { purpose = "service" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/pdf", response.Content.Headers.ContentType!.MediaType);
        var serial = PdfText.Of(await response.Content.ReadAsByteArrayAsync()).Split(' ', '\n').First(w => w.StartsWith("P-", StringComparison.Ordinal));
        Assert.True(await app.WithDbAsync(db => db.AuditRecords.AnyAsync(a => a.Action == "customer.print" && a.Outcome == AuditOutcome.Success && a.Detail!.Contains(serial))));

        // Someone else's customer does not exist for the clerk; an export without approval is refused.
        Assert.Equal(HttpStatusCode.NotFound, (await web.Client.PostAsJsonAsync($"/api/v1/customers/{Guid.NewGuid()}/print", new { purpose = "service" })).StatusCode);
        var export = await web.Client.PostAsJsonAsync("/api/v1/exports", new { purpose = "service", passphrase = Passphrase, department });
        Assert.Equal(HttpStatusCode.Forbidden, export.StatusCode);
    }
}

public sealed class CopyTestsOnSqlite(SqliteApp app) : CopyTests<SqliteApp>(app);

public sealed class CopyTestsOnPostgres(PostgresApp app) : CopyTests<PostgresApp>(app);
