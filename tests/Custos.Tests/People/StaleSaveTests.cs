using Custos.Features.People;
using Custos.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Custos.Tests.People;

/// <summary>
/// A whole-person save by Identity that began before a suspension (a failed sign-in counted) must not write back the
/// person as it read them (PPL-3, ACC-7): the suspension holds.
/// </summary>
public abstract class StaleSaveTests<TApp>(TApp app) : IClassFixture<TApp>
    where TApp : CustosApp
{
    [Fact]
    public async Task A_failed_sign_in_counted_after_a_suspension_does_not_undo_it()
    {
        var clerk = await app.CreatePersonAsync(Roles.Staff);
        using var signIn = app.AsSystem();
        var users = signIn.ServiceProvider.GetRequiredService<UserManager<Person>>();
        var read = await users.FindByIdAsync(clerk.Id.ToString()); // read as the sign-in reads it, still active

        await app.WithDbAsync(async db =>
        {
            var person = await db.Users.SingleAsync(p => p.Id == clerk.Id);
            person.EmploymentStatus = EmploymentStatus.Suspended;
            return await db.SaveChangesAsync();
        });

        var counted = await users.AccessFailedAsync(read!);
        Assert.False(counted.Succeeded); // the stale save is refused on the concurrency stamp
        Assert.Equal(EmploymentStatus.Suspended, await app.WithDbAsync(db => db.Users.Where(p => p.Id == clerk.Id).Select(p => p.EmploymentStatus).SingleAsync()));
    }
}

public sealed class StaleSaveTestsOnSqlite(SqliteApp app) : StaleSaveTests<SqliteApp>(app);

public sealed class StaleSaveTestsOnPostgres(PostgresApp app) : StaleSaveTests<PostgresApp>(app);
