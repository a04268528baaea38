using System.Text;
using Custos.Features.Access;
using Custos.Features.Copies;
using Custos.Features.Customers;
using Custos.Features.Imports;
using Custos.Features.People;
using Custos.Hosting;
using Custos.Kernel.Policy;
using Custos.Security;
using Custos.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Custos.Tests.Imports;

/// <summary>
/// Lists received from a third party (EXP-3): one owner; the customers view-only for everyone (no export or print, even
/// with an approved request); verified by someone other than the importer (or the owner confirming every row); the
/// owner asked, and reminded once per interval, to destroy the received list under a witness who is not the operator.
/// </summary>
public abstract class ThirdPartyListTests<TApp>(TApp app) : IClassFixture<TApp>, IDisposable
    where TApp : CustosApp
{
    private readonly string dir = TestPaths.NewDataDir("third-party-files");

    private const string Passphrase = "长城-Great-Wall-2026";

    private string Write(int seed, int count)
    {
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, $"list{seed}.csv");
        var rows = new Custos.Features.Demo.SyntheticCustomers(seed).Generate(count).Select(c => $"{c.Name},{c.IdNumber},{c.Mobile}");
        File.WriteAllText(path, "姓名,身份证号,手机\r\n" + string.Join("\r\n", rows) + "\r\n", new UTF8Encoding(false));
        return path;
    }

    private async Task<ImportOutcome> ImportAsync(Person importer, string department, string path, string? thirdParty, string? owner = null)
    {
        using var scope = app.ActAs(importer);
        var service = scope.ServiceProvider.GetRequiredService<ImportService>();
        Stream Open() => File.OpenRead(path);
        var preview = ImportService.Preview(Open, path, Kernel.Classification.FieldCatalogue.Default);
        return await service.ImportAsync(Open, path, new ImportOptions(
            preview.Suggested, department, null, Clearance.Secret, "开发商提供", "楼盘客户回访", "客户书面同意", null, ThirdParty: thirdParty, Owner: owner), null, default);
    }

    private Task<T> As<T>(Person person, Func<ReceivedListService, Task<T>> call) =>
        app.AsAsync(person, s => call(s.GetRequiredService<ReceivedListService>()));

    private Task<int> Told(Person person, string kind) =>
        app.WithDbAsync(db => db.Notifications.CountAsync(n => n.RecipientId == person.Id && n.Kind == kind));

    [Fact]
    public async Task A_third_party_lists_customers_are_view_only_for_everyone_even_with_an_approved_export_EXP_3()
    {
        var department = await app.DepartmentAsync();
        var head = await app.CreatePersonAsync(Roles.DepartmentHead, departments: [department]);
        var deputy = await app.CreatePersonAsync(Roles.DepartmentHead, departments: [department]);
        var stranger = await app.CreatePersonAsync(Roles.Staff, departments: [await app.DepartmentAsync()]);

        Assert.Equal("ReceivedListOwner", (await Assert.ThrowsAsync<CustosException>(() => ImportAsync(head, department, Write(5101, 2), "某开发商", stranger.UserName))).Code);
        var received = await ImportAsync(head, department, Write(5102, 3), "某开发商");
        Assert.True(received.Imported, string.Join("; ", received.Errors));
        var own = await ImportAsync(head, department, Write(5103, 2), null);
        Assert.True(own.Imported);

        var record = await app.WithDbAsync(db => db.Collections.SingleAsync(c => c.Id == received.CollectionId));
        Assert.Equal(("某开发商", head.Id, head.Id), (record.ThirdParty, record.OwnerId, record.ImportedById));
        var theirs = await app.WithDbAsync(db => db.Customers.Where(c => c.CollectionId == received.CollectionId).Select(c => c.Id).ToListAsync());
        var ours = await app.WithDbAsync(db => db.Customers.Where(c => c.CollectionId == own.CollectionId).Select(c => c.Id).ToListAsync());
        Assert.Equal(3, theirs.Count);
        Assert.True(await app.WithDbAsync(db => db.Customers.Where(c => theirs.Contains(c.Id)).AllAsync(c => c.ViewOnly)));
        Assert.False(await app.WithDbAsync(db => db.Customers.Where(c => ours.Contains(c.Id)).AnyAsync(c => c.ViewOnly)));

        // Seen, and shown view-only to the owner themselves.
        var detail = await app.AsAsync(head, s => s.GetRequiredService<CustomerService>().GetAsync(theirs[0], default));
        Assert.True(detail.ViewOnly);
        Assert.True(detail.FromThirdParty);
        Assert.False(detail.MayExport);

        // An approved export of the department: its own customers could leave, the third party's cannot — so nothing leaves.
        await app.ApprovedAsync(head, new NewRequest(RequestKind.Export, "季度回访名单", Department: department), deputy);
        Task<CopyFile> ExportAsync(ExportOrder order) => app.AsAsync(head, s => s.GetRequiredService<CopyService>().ExportAsync(order, default));
        var refused = await Assert.ThrowsAsync<CustosException>(() => ExportAsync(new ExportOrder("verification", Passphrase, Department: department)));
        Assert.Equal("Policy.ViewOnlyRecord", refused.Code);
        Assert.Equal("Policy.ViewOnlyRecord", (await Assert.ThrowsAsync<CustosException>(() => ExportAsync(new ExportOrder("verification", Passphrase, Customers: [theirs[0]])))).Code);
        var file = await ExportAsync(new ExportOrder("verification", Passphrase, Customers: ours));
        Assert.NotEmpty(file.Content);
        var denied = await app.WithDbAsync(db => db.AuditRecords.Where(a => a.ActorId == head.Id.ToString() && a.Action == AuditActions.CustomerExport && a.Outcome == AuditOutcome.Denied)
            .OrderByDescending(a => a.Id).FirstAsync());
        Assert.Contains("third-party-view-only", denied.Detail!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_list_is_verified_by_someone_else_and_destroyed_by_its_owner_under_a_witness_who_is_not_the_operator()
    {
        var department = await app.DepartmentAsync();
        var head = await app.CreatePersonAsync(Roles.DepartmentHead, departments: [department]);
        var owner = await app.CreatePersonAsync(Roles.Staff, departments: [department]);
        var checker = await app.CreatePersonAsync(Roles.Staff, departments: [department]);
        var officer = await app.CreatePersonAsync(Roles.ComplianceOfficer);
        var outsider = await app.CreatePersonAsync(Roles.Staff, departments: [await app.DepartmentAsync()]);
        var departed = await app.CreatePersonAsync(Roles.Staff, departments: [department]);
        await app.WithDbAsync(async db =>
        {
            (await db.Users.SingleAsync(u => u.Id == departed.Id)).EmploymentStatus = EmploymentStatus.Departed;
            return await db.SaveChangesAsync();
        });

        var imported = await ImportAsync(head, department, Write(5201, 2), "某开发商", owner.UserName);
        var id = imported.CollectionId!.Value;
        Assert.Equal(owner.Id, (await As(head, s => s.GetAsync(id, default))).OwnerId);

        // Nobody outside sees it; the importer does not verify their own entries; nothing is destroyed before it is verified.
        Assert.Equal(CustosError.NotFound, (await Assert.ThrowsAsync<CustosException>(() => As(outsider, s => s.VerifyAsync(id, new VerifyOrder(), default)))).Kind);
        Assert.DoesNotContain(await As(outsider, s => s.ListAsync(default)), l => l.Id == id);
        Assert.Equal("ReceivedListVerifierIsImporter", (await Assert.ThrowsAsync<CustosException>(() => As(head, s => s.VerifyAsync(id, new VerifyOrder(true), default)))).Code);
        Assert.Equal("ReceivedListNotVerified", (await Assert.ThrowsAsync<CustosException>(() =>
            As(owner, s => s.RecordDestroyedAsync(id, new ReceivedDestroyOrder(ReceivedDestroyMethod.ShreddedPaper, checker.UserName), default)))).Code);

        // Verified by a colleague: the owner is asked to destroy it; owner and compliance see it awaiting destruction.
        var verified = await As(checker, s => s.VerifyAsync(id, new VerifyOrder(), default));
        Assert.Equal((ReceivedListStatus.AwaitingDestruction, checker.DisplayName, false), (verified.Status, verified.VerifiedBy, verified.VerifiedByOwner));
        Assert.Equal(1, await Told(owner, "Notify.ReceivedListDestroy"));
        Assert.Equal(ReceivedListStatus.AwaitingDestruction, (await As(officer, s => s.ListAsync(default))).Single(l => l.Id == id).Status);
        Assert.Equal(ReceivedListStatus.AwaitingDestruction, (await As(owner, s => s.ListAsync(default))).Single(l => l.Id == id).Status);
        Assert.Equal("ReceivedListVerified", (await Assert.ThrowsAsync<CustosException>(() => As(checker, s => s.VerifyAsync(id, new VerifyOrder(), default)))).Code);

        // Not verified-and-destroyed yet: reminded once per interval, however often the worker runs.
        app.Factory.Time.Advance(TimeSpan.FromDays(8));
        for (var run = 0; run < 2; run++)
        {
            using var scope = app.AsSystem();
            await scope.ServiceProvider.GetRequiredService<ReceivedListService>().RemindAsync(default);
        }

        Assert.Equal(1, await Told(owner, "Notify.ReceivedListDestroyReminder"));

        // Only the owner records it; the witness is another active person, never the operator.
        Task<ReceivedListView> Destroy(Person by, ReceivedDestroyOrder order) => As(by, s => s.RecordDestroyedAsync(id, order, default));
        Assert.Equal("ReceivedListOwnerOnly", (await Assert.ThrowsAsync<CustosException>(() => Destroy(head, new(ReceivedDestroyMethod.ShreddedPaper, checker.UserName)))).Code);
        Assert.Equal("ReceivedListWitnessIsOperator", (await Assert.ThrowsAsync<CustosException>(() => Destroy(owner, new(ReceivedDestroyMethod.ShreddedPaper, owner.UserName)))).Code);
        Assert.Equal("ReceivedListWitnessIsOperator", (await Assert.ThrowsAsync<CustosException>(() => Destroy(owner, new(ReceivedDestroyMethod.ShreddedPaper, checker.UserName, checker.UserName)))).Code);
        Assert.Equal("ReceivedListWitness", (await Assert.ThrowsAsync<CustosException>(() => Destroy(owner, new(ReceivedDestroyMethod.ShreddedPaper, departed.UserName)))).Code);
        Assert.Equal("ReceivedListWitnessRequired", (await Assert.ThrowsAsync<CustosException>(() => Destroy(owner, new(ReceivedDestroyMethod.ShreddedPaper, null)))).Code);

        var destroyed = await Destroy(owner, new(ReceivedDestroyMethod.Both, checker.UserName));
        Assert.Equal((ReceivedListStatus.Destroyed, owner.DisplayName, checker.DisplayName, false), (destroyed.Status, destroyed.Operator, destroyed.Witness, destroyed.CustosKeepsCopy));
        var entry = await app.LastEntryAsync(owner, AuditActions.ImportReceivedDestroy);
        Assert.Equal((AuditOutcome.Success, id.ToString()), (entry.Outcome, entry.TargetId));
        Assert.Contains(checker.Id.ToString(), entry.Detail!, StringComparison.Ordinal);
        Assert.Equal("ReceivedListDestroyed", (await Assert.ThrowsAsync<CustosException>(() => Destroy(owner, new(ReceivedDestroyMethod.Both, checker.UserName)))).Code);

        // Destroyed: no more reminders.
        app.Factory.Time.Advance(TimeSpan.FromDays(8));
        using (var scope = app.AsSystem())
        {
            await scope.ServiceProvider.GetRequiredService<ReceivedListService>().RemindAsync(default);
        }

        Assert.Equal(1, await Told(owner, "Notify.ReceivedListDestroyReminder"));
    }

    [Fact]
    public async Task An_owner_who_imported_the_list_verifies_it_only_by_confirming_every_row()
    {
        var department = await app.DepartmentAsync();
        var head = await app.CreatePersonAsync(Roles.DepartmentHead, departments: [department]);
        var id = (await ImportAsync(head, department, Write(5301, 2), "某中介")).CollectionId!.Value;
        Assert.Equal(ReceivedListStatus.AwaitingVerification, (await As(head, s => s.GetAsync(id, default))).Status);

        Assert.Equal("ReceivedListConfirmAllRows", (await Assert.ThrowsAsync<CustosException>(() => As(head, s => s.VerifyAsync(id, new VerifyOrder(), default)))).Code);
        var verified = await As(head, s => s.VerifyAsync(id, new VerifyOrder(AllRowsConfirmed: true), default));
        Assert.True(verified.VerifiedByOwner);
        Assert.Equal(ReceivedListStatus.AwaitingDestruction, verified.Status);
    }

    [Fact]
    public async Task The_page_shows_a_received_list_awaiting_destruction_and_takes_the_verification_and_the_destruction()
    {
        var department = await app.DepartmentAsync();
        var head = await app.CreatePersonAsync(Roles.DepartmentHead, departments: [department]);
        var checker = await app.CreatePersonAsync(Roles.Staff, departments: [department]);
        var id = (await ImportAsync(head, department, Write(5401, 2), "某开发商")).CollectionId!.Value;
        var key = id.ToString("N");
        var signIns = new SignIns(app);
        using var checkerWeb = await signIns.AsAsync(checker, mfa: false);
        using var headWeb = await signIns.AsAsync(head);

        var verified = await WebSession.ParseAsync(await checkerWeb.SubmitAsync("/imports/received", "#verify-" + key, new Dictionary<string, string>()));
        Assert.NotNull(verified.QuerySelector("#received-done"));
        Assert.Null(verified.QuerySelector("#verify-" + key));
        Assert.Null(verified.QuerySelector("#destroyed-" + key)); // the checker is not the owner

        var (_, owners) = await headWeb.GetPageAsync("/imports/received");
        Assert.Contains("status-AwaitingDestruction", owners.QuerySelector("#received-" + key)!.InnerHtml, StringComparison.Ordinal);
        var refused = await WebSession.ParseAsync(await headWeb.SubmitAsync("/imports/received", "#destroyed-" + key,
            new Dictionary<string, string> { ["method"] = "ShreddedPaper", ["witness"] = head.UserName! }));
        Assert.NotNull(refused.QuerySelector("#received-error"));
        var done = await WebSession.ParseAsync(await headWeb.SubmitAsync("/imports/received", "#destroyed-" + key,
            new Dictionary<string, string> { ["method"] = "ShreddedPaper", ["witness"] = checker.UserName! }));
        Assert.NotNull(done.QuerySelector("#received-done"));
        Assert.Contains("status-Destroyed", done.QuerySelector("#received-" + key)!.InnerHtml, StringComparison.Ordinal);

        // The register, with the destruction and its witness; nobody outside the department finds the list in it.
        var xlsx = await headWeb.Client.GetByteArrayAsync("/api/v1/imports/received/register.xlsx");
        var cells = string.Join("|", MiniExcelLibs.MiniExcel.Query(new MemoryStream(xlsx)).Cast<IDictionary<string, object>>().SelectMany(r => r.Values).Select(v => v?.ToString()));
        Assert.Contains("某开发商", cells, StringComparison.Ordinal);
        Assert.Contains(checker.DisplayName, cells, StringComparison.Ordinal);
        var outsider = await app.CreatePersonAsync(Roles.Staff, departments: [await app.DepartmentAsync()]);
        using var outsiderWeb = await signIns.AsAsync(outsider, mfa: false);
        var theirs = await outsiderWeb.Client.GetByteArrayAsync("/api/v1/imports/received/register.xlsx");
        Assert.Contains("list5401.csv", cells, StringComparison.Ordinal);
        Assert.DoesNotContain("list5401.csv", string.Join("|", MiniExcelLibs.MiniExcel.Query(new MemoryStream(theirs)).Cast<IDictionary<string, object>>().SelectMany(r => r.Values).Select(v => v?.ToString())), StringComparison.Ordinal);
    }

    public void Dispose()
    {
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, true);
        }
    }
}

public sealed class ThirdPartyListTestsOnSqlite(SqliteApp app) : ThirdPartyListTests<SqliteApp>(app);

public sealed class ThirdPartyListTestsOnPostgres(PostgresApp app) : ThirdPartyListTests<PostgresApp>(app);
