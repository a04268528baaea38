using Custos.Data;
using Custos.Features.Access;
using Custos.Features.Organisation;
using Custos.Features.People;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace Custos.Security;

/// <summary>
/// Keeps <see cref="Person.RightsVersion"/> honest: every save that adds, changes or removes a role, a membership,
/// a grant or the person's own row raises the version of each person concerned, in the same transaction, so
/// whoever reads the version after the commit also reads the new rights. A cached view of a person's rights
/// (<see cref="SubjectCache"/>) is keyed by that version; a rights table changed without going through the change
/// tracker would bypass it, which a rule test forbids.
/// </summary>
public static class RightsStamps
{
    /// <summary>The people whose rights the pending changes touch (not new people: they start at version 0).</summary>
    public static HashSet<Guid> Affected(ChangeTracker tracker)
    {
        ArgumentNullException.ThrowIfNull(tracker);
        var people = new HashSet<Guid>();
        foreach (var entry in tracker.Entries())
        {
            if (entry.State is not (EntityState.Added or EntityState.Modified or EntityState.Deleted))
            {
                continue;
            }

            switch (entry.Entity)
            {
                case IdentityUserRole<Guid> role:
                    people.Add(role.UserId);
                    break;
                case DepartmentMembership membership:
                    people.Add(membership.PersonId);
                    break;
                case ProjectMembership membership:
                    people.Add(membership.PersonId);
                    break;
                case AccessGrant grant:
                    people.Add(grant.PersonId);
                    break;
                case Person person when entry.State == EntityState.Modified:
                    people.Add(person.Id);
                    break;
                default:
                    continue;
            }

            // A row moved from one person to another changes both.
            var owner = entry.Metadata.FindProperty("PersonId") ?? entry.Metadata.FindProperty("UserId");
            if (entry.State == EntityState.Modified && owner is not null && entry.OriginalValues[owner] is Guid before)
            {
                people.Add(before);
            }
        }

        // The version is only ever raised in SQL (BumpAsync): a person saved whole (Identity's Update marks every
        // property) must not write back the version it was read with, over a rise made since or in this very save.
        foreach (var modified in tracker.Entries<Person>().Where(e => e.State == EntityState.Modified))
        {
            modified.Property(p => p.RightsVersion).IsModified = false;

            // A save of the person that is not Identity's own (a suspension, a departure, a clearance) gives a new
            // concurrency stamp: a whole-person save Identity began before it (a failed sign-in counted, a password
            // rehashed) then fails on the stamp instead of writing back the standing, status or stamp it read.
            var stamp = modified.Property(p => p.ConcurrencyStamp);
            if (!stamp.IsModified)
            {
                stamp.CurrentValue = Guid.NewGuid().ToString();
            }

            // Nor the standing the Agreements and Training rooms keep (an agreement signed, a course passed), unless this
            // save changes it: a whole-person save by Identity (a failed sign-in, a new password) must not write back what
            // it read before a signature or a pass committed since.
            foreach (var standing in new[] { nameof(Person.NdaSignedOn), nameof(Person.NdaVersion), nameof(Person.TrainingValidUntil) })
            {
                var property = modified.Property(standing);
                if (property.IsModified && Equals(property.OriginalValue, property.CurrentValue))
                {
                    property.IsModified = false;
                }
            }
        }

        // A person created in this save starts at 0 and has no cached view yet.
        foreach (var added in tracker.Entries<Person>().Where(e => e.State == EntityState.Added))
        {
            people.Remove(added.Entity.Id);
        }

        return people;
    }

    /// <summary>
    /// Gives every person who loses a role in the pending changes a new security stamp, in the same save. Their
    /// session cookies claim the role, and every request compares the cookie's stamp with the person's (ACC-7):
    /// so however a role is taken away, the sessions that claim it end at the next request.
    /// </summary>
    public static async Task RestampRoleLossesAsync(CustosDbContext db, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var losers = db.ChangeTracker.Entries<IdentityUserRole<Guid>>()
            .Where(e => e.State == EntityState.Deleted || (e.State == EntityState.Modified && e.Property(r => r.UserId).IsModified))
            .Select(e => e.State == EntityState.Deleted ? e.Entity.UserId : e.Property(r => r.UserId).OriginalValue)
            .ToHashSet();
        foreach (var id in losers)
        {
            if (await db.Users.FindAsync([id], ct) is { } person)
            {
                person.SecurityStamp = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(20));
            }
        }
    }

    /// <summary>
    /// Gives <paramref name="people"/> a new rights version in the current transaction: a random one, not a count, so
    /// that a database restored from a backup never brings back a version a node has cached other rights under.
    /// </summary>
    public static Task BumpAsync(CustosDbContext db, IReadOnlyCollection<Guid> people, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var ids = people.ToList();
        var version = System.Security.Cryptography.RandomNumberGenerator.GetInt32(int.MaxValue) * (long)int.MaxValue + System.Security.Cryptography.RandomNumberGenerator.GetInt32(int.MaxValue);
        return db.Users.Where(u => ids.Contains(u.Id)).ExecuteUpdateAsync(s => s.SetProperty(u => u.RightsVersion, version), ct);
    }
}
