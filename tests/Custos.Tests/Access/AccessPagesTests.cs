using System.Net;
using Custos.Features.Customers;
using Custos.Features.Organisation;
using Custos.Features.People;
using Custos.Kernel.Classification;
using Custos.Kernel.Policy;
using Custos.Tests.Infrastructure;

namespace Custos.Tests.Access;

/// <summary>The pages a clerk and a department head use: ask to reveal from the customer page, approve, reveal; the inbox; the policy page's line errors.</summary>
public sealed class AccessPagesTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    [Fact]
    public async Task A_clerk_asks_to_reveal_from_the_customer_page_the_head_approves_and_the_clerk_reveals()
    {
        var code = app.UniqueName("PG").ToUpperInvariant();
        using (var scope = app.Factory.Services.CreateScope())
        {
            await scope.ServiceProvider.GetRequiredService<OrganisationService>().AddDepartmentAsync(code, "部门" + code, default);
        }

        var head = await app.CreatePersonAsync(Roles.DepartmentHead, departments: [code]);
        var clerk = await app.CreatePersonAsync(Roles.Staff, departments: [code]);
        var synthetic = new Features.Demo.SyntheticCustomers(81).Generate(1).Single();
        Customer customer;
        using (var scope = app.ActAs(head))
        {
            customer = await scope.ServiceProvider.GetRequiredService<CustomerService>().CreateAsync(new NewCustomer(CustomerKind.Individual, code, null, Clearance.Secret,
                new Dictionary<string, string?> { [FieldCatalogue.Name] = synthetic.Name, [FieldCatalogue.IdNumber] = synthetic.IdNumber }), default);
        }

        using var clerkWeb = app.Session();
        await clerkWeb.SignInAsync(clerk.UserName!);
        var (_, details) = await clerkWeb.GetPageAsync($"/customers/{customer.Id}");
        var ask = details.QuerySelector($"tr[data-field='{FieldCatalogue.IdNumber}'] a.request-link")!.GetAttribute("href")!;
        Assert.Contains("kind=reveal", ask, StringComparison.Ordinal);

        var submitted = await clerkWeb.SubmitAsync(ask, "#request-form", new Dictionary<string, string>
        {
            ["kind"] = "reveal", ["customer"] = customer.Id.ToString(), ["field"] = FieldCatalogue.IdNumber, ["hours"] = "2", ["reason"] = "客户来电核对身份",
        });
        var afterSubmit = await WebSession.ParseAsync(submitted);
        Assert.NotNull(afterSubmit.QuerySelector("#request-notice"));
        Assert.Single(afterSubmit.QuerySelectorAll("#my-requests tbody tr"));

        using var headWeb = app.Session();
        await headWeb.SignInAsync(head.UserName!);
        await headWeb.EnrolMfaAsync();
        var (_, approvals) = await headWeb.GetPageAsync("/approvals");
        var form = approvals.QuerySelector("form[data-request]")!;
        var decided = await headWeb.SubmitAsync("/approvals", $"form[data-request='{form.GetAttribute("data-request")}']",
            new Dictionary<string, string> { ["decision"] = "approve", ["note"] = "同意" });
        Assert.NotNull((await WebSession.ParseAsync(decided)).QuerySelector("#nothing-to-approve"));

        var (_, requests) = await clerkWeb.GetPageAsync("/requests");
        Assert.Single(requests.QuerySelectorAll("#my-grants tbody tr"));
        var revealed = await clerkWeb.SubmitAsync($"/customers/{customer.Id}", $"tr[data-field='{FieldCatalogue.IdNumber}'] form", new Dictionary<string, string> { ["purpose"] = "verification" });
        Assert.Equal(synthetic.IdNumber, (await WebSession.ParseAsync(revealed)).QuerySelector("#revealed-value")!.TextContent);

        var (_, inbox) = await clerkWeb.GetPageAsync("/inbox");
        Assert.Contains("批准", inbox.QuerySelector("#inbox")!.TextContent, StringComparison.Ordinal);
        Assert.Contains("超密级查看", inbox.QuerySelector("#inbox")!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_policy_page_lists_each_mistake_with_its_line_and_is_closed_to_staff()
    {
        var admin = await app.AdminSessionAsync();
        var bad = DefaultPolicy.Yaml.Replace("version: 1", "version: 50", StringComparison.Ordinal).Replace("scope: projects", "scope: galaxy", StringComparison.Ordinal);
        var response = await admin.SubmitAsync("/policy", "#policy-form", new Dictionary<string, string> { ["text"] = bad, ["note"] = "" });
        var page = await WebSession.ParseAsync(response);
        var line = bad.Split('\n').ToList().FindIndex(l => l.Contains("galaxy", StringComparison.Ordinal)) + 1;
        Assert.Contains($"第 {line} 行", page.QuerySelector("#policy-errors")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("第 1 版", page.QuerySelector("#policy-version")!.TextContent);

        var clerk = await app.CreatePersonAsync(Roles.Staff);
        using var clerkWeb = app.Session();
        await clerkWeb.SignInAsync(clerk.UserName!);
        var refused = await clerkWeb.Client.GetAsync("/policy");
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }
}
