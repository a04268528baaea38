using Custos.Tests.Infrastructure;

namespace Custos.Tests.Hosting;

/// <summary>The UI speaks Chinese by default and English on request.</summary>
public sealed class LanguageTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    [Fact]
    public async Task The_sign_in_page_is_chinese_by_default_and_english_after_switching()
    {
        using var web = app.Session();
        var (_, chinese) = await web.GetPageAsync("/account/login");
        Assert.Equal("zh-CN", chinese.DocumentElement.GetAttribute("lang"));
        Assert.Equal("登录", chinese.QuerySelector("h1")!.TextContent);

        var switched = await web.SubmitAsync("/account/login", "#culture-form", new Dictionary<string, string>(), [new("culture", "en")]);
        Assert.Equal("/account/login", WebSession.Location(switched));

        var (_, english) = await web.GetPageAsync("/account/login");
        Assert.Equal("en", english.DocumentElement.GetAttribute("lang"));
        Assert.Equal("Sign in", english.QuerySelector("h1")!.TextContent);
    }

    [Fact]
    public async Task Sign_in_errors_follow_the_language()
    {
        using var web = app.Session();
        await web.SubmitAsync("/account/login", "#culture-form", new Dictionary<string, string>(), [new("culture", "en")]);

        var response = await web.SignInAsync("nobody-" + Guid.NewGuid().ToString("N")[..6], "Wrong-Password-1");

        Assert.Equal("Wrong user name or password, or the account is locked for a while after repeated failures.", (await WebSession.ParseAsync(response)).QuerySelector("#login-error")!.TextContent.Trim());
    }

    [Fact]
    public async Task A_return_url_off_the_site_is_ignored()
    {
        using var web = app.Session();
        var switched = await web.SubmitAsync("/account/login", "#culture-form", new Dictionary<string, string> { ["returnUrl"] = "//evil.example/x" }, [new("culture", "en")]);
        Assert.Equal("/", WebSession.Location(switched));
    }

    [Fact]
    public void Both_languages_have_every_text_the_code_uses()
    {
        var root = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../src/Custos"));
        // Each folder's table in both languages, key for key; together, exactly what the running localiser serves.
        var zh = new HashSet<string>(StringComparer.Ordinal);
        var tables = Directory.EnumerateFiles(root, "Strings.resx", SearchOption.AllDirectories).Where(f => !f.Contains("/obj/", StringComparison.Ordinal) && !f.Contains("/bin/", StringComparison.Ordinal)).ToList();
        Assert.Contains(tables, t => t.EndsWith("Web/Strings.resx", StringComparison.Ordinal));
        foreach (var table in tables)
        {
            var chinese = Keys(table);
            Assert.Equal(chinese.Order(), Keys(Path.ChangeExtension(table, ".en.resx")).Order());
            Assert.Empty(chinese.Intersect(zh)); // a key lives in one folder only
            zh.UnionWith(chinese);
        }

        Assert.Equal(zh.Order(), Custos.Web.FeatureStrings.Keys().Keys.Order());

        var used = Directory.EnumerateFiles(root, "*.*", SearchOption.AllDirectories)
            .Where(f => (f.EndsWith(".razor", StringComparison.Ordinal) || f.EndsWith(".cs", StringComparison.Ordinal)) && !f.Contains("/obj/", StringComparison.Ordinal))
            .SelectMany(f => System.Text.RegularExpressions.Regex.Matches(File.ReadAllText(f), @"(?:T|text)\[""([A-Za-z0-9_.]+)""").Select(m => m.Groups[1].Value))
            .Where(k => !k.EndsWith('.'))
            .ToHashSet();
        Assert.NotEmpty(used);
        Assert.Empty(used.Except(zh));

        // Keys built at run time: roles, clearances, statuses and error codes.
        foreach (var role in Custos.Features.People.Roles.TokenScopes)
        {
            Assert.Contains("Role." + role, zh);
        }

        foreach (var role in Custos.Features.People.Roles.All)
        {
            Assert.Contains("RoleDuty." + role, zh);
        }

        foreach (var c in Enum.GetNames<Custos.Features.People.Clearance>())
        {
            Assert.Contains("Clearance." + c, zh);
        }

        foreach (var s in Enum.GetNames<Custos.Features.People.EmploymentStatus>())
        {
            Assert.Contains("Status." + s, zh);
        }

        foreach (var field in Custos.Kernel.Classification.FieldCatalogue.Default.Fields)
        {
            Assert.Contains("Field." + field.Name, zh);
            Assert.Contains("Group." + field.Group, zh);
            Assert.Contains("Level." + (int)field.Level, zh);
        }

        foreach (var purpose in new Custos.Hosting.CustosSettings().RevealPurposes)
        {
            Assert.Contains("Purpose." + purpose, zh);
        }

        foreach (var kind in Enum.GetNames<Custos.Features.Customers.CustomerKind>())
        {
            Assert.Contains("Kind." + kind, zh);
        }

        foreach (var reason in Enum.GetNames<Custos.Kernel.Classification.InvalidReason>())
        {
            Assert.Contains("Error.InvalidField." + reason, zh);
        }

        var errorCodes = Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .SelectMany(f => System.Text.RegularExpressions.Regex.Matches(File.ReadAllText(f), @"CustosException\.(?:Invalid|NotFound|Conflict)\(""([A-Za-z]+)""").Select(m => m.Groups[1].Value));
        Assert.Empty(errorCodes.Select(c => "Error." + c).Except(zh));
    }

    private static HashSet<string> Keys(string path) =>
        System.Xml.Linq.XDocument.Load(path).Root!.Elements("data").Select(e => e.Attribute("name")!.Value).ToHashSet();
}
