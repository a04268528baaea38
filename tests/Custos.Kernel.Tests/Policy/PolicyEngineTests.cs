using System.Net;
using Custos.Kernel.Policy;

namespace Custos.Kernel.Tests.Policy;

/// <summary>The policy decision point, rule by rule (ACC-1..6): each test fails if its rule is removed.</summary>
public sealed class PolicyEngineTests
{
    internal static readonly string[] KnownRoles =
        ["it-admin", "information-officer", "staff", "department-head", "project-manager", "compliance-officer", "general-manager", "auditor", "partner", "committee-member"];

    private static readonly PolicyEngine Default = new(DefaultPolicy.Document(KnownRoles));
    private static readonly Guid Sales = Guid.NewGuid();
    private static readonly Guid Service = Guid.NewGuid();
    private static readonly Guid East = Guid.NewGuid();
    private static readonly DateTimeOffset Noon = new(2026, 11, 30, 12, 0, 0, TimeSpan.FromHours(8));
    private static readonly PolicyContext Office = new(IPAddress.Parse("10.1.2.3"), Noon);

    internal static PolicySubject Person(string role, Guid? department = null, Guid? project = null, int clearance = 1, GrantSet? grants = null, bool active = true) =>
        new(Guid.NewGuid(), [role], clearance,
            department is { } d ? new HashSet<Guid> { d } : [], project is { } p ? new HashSet<Guid> { p } : [],
            active, null, null, grants ?? GrantSet.Empty);

    private static PolicyResource Customer(Guid department, Guid? project = null, int protection = 1, string? field = null, Guid? id = null) =>
        new(id ?? Guid.NewGuid(), department, project, protection, field);

    [Fact]
    public void A_person_sees_customers_of_their_department_and_no_other_ACC_1()
    {
        var staff = Person("staff", Sales);
        Assert.Equal(DecisionReason.AllowedByRole, Default.Decide(staff, PolicyAction.ViewMasked, Customer(Sales), Office).Reason);
        var other = Default.Decide(staff, PolicyAction.ViewMasked, Customer(Service), Office);
        Assert.False(other.Allowed);
        Assert.Equal(DecisionReason.OutOfScope, other.Reason);
        Assert.Equal(RequestKind.Access, other.Remedy);
    }

    [Fact]
    public void A_partner_sees_only_customers_of_their_projects_ACC_1()
    {
        var partner = Person("partner", Sales, East);
        Assert.True(Default.Decide(partner, PolicyAction.ViewMasked, Customer(Service, East), Office).Allowed);
        Assert.Equal(DecisionReason.OutOfScope, Default.Decide(partner, PolicyAction.ViewMasked, Customer(Sales), Office).Reason);
    }

    [Theory]
    [InlineData("it-admin", PolicyAction.ViewMasked, false)]
    [InlineData("it-admin", PolicyAction.Administer, true)]
    [InlineData("auditor", PolicyAction.Reveal, false)]
    [InlineData("auditor", PolicyAction.Audit, true)]
    [InlineData("staff", PolicyAction.Create, true)]
    [InlineData("staff", PolicyAction.Import, false)]
    [InlineData("staff", PolicyAction.Administer, false)]
    [InlineData("information-officer", PolicyAction.Edit, true)]
    [InlineData("information-officer", PolicyAction.Import, false)]
    [InlineData("information-officer", PolicyAction.Export, false)]
    [InlineData("department-head", PolicyAction.Import, true)]
    [InlineData("department-head", PolicyAction.Approve, true)]
    [InlineData("staff", PolicyAction.Approve, false)]
    public void Roles_follow_the_policies_ACC_2(string role, PolicyAction action, bool allowed)
    {
        var person = Person(role, Sales);
        var resource = PolicyActions.TouchesCustomers(action) ? Customer(Sales) : PolicyResource.Nothing;
        Assert.Equal(allowed, Default.Decide(person, action, resource, Office).Allowed);
    }

    [Fact]
    public void A_person_without_a_role_is_refused_everything()
    {
        var nobody = new PolicySubject(Guid.NewGuid(), ["no-such-role"], 3, new HashSet<Guid> { Sales }, new HashSet<Guid>(), true, null, null, GrantSet.Empty);
        foreach (var action in PolicyActions.All)
        {
            var decision = Default.Decide(nobody, action, Customer(Sales), Office);
            Assert.False(decision.Allowed);
            Assert.Equal(DecisionReason.NoRole, decision.Reason);
        }
    }

    [Fact]
    public void Masked_views_carry_the_mask_and_reveals_the_purpose_obligation_ACC_3()
    {
        var staff = Person("staff", Sales);
        Assert.Equal(Obligations.Mask, Default.Decide(staff, PolicyAction.ViewMasked, Customer(Sales), Office).Obligations);
        Assert.Equal(Obligations.RequirePurpose, Default.Decide(staff, PolicyAction.Reveal, Customer(Sales), Office).Obligations);
    }

    [Fact]
    public void A_reveal_above_clearance_needs_a_grant_for_that_field_ACC_3()
    {
        var id = Guid.NewGuid();
        var staff = Person("staff", Sales, clearance: 1);
        var refused = Default.Decide(staff, PolicyAction.Reveal, Customer(Sales, protection: 3, field: "id-number", id: id), Office);
        Assert.Equal(DecisionReason.AboveClearance, refused.Reason);
        Assert.Equal(RequestKind.Reveal, refused.Remedy);

        var grant = new Grant(Guid.NewGuid(), id, null, "id-number", ActionSet.Of(PolicyAction.Reveal), false, Noon.AddHours(-1), Noon.AddHours(1));
        var granted = staff with { Grants = new GrantSet([grant]) };
        var allowed = Default.Decide(granted, PolicyAction.Reveal, Customer(Sales, protection: 3, field: "id-number", id: id), Office);
        Assert.Equal(DecisionReason.AllowedByGrant, allowed.Reason);
        Assert.Equal(grant.Id, allowed.Grant);
        Assert.False(Default.Decide(granted, PolicyAction.Reveal, Customer(Sales, protection: 3, field: "bank-card", id: id), Office).Allowed);
    }

    [Fact]
    public void A_grant_opens_one_customer_outside_the_scope_until_it_expires_ACC_4()
    {
        var id = Guid.NewGuid();
        var grant = new Grant(Guid.NewGuid(), id, null, null, ActionSet.Of(PolicyAction.List, PolicyAction.ViewMasked, PolicyAction.Reveal), false, Noon.AddHours(-1), Noon.AddHours(1));
        var staff = Person("staff", Sales, grants: new GrantSet([grant]));
        Assert.Equal(DecisionReason.AllowedByGrant, Default.Decide(staff, PolicyAction.ViewMasked, Customer(Service, id: id), Office).Reason);
        Assert.False(Default.Decide(staff, PolicyAction.ViewMasked, Customer(Service), Office).Allowed);
        Assert.False(Default.Decide(staff, PolicyAction.Edit, Customer(Service, id: id), Office).Allowed);

        var later = Office with { Now = Noon.AddHours(1) };
        Assert.Equal(DecisionReason.OutOfScope, Default.Decide(staff, PolicyAction.ViewMasked, Customer(Service, id: id), later).Reason);
    }

    [Fact]
    public void A_view_only_grant_never_allows_a_copy_to_leave_ACC_5()
    {
        var id = Guid.NewGuid();
        var all = ActionSet.Of(PolicyAction.ViewMasked, PolicyAction.Reveal, PolicyAction.Print, PolicyAction.Export);
        var grant = new Grant(Guid.NewGuid(), id, null, null, all, true, Noon.AddHours(-1), Noon.AddHours(1));
        var head = Person("department-head", Sales, grants: new GrantSet([grant]));
        var view = Default.Decide(head, PolicyAction.Reveal, Customer(Service, id: id), Office);
        Assert.True(view.Allowed);
        Assert.True(view.Obligations.HasFlag(Obligations.ViewOnly));
        Assert.Equal(DecisionReason.ViewOnlyGrant, Default.Decide(head, PolicyAction.Print, Customer(Service, id: id), Office).Reason);
        Assert.Equal(DecisionReason.ViewOnlyGrant, Default.Decide(head, PolicyAction.Export, Customer(Service, id: id), Office).Reason);
    }

    [Fact]
    public void Prints_and_exports_need_an_approved_request_PRT_1_EXP_1()
    {
        var id = Guid.NewGuid();
        var head = Person("department-head", Sales);
        var refused = Default.Decide(head, PolicyAction.Export, Customer(Sales, id: id), Office);
        Assert.Equal(DecisionReason.ApprovalRequired, refused.Reason);
        Assert.Equal(RequestKind.Export, refused.Remedy);
        Assert.Equal(RequestKind.Print, Default.Decide(Person("staff", Sales), PolicyAction.Print, Customer(Sales), Office).Remedy);

        var grant = new Grant(Guid.NewGuid(), id, null, null, ActionSet.Of(PolicyAction.Export), false, Noon.AddHours(-1), Noon.AddHours(1));
        var approved = Default.Decide(head with { Grants = new GrantSet([grant]) }, PolicyAction.Export, Customer(Sales, id: id), Office);
        Assert.Equal(DecisionReason.AllowedByGrant, approved.Reason);
        Assert.True(approved.Obligations.HasFlag(Obligations.Watermark));
    }

    [Fact]
    public void No_access_from_outside_the_allowed_networks_ACC_6()
    {
        var staff = Person("staff", Sales);
        var outside = Office with { Address = IPAddress.Parse("203.0.113.9") };
        Assert.Equal(DecisionReason.Network, Default.Decide(staff, PolicyAction.ViewMasked, Customer(Sales), outside).Reason);
        Assert.True(Default.Decide(staff, PolicyAction.ViewMasked, Customer(Sales), Office with { Address = IPAddress.Parse("::ffff:192.168.1.20") }).Allowed);
        Assert.True(Default.Decide(staff, PolicyAction.ViewMasked, Customer(Sales), Office with { Address = null }).Allowed);
    }

    [Fact]
    public void A_role_limited_to_working_hours_is_refused_outside_them()
    {
        var yaml = DefaultPolicy.Yaml.Replace("  partner:\n    scope: projects\n", "  partner:\n    scope: projects\n    hours: \"08:00-18:00\"\n", StringComparison.Ordinal);
        Assert.NotEqual(DefaultPolicy.Yaml, yaml);
        var engine = new PolicyEngine(PolicyFile.Parse(yaml, KnownRoles).Document!);
        var partner = Person("partner", project: East);
        Assert.True(engine.Decide(partner, PolicyAction.ViewMasked, Customer(Sales, East), Office).Allowed);
        var night = Office with { Now = new DateTimeOffset(2026, 11, 30, 14, 30, 0, TimeSpan.Zero) }; // 22:30 in +08:00
        Assert.Equal(DecisionReason.Hours, engine.Decide(partner, PolicyAction.ViewMasked, Customer(Sales, East), night).Reason);
    }

    [Fact]
    public void Preconditions_refuse_customer_information_without_agreement_or_current_training()
    {
        var yaml = DefaultPolicy.Yaml.Replace("nda: false", "nda: true", StringComparison.Ordinal).Replace("training: false", "training: true", StringComparison.Ordinal);
        var engine = new PolicyEngine(PolicyFile.Parse(yaml, KnownRoles).Document!);
        var staff = Person("staff", Sales);
        Assert.Equal(DecisionReason.NdaMissing, engine.Decide(staff, PolicyAction.ViewMasked, Customer(Sales), Office).Reason);
        var signed = staff with { NdaSignedOn = new DateOnly(2026, 1, 5) };
        Assert.Equal(DecisionReason.TrainingExpired, engine.Decide(signed, PolicyAction.ViewMasked, Customer(Sales), Office).Reason);
        Assert.Equal(DecisionReason.TrainingExpired, engine.Decide(signed with { TrainingValidUntil = new DateOnly(2026, 11, 29) }, PolicyAction.ViewMasked, Customer(Sales), Office).Reason);
        var trained = signed with { TrainingValidUntil = new DateOnly(2026, 11, 30) };
        Assert.True(engine.Decide(trained, PolicyAction.ViewMasked, Customer(Sales), Office).Allowed);

        // A newer version of the agreement: the older signature counts up to its deadline, in the organisation's day (PPL-1).
        var v1 = trained with { NdaVersion = 1 };
        var dueToday = Office with { Agreement = new AgreementTerms([(1, null), (2, new DateOnly(2026, 11, 30))]) };
        var dueYesterday = Office with { Agreement = new AgreementTerms([(1, null), (2, new DateOnly(2026, 11, 29))]) };
        Assert.True(engine.Decide(v1, PolicyAction.ViewMasked, Customer(Sales), dueToday).Allowed);
        Assert.Equal(DecisionReason.NdaMissing, engine.Decide(v1, PolicyAction.ViewMasked, Customer(Sales), dueYesterday).Reason);
        Assert.True(engine.Decide(v1 with { NdaVersion = 2 }, PolicyAction.ViewMasked, Customer(Sales), dueYesterday).Allowed);
        Assert.False(engine.NdaCurrent(trained with { NdaSignedOn = new DateOnly(2026, 12, 1) }, Office)); // dated after today
        // A signature of no known version is judged as the oldest.
        Assert.False(engine.NdaCurrent(trained, dueYesterday));

        // Versions published one after another: an old signature counts until the earliest deadline among them.
        var terms = new AgreementTerms([(3, new DateOnly(2027, 3, 1)), (1, null), (2, new DateOnly(2027, 1, 10))]);
        Assert.Equal(3, terms.Current);
        Assert.Equal(new DateOnly(2027, 1, 10), terms.DeadlineFor(1));
        Assert.Equal(new DateOnly(2027, 3, 1), terms.DeadlineFor(2));
        Assert.Null(terms.DeadlineFor(3));
        Assert.Equal(new DateOnly(2027, 1, 10), terms.DeadlineFor(null));
        Assert.Null(AgreementTerms.None.DeadlineFor(null));

        // Failing closed: a version nobody published, and a later version that names no deadline.
        Assert.Equal(DateOnly.MinValue, terms.DeadlineFor(4));
        Assert.Equal(DateOnly.MinValue, new AgreementTerms([(1, null), (2, null)]).DeadlineFor(1));
        Assert.Null(new AgreementTerms([(1, null), (2, null)]).DeadlineFor(2));

        // The default policy leaves both to the people lifecycle.
        Assert.True(Default.Decide(staff, PolicyAction.ViewMasked, Customer(Sales), Office).Allowed);
    }

    [Fact]
    public void A_suspended_or_departed_person_is_refused_everything_PPL_3()
    {
        var admin = Person("it-admin", active: false);
        Assert.Equal(DecisionReason.NotActive, Default.Decide(admin, PolicyAction.Administer, PolicyResource.Nothing, Office).Reason);

        // After the last working day in the organisation's time (UTC+8 here), not UTC's (PPL-3).
        var leaver = Person("staff", Sales) with { LastWorkingDay = new DateOnly(2026, 11, 30) };
        Assert.True(Default.Decide(leaver, PolicyAction.ViewMasked, Customer(Sales), Office).Allowed);
        var pastMidnight = Office with { Now = new DateTimeOffset(2026, 11, 30, 16, 1, 0, TimeSpan.Zero) }; // 00:01 on 1 December in Beijing
        Assert.Equal(DecisionReason.NotActive, Default.Decide(leaver, PolicyAction.ViewMasked, Customer(Sales), pastMidnight).Reason);
        Assert.True(Default.Decide(leaver with { LastWorkingDay = null }, PolicyAction.ViewMasked, Customer(Sales), pastMidnight).Allowed);
    }

    [Fact]
    public void A_list_is_narrowed_to_the_scope_and_the_granted_customers()
    {
        var id = Guid.NewGuid();
        var grant = new Grant(Guid.NewGuid(), id, null, null, ActionSet.Of(PolicyAction.List, PolicyAction.ViewMasked), false, Noon.AddHours(-1), Noon.AddHours(1));
        var scope = Default.ListScopeFor(Person("staff", Sales, grants: new GrantSet([grant])), Office);
        Assert.Equal(CustomerScope.Own, scope.Scope);
        Assert.Contains(id, scope.GrantedCustomers);
        Assert.Equal(CustomerScope.None, Default.ListScopeFor(Person("auditor"), Office).Scope);
    }

    /// <summary>
    /// View-only means no copy, of any field, by any path (ACC-5): a value revealed through a view-only grant is
    /// masked in a print, an export and a share made under another (copy-allowing) grant, and an attachment seen
    /// through a view-only grant is not downloaded.
    /// </summary>
    [Theory]
    [InlineData(PolicyAction.Print)]
    [InlineData(PolicyAction.Export)]
    [InlineData(PolicyAction.ShareExternal)]
    public void A_value_seen_through_a_view_only_grant_never_leaves_in_clear_in_a_copy_ACC_5(PolicyAction copy)
    {
        var id = Guid.NewGuid();
        var lookOnly = new Grant(Guid.NewGuid(), id, null, "bank-card", ActionSet.Of(PolicyAction.Reveal), true, Noon.AddHours(-1), Noon.AddHours(1));
        var copyGrant = new Grant(Guid.NewGuid(), id, null, null, ActionSet.Of(copy), false, Noon.AddHours(-1), Noon.AddHours(1));
        var head = Person("department-head", Sales, grants: new GrantSet([lookOnly, copyGrant]));
        var card = Customer(Sales, protection: 3, field: "bank-card", id: id);

        Assert.True(Default.Decide(head, copy, Customer(Sales, id: id), Office).Allowed); // the copy itself is approved
        var seen = Default.Decide(head, PolicyAction.Reveal, card, Office);
        Assert.True(seen.Allowed); // and the card may be looked at
        Assert.True(seen.Obligations.HasFlag(Obligations.ViewOnly));
        Assert.Equal(DecisionReason.ViewOnlyGrant, Default.DecideTakeAway(head, PolicyAction.Reveal, card, Office).Reason);

        // Without the view-only grant the card is out of clearance: masked either way; a field the role reveals goes in clear.
        Assert.False(Default.DecideTakeAway(Person("department-head", Sales, grants: new GrantSet([copyGrant])), PolicyAction.Reveal, card, Office).Allowed);
        Assert.True(Default.DecideTakeAway(head, PolicyAction.Reveal, Customer(Sales, protection: 1, field: "mobile", id: id), Office).Allowed);
    }

    [Fact]
    public void An_attachment_seen_through_a_view_only_grant_is_not_downloaded_ACC_5()
    {
        var id = Guid.NewGuid();
        var lookOnly = new Grant(Guid.NewGuid(), id, null, null, ActionSet.Of(PolicyAction.List, PolicyAction.ViewMasked), true, Noon.AddHours(-1), Noon.AddHours(1));
        var staff = Person("staff", Sales, grants: new GrantSet([lookOnly]));
        var elsewhere = Customer(Service, id: id);
        Assert.True(Default.Decide(staff, PolicyAction.ViewMasked, elsewhere, Office).Allowed);
        Assert.Equal(DecisionReason.ViewOnlyGrant, Default.DecideTakeAway(staff, PolicyAction.ViewMasked, elsewhere, Office).Reason);
        Assert.True(Default.DecideTakeAway(staff, PolicyAction.ViewMasked, Customer(Sales), Office).Allowed); // its own department's scans download
    }

    /// <summary>An investigator reads why: a copy refused because the customer is seen only through a view-only grant says "view-only", not "out of scope" or "no role".</summary>
    [Theory]
    [InlineData("department-head", PolicyAction.Export)]
    [InlineData("department-head", PolicyAction.Print)]
    [InlineData("staff", PolicyAction.Export)]
    [InlineData("staff", PolicyAction.ShareExternal)]
    public void A_copy_refused_for_a_view_only_grant_says_so_ACC_5(string role, PolicyAction copy)
    {
        var id = Guid.NewGuid();
        var lookOnly = new Grant(Guid.NewGuid(), id, null, null, ActionSet.Of(PolicyAction.List, PolicyAction.ViewMasked, PolicyAction.Reveal), true, Noon.AddHours(-1), Noon.AddHours(1));
        var person = Person(role, Sales, grants: new GrantSet([lookOnly]));
        Assert.True(Default.Decide(person, PolicyAction.ViewMasked, Customer(Service, id: id), Office).Allowed);
        Assert.Equal(DecisionReason.ViewOnlyGrant, Default.Decide(person, copy, Customer(Service, id: id), Office).Reason);
        // The person's own customers are not affected by the grant elsewhere.
        Assert.NotEqual(DecisionReason.ViewOnlyGrant, Default.Decide(person, copy, Customer(Sales), Office).Reason);
    }
}
