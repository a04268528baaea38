using System.Data.Common;
using Custos.Features.Audit;
using Custos.Features.Organisation;
using Custos.Features.People;
using Custos.Hosting;
using Custos.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace Custos.Data;

/// <summary>The schema is older or newer than this build knows; the message says what to do.</summary>
public sealed class SchemaMismatchException(string message) : Exception(message)
{
    public SchemaMismatchException()
        : this("The database schema does not match this version of Custos.")
    {
    }

    public SchemaMismatchException(string message, Exception inner)
        : this(message + " " + inner.Message)
    {
    }
}

/// <summary>The database could not be reached; the message names the target without its password.</summary>
public sealed class DatabaseUnavailableException(string message, Exception inner) : Exception(message, inner)
{
    public DatabaseUnavailableException()
        : this("The database is unavailable.", new InvalidOperationException())
    {
    }

    public DatabaseUnavailableException(string message)
        : this(message, new InvalidOperationException(message))
    {
    }
}

public sealed record InitialisationResult(bool Fresh, string? InitialAdminPassword, string? InitialAdminPasswordFile);

/// <summary>
/// Brings a data directory and database to a usable state, as every command does first: an empty one is
/// created and given the schema, the roles, a default department and the built-in administrator; an
/// existing one is checked against the migrations this build knows and never changed silently.
/// </summary>
public sealed class DatabaseInitialiser(
    CustosDbContext db,
    Features.Keys.KeyShareStore keyShares,
    UserManager<Person> users,
    RoleManager<IdentityRole<Guid>> roles,
    CustosSettings settings,
    Features.Keys.KeyRing keyRing,
    TimeProvider time,
    ILogger<DatabaseInitialiser> log)
{
    public const string AdminUserName = "admin";
    public const string DefaultDepartmentCode = "GENERAL";
    public const string AdminPasswordFileName = "initial-admin-password.txt";

    /// <summary>Creates or checks the database; <paramref name="migrate"/> applies pending migrations.</summary>
    public async Task<InitialisationResult> InitialiseAsync(bool migrate, CancellationToken ct)
    {
        if (!settings.UsesPostgres)
        {
            CreateDataDirectory(settings.FullDataDir);
        }

        var creator = db.Database.GetService<IRelationalDatabaseCreator>();
        IReadOnlyList<string> applied;
        bool hasTables;
        try
        {
            var exists = await creator.ExistsAsync(ct);
            applied = exists ? [.. await db.Database.GetAppliedMigrationsAsync(ct)] : [];
            hasTables = exists && applied.Count == 0 && await creator.HasTablesAsync(ct);
        }
        catch (Exception e) when (e is DbException or InvalidOperationException or TimeoutException)
        {
            throw new DatabaseUnavailableException(DescribeTarget() + ": " + e.Message, e);
        }

        var known = db.Database.GetMigrations().ToList();
        var unknown = applied.Except(known).ToList();
        if (unknown.Count > 0)
        {
            throw new SchemaMismatchException(
                $"The database at {DescribeTarget()} has schema version '{unknown[^1]}', which this Custos {Version} does not know. " +
                "Run the Custos version that created it, or a newer one.");
        }

        var fresh = applied.Count == 0;
        if (hasTables)
        {
            throw new SchemaMismatchException(
                $"The database at {DescribeTarget()} has tables but no Custos schema history. " +
                "It is not a Custos database, or its history was lost; point Custos at an empty database.");
        }
        var pending = known.Except(applied).ToList();
        if (pending.Count > 0)
        {
            if (!fresh && !migrate)
            {
                throw new SchemaMismatchException(
                    $"The database at {DescribeTarget()} needs {pending.Count} schema migration(s) ({string.Join(", ", pending)}). " +
                    "Back it up, then run `custos db migrate` with the same --data-dir/--database options.");
            }

            log.LogInformation("Applying {Count} schema migration(s) to {Target}", pending.Count, DescribeTarget());
            await db.Database.MigrateAsync(ct);
        }

        if (!settings.UsesPostgres)
        {
            // WAL is a property of the database file: set once, it stays.
            await db.Database.ExecuteSqlAsync($"PRAGMA journal_mode=WAL;", ct);
        }

        if (!keyRing.IsLoaded)
        {
            await keyRing.LoadAsync(db, settings.FullKeyFile, settings.KeyPassphrase, time, ct, settings.Hsm.ToOptions());
        }

        // The key-share store (ADR 0018): created with a new database, required once customers' keys are split.
        keyShares.Open(mayCreate: !await db.Customers.AnyAsync(c => c.KeySplit, ct));

        // Secrets an earlier version kept in clear: authenticator keys are sealed, unsealed data-protection keys are replaced.
        var sealedKeys = await Features.Accounts.CustosUserStore.SealLegacyKeysAsync(db, keyRing, ct);
        var replaced = await Features.Keys.SealedXmlEncryptor.RemoveUnsealedAsync(db, ct);
        if (sealedKeys + replaced > 0)
        {
            log.LogInformation("Sealed {Keys} authenticator key(s) and replaced {Replaced} data-protection key(s) kept in clear", sealedKeys, replaced);
        }

        await SeedRolesAsync();
        await SeedDefaultDepartmentAsync(ct);
        var (password, file) = await SeedAdministratorAsync(ct);
        return new InitialisationResult(fresh, password, file);
    }

    public static string Version => typeof(DatabaseInitialiser).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    /// <summary>Where the data lives, for messages: the SQLite path or the PostgreSQL host and database, never a password.</summary>
    public string DescribeTarget()
    {
        if (!settings.UsesPostgres)
        {
            return Path.Combine(settings.FullDataDir, "custos.db");
        }

        try
        {
            var b = new Npgsql.NpgsqlConnectionStringBuilder(settings.Database);
            return $"postgresql://{b.Host}:{b.Port}/{b.Database}";
        }
        catch (ArgumentException)
        {
            return "postgresql (unparseable connection string)";
        }
    }

    /// <summary>
    /// The data directory (0700) and the database file (0600) before SQLite opens it, so that its WAL and shared-memory
    /// files, which SQLite creates with the database's mode, are the owner's only too; older ones are narrowed.
    /// </summary>
    private static void CreateDataDirectory(string path)
    {
        PrivateFolder.Create(path); // made private too when something created it before (its working folder)
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        var database = Path.Combine(path, "custos.db");
        if (!File.Exists(database))
        {
            using (new FileStream(database, PrivateFolder.NewFile()))
            {
                // an empty file is a new SQLite database
            }
        }

        foreach (var file in Directory.EnumerateFiles(path, "custos.db*"))
        {
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    private async Task SeedRolesAsync()
    {
        foreach (var role in Roles.All)
        {
            if (!await roles.RoleExistsAsync(role))
            {
                var result = await roles.CreateAsync(new IdentityRole<Guid>(role) { Id = Guid.CreateVersion7(time.GetUtcNow()) });
                if (!result.Succeeded)
                {
                    throw new InvalidOperationException("Could not create role " + role);
                }
            }
        }
    }

    private async Task SeedDefaultDepartmentAsync(CancellationToken ct)
    {
        if (await db.Departments.AnyAsync(d => d.IsDefault, ct))
        {
            return;
        }

        var now = time.GetUtcNow();
        db.Departments.Add(new Department { Id = Guid.CreateVersion7(now), Code = DefaultDepartmentCode, Name = "综合部", IsDefault = true, CreatedAt = now });
        db.AuditRecords.Add(SystemRecord(AuditActions.DepartmentCreate, "department", DefaultDepartmentCode));
        await db.SaveChangesAsync(ct);
    }

    private async Task<(string? Password, string? File)> SeedAdministratorAsync(CancellationToken ct)
    {
        if (await db.Users.AnyAsync(u => u.IsBuiltIn, ct))
        {
            return (null, null);
        }

        var now = time.GetUtcNow();
        var password = PeopleService.GeneratePassword();
        var admin = new Person
        {
            Id = Guid.CreateVersion7(now),
            UserName = AdminUserName,
            DisplayName = "系统管理员",
            IsBuiltIn = true,
            Clearance = Clearance.TopSecret,
            CreatedAt = now,
            LockoutEnabled = true,
        };
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var created = await users.CreateAsync(admin, password);
        if (!created.Succeeded)
        {
            throw new InvalidOperationException("Could not create the built-in administrator: " + created.Errors.First().Code);
        }

        await users.AddToRoleAsync(admin, Roles.ItAdministrator);
        var department = await db.Departments.SingleAsync(d => d.IsDefault, ct);
        db.DepartmentMemberships.Add(new DepartmentMembership { PersonId = admin.Id, DepartmentId = department.Id });
        db.AuditRecords.Add(SystemRecord(AuditActions.PersonCreate, "person", admin.Id.ToString()));
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);

        string? file = null;
        if (!settings.UsesPostgres)
        {
            file = Path.Combine(settings.FullDataDir, AdminPasswordFileName);
            var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            await using var stream = new FileStream(file, options);
            await using var writer = new StreamWriter(stream);
            await writer.WriteLineAsync($"user: {AdminUserName}");
            await writer.WriteLineAsync($"password: {password}");
            await writer.WriteLineAsync("Sign in, enrol two-factor authentication, change this password, then delete this file.");
        }

        return (password, file);
    }

    private AuditRecord SystemRecord(string action, string type, string id) => new()
    {
        At = time.GetUtcNow(),
        ActorId = FixedActor.System.Id,
        ActorName = FixedActor.System.Name,
        ClientAddress = FixedActor.System.ClientAddress,
        Action = action,
        TargetType = type,
        TargetId = id,
        Outcome = AuditOutcome.Success,
    };
}
