using Custos.Features.Customers;
using Custos.Features.People;
using Custos.Hosting;
using Custos.Kernel.Classification;
using Custos.Tests.Infrastructure;

namespace Custos.Tests.Classification;

/// <summary>An organisation changes field levels, masks and level names by configuration (CLS-1, ACC-3).</summary>
public sealed class ClassificationSettingsTests(ClassificationSettingsTests.ConfiguredApp app) : IClassFixture<ClassificationSettingsTests.ConfiguredApp>
{
    public sealed class ConfiguredApp : CustosApp
    {
        private readonly string dataDir = TestPaths.NewDataDir("classification");

        public override string Provider => "sqlite";

        protected override Task<Dictionary<string, string?>> SettingsAsync() => Task.FromResult(new Dictionary<string, string?>
        {
            ["Custos:DataDir"] = dataDir,
            ["Custos:Fields:income:Level"] = "3",
            ["Custos:Fields:mobile:Mask"] = "keep:0:4",
            ["Custos:Fields:employer:Mask"] = "Name",
            ["Custos:LevelNames:3:zh-CN"] = "三级保护",
            ["Custos:LevelNames:3:en"] = "Level 3 protection",
        });

        public override async Task DisposeAsync()
        {
            await base.DisposeAsync();
            TestPaths.Delete(dataDir);
        }
    }

    [Fact]
    public async Task Configured_levels_and_masks_apply_to_display_reveal_and_labels()
    {
        var person = await app.CreatePersonAsync(Roles.DepartmentHead);
        using var scope = app.ActAs(person);
        var customers = scope.ServiceProvider.GetRequiredService<CustomerService>();
        var created = await customers.CreateAsync(new NewCustomer(CustomerKind.Individual, null, null, Clearance.Secret, new Dictionary<string, string?>
        {
            [FieldCatalogue.Name] = "王芳",
            [FieldCatalogue.Mobile] = "13812345678",
            [FieldCatalogue.Income] = "年收入30万",
            [FieldCatalogue.Employer] = "上海某某有限公司",
        }), default);

        var detail = await customers.GetAsync(created.Id, default);
        var mobile = detail.Fields.Single(f => f.Field == FieldCatalogue.Mobile);
        var income = detail.Fields.Single(f => f.Field == FieldCatalogue.Income);
        Assert.Equal("*******5678", mobile.Masked); // keep:0:4 instead of the default 138****5678
        Assert.Equal("上*******", detail.Fields.Single(f => f.Field == FieldCatalogue.Employer).Masked);
        Assert.Equal(Sensitivity.Core, income.Level); // sensitive (2) by default
        var row = (await customers.ListAsync(null, null, 50, default)).Items.Single(c => c.Id == created.Id);
        Assert.Equal("*******5678", row.Mobile); // the list masks as configured too
        Assert.False(income.MayReveal);

        // Level 3 now needs clearance 3: a head with clearance 秘密 (1) is refused, as for any core field.
        var refused = await Assert.ThrowsAsync<CustosException>(() => customers.RevealAsync(created.Id, FieldCatalogue.Income, "verification", null, default));
        Assert.Equal("RevealNeedsGrant", refused.Code);

        var web = app.Session();
        await web.SignInAsync(person.UserName!);
        await web.EnrolMfaAsync();
        var (response, document) = await web.GetPageAsync($"/customers/{created.Id}");
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        var page = document.Body!.TextContent;
        Assert.Contains("三级保护", page, StringComparison.Ordinal);
        Assert.DoesNotContain("138****5678", page, StringComparison.Ordinal);
        Assert.Contains("*******5678", page, StringComparison.Ordinal);
    }

    [Fact]
    public void The_policies_defaults_stand_where_nothing_is_configured()
    {
        var catalogue = app.Factory.Services.GetRequiredService<FieldCatalogue>();
        Assert.Equal(Sensitivity.Core, catalogue.Find(FieldCatalogue.IdNumber)!.Level);
        Assert.Equal(Sensitivity.Sensitive, catalogue.Find(FieldCatalogue.Assets)!.Level);
        Assert.Equal(Sensitivity.Sensitive, FieldCatalogue.Default.Find(FieldCatalogue.Income)!.Level);
    }
}
