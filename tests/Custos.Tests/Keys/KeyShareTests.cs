using Custos.Data;
using Custos.Features.Access;
using Custos.Features.Customers;
using Custos.Features.Destruction;
using Custos.Features.Keys;
using Custos.Features.People;
using Custos.Kernel.Crypto;
using Custos.Kernel.Policy;
using Custos.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Custos.Tests.Keys;

/// <summary>Split data keys (ADR 0018, SEC-2, DST-1): splitting keys stored whole, and what the sweep may delete, on both engines.</summary>
public abstract class KeyShareTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : CustosApp
{
    [Fact]
    public async Task A_key_stored_whole_is_split_even_after_a_split_that_did_not_finish_and_still_opens_SEC_2()
    {
        var department = await app.DepartmentAsync();
        var head = await app.CreatePersonAsync(Roles.DepartmentHead, departments: [department]);
        var (template, _) = await app.CustomerAsync(head, department, 1901);
        var shares = app.Factory.Services.GetRequiredService<KeyShareStore>();
        var ring = app.Factory.Services.GetRequiredService<KeyRing>();

        // A customer from before splitting: its data key wrapped whole. A split that stopped half-way left a share behind.
        var id = Guid.CreateVersion7();
        var (cipher, wrapped) = DataKeys.CreateCipher(ring.Keys, "customer", id, 1);
        var value = cipher.Encrypt(new FieldContext("customer", id, "name", 1), "旧客户");
        cipher.Dispose();
        await app.WithDbAsync(async db =>
        {
            var customer = await db.Customers.AsNoTracking().SingleAsync(c => c.Id == template.Id);
            db.Customers.Add(new Customer
            {
                Id = id, Kind = customer.Kind, DepartmentId = customer.DepartmentId, Grade = customer.Grade, CreatedAt = customer.CreatedAt, UpdatedAt = customer.UpdatedAt,
                DataKeyVersion = 1, KekVersion = wrapped.KekVersion, WrappedKey = wrapped.Blob, KeySplit = false,
            });
            db.CustomerValues.Add(new CustomerValue { CustomerId = id, Field = "name", Cipher = value, UpdatedAt = customer.UpdatedAt });
            return await db.SaveChangesAsync();
        });
        shares.PutMany([(id, new KeyShare(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)))], app.Factory.Time.GetUtcNow());

        using (var scope = app.Factory.Services.CreateScope())
        {
            Assert.True(await scope.ServiceProvider.GetRequiredService<KeyService>().SplitWholeKeysAsync(default) >= 1);
        }

        Assert.True(await app.WithDbAsync(db => db.Customers.Where(c => c.Id == id).Select(c => c.KeySplit).SingleAsync()));
        Assert.Equal("旧客户", await app.AsAsync(head, s => s.GetRequiredService<CustomerService>().RevealAsync(id, "name", "service", null, default)));
    }

    [Fact]
    public async Task The_sweep_deletes_only_the_shares_of_customers_this_database_destroyed_DST_1()
    {
        var department = await app.DepartmentAsync();
        var head = await app.CreatePersonAsync(Roles.DepartmentHead, departments: [department]);
        var officer = await app.CreatePersonAsync(Roles.InformationOfficer, departments: [department]);
        var compliance = await app.CreatePersonAsync(Roles.ComplianceOfficer, departments: [department]);
        var (customer, _) = await app.CustomerAsync(head, department, 1902);
        var shares = app.Factory.Services.GetRequiredService<KeyShareStore>();
        var kept = shares.Get(customer.Id)!;
        await app.ApprovedAsync(officer, new NewRequest(RequestKind.Destroy, "合同终止，按制度销毁", Customer: customer.Id), head, compliance);
        await app.AsAsync(officer, s => s.GetRequiredService<DestructionService>().DestroyAsync(customer.Id, new DestroyOrder(), default));
        Assert.Null(shares.Get(customer.Id));

        // The share's deletion failed (put back here), and a share this database knows nothing about (another copy's customer).
        var stranger = Guid.CreateVersion7();
        shares.PutMany([(customer.Id, kept), (stranger, new KeyShare(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)))], app.Factory.Time.GetUtcNow());
        app.Factory.Time.Advance(TimeSpan.FromMinutes(1));
        using (var scope = app.Factory.Services.CreateScope())
        {
            await scope.ServiceProvider.GetRequiredService<KeyService>().SweepSharesAsync(default);
        }

        Assert.Null(shares.Get(customer.Id));
        Assert.NotNull(shares.Get(stranger));
    }
}

public sealed class KeyShareTestsOnSqlite(SqliteApp app) : KeyShareTests<SqliteApp>(app);

public sealed class KeyShareTestsOnPostgres(PostgresApp app) : KeyShareTests<PostgresApp>(app);
