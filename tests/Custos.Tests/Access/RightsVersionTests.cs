using Custos.Features.Access;
using Custos.Features.People;
using Custos.Security;
using Custos.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Custos.Tests.Access;

/// <summary>
/// Per-request authorisation in one round trip keeps its guarantee (ACC-4, ACC-7): the caller's rights are cached
/// by their rights version, and every kind of change to them raises it in the same save, so the next request —
/// on any node — reads them again. Each assertion fails if its kind of change stops raising the version.
/// </summary>
public abstract class RightsVersionTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : CustosApp
{
    private Task<long> VersionAsync(Guid person) => app.WithDbAsync(db => db.Users.Where(u => u.Id == person).Select(u => u.RightsVersion).SingleAsync());

    private async Task<Caller> CallerAsync(Person person)
    {
        using var scope = app.ActAs(person);
        return await scope.ServiceProvider.GetRequiredService<Callers>().CurrentAsync(default);
    }

    [Fact]
    public async Task Every_kind_of_change_to_a_persons_rights_raises_their_version_and_the_next_request_sees_it()
    {
        var department = await app.DepartmentAsync();
        var clerk = await app.CreatePersonAsync(Roles.Staff, departments: [department]);
        var head = await app.CreatePersonAsync(Roles.DepartmentHead, departments: [department]);
        await app.EnsureApproversAsync();
        Assert.Contains(Roles.Staff, (await CallerAsync(clerk)).Subject.Roles);

        async Task RaisesAsync(string what, Func<IServiceProvider, Task> change, Person? by = null)
        {
            var before = await VersionAsync(clerk.Id);
            using (var scope = by is null ? app.AsSystem() : app.ActAs(by))
            {
                await change(scope.ServiceProvider);
            }

            Assert.True(await VersionAsync(clerk.Id) != before, what + " did not change the rights version");
        }

        // A grant given and revoked.
        var (customer, _) = await app.CustomerAsync(head, department, 41);
        var grant = Guid.CreateVersion7();
        await RaisesAsync("a grant given", async s =>
        {
            var db = s.GetRequiredService<Custos.Data.CustosDbContext>();
            var now = app.Factory.Time.GetUtcNow();
            db.AccessGrants.Add(new AccessGrant { Id = grant, PersonId = clerk.Id, CustomerId = customer.Id, Field = "idNumber", Actions = "reveal", NotBefore = now, NotAfter = now.AddHours(1), GrantedAt = now });
            await db.SaveChangesAsync();
        });
        Assert.Contains((await CallerAsync(clerk)).Subject.Grants.All, g => g.Id == grant);
        var compliance = await app.CreatePersonAsync(Roles.ComplianceOfficer, departments: [department]);
        await RaisesAsync("revoking a grant", s => s.GetRequiredService<GrantService>().RevokeAsync(grant, "用完", default), compliance);
        Assert.DoesNotContain((await CallerAsync(clerk)).Subject.Grants.All, g => g.Id == grant);

        // Leaving a department, a lower clearance, a role taken away, a departure, a suspension.
        await RaisesAsync("leaving a department", s => s.GetRequiredService<PeopleService>().SetMembershipsAsync(clerk.Id, [], [], default));
        Assert.Empty((await CallerAsync(clerk)).Subject.Departments);
        await RaisesAsync("a lower clearance", s => s.GetRequiredService<PeopleService>().SetClearanceAsync(clerk.Id, Clearance.Confidential, default));
        Assert.Equal((int)Clearance.Confidential, (await CallerAsync(clerk)).Subject.Clearance);
        await RaisesAsync("a departure", s => s.GetRequiredService<PeopleService>().SetDepartureAsync(clerk.Id, DateOnly.FromDateTime(app.Factory.Time.GetUtcNow().UtcDateTime), default));
        Assert.NotNull((await CallerAsync(clerk)).Subject.LastWorkingDay);
        await RaisesAsync("a role taken away", s => s.GetRequiredService<PeopleService>().SetRolesAsync(clerk.Id, [], default));
        Assert.Empty((await CallerAsync(clerk)).Subject.Roles);
        await RaisesAsync("a suspension", s => s.GetRequiredService<PeopleService>().DisableAsync(clerk.Id, default));
        Assert.False((await CallerAsync(clerk)).Subject.Active);
    }
}

public sealed class RightsVersionTestsOnSqlite(SqliteApp app) : RightsVersionTests<SqliteApp>(app);

public sealed class RightsVersionTestsOnPostgres(PostgresApp app) : RightsVersionTests<PostgresApp>(app);
