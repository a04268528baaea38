using Custos.Features.ApiTokens;
using Custos.Features.Audit;
using Custos.Features.Customers;
using Custos.Features.Organisation;
using Custos.Features.People;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace Custos.Data;

/// <summary>
/// The one database model. Each provider has a derived context (<see cref="SqliteCustosDbContext"/>,
/// <see cref="PostgresCustosDbContext"/>) that owns its migrations; code depends on this base type.
/// </summary>
public abstract class CustosDbContext(DbContextOptions options)
    : IdentityDbContext<Person, IdentityRole<Guid>, Guid>(options), IDataProtectionKeyContext
{
    public DbSet<Department> Departments => Set<Department>();

    public DbSet<Project> Projects => Set<Project>();

    public DbSet<DepartmentMembership> DepartmentMemberships => Set<DepartmentMembership>();

    public DbSet<ProjectMembership> ProjectMemberships => Set<ProjectMembership>();

    public DbSet<ApiToken> ApiTokens => Set<ApiToken>();

    public DbSet<Features.Accounts.UserSession> UserSessions => Set<Features.Accounts.UserSession>();

    public DbSet<AuditRecord> AuditRecords => Set<AuditRecord>();

    public DbSet<AuditCheckpoint> AuditCheckpoints => Set<AuditCheckpoint>();

    public DbSet<AuditSigningKey> AuditSigningKeys => Set<AuditSigningKey>();

    public DbSet<AuditLogState> AuditLogState => Set<AuditLogState>();

    public DbSet<AuditForwardCursor> AuditForwardCursors => Set<AuditForwardCursor>();

    public DbSet<AuditAlert> AuditAlerts => Set<AuditAlert>();

    public DbSet<AuditArchive> AuditArchives => Set<AuditArchive>();

    public DbSet<AuditPlan> AuditPlans => Set<AuditPlan>();

    public DbSet<AuditFinding> AuditFindings => Set<AuditFinding>();

    public DbSet<Features.Policy.PolicyVersion> PolicyVersions => Set<Features.Policy.PolicyVersion>();

    public DbSet<Features.Access.AccessGrant> AccessGrants => Set<Features.Access.AccessGrant>();

    public DbSet<Features.Access.AccessRequest> AccessRequests => Set<Features.Access.AccessRequest>();

    public DbSet<Features.Access.AccessApproval> AccessApprovals => Set<Features.Access.AccessApproval>();

    public DbSet<Features.Access.Delegation> Delegations => Set<Features.Access.Delegation>();

    public DbSet<Features.Notifications.Notification> Notifications => Set<Features.Notifications.Notification>();

    public DbSet<Features.Notifications.NotificationDelivery> NotificationDeliveries => Set<Features.Notifications.NotificationDelivery>();

    public DbSet<Customer> Customers => Set<Customer>();

    public DbSet<CustomerValue> CustomerValues => Set<CustomerValue>();

    public DbSet<CustomerIndex> CustomerIndexes => Set<CustomerIndex>();

    public DbSet<CustomerTag> CustomerTags => Set<CustomerTag>();

    public DbSet<CustomerValueHistory> CustomerHistory => Set<CustomerValueHistory>();

    public DbSet<CustomerAttachment> CustomerAttachments => Set<CustomerAttachment>();

    public DbSet<Features.Keys.KeyCheck> KeyChecks => Set<Features.Keys.KeyCheck>();

    public DbSet<Features.Imports.CollectionRecord> Collections => Set<Features.Imports.CollectionRecord>();

    public DbSet<Features.Copies.CopyRecord> Copies => Set<Features.Copies.CopyRecord>();

    public DbSet<Features.Copies.CopyItem> CopyItems => Set<Features.Copies.CopyItem>();

    public DbSet<Features.Destruction.DestructionRecord> Destructions => Set<Features.Destruction.DestructionRecord>();

    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);

        // Each entity's mapping lives beside the entity (an IEntityTypeConfiguration in its feature's folder).
        builder.ApplyConfigurationsFromAssembly(typeof(CustosDbContext).Assembly);

        ConfigureProvider(builder);
    }

    /// <summary>
    /// Fail-closed auditing (AUD-1): when a unit of work that carries an audit entry cannot be written, for
    /// whatever reason (an error, a timeout, a full disk), nothing of it is written and the caller learns that
    /// the operation was refused because it could not be recorded.
    /// </summary>
    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        var audited = ChangeTracker.Entries<AuditRecord>().Any(e => e.State == EntityState.Added);
        try
        {
            var changed = Security.RightsStamps.Affected(ChangeTracker);
            if (changed.Count == 0)
            {
                return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
            }

            // Only a save that changes rights can take a role away (the role rows are among what Affected looks at).
            await Security.RightsStamps.RestampRoleLossesAsync(this, cancellationToken);

            // Rights and their version change together, or neither does.
            if (Database.CurrentTransaction is not null)
            {
                await Security.RightsStamps.BumpAsync(this, changed, cancellationToken);
                return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
            }

            await using var transaction = await Database.BeginTransactionAsync(cancellationToken);
            await Security.RightsStamps.BumpAsync(this, changed, cancellationToken);
            var saved = await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return saved;
        }
        catch (Exception e) when (audited && e is not DbUpdateConcurrencyException && IsStorageFailure(e))
        {
            // A concurrency conflict is not a storage failure: the row changed under the caller, who decides what that means.
            throw new AuditWriteException(e);
        }
    }

    /// <summary>Synchronous saves are for the framework's own tables (data-protection keys); a change of rights is saved asynchronously, with its version.</summary>
    public override int SaveChanges(bool acceptAllChangesOnSuccess) =>
        Security.RightsStamps.Affected(ChangeTracker).Count == 0
            ? base.SaveChanges(acceptAllChangesOnSuccess)
            : throw new InvalidOperationException("A change of rights is saved with SaveChangesAsync, which raises the people's rights versions.");

    /// <summary>A failure of the database or the way to it (not a bug in the caller): anywhere in the exception's causes.</summary>
    private static bool IsStorageFailure(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is DbUpdateException or System.Data.Common.DbException or TimeoutException)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Provider-specific mapping (e.g. value converters SQLite needs).</summary>
    protected virtual void ConfigureProvider(ModelBuilder builder)
    {
    }
}

/// <summary>The embedded default: SQLite in the data directory.</summary>
public sealed class SqliteCustosDbContext(DbContextOptions<SqliteCustosDbContext> options) : CustosDbContext(options)
{
    protected override void ConfigureProvider(ModelBuilder builder)
    {
        // SQLite cannot order or compare DateTimeOffset; store UTC ticks so range queries work.
        foreach (var entity in builder.Model.GetEntityTypes())
        {
            foreach (var property in entity.GetProperties())
            {
                if (property.ClrType == typeof(DateTimeOffset))
                {
                    property.SetValueConverter(new Microsoft.EntityFrameworkCore.Storage.ValueConversion.DateTimeOffsetToBinaryConverter());
                }
                else if (property.ClrType == typeof(DateTimeOffset?))
                {
                    property.SetValueConverter(new Microsoft.EntityFrameworkCore.Storage.ValueConversion.DateTimeOffsetToBinaryConverter());
                }
            }
        }
    }
}

/// <summary>The production engine: PostgreSQL.</summary>
public sealed class PostgresCustosDbContext(DbContextOptions<PostgresCustosDbContext> options) : CustosDbContext(options);
