using System.Net;
using Custos.Features.Access;
using Custos.Features.Customers;
using Custos.Features.Organisation;
using Custos.Features.People;
using Custos.Kernel.Classification;
using Custos.Kernel.Policy;
using Custos.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Custos.Tests.Destruction;

/// <summary>Destruction from the customer page and the register page (DST-1, DST-2).</summary>
public sealed class DestructionPagesTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    [Fact]
    public async Task An_approved_destruction_is_done_from_the_customer_page_and_shown_in_the_register()
    {
        var department = await app.DepartmentAsync();
        var head = await app.CreatePersonAsync(Roles.DepartmentHead, departments: [department]);
        var (customer, _) = await app.CustomerAsync(head, department, 61);
        var officer = await app.CreatePersonAsync(Roles.InformationOfficer, departments: [department]);
        var compliance = await app.CreatePersonAsync(Roles.ComplianceOfficer, departments: [department]);
        await app.ApprovedAsync(officer, new NewRequest(RequestKind.Destroy, "合同终止，按制度销毁", Customer: customer.Id), head, compliance);
        using var web = app.Session();
        await web.SignInAsync(officer.UserName!);
        await web.EnrolMfaAsync();
        Assert.NotNull((await web.GetPageAsync($"/customers/{customer.Id}")).Page.QuerySelector("#lend-form"));

        var unconfirmed = await web.SubmitAsync($"/customers/{customer.Id}", "#destroy-form", new Dictionary<string, string> { ["note"] = "无" });
        Assert.NotNull((await WebSession.ParseAsync(unconfirmed)).QuerySelector("#copy-error"));
        Assert.True(await app.WithDbAsync(db => db.Customers.AnyAsync(c => c.Id == customer.Id)));

        var destroyed = await web.SubmitAsync($"/customers/{customer.Id}", "#destroy-form", new Dictionary<string, string> { ["confirm"] = "yes", ["note"] = "监销完成" });
        Assert.Equal(HttpStatusCode.Redirect, destroyed.StatusCode);
        var (_, register) = await web.GetPageAsync(WebSession.Location(destroyed));
        Assert.Contains(compliance.DisplayName, register.QuerySelector("#destroyed")!.TextContent, StringComparison.Ordinal);
        Assert.Contains(customer.Id.ToString(), register.QuerySelector("#destructions")!.TextContent, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await web.GetPageAsync($"/customers/{customer.Id}")).Response.StatusCode);
    }
}
