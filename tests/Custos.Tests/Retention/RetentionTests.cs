using Custos.Features.Access;
using Custos.Features.Customers;
using Custos.Features.Destruction;
using Custos.Features.People;
using Custos.Features.Policy;
using Custos.Features.Retention;
using Custos.Hosting;
using Custos.Security;
using Custos.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Custos.Tests.Retention;

/// <summary>Retention periods and batches (DST-3), consent and purposes (SEC-3), on both engines.</summary>
public abstract class RetentionTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : CustosApp
{
    private DateTimeOffset Now => app.Factory.Time.GetUtcNow();

    private Task<T> As<T>(Person person, Func<RetentionService, Task<T>> call) => app.AsAsync(person, s => call(s.GetRequiredService<RetentionService>()));

    [Fact]
    public async Task A_retention_file_with_an_unknown_kind_or_a_negative_period_is_refused_at_its_lines_and_only_compliance_loads_one_DST_3()
    {
        var department = await app.DepartmentAsync();
        var head = await app.CreatePersonAsync(Roles.DepartmentHead, departments: [department]);
        var compliance = await app.CreatePersonAsync(Roles.ComplianceOfficer, departments: [department]);
        const string bad = """
            rules:
              - kind: prospect
                keep: -2y
                after: last-contact
              - kind: visitor
                keep: 1y
                after: created
              - kind: contract
                keep: 5y
                after: the-end
            consent-withdrawn: 0d
            """;
        var errors = (await Assert.ThrowsAsync<PolicyInvalidException>(() => As(compliance, s => s.LoadAsync(bad, default)))).Errors;
        Assert.Contains(errors, e => e is { Code: "BadPeriod", Line: 3, Detail: "-2y" });
        Assert.Contains(errors, e => e is { Code: "UnknownDataKind", Line: 5, Detail: "visitor" });
        Assert.Contains(errors, e => e is { Code: "UnknownStart", Line: 10 });
        Assert.Contains(errors, e => e is { Code: "BadPeriodDays", Line: 11 });
        Assert.Contains(errors, e => e is { Code: "MissingKind", Detail: "former" });
        Assert.Equal(0, (await As(compliance, s => s.FileAsync(default))).Version);

        var good = RetentionRules.BuiltIn.Replace("keep: 2y", "keep: 18m", StringComparison.Ordinal);
        Assert.Equal(CustosError.Forbidden, (await Assert.ThrowsAsync<CustosException>(() => As(head, s => s.LoadAsync(good, default)))).Kind);
        var loaded = await As(compliance, s => s.LoadAsync(good, default));
        Assert.True(loaded.Version >= 1);
        Assert.Equal(18, (await As(compliance, s => s.RulesAsync(default))).Rules[RetentionRules.Prospect].Months);
        await As(compliance, s => s.LoadAsync(RetentionRules.BuiltIn, default));
    }

    [Fact]
    public async Task Due_customers_are_destroyed_in_an_approved_witnessed_batch_and_a_legal_hold_stops_it_anywhere_DST_3()
    {
        var department = await app.DepartmentAsync();
        var head = await app.CreatePersonAsync(Roles.DepartmentHead, departments: [department]);
        var officer = await app.CreatePersonAsync(Roles.InformationOfficer, departments: [department]);
        var compliance = await app.CreatePersonAsync(Roles.ComplianceOfficer, departments: [department]);
        var clerk = await app.CreatePersonAsync(Roles.Staff, departments: [department]);
        var (prospect, _) = await app.CustomerAsync(head, department, 1701);
        var (ended, _) = await app.CustomerAsync(head, department, 1702);
        var (current, _) = await app.CustomerAsync(head, department, 1703);
        var (held, _) = await app.CustomerAsync(head, department, 1704);
        var (agreed, _) = await app.CustomerAsync(head, department, 1705);
        await As(head, s => s.SetLifecycleAsync(prospect.Id, new LifecycleChange(RetentionRules.Prospect, LastContactAt: Now.AddYears(-3)), default));
        await As(head, s => s.SetLifecycleAsync(ended.Id, new LifecycleChange(RetentionRules.Contract, ContractEndsAt: Now.AddYears(-6)), default));
        await As(head, s => s.SetLifecycleAsync(current.Id, new LifecycleChange(RetentionRules.Contract, ContractEndsAt: Now.AddYears(-1)), default));
        await As(head, s => s.SetLifecycleAsync(held.Id, new LifecycleChange(RetentionRules.Prospect, LastContactAt: Now.AddYears(-3)), default));
        await As(head, s => s.SetLifecycleAsync(agreed.Id, new LifecycleChange(RetentionRules.Contract, ContractEndsAt: Now.AddYears(-1), AgreedUntil: Now.AddDays(-2)), default));
        Assert.Equal(CustosError.Invalid, (await Assert.ThrowsAsync<CustosException>(() => As(head, s => s.SetLifecycleAsync(current.Id, new LifecycleChange("visitor"), default)))).Kind);
        Assert.Equal(CustosError.Forbidden, (await Assert.ThrowsAsync<CustosException>(() => As(head, s => s.HoldAsync(held.Id, true, "诉讼中，法院要求保全", default)))).Kind);
        await As(compliance, s => s.HoldAsync(held.Id, true, "诉讼中，法院要求保全", default));

        // Due: the prospect not contacted for three years, the contract ended six years ago, the customer's own agreed period;
        // not the contract ended a year ago, not the one on hold. A clerk does not see the list; another department's head neither.
        var due = await As(officer, s => s.DueAsync(department, 100, default));
        Assert.Equal(new[] { prospect.Id, ended.Id, agreed.Id }.Order(), due.Select(d => d.CustomerId).Order());
        Assert.Equal("agreed", due.Single(d => d.CustomerId == agreed.Id).Reason);
        Assert.Equal(CustosError.NotFound, (await Assert.ThrowsAsync<CustosException>(() => As(clerk, s => s.DueAsync(department, 100, default)))).Kind);
        var otherHead = await app.CreatePersonAsync(Roles.DepartmentHead, departments: [await app.DepartmentAsync()]);
        Assert.Equal(CustosError.NotFound, (await Assert.ThrowsAsync<CustosException>(() => As(otherHead, s => s.DueAsync(department, 100, default)))).Kind);

        // A batch naming a held customer, or one not due, is refused whole: no request is filed.
        var requestsBefore = await app.WithDbAsync(db => db.AccessRequests.CountAsync());
        Assert.Equal("BatchHasLegalHold", (await Assert.ThrowsAsync<CustosException>(() => As(officer, s => s.FileBatchAsync(department, [prospect.Id, held.Id], default)))).Code);
        Assert.Equal("BatchNotDue", (await Assert.ThrowsAsync<CustosException>(() => As(officer, s => s.FileBatchAsync(department, [prospect.Id, current.Id], default)))).Code);
        Assert.Equal(requestsBefore, await app.WithDbAsync(db => db.AccessRequests.CountAsync()));

        // Nothing is destroyed without an approved request: the batch is filed, the operator cannot carry it out yet.
        var batch = await As(officer, s => s.FileBatchAsync(department, null, default));
        Assert.Equal(3, batch.Items.Count);
        Assert.All(batch.Items, i => Assert.Equal("Pending", i.Request));
        await As(officer, s => s.ExecuteBatchAsync(batch.Id, default));
        Assert.True(await app.WithDbAsync(db => db.Customers.AnyAsync(c => c.Id == prospect.Id)));
        Assert.Equal(CustosError.Forbidden, (await Assert.ThrowsAsync<CustosException>(() => As(head, s => s.ExecuteBatchAsync(batch.Id, default)))).Kind);

        await As(head, s => s.DecideBatchAsync(batch.Id, true, "同意", default));
        await As(compliance, s => s.DecideBatchAsync(batch.Id, true, "监销", default));

        // A hold placed after approval still stops that customer.
        await As(compliance, s => s.HoldAsync(ended.Id, true, "审计需要，暂缓销毁", default));
        var done = await As(officer, s => s.ExecuteBatchAsync(batch.Id, default));
        Assert.Equal("Destroyed", done.Items.Single(i => i.CustomerId == prospect.Id).Outcome);
        Assert.Equal("Destroyed", done.Items.Single(i => i.CustomerId == agreed.Id).Outcome);
        Assert.Equal("Held", done.Items.Single(i => i.CustomerId == ended.Id).Outcome);
        Assert.NotNull(done.DoneAt);
        Assert.False(await app.WithDbAsync(db => db.Customers.AnyAsync(c => c.Id == prospect.Id)));
        Assert.True(await app.WithDbAsync(db => db.Customers.AnyAsync(c => c.Id == ended.Id)));
        var record = await app.WithDbAsync(db => db.Destructions.SingleAsync(d => d.CustomerId == prospect.Id));
        Assert.Equal((officer.Id, compliance.Id, batch.Number), (record.OperatorId, record.WitnessId, record.Note));

        // The hold stops destruction by any path, not only batches.
        await app.ApprovedAsync(officer, new NewRequest(Kernel.Policy.RequestKind.Destroy, "按制度销毁", Customer: held.Id), head, compliance);
        Assert.Equal("CustomerOnLegalHold", (await Assert.ThrowsAsync<CustosException>(() =>
            app.AsAsync(officer, s => s.GetRequiredService<DestructionService>().DestroyAsync(held.Id, new DestroyOrder(), default)))).Code);
        Assert.Equal(AuditOutcome.Denied, (await app.LastEntryAsync(officer, "customer.destroy")).Outcome);
    }

    [Fact]
    public async Task A_withdrawn_consent_stops_reveals_and_makes_the_customer_due_and_a_reveal_needs_an_allowed_purpose_SEC_3()
    {
        var department = await app.DepartmentAsync();
        var head = await app.CreatePersonAsync(Roles.DepartmentHead, departments: [department]);
        var compliance = await app.CreatePersonAsync(Roles.ComplianceOfficer, departments: [department]);
        var (customer, values) = await app.CustomerAsync(head, department, 1801);
        await As(head, s => s.SetLifecycleAsync(customer.Id, new LifecycleChange(RetentionRules.Contract, ContractEndsAt: Now.AddYears(1)), default));
        Task<string> RevealAsync(string purpose) => app.AsAsync(head, s => s.GetRequiredService<CustomerService>().RevealAsync(customer.Id, "name", purpose, null, default));

        Assert.Equal("UnknownPurpose", (await Assert.ThrowsAsync<CustosException>(() =>
            As(head, s => s.RecordConsentAsync(customer.Id, new ConsentChange(ConsentState.Given, "书面", "v2026-1", LegalBasis.Consent, ["marketing-spam"]), default)))).Code);
        await As(head, s => s.RecordConsentAsync(customer.Id, new ConsentChange(ConsentState.Given, "书面", "v2026-1", LegalBasis.Consent, ["service"]), default));
        Assert.Equal(values.Name, await RevealAsync("service"));
        Assert.Equal("PurposeNotAllowedForCustomer", (await Assert.ThrowsAsync<CustosException>(() => RevealAsync("follow-up"))).Code);
        Assert.Equal(AuditOutcome.Denied, (await app.LastEntryAsync(head, "customer.reveal")).Outcome);

        var withdrawn = await As(head, s => s.RecordConsentAsync(customer.Id, new ConsentChange(ConsentState.Withdrawn, "电话录音"), default));
        Assert.Equal([ConsentState.Given, ConsentState.Withdrawn], withdrawn.History.Select(h => h.State));
        Assert.Equal("v2026-1", withdrawn.History[1].NoticeVersion);
        Assert.Equal("ConsentWithdrawn", (await Assert.ThrowsAsync<CustosException>(() => RevealAsync("service"))).Code);
        var entry = await app.LastEntryAsync(head, "consent.record");
        Assert.DoesNotContain(values.Name, entry.Detail!, StringComparison.Ordinal);

        // Kept on consent alone, the customer is due once the rule's days after the withdrawal have passed, though its contract runs on.
        Assert.DoesNotContain(await As(compliance, s => s.DueAsync(department, 100, default)), d => d.CustomerId == customer.Id);
        app.Factory.Time.Advance(TimeSpan.FromDays(31));
        var due = await As(compliance, s => s.DueAsync(department, 100, default));
        Assert.Equal("consent-withdrawn", due.Single(d => d.CustomerId == customer.Id).Reason);

        // The daily job tells the department's head once, however often it runs; after 30 more days, compliance once.
        await As(compliance, s => s.RunDailyAsync(default));
        await As(compliance, s => s.RunDailyAsync(default));
        Assert.Equal(1, await app.WithDbAsync(db => db.Notifications.CountAsync(n => n.RecipientId == head.Id && n.Kind == "Notify.RetentionDue")));
        Assert.Equal(0, await app.WithDbAsync(db => db.Notifications.CountAsync(n => n.RecipientId == compliance.Id && n.Kind == "Notify.RetentionOverdue")));
        app.Factory.Time.Advance(TimeSpan.FromDays(31));
        await As(compliance, s => s.RunDailyAsync(default));
        await As(compliance, s => s.RunDailyAsync(default));
        Assert.Equal(1, await app.WithDbAsync(db => db.Notifications.CountAsync(n => n.RecipientId == compliance.Id && n.Kind == "Notify.RetentionOverdue")));
    }
}

public sealed class RetentionTestsOnSqlite(SqliteApp app) : RetentionTests<SqliteApp>(app);

public sealed class RetentionTestsOnPostgres(PostgresApp app) : RetentionTests<PostgresApp>(app);
