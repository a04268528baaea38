using Custos.Kernel.Policy;

namespace Custos.Kernel.Tests.Policy;

/// <summary>A policy file is validated whole; every problem names its line and column.</summary>
public sealed class PolicyFileTests
{
    private static PolicyParse Parse(string yaml) => PolicyFile.Parse(yaml, PolicyEngineTests.KnownRoles);

    [Fact]
    public void The_built_in_policy_is_valid_and_follows_the_seed_policies()
    {
        var parse = Parse(DefaultPolicy.Yaml);
        Assert.Empty(parse.Errors);
        var document = parse.Document!;
        Assert.Equal(1, document.Version);
        Assert.Equal(["general-manager"], document.Approvals[RequestKind.ShareExternal].Select(s => s.Role).Skip(1));
        Assert.Equal(ApproverRelation.Department, document.Approvals[RequestKind.Print][0].Of);
        Assert.False(document.Roles["information-officer"].Allow.Contains(PolicyAction.Import));
    }

    [Theory]
    [InlineData("roles:\n  staff:\n    allow: [list, fly]\n", 3, "UnknownAction", "fly")]
    [InlineData("roles:\n  janitor:\n    allow: [list]\n", 2, "UnknownRole", "janitor")]
    [InlineData("roles:\n  staff:\n    scope: galaxy\n", 3, "UnknownScope", "galaxy")]
    [InlineData("roles:\n  staff:\n    networks: [moon]\n", 3, "UnknownNetwork", "moon")]
    [InlineData("roles:\n  staff:\n    hours: 9-5\n", 3, "BadHours", "9-5")]
    [InlineData("roles:\n  staff:\n    colour: blue\n", 3, "UnknownKey", "colour")]
    [InlineData("roles:\n  staff:\n    allow: [list]\n    with-approval: [list]\n", 4, "AllowedAndApproval", "list")]
    [InlineData("roles: {}\nnetworks:\n  office: [10.0.0.0/33]\n", 3, "BadNetwork", "10.0.0.0/33")]
    [InlineData("roles: {}\napprovals:\n  export: [{role: staff}]\n", 3, "ApproverCannotApprove", "staff")]
    [InlineData("roles: {}\napprovals:\n  teleport: []\n", 3, "UnknownRequestKind", "teleport")]
    [InlineData("roles: {}\nrequests:\n  max-grant-days: 1000\n", 3, "BadNumber", "1000 (1–366)")]
    [InlineData("roles: {}\ntimezone: Mars\n", 2, "BadTimezone", "Mars")]
    [InlineData("roles: {}\npreconditions:\n  nda: maybe\n", 3, "BadBoolean", "maybe")]
    public void Each_mistake_is_reported_at_its_line(string body, int line, string code, string detail)
    {
        var parse = Parse("version: 2\ndefault-networks: []\n" + body);
        Assert.Null(parse.Document);
        var error = Assert.Single(parse.Errors);
        Assert.Equal((line + 2, code, detail), (error.Line, error.Code, error.Detail));
    }

    [Fact]
    public void Broken_yaml_names_the_line_and_several_mistakes_are_all_reported()
    {
        var syntax = Parse("version: 2\nroles: [\n");
        Assert.Equal("Syntax", Assert.Single(syntax.Errors).Code);
        Assert.True(syntax.Errors[0].Line >= 2);

        var many = Parse("roles:\n  staff:\n    allow: [fly]\n    scope: wide\n");
        Assert.Equal(["Missing", "Missing", "UnknownAction", "UnknownScope"], many.Errors.Select(e => e.Code).Order(StringComparer.Ordinal));
        Assert.Null(many.Document);
    }

    [Fact]
    public void A_file_that_is_not_a_mapping_or_too_large_is_refused()
    {
        Assert.Equal("NotAMapping", Assert.Single(Parse("- just\n- a list\n").Errors).Code);
        Assert.Equal("TooLarge", Assert.Single(Parse(new string('#', PolicyFile.MaxBytes + 1)).Errors).Code);
    }
}
