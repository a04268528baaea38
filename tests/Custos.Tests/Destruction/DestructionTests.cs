using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Custos.Features.Access;
using Custos.Features.Audit;
using Custos.Features.Copies;
using Custos.Features.Customers;
using Custos.Features.Destruction;
using Custos.Features.Organisation;
using Custos.Features.People;
using Custos.Hosting;
using Custos.Kernel.Classification;
using Custos.Kernel.Policy;
using Custos.Security;
using Custos.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Custos.Tests.Destruction;

/// <summary>Customers that are destroyed (DST-1, DST-2, AUD-1): only as approved, witnessed, leaving only the record, on both engines.</summary>
public abstract class DestructionTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : CustosApp
{
    [Fact]
    public async Task A_destruction_is_approved_witnessed_and_leaves_only_its_record_DST_1_DST_2()
    {
        var department = await app.DepartmentAsync();
        var head = await app.CreatePersonAsync(Roles.DepartmentHead, departments: [department]);
        var officer = await app.CreatePersonAsync(Roles.InformationOfficer, departments: [department]);
        var compliance = await app.CreatePersonAsync(Roles.ComplianceOfficer, departments: [department]);
        var (customer, values) = await app.CustomerAsync(head, department, 95);
        Task<DestructionView> DestroyAsync(Person person) => app.AsAsync(person, s => s.GetRequiredService<DestructionService>().DestroyAsync(customer.Id, new DestroyOrder(Note: "合同终止满三年"), default));

        // A paper copy is still out when the customer is destroyed: the record says so.
        await app.ApprovedAsync(officer, new NewRequest(RequestKind.Print, "归档留存纸质件", Customer: customer.Id), head);
        await app.AsAsync(officer, s => s.GetRequiredService<CopyService>().PrintAsync(customer.Id, new PrintOrder("service"), default));

        Assert.Equal("ApprovalRequired", (await Assert.ThrowsAsync<CustosException>(() => DestroyAsync(officer))).Code);
        Assert.Equal(AuditOutcome.Denied, (await app.LastEntryAsync(officer, "customer.destroy")).Outcome);
        await app.ApprovedAsync(officer, new NewRequest(RequestKind.Destroy, "已录入并核对，按制度销毁", Customer: customer.Id), head, compliance);

        var done = await DestroyAsync(officer);
        Assert.Equal((DestructionService.CryptoShred, compliance.DisplayName, officer.DisplayName, 1), (done.Method, done.Witness, done.Operator, done.OpenPrints));
        Assert.Equal(3, done.Fields);

        // Nothing of the customer is left but the record: no row, no ciphertext, no index, no wrapped key.
        Assert.False(await app.WithDbAsync(db => db.Customers.AnyAsync(c => c.Id == customer.Id)));
        Assert.False(await app.WithDbAsync(db => db.CustomerValues.AnyAsync(v => v.CustomerId == customer.Id)));
        Assert.False(await app.WithDbAsync(db => db.CustomerIndexes.AnyAsync(i => i.CustomerId == customer.Id)));
        var record = await app.WithDbAsync(db => db.Destructions.SingleAsync(d => d.CustomerId == customer.Id));
        Assert.Equal((officer.Id, compliance.Id), (record.OperatorId, record.WitnessId));
        Assert.Equal(CustosError.NotFound, (await Assert.ThrowsAsync<CustosException>(() => app.AsAsync(head, s => s.GetRequiredService<CustomerService>().GetAsync(customer.Id, default)))).Kind);

        var entry = await app.LastEntryAsync(officer, "customer.destroy");
        Assert.Equal((AuditOutcome.Success, customer.Id.ToString()), (entry.Outcome, entry.TargetId));
        Assert.Contains(compliance.Id.ToString(), entry.Detail!, StringComparison.Ordinal);
        Assert.DoesNotContain(values.Name, entry.Detail!, StringComparison.Ordinal);

        // The register: the compliance officer sees it; a clerk of the department does not.
        Assert.Contains(await app.AsAsync(compliance, s => s.GetRequiredService<DestructionService>().ListAsync(default)), d => d.CustomerId == customer.Id);
        var clerk = await app.CreatePersonAsync(Roles.Staff, departments: [department]);
        Assert.DoesNotContain(await app.AsAsync(clerk, s => s.GetRequiredService<DestructionService>().ListAsync(default)), d => d.CustomerId == customer.Id);
    }
}

public sealed class DestructionTestsOnSqlite(SqliteApp app) : DestructionTests<SqliteApp>(app);

public sealed class DestructionTestsOnPostgres(PostgresApp app) : DestructionTests<PostgresApp>(app);
