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

        builder.Entity<Person>(e =>
        {
            e.Property(p => p.DisplayName).HasMaxLength(100);
            e.Property(p => p.EmploymentStatus).HasConversion<string>().HasMaxLength(20);
            e.Property(p => p.Clearance).HasConversion<string>().HasMaxLength(20);
        });

        builder.Entity<Department>(e =>
        {
            e.Property(d => d.Code).HasMaxLength(32);
            e.Property(d => d.Name).HasMaxLength(100);
            e.HasIndex(d => d.Code).IsUnique();
            e.HasMany(d => d.Projects).WithOne(p => p.Department).HasForeignKey(p => p.DepartmentId).OnDelete(DeleteBehavior.Restrict);
        });

        builder.Entity<Project>(e =>
        {
            e.Property(p => p.Code).HasMaxLength(32);
            e.Property(p => p.Name).HasMaxLength(100);
            e.HasIndex(p => p.Code).IsUnique();
        });

        builder.Entity<DepartmentMembership>(e =>
        {
            e.HasKey(m => new { m.PersonId, m.DepartmentId });
            e.HasOne(m => m.Person).WithMany(p => p.Departments).HasForeignKey(m => m.PersonId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne(m => m.Department).WithMany().HasForeignKey(m => m.DepartmentId).OnDelete(DeleteBehavior.Restrict);
        });

        builder.Entity<ProjectMembership>(e =>
        {
            e.HasKey(m => new { m.PersonId, m.ProjectId });
            e.HasOne(m => m.Person).WithMany(p => p.Projects).HasForeignKey(m => m.PersonId).OnDelete(DeleteBehavior.Cascade);
            e.HasOne(m => m.Project).WithMany().HasForeignKey(m => m.ProjectId).OnDelete(DeleteBehavior.Restrict);
        });

        builder.Entity<ApiToken>(e =>
        {
            e.Property(t => t.Name).HasMaxLength(100);
            e.Property(t => t.SecretHash).HasMaxLength(64);
            e.Property(t => t.Scopes).HasMaxLength(400);
            e.HasIndex(t => t.SecretHash).IsUnique();
            e.HasIndex(t => t.PersonId);
            e.Ignore(t => t.ScopeList);
        });

        builder.Entity<Features.Accounts.UserSession>(e =>
        {
            e.Property(x => x.Id).HasMaxLength(64);
            e.Property(x => x.ClientAddress).HasMaxLength(64);
            e.Property(x => x.EndReason).HasMaxLength(16);
            e.HasIndex(x => new { x.PersonId, x.EndedAt });
        });

        builder.Entity<Features.Policy.PolicyVersion>(e =>
        {
            e.HasKey(v => v.Version);
            e.Property(v => v.Version).ValueGeneratedNever();
            e.Property(v => v.Text).HasMaxLength(Kernel.Policy.PolicyFile.MaxBytes);
            e.Property(v => v.Sha256).HasMaxLength(64);
            e.Property(v => v.LoadedBy).HasMaxLength(256);
            e.Property(v => v.Note).HasMaxLength(500);
        });

        builder.Entity<Features.Access.AccessGrant>(e =>
        {
            e.Property(g => g.Field).HasMaxLength(64);
            e.Property(g => g.Actions).HasMaxLength(200);
            e.Property(g => g.RevokedBy).HasMaxLength(256);
            e.Property(g => g.RevokeReason).HasMaxLength(500);
            e.Ignore(g => g.ActionSet);
            // Every request reads the caller's live grants: by person, newest expiry first.
            e.HasIndex(g => new { g.PersonId, g.NotAfter });
            e.HasIndex(g => g.RequestId);
        });

        builder.Entity<Features.Access.AccessRequest>(e =>
        {
            e.Property(r => r.Kind).HasConversion<string>().HasMaxLength(20);
            e.Property(r => r.Status).HasConversion<string>().HasMaxLength(16);
            e.Property(r => r.RequesterName).HasMaxLength(256);
            e.Property(r => r.Field).HasMaxLength(64);
            e.Property(r => r.Actions).HasMaxLength(200);
            e.Property(r => r.Reason).HasMaxLength(500);
            e.Property(r => r.Role).HasMaxLength(64);
            e.Property(r => r.Stamp).IsConcurrencyToken();
            e.HasMany(r => r.Approvals).WithOne().HasForeignKey(a => a.RequestId).OnDelete(DeleteBehavior.Restrict);
            e.HasIndex(r => new { r.Status, r.ExpiresAt });
            e.HasIndex(r => new { r.RequesterId, r.CreatedAt });
            e.HasIndex(r => new { r.SubjectPersonId, r.Status });
        });

        builder.Entity<Features.Access.AccessApproval>(e =>
        {
            e.Property(a => a.ApproverName).HasMaxLength(256);
            e.Property(a => a.Note).HasMaxLength(500);
            // One answer per person per request, whatever the race.
            e.HasIndex(a => new { a.RequestId, a.ApproverId }).IsUnique();
        });

        builder.Entity<Features.Access.Delegation>(e =>
        {
            e.HasIndex(d => new { d.ToId, d.Ends });
        });

        builder.Entity<Features.Notifications.Notification>(e =>
        {
            e.Property(n => n.Kind).HasMaxLength(64);
            e.Property(n => n.Args).HasMaxLength(2000);
            e.Ignore(n => n.ArgList);
            e.HasIndex(n => new { n.RecipientId, n.CreatedAt });
        });

        builder.Entity<Features.Notifications.NotificationDelivery>(e =>
        {
            e.Property(d => d.Channel).HasMaxLength(16);
            e.Property(d => d.LastError).HasMaxLength(300);
            e.HasIndex(d => new { d.DeliveredAt, d.Failed, d.NextAttemptAt });
        });

        builder.Entity<AuditRecord>(e =>
        {
            e.Property(a => a.ActorId).HasMaxLength(64);
            e.Property(a => a.ActorName).HasMaxLength(256);
            e.Property(a => a.ClientAddress).HasMaxLength(64);
            e.Property(a => a.Action).HasMaxLength(64);
            e.Property(a => a.TargetType).HasMaxLength(64);
            e.Property(a => a.TargetId).HasMaxLength(64);
            e.Property(a => a.ActingAs).HasMaxLength(64);
            e.Property(a => a.Purpose).HasMaxLength(64);
            e.Property(a => a.Outcome).HasConversion<string>().HasMaxLength(16);
            e.Property(a => a.LeafHash).HasMaxLength(32);
            e.HasIndex(a => a.At);
            e.HasIndex(a => new { a.TargetType, a.TargetId });
            e.HasIndex(a => a.Sequence).IsUnique();
            // What the sequencer has yet to integrate: small, whatever the size of the log.
            e.HasIndex(a => a.Id, "IX_AuditRecords_Unsequenced").HasFilter("\"Sequence\" IS NULL");
        });

        builder.Entity<AuditCheckpoint>(e =>
        {
            e.HasKey(c => c.Size);
            e.Property(c => c.Size).ValueGeneratedNever();
            e.Property(c => c.Origin).HasMaxLength(200);
            e.Property(c => c.Root).HasMaxLength(32);
            e.Property(c => c.KeyId).HasMaxLength(16);
            e.Property(c => c.Signature).HasMaxLength(80);
        });

        builder.Entity<AuditSigningKey>(e =>
        {
            e.Property(k => k.Id).HasMaxLength(16);
            e.Property(k => k.PublicKey).HasMaxLength(128);
            e.Property(k => k.WrappedPrivateKey).HasMaxLength(128);
        });

        builder.Entity<AuditForwardCursor>(e =>
        {
            e.HasKey(c => c.Destination);
            e.Property(c => c.Destination).HasMaxLength(16);
            e.Property(c => c.LastError).HasMaxLength(500);
        });

        builder.Entity<AuditAlert>(e =>
        {
            e.Property(a => a.Rule).HasMaxLength(32);
            e.Property(a => a.Severity).HasConversion<string>().HasMaxLength(16);
            e.Property(a => a.PersonId).HasMaxLength(64);
            e.Property(a => a.PersonName).HasMaxLength(256);
            e.Property(a => a.Detail).HasMaxLength(1000);
            e.Property(a => a.HandledBy).HasMaxLength(256);
            e.Property(a => a.Note).HasMaxLength(500);
            e.HasIndex(a => new { a.Rule, a.PersonId, a.RaisedAt });
            e.HasIndex(a => a.HandledAt);
        });

        builder.Entity<AuditArchive>(e =>
        {
            e.HasKey(a => a.End);
            e.Property(a => a.End).ValueGeneratedNever();
            e.Property(a => a.FileName).HasMaxLength(200);
            e.Property(a => a.Sha256).HasMaxLength(32);
            e.Property(a => a.Peaks).HasMaxLength(64 * 32);
        });

        builder.Entity<AuditPlan>(e =>
        {
            e.Property(p => p.Title).HasMaxLength(200);
            e.Property(p => p.Scope).HasMaxLength(500);
            e.HasMany(p => p.Findings).WithOne().HasForeignKey(f => f.PlanId).OnDelete(DeleteBehavior.Restrict);
        });

        builder.Entity<AuditFinding>(e =>
        {
            e.Property(f => f.PerformedBy).HasMaxLength(256);
            e.Property(f => f.Summary).HasMaxLength(2000);
            e.Property(f => f.Severity).HasConversion<string>().HasMaxLength(16);
            e.Property(f => f.Action).HasMaxLength(1000);
            e.Property(f => f.Owner).HasMaxLength(100);
            e.Property(f => f.ClosedBy).HasMaxLength(256);
            e.Property(f => f.ClosingNote).HasMaxLength(1000);
            e.HasIndex(f => f.ClosedAt);
        });

        builder.Entity<AuditLogState>(e =>
        {
            e.Property(s => s.Id).ValueGeneratedNever();
            e.Property(s => s.Peaks).HasMaxLength(64 * 32);
        });

        builder.Entity<Customer>(e =>
        {
            e.Property(c => c.Kind).HasConversion<string>().HasMaxLength(16);
            e.Property(c => c.Grade).HasConversion<string>().HasMaxLength(20);
            e.Property(c => c.WrappedKey).HasMaxLength(128);
            e.Ignore(c => c.Wrapped);
            e.HasIndex(c => c.DepartmentId);
            e.HasIndex(c => c.KekVersion);
            e.HasMany(c => c.Values).WithOne().HasForeignKey(v => v.CustomerId).OnDelete(DeleteBehavior.Cascade);
            e.HasMany(c => c.Indexes).WithOne().HasForeignKey(i => i.CustomerId).OnDelete(DeleteBehavior.Cascade);
            e.HasMany(c => c.Tags).WithOne().HasForeignKey(t => t.CustomerId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<CustomerTag>(e =>
        {
            e.HasKey(t => new { t.CustomerId, t.Tag });
            e.Property(t => t.Tag).HasMaxLength(CustomerTag.MaxLength);
            e.HasIndex(t => t.Tag);
        });

        builder.Entity<CustomerValue>(e =>
        {
            e.HasKey(v => new { v.CustomerId, v.Field });
            e.Property(v => v.Field).HasMaxLength(40);
        });

        builder.Entity<CustomerIndex>(e =>
        {
            e.HasKey(i => new { i.CustomerId, i.Kind });
            e.Property(i => i.Kind).HasConversion<string>().HasMaxLength(16);
            e.Property(i => i.Hash).HasMaxLength(16);
            e.HasIndex(i => new { i.Kind, i.Hash });
        });

        builder.Entity<CustomerValueHistory>(e =>
        {
            e.Property(h => h.Field).HasMaxLength(40);
            e.Property(h => h.ChangedBy).HasMaxLength(64);
            e.HasIndex(h => new { h.CustomerId, h.ChangedAt });
            e.HasOne<Customer>().WithMany().HasForeignKey(h => h.CustomerId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<Features.Imports.CollectionRecord>(e =>
        {
            e.Property(c => c.Source).HasMaxLength(200);
            e.Property(c => c.Purpose).HasMaxLength(500);
            e.Property(c => c.LegalBasis).HasMaxLength(200);
            e.Property(c => c.ConsentReference).HasMaxLength(200);
            e.Property(c => c.FileName).HasMaxLength(260);
            e.Property(c => c.FileSha256).HasMaxLength(64);
            e.HasIndex(c => c.DepartmentId);
            e.HasMany<Customer>().WithOne().HasForeignKey(c => c.CollectionId).OnDelete(DeleteBehavior.Restrict);
        });

        builder.Entity<CustomerAttachment>(e =>
        {
            e.Property(a => a.ContentType).HasMaxLength(40);
            e.Property(a => a.UploadedBy).HasMaxLength(64);
            e.HasIndex(a => a.CustomerId);
            e.HasOne<Customer>().WithMany().HasForeignKey(a => a.CustomerId).OnDelete(DeleteBehavior.Cascade);
        });

        builder.Entity<Features.Keys.KeyCheck>(e =>
        {
            e.Property(k => k.Id).ValueGeneratedNever();
            e.Property(k => k.Wrapped).HasMaxLength(128);
            e.Property(k => k.SecretsWrapped).HasMaxLength(128);
            e.Property(k => k.IndexProbe).HasMaxLength(16);
        });

        builder.Entity<Features.Copies.CopyRecord>(e =>
        {
            e.Property(c => c.Serial).HasMaxLength(32);
            e.HasIndex(c => c.Serial).IsUnique();
            e.Property(c => c.Kind).HasConversion<string>().HasMaxLength(16);
            e.Property(c => c.Status).HasConversion<string>().HasMaxLength(16);
            e.Property(c => c.PersonName).HasMaxLength(256);
            e.Property(c => c.Recipient).HasMaxLength(200);
            e.Property(c => c.NdaReference).HasMaxLength(100);
            e.Property(c => c.Purpose).HasMaxLength(64);
            e.Property(c => c.Note).HasMaxLength(500);
            e.Property(c => c.Fields).HasMaxLength(1000);
            e.Property(c => c.Revealed).HasMaxLength(1000);
            e.Property(c => c.Sha256).HasMaxLength(32);
            e.Property(c => c.CanaryHash).HasMaxLength(16);
            e.Property(c => c.ClosedBy).HasMaxLength(256);
            e.Property(c => c.Witness).HasMaxLength(256);
            e.Property(c => c.ClosingNote).HasMaxLength(500);
            e.HasIndex(c => c.PersonId);
            e.HasIndex(c => c.CanaryHash);
            e.HasIndex(c => c.CanaryId);
            e.HasIndex(c => new { c.Status, c.UseBy });
            e.HasMany<Features.Copies.CopyItem>().WithOne().HasForeignKey(i => i.CopyId).OnDelete(DeleteBehavior.Cascade);
        });

        // No foreign key to the customer: the ledger outlives a destroyed customer.
        builder.Entity<Features.Copies.CopyItem>(e =>
        {
            e.HasKey(i => new { i.CopyId, i.CustomerId });
            e.HasIndex(i => i.CustomerId);
        });

        builder.Entity<Features.Destruction.DestructionRecord>(e =>
        {
            e.Property(d => d.Method).HasMaxLength(32);
            e.Property(d => d.OperatorName).HasMaxLength(256);
            e.Property(d => d.WitnessName).HasMaxLength(256);
            e.Property(d => d.Note).HasMaxLength(500);
            e.HasIndex(d => d.CustomerId).IsUnique();
            e.HasIndex(d => d.DestroyedAt);
        });

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
            return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
        }
        catch (Exception e) when (audited && e is not DbUpdateConcurrencyException && IsStorageFailure(e))
        {
            // A concurrency conflict is not a storage failure: the row changed under the caller, who decides what that means.
            throw new AuditWriteException(e);
        }
    }

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
