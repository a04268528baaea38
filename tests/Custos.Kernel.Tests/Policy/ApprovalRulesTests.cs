using System.Net;
using Custos.Kernel.Policy;

namespace Custos.Kernel.Tests.Policy;

/// <summary>Approver chains and separation of duties (ACC-4, PRT-1, EXP-1, DST-2).</summary>
public sealed class ApprovalRulesTests
{
    private static readonly PolicyEngine Engine = new(DefaultPolicy.Document(PolicyEngineTests.KnownRoles));
    private static readonly Guid Sales = Guid.NewGuid();
    private static readonly PolicyContext Office = new(IPAddress.Loopback, new DateTimeOffset(2026, 11, 30, 10, 0, 0, TimeSpan.FromHours(8)));

    [Fact]
    public void Nobody_approves_their_own_request_ACC_4()
    {
        var head = PolicyEngineTests.Person("department-head", Sales);
        var request = new ApprovalSubject(RequestKind.Print, head.Id, Sales, null, []);
        Assert.Equal(ApprovalVerdict.OwnRequest, ApprovalRules.Check(Engine, request, head, Office));
        Assert.Equal(ApprovalVerdict.MayApprove, ApprovalRules.Check(Engine, request, PolicyEngineTests.Person("department-head", Sales), Office));
    }

    [Fact]
    public void The_approver_must_hold_the_role_in_the_department_of_the_request_PRT_1()
    {
        var request = new ApprovalSubject(RequestKind.Print, Guid.NewGuid(), Sales, null, []);
        Assert.Equal(ApprovalVerdict.NotAnApprover, ApprovalRules.Check(Engine, request, PolicyEngineTests.Person("department-head", Guid.NewGuid()), Office));
        Assert.Equal(ApprovalVerdict.NotAnApprover, ApprovalRules.Check(Engine, request, PolicyEngineTests.Person("staff", Sales), Office));
        var away = PolicyEngineTests.Person("department-head", Sales);
        Assert.Equal(ApprovalVerdict.NotAnApprover, ApprovalRules.Check(Engine, request, away, Office with { Address = IPAddress.Parse("198.51.100.7") }));
    }

    [Fact]
    public void Information_leaves_the_company_only_after_the_general_manager_EXP_1()
    {
        var head = PolicyEngineTests.Person("department-head", Sales);
        var gm = PolicyEngineTests.Person("general-manager", Sales);
        var chain = Engine.ChainFor(RequestKind.ShareExternal);
        var request = new ApprovalSubject(RequestKind.ShareExternal, Guid.NewGuid(), Sales, null, []);
        Assert.Equal(0, ApprovalRules.CurrentStep(chain, request));
        Assert.Equal(ApprovalVerdict.NotAnApprover, ApprovalRules.Check(Engine, request, gm, Office));
        var afterHead = request with { Approvals = [(0, head.Id)] };
        Assert.Equal(1, ApprovalRules.CurrentStep(chain, afterHead));
        Assert.Equal(ApprovalVerdict.MayApprove, ApprovalRules.Check(Engine, afterHead, gm, Office));
        Assert.Equal(-1, ApprovalRules.CurrentStep(chain, afterHead with { Approvals = [(0, head.Id), (1, gm.Id)] }));
    }

    [Fact]
    public void A_destruction_operator_is_never_its_witness_and_nobody_approves_twice_DST_2()
    {
        var officer = new PolicySubject(Guid.NewGuid(), ["compliance-officer", "department-head"], 3, new HashSet<Guid> { Sales }, new HashSet<Guid>(), true, null, null, GrantSet.Empty);
        var request = new ApprovalSubject(RequestKind.Destroy, Guid.NewGuid(), Sales, null, [], Operator: officer.Id);
        Assert.Equal(ApprovalVerdict.OperatorIsWitness, ApprovalRules.Check(Engine, request, officer, Office));

        var other = request with { Operator = Guid.NewGuid(), Approvals = [(0, officer.Id)] };
        Assert.Equal(ApprovalVerdict.AlreadyApproved, ApprovalRules.Check(Engine, other, officer, Office));
        Assert.False(ApprovalRules.Eligible(Engine, Engine.ChainFor(RequestKind.Destroy)[1], officer, other));
    }

    [Fact]
    public void Nobody_approves_a_role_for_themselves_even_when_a_colleague_asked()
    {
        var officer = PolicyEngineTests.Person("compliance-officer");
        var forOfficer = new ApprovalSubject(RequestKind.PrivilegeChange, Guid.NewGuid(), null, null, [], Beneficiary: officer.Id);
        Assert.Equal(ApprovalVerdict.OwnRequest, ApprovalRules.Check(Engine, forOfficer, officer, Office));
        Assert.False(ApprovalRules.Eligible(Engine, Engine.ChainFor(RequestKind.PrivilegeChange)[0], officer, forOfficer));
        Assert.Equal(ApprovalVerdict.MayApprove, ApprovalRules.Check(Engine, forOfficer, PolicyEngineTests.Person("compliance-officer"), Office));
    }

    [Theory]
    [InlineData(RequestKind.RoleChange)]
    [InlineData(RequestKind.PrivilegeChange)]
    [InlineData(RequestKind.PolicyChange)]
    public void Those_who_administer_rights_never_approve_a_change_of_rights_even_holding_the_approving_role_ACC_2(RequestKind kind)
    {
        var chain = Engine.ChainFor(kind);
        Assert.DoesNotContain(chain, step => step.Role == "it-admin");
        var step = chain[0];
        var approver = new PolicySubject(Guid.NewGuid(), [step.Role], 3, new HashSet<Guid> { Sales }, new HashSet<Guid>(), true, null, null, GrantSet.Empty);
        var administrator = approver with { Id = Guid.NewGuid(), Roles = [step.Role, "it-admin"] };
        var request = new ApprovalSubject(kind, Guid.NewGuid(), Sales, null, [], Beneficiary: Guid.NewGuid());
        Assert.Equal(ApprovalVerdict.MayApprove, ApprovalRules.Check(Engine, request, approver, Office));
        Assert.Equal(ApprovalVerdict.AdministersRights, ApprovalRules.Check(Engine, request, administrator, Office));
        Assert.False(ApprovalRules.Eligible(Engine, step, administrator, request));
        Assert.Equal(ApprovalVerdict.NotAnApprover, ApprovalRules.Check(Engine, request with { Kind = RequestKind.Print }, administrator with { Roles = ["it-admin"] }, Office));

        // Acting through a token scoped to the approving role only: still an administrator, by what they hold.
        var throughToken = administrator with { Roles = [step.Role], HeldRoles = administrator.Roles };
        Assert.Equal(ApprovalVerdict.AdministersRights, ApprovalRules.Check(Engine, request, throughToken, Office));
        Assert.False(ApprovalRules.Eligible(Engine, step, throughToken, request));
    }

    [Fact]
    public void The_account_administrator_administers_rights_in_every_policy_whatever_its_allow_list_says_ACC_2()
    {
        // A policy that takes "administer" from it-admin and hands it the rights chains: refused at every step naming it.
        var disguised = DefaultPolicy.Yaml
            .Replace("role-change: [{role: department-head, of: department}, {role: compliance-officer}]", "role-change: [{role: it-admin}]", StringComparison.Ordinal)
            .Replace("privilege-change: [{role: compliance-officer}, {role: general-manager}]", "privilege-change: [{role: it-admin}]", StringComparison.Ordinal);
        disguised = System.Text.RegularExpressions.Regex.Replace(disguised, @"(  it-admin:\n(?:    .*\n)*?    allow: )\[[^\]]*\]", "$1[approve]");
        Assert.Contains("allow: [approve]", disguised, StringComparison.Ordinal);
        var errors = PolicyFile.Parse(disguised, PolicyEngineTests.KnownRoles).Errors;
        Assert.Equal(["AdministratorApprovesRights", "AdministratorApprovesRights"], errors.Select(e => e.Code));

        // And an engine whose it-admin allows nothing still counts the role as administering and as a privilege to give.
        var stripped = PolicyFile.Parse(System.Text.RegularExpressions.Regex.Replace(DefaultPolicy.Yaml, @"(  it-admin:\n(?:    .*\n)*?    allow: )\[[^\]]*\]", "$1[]"), PolicyEngineTests.KnownRoles);
        Assert.Empty(stripped.Errors);
        var engine = new PolicyEngine(stripped.Document!);
        var admin = new PolicySubject(Guid.NewGuid(), ["it-admin", "compliance-officer"], 3, new HashSet<Guid>(), new HashSet<Guid>(), true, null, null, GrantSet.Empty);
        Assert.True(engine.Administers(admin));
        Assert.Equal(RoleWeight.Privileged, engine.WeightOf("it-admin"));
        Assert.Equal(ApprovalVerdict.AdministersRights, ApprovalRules.Check(engine, new ApprovalSubject(RequestKind.PrivilegeChange, Guid.NewGuid(), null, null, [], Beneficiary: Guid.NewGuid()), admin, Office));
    }

    [Fact]
    public void Rights_go_to_the_department_head_and_the_compliance_officer_privilege_and_the_policy_to_the_compliance_officer_and_the_general_manager()
    {
        Assert.Equal([("department-head", ApproverRelation.Department), ("compliance-officer", ApproverRelation.Anyone)], Engine.ChainFor(RequestKind.RoleChange).Select(s => (s.Role, s.Of)));
        Assert.Equal(["compliance-officer", "general-manager"], Engine.ChainFor(RequestKind.PrivilegeChange).Select(s => s.Role));
        Assert.Equal(["compliance-officer", "general-manager"], Engine.ChainFor(RequestKind.PolicyChange).Select(s => s.Role));
        Assert.Equal(RoleWeight.Privileged, Engine.WeightOf("it-admin"));
        Assert.Equal(RoleWeight.Privileged, Engine.WeightOf("auditor"));
        Assert.Equal(RoleWeight.Privileged, Engine.WeightOf("department-head"));
        Assert.Equal(RoleWeight.CustomerAccess, Engine.WeightOf("staff"));
        Assert.Equal(RoleWeight.CustomerAccess, Engine.WeightOf("partner"));
        Assert.Equal(RoleWeight.Nothing, Engine.WeightOf("no-such-role"));
    }

    [Fact]
    public void A_policy_cannot_leave_rights_to_administrators_or_to_nobody_and_one_that_names_no_chain_gets_the_built_in_one()
    {
        var toAdmins = DefaultPolicy.Yaml.Replace("privilege-change: [{role: compliance-officer}, {role: general-manager}]", "privilege-change: [{role: compliance-officer}, {role: it-admin}]", StringComparison.Ordinal);
        var parse = PolicyFile.Parse(toAdmins, PolicyEngineTests.KnownRoles);
        var error = Assert.Single(parse.Errors);
        Assert.Equal("AdministratorApprovesRights", error.Code);
        Assert.Contains("privilege-change", toAdmins.Split('\n')[error.Line - 1], StringComparison.Ordinal);

        // Nor may a role that administers read the audit log of its own work.
        var auditingAdmins = PolicyFile.Parse(System.Text.RegularExpressions.Regex.Replace(DefaultPolicy.Yaml, @"(  it-admin:\n(?:    .*\n)*?    allow: \[)", "$1audit, "), PolicyEngineTests.KnownRoles);
        Assert.Equal("AdministratorAudits", Assert.Single(auditingAdmins.Errors).Code);

        var toNobody = DefaultPolicy.Yaml.Replace("policy-change: [{role: compliance-officer}, {role: general-manager}]", "policy-change: []", StringComparison.Ordinal);
        Assert.Equal("RightsNeedApproval", Assert.Single(PolicyFile.Parse(toNobody, PolicyEngineTests.KnownRoles).Errors).Code);

        var silent = DefaultPolicy.Yaml.Replace("  role-change: [{role: department-head, of: department}, {role: compliance-officer}]\n", "", StringComparison.Ordinal);
        Assert.NotEqual(DefaultPolicy.Yaml, silent);
        var engine = new PolicyEngine(PolicyFile.Parse(silent, PolicyEngineTests.KnownRoles).Document!);
        Assert.Equal(Engine.ChainFor(RequestKind.RoleChange), engine.ChainFor(RequestKind.RoleChange));
    }

    [Fact]
    public void Two_of_a_committee_must_approve_when_the_step_says_so()
    {
        var yaml = DefaultPolicy.Yaml.Replace("share-external: [{role: department-head, of: department}, {role: general-manager}]", "share-external: [{role: compliance-officer, count: 2}]", StringComparison.Ordinal);
        var engine = new PolicyEngine(PolicyFile.Parse(yaml, PolicyEngineTests.KnownRoles).Document!);
        var chain = engine.ChainFor(RequestKind.ShareExternal);
        var first = PolicyEngineTests.Person("compliance-officer");
        var request = new ApprovalSubject(RequestKind.ShareExternal, Guid.NewGuid(), Sales, null, [(0, first.Id)]);
        Assert.Equal(0, ApprovalRules.CurrentStep(chain, request));
        Assert.Equal(ApprovalVerdict.AlreadyApproved, ApprovalRules.Check(engine, request, first, Office));
        var second = PolicyEngineTests.Person("compliance-officer");
        Assert.Equal(ApprovalVerdict.MayApprove, ApprovalRules.Check(engine, request, second, Office));
        Assert.Equal(-1, ApprovalRules.CurrentStep(chain, request with { Approvals = [(0, first.Id), (0, second.Id)] }));
    }
}
