using System.Net;
using Custos.Features.Access;
using Custos.Features.Customers;
using Custos.Features.Organisation;
using Custos.Features.People;
using Custos.Kernel.Classification;
using Custos.Kernel.Policy;
using Custos.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Custos.Tests.Copies;

/// <summary>The pages a clerk uses to print, export and destroy (PRT-1, EXP-1, DST-2): what they offer follows the policy.</summary>
public sealed class CopyPagesTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    private async Task<(string Department, Person Head, Customer Customer)> SetUpAsync()
    {
        var code = app.UniqueName("CP").ToUpperInvariant();
        using (var scope = app.Factory.Services.CreateScope())
        {
            await scope.ServiceProvider.GetRequiredService<OrganisationService>().AddDepartmentAsync(code, "部门" + code, default);
        }

        var head = await app.CreatePersonAsync(Roles.DepartmentHead, departments: [code]);
        var synthetic = new Features.Demo.SyntheticCustomers(61).Generate(1).Single();
        using var act = app.ActAs(head);
        var customer = await act.ServiceProvider.GetRequiredService<CustomerService>().CreateAsync(new NewCustomer(CustomerKind.Individual, code, null, Clearance.Secret,
            new Dictionary<string, string?> { [FieldCatalogue.Name] = synthetic.Name, [FieldCatalogue.Mobile] = synthetic.Mobile }), default);
        return (code, head, customer);
    }

    private async Task ApproveAsync(Person requester, NewRequest request, params Person[] approvers)
    {
        Guid id;
        using (var scope = app.ActAs(requester))
        {
            id = (await scope.ServiceProvider.GetRequiredService<RequestService>().SubmitAsync(request, default)).Id;
        }

        foreach (var approver in approvers)
        {
            using var scope = app.ActAs(approver);
            await scope.ServiceProvider.GetRequiredService<RequestService>().DecideAsync(id, true, null, default);
        }
    }

    [Fact]
    public async Task A_clerk_asks_to_print_then_prints_from_the_customer_page_and_hands_the_copy_back()
    {
        var (_, head, customer) = await SetUpAsync();
        var clerk = await app.CreatePersonAsync(Roles.Staff, departments: [(await app.WithDbAsync(db => db.Departments.SingleAsync(d => d.Id == customer.DepartmentId))).Code]);
        using var web = app.Session();
        await web.SignInAsync(clerk.UserName!);

        var (_, before) = await web.GetPageAsync($"/customers/{customer.Id}");
        Assert.Null(before.QuerySelector("#print-form"));
        Assert.Contains("kind=print", before.QuerySelector("#ask-print")!.GetAttribute("href")!, StringComparison.Ordinal);
        Assert.Null(before.QuerySelector("#destroy-form"));
        // Staff could not be approved to destroy or export under the built-in policy: the page does not offer it.
        Assert.Null(before.QuerySelector("#ask-destroy"));
        Assert.Null(before.QuerySelector("#export-one"));

        await ApproveAsync(clerk, new NewRequest(RequestKind.Print, "客户要求纸质确认", Customer: customer.Id), head);
        var printed = await web.SubmitAsync($"/customers/{customer.Id}", "#print-form", new Dictionary<string, string> { ["purpose"] = "service", ["recipient"] = "李四", ["useByDays"] = "2" });
        Assert.Equal(HttpStatusCode.OK, printed.StatusCode);
        Assert.Equal("application/pdf", printed.Content.Headers.ContentType!.MediaType);
        Assert.Contains("李四", PdfText.Of(await printed.Content.ReadAsByteArrayAsync()), StringComparison.Ordinal);

        // A forged form (no anti-forgery token) prints nothing.
        using var forged = new FormUrlEncodedContent(new Dictionary<string, string> { ["purpose"] = "service" });
        Assert.Equal("/error/400", WebSession.Location(await web.Client.PostAsync($"/customers/{customer.Id}/print", forged)));

        // A refused print goes back to the customer page with the reason.
        var refused = await web.SubmitAsync($"/customers/{customer.Id}", "#print-form", new Dictionary<string, string> { ["purpose"] = "service", ["useByDays"] = "365" });
        Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
        var (_, back) = await web.GetPageAsync(WebSession.Location(refused));
        Assert.Contains("使用天数", back.QuerySelector("#copy-error")!.TextContent, StringComparison.Ordinal);

        // The paper archive is lent from the same page (PRT-3).
        var lent = await web.SubmitAsync($"/customers/{customer.Id}", "#lend-form", new Dictionary<string, string> { ["purpose"] = "complaint", ["borrower"] = "王五", ["days"] = "3" });
        Assert.Contains("王五", (await WebSession.ParseAsync(lent)).QuerySelector("#loan-notice")!.TextContent, StringComparison.Ordinal);

        var (_, ledger) = await web.GetPageAsync("/copies");
        Assert.Equal(2, ledger.QuerySelectorAll("#ledger tbody tr").Length);
        var row = ledger.QuerySelectorAll("#ledger tbody tr").Single(r => r.GetAttribute("data-serial")!.StartsWith("P-", StringComparison.Ordinal));
        var serial = row.GetAttribute("data-serial")!;
        var returned = await web.SubmitAsync("/copies", $"tr[data-serial='{serial}'] form:first-of-type", new Dictionary<string, string>());
        Assert.Contains(serial, (await WebSession.ParseAsync(returned)).QuerySelector("#copy-notice")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(Features.Copies.CopyStatus.Returned, (await app.WithDbAsync(db => db.Copies.SingleAsync(c => c.Serial == serial))).Status);
    }

    [Fact]
    public async Task The_export_form_checks_the_passphrase_and_hands_out_the_sealed_file()
    {
        var (department, head, _) = await SetUpAsync();
        var deputy = await app.CreatePersonAsync(Roles.DepartmentHead, departments: [department]);
        await ApproveAsync(head, new NewRequest(RequestKind.Export, "季度回访名单导出", Department: department), deputy);
        using var web = app.Session();
        await web.SignInAsync(head.UserName!);
        await web.EnrolMfaAsync();

        var fields = new Dictionary<string, string> { ["department"] = department, ["purpose"] = "service", ["passphrase"] = "一二三四五六七八九十-ok", ["passphrase2"] = "different-passphrase" };
        var mismatch = await web.SubmitAsync("/copies", "#export-form", fields);
        Assert.Equal(HttpStatusCode.Redirect, mismatch.StatusCode);
        var (_, page) = await web.GetPageAsync(WebSession.Location(mismatch));
        Assert.Contains("不一致", page.QuerySelector("#copy-error")!.TextContent, StringComparison.Ordinal);
        Assert.Null((await web.GetPageAsync("/copies")).Page.QuerySelector("#copy-error")); // said once

        // A forged form (no anti-forgery token) is refused before anything is read.
        using var forged = new FormUrlEncodedContent(new Dictionary<string, string>(fields) { ["passphrase2"] = fields["passphrase"] });
        Assert.Equal("/error/400", WebSession.Location(await web.Client.PostAsync("/copies/export", forged)));

        fields["passphrase2"] = fields["passphrase"];
        var sealedFile = await web.SubmitAsync("/copies", "#export-form", fields, [new("fields", FieldCatalogue.Name), new("fields", FieldCatalogue.Mobile)]);
        Assert.Equal(HttpStatusCode.OK, sealedFile.StatusCode);
        var csv = System.Text.Encoding.UTF8.GetString(OpenPgpPackage.Open(await sealedFile.Content.ReadAsByteArrayAsync(), fields["passphrase"]));
        Assert.Contains("手机", csv, StringComparison.Ordinal);
    }
}
