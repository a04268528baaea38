using System.Data;
using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using Custos.Data;
using Custos.Features.Keys;
using Custos.Hosting;
using Custos.Kernel.Audit;
using Custos.Kernel.Crypto;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Custos.Features.Backup;

/// <summary>What a backup or restore did, for the command's report.</summary>
public sealed record BackupOutcome(BackupManifest Manifest, long Bytes);

/// <summary>
/// Online backups and restores (SEC-2, ADR 0018). A backup is a consistent copy taken while Custos runs — SQLite's
/// backup API, or <c>pg_dump</c> on an exported snapshot — sealed under a fresh archive key wrapped by the
/// key-encryption key, with a manifest (time, engine, schema, the audit log's size and root). A restore goes only into
/// an empty place, opens the whole file before anything is put in place (a cut-off, changed or foreign file, or the
/// wrong keys, leave nothing behind), checks what it restored against the manifest, and is recorded in the restored
/// audit log. The customers' key shares are not in a backup: those destroyed after it stay unreadable.
/// </summary>
public sealed class BackupService(CustosSettings settings, KeyShareStore shares, TimeProvider time)
{
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";

    private string Engine => settings.UsesPostgres ? Postgres : Sqlite;

    /// <summary>Takes a backup into <paramref name="output"/> (a new file, private to the owner).</summary>
    public async Task<BackupOutcome> CreateAsync(IKeyEncryptionKeys keys, string output, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var target = Path.GetFullPath(output);
        if (File.Exists(target))
        {
            throw CustosException.Conflict("BackupFileExists", target);
        }

        RemoveStaleCopies();
        var partial = target + ".partial";
        var id = Guid.CreateVersion7(time.GetUtcNow());
        try
        {
            BackupManifest manifest;
            await using (var file = new FileStream(partial, PrivateFolder.NewFile()))
            {
                manifest = settings.UsesPostgres
                    ? await BackUpPostgresAsync(keys, id, file, ct)
                    : await BackUpSqliteAsync(keys, id, file, ct);
                await file.FlushAsync(ct);
                file.Flush(flushToDisk: true);
            }

            File.Move(partial, target);
            return new BackupOutcome(manifest, new FileInfo(target).Length);
        }
        finally
        {
            File.Delete(partial);
        }
    }

    /// <summary>Reads a backup's manifest and opens the whole file with the keys, without restoring it.</summary>
    public static async Task<BackupOutcome> CheckAsync(IKeyEncryptionKeys keys, string input, CancellationToken ct)
    {
        await using var file = OpenBackup(input);
        var header = await OpenArchiveAsync(keys, file, Stream.Null, ct);
        return new BackupOutcome(ManifestOf(header), file.Length);
    }

    /// <summary>
    /// Restores into the configured place, which must be empty (no data directory content for SQLite, no tables in the
    /// PostgreSQL database). The file is opened completely and checked against its manifest before it is put in place.
    /// </summary>
    public async Task<BackupManifest> RestoreAsync(IKeyEncryptionKeys keys, string input, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(keys);
        await using var file = OpenBackup(input);
        BackupManifest manifest;
        try
        {
            manifest = ManifestOf(await SealedArchive.ReadHeaderAsync(file, ct));
        }
        catch (SealedArchiveException e)
        {
            throw CustosException.Invalid("Backup." + e.Reason);
        }

        file.Position = 0;
        if (manifest.Engine != Engine)
        {
            throw CustosException.Invalid("BackupOtherEngine", manifest.Engine, Engine);
        }

        return settings.UsesPostgres ? await RestorePostgresAsync(keys, file, manifest, ct) : await RestoreSqliteAsync(keys, file, manifest, ct);
    }

    private async Task<BackupManifest> BackUpSqliteAsync(IKeyEncryptionKeys keys, Guid id, Stream output, CancellationToken ct)
    {
        // The copy is taken into the private working folder (0700), sealed from there and deleted.
        PrivateFolder.Create(settings.FullWorkDir);
        var copy = Path.Combine(settings.FullWorkDir, $"backup-{id:N}.db");
        try
        {
            using (var source = new SqliteConnection(DatabaseRegistration.SqliteConnectionString(settings)))
            using (var destination = new SqliteConnection(LocalFile(copy, SqliteOpenMode.ReadWriteCreate)))
            {
                source.Open();
                destination.Open();

                // One step under one read transaction: a consistent copy, while writers go on (WAL).
                source.BackupDatabase(destination);
            }

            DatabaseFacts facts;
            using (var read = new SqliteConnection(LocalFile(copy, SqliteOpenMode.ReadOnly)))
            {
                read.Open();
                facts = await ReadFactsAsync(read, null, ct);
            }

            var manifest = NewManifest(id, facts);
            await using (var content = File.OpenRead(copy))
            {
                await SealedArchive.SealAsync(keys, id, manifest.ToBytes(), content, output, ct);
            }

            return manifest;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            DeleteWithJournal(copy);
        }
    }

    private async Task<BackupManifest> BackUpPostgresAsync(IKeyEncryptionKeys keys, Guid id, Stream output, CancellationToken ct)
    {
        // The facts and the dump see the same snapshot: the transaction exporting it stays open until pg_dump is done.
        await using var connection = new NpgsqlConnection(settings.Database);
        await connection.OpenAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
        string snapshot;
        await using (var command = new NpgsqlCommand("SELECT pg_export_snapshot()", connection, transaction))
        {
            snapshot = (string)(await command.ExecuteScalarAsync(ct))!;
        }

        var facts = await ReadFactsAsync(connection, transaction, ct);
        var manifest = NewManifest(id, facts);
        using var dump = StartPostgresTool("pg_dump", ["--format=custom", "--no-owner", "--no-privileges", "--snapshot=" + snapshot], redirectInput: false);
        var errors = dump.StandardError.ReadToEndAsync(ct);
        try
        {
            await SealedArchive.SealAsync(keys, id, manifest.ToBytes(), dump.StandardOutput.BaseStream, output, ct);
            await dump.WaitForExitAsync(ct);
        }
        catch
        {
            // Cancelled or failed: the tool does not go on alone.
            dump.Kill(entireProcessTree: true);
            throw;
        }

        if (dump.ExitCode != 0)
        {
            throw CustosException.Invalid("BackupToolFailed", "pg_dump", FirstLine(await errors));
        }

        await transaction.CommitAsync(ct);
        return manifest;
    }

    private async Task<BackupManifest> RestoreSqliteAsync(IKeyEncryptionKeys keys, FileStream file, BackupManifest manifest, CancellationToken ct)
    {
        var dataDir = settings.FullDataDir;
        if (Directory.Exists(dataDir) && Directory.EnumerateFileSystemEntries(dataDir).Any())
        {
            throw CustosException.Conflict("RestoreTargetNotEmpty", dataDir);
        }

        var created = !Directory.Exists(dataDir);
        Directory.CreateDirectory(dataDir);
        var restoring = Path.Combine(dataDir, "custos.db.restoring");
        try
        {
            await using (var output = new FileStream(restoring, PrivateFolder.NewFile()))
            {
                await OpenArchiveAsync(keys, file, output, ct);
                output.Flush(flushToDisk: true);
            }

            using (var read = new SqliteConnection(LocalFile(restoring, SqliteOpenMode.ReadOnly)))
            {
                read.Open();
                Compare(manifest, await ReadFactsAsync(read, null, ct));
                await CheckSharesAsync(read, ct);
            }

            SqliteConnection.ClearAllPools();
            File.Move(restoring, Path.Combine(dataDir, "custos.db"));
            return manifest;
        }
        catch
        {
            // Nothing half-done: the data directory is left as it was found.
            SqliteConnection.ClearAllPools();
            DeleteWithJournal(restoring);
            if (created && Directory.Exists(dataDir) && !Directory.EnumerateFileSystemEntries(dataDir).Any())
            {
                Directory.Delete(dataDir);
            }

            throw;
        }
    }

    private async Task<BackupManifest> RestorePostgresAsync(IKeyEncryptionKeys keys, FileStream file, BackupManifest manifest, CancellationToken ct)
    {
        await EnsurePostgresDatabaseAsync(ct);
        await using (var connection = new NpgsqlConnection(settings.Database))
        {
            await connection.OpenAsync(ct);
            await using var command = new NpgsqlCommand("SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()", connection);
            if ((long)(await command.ExecuteScalarAsync(ct))! > 0)
            {
                throw CustosException.Conflict("RestoreTargetNotEmpty", DescribePostgres());
            }
        }

        // The whole file is opened first, into the private working folder: a bad file never reaches the database.
        PrivateFolder.Create(settings.FullWorkDir);
        RemoveStaleCopies();
        var dumpFile = Path.Combine(settings.FullWorkDir, $"restore-{manifest.Id:N}.dump");
        try
        {
            await using (var output = new FileStream(dumpFile, PrivateFolder.NewFile()))
            {
                await OpenArchiveAsync(keys, file, output, ct);
            }

            using var restore = StartPostgresTool("pg_restore", ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", "--dbname=" + new NpgsqlConnectionStringBuilder(settings.Database).Database, dumpFile], redirectInput: false);
            var errors = restore.StandardError.ReadToEndAsync(ct);
            try
            {
                await restore.StandardOutput.ReadToEndAsync(ct);
                await restore.WaitForExitAsync(ct);
            }
            catch
            {
                restore.Kill(entireProcessTree: true);
                throw;
            }

            if (restore.ExitCode != 0)
            {
                throw CustosException.Invalid("BackupToolFailed", "pg_restore", FirstLine(await errors));
            }

            await using var connection = new NpgsqlConnection(settings.Database);
            await connection.OpenAsync(ct);
            try
            {
                Compare(manifest, await ReadFactsAsync(connection, null, ct));
                await CheckSharesAsync(connection, ct);
            }
            catch
            {
                await using var drop = new NpgsqlCommand("DROP SCHEMA public CASCADE; CREATE SCHEMA public;", connection);
                await drop.ExecuteNonQueryAsync(ct);
                throw;
            }

            return manifest;
        }
        finally
        {
            File.Delete(dumpFile);
        }
    }

    /// <summary>A restore may go into a database that does not exist yet: it is created, empty.</summary>
    private async Task EnsurePostgresDatabaseAsync(CancellationToken ct)
    {
        try
        {
            await using var probe = new NpgsqlConnection(settings.Database);
            await probe.OpenAsync(ct);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InvalidCatalogName)
        {
            var target = new NpgsqlConnectionStringBuilder(settings.Database);
            var maintenance = new NpgsqlConnectionStringBuilder(settings.Database) { Database = "postgres", Pooling = false };
            await using var connection = new NpgsqlConnection(maintenance.ConnectionString);
            await connection.OpenAsync(ct);
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{target.Database!.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", connection);
            await create.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>
    /// The key-share store must be the one the backup's customers were split into: a restore that would find none of
    /// their shares (a wrong or new store) is refused before anything is put in place, rather than losing every customer.
    /// </summary>
    private async Task CheckSharesAsync(DbConnection connection, CancellationToken ct)
    {
        var split = new List<Guid>();
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT \"Id\" FROM \"Customers\" WHERE \"KeySplit\"";
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                split.Add(reader.GetGuid(0));
            }
        }

        // Every customer's share must be there, or have been deleted by a destruction (its tombstone): a share simply
        // missing means the wrong store, and restoring would lose that customer.
        var lost = 0;
        foreach (var chunk in split.Chunk(5000))
        {
            var found = shares.GetMany(chunk);
            var missing = chunk.Where(id => !found.ContainsKey(id)).ToList();
            lost += missing.Count - shares.Deleted(missing).Count;
        }

        if (lost > 0)
        {
            throw CustosException.Invalid("RestoreSharesMissing", lost, shares.Description);
        }
    }

    /// <summary>Working copies a crash left behind (a backup's copy, a restore's dump): deleted before the next one.</summary>
    private void RemoveStaleCopies()
    {
        if (!Directory.Exists(settings.FullWorkDir))
        {
            return;
        }

        foreach (var file in Directory.EnumerateFiles(settings.FullWorkDir).Where(f => Path.GetFileName(f) is var n && (n.StartsWith("backup-", StringComparison.Ordinal) || n.StartsWith("restore-", StringComparison.Ordinal))))
        {
            if (File.GetLastWriteTimeUtc(file) < time.GetUtcNow().UtcDateTime.AddHours(-1))
            {
                File.Delete(file);
            }
        }
    }

    private static FileStream OpenBackup(string input)
    {
        var path = Path.GetFullPath(input);
        if (!File.Exists(path))
        {
            throw CustosException.NotFound("BackupFileMissing", path);
        }

        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true);
    }

    private static async Task<SealedArchiveHeader> OpenArchiveAsync(IKeyEncryptionKeys keys, Stream input, Stream output, CancellationToken ct)
    {
        try
        {
            var header = await SealedArchive.OpenAsync(keys, input, output, ct);
            ManifestOf(header);
            return header;
        }
        catch (SealedArchiveException e)
        {
            throw CustosException.Invalid("Backup." + e.Reason);
        }
    }

    private static BackupManifest ManifestOf(SealedArchiveHeader header) =>
        BackupManifest.From(header.Manifest) is { } manifest && manifest.Id == header.Id ? manifest : throw CustosException.Invalid("Backup.not-an-archive");

    private BackupManifest NewManifest(Guid id, DatabaseFacts facts) => new(
        BackupManifest.CurrentFormat, id, time.GetUtcNow(), Engine, facts.Schema, DatabaseInitialiser.Version,
        facts.AuditSize, facts.AuditRoot, facts.AuditEntries, facts.Customers);

    /// <summary>What was restored must be what was backed up: schema, audit log size and root, and the counts.</summary>
    private static void Compare(BackupManifest manifest, DatabaseFacts restored)
    {
        if (restored.Schema != manifest.Schema || restored.AuditSize != manifest.AuditSize || restored.AuditRoot != manifest.AuditRoot
            || restored.AuditEntries != manifest.AuditEntries || restored.Customers != manifest.Customers)
        {
            throw CustosException.Invalid("RestoreManifestMismatch");
        }
    }

    /// <summary>The schema version, the audit tree's size and root, and the counts, read with plain SQL (both engines).</summary>
    public static async Task<DatabaseFacts> ReadFactsAsync(DbConnection connection, DbTransaction? transaction, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(connection);
        async Task<object?> ScalarAsync(string sql)
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = sql;
            return await command.ExecuteScalarAsync(ct);
        }

        var schema = await ScalarAsync("SELECT \"MigrationId\" FROM \"__custos_migrations\" ORDER BY \"MigrationId\" DESC LIMIT 1") as string ?? "";
        long size = 0;
        byte[] peaks = [];
        await using (var command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = "SELECT \"Size\", \"Peaks\" FROM \"AuditLogState\" LIMIT 1";
            await using var reader = await command.ExecuteReaderAsync(ct);
            if (await reader.ReadAsync(ct))
            {
                size = reader.GetInt64(0);
                peaks = (byte[])reader.GetValue(1);
            }
        }

        var root = size == 0 ? MerkleHash.Empty() : MerkleFrontier.Restore(size, peaks).Root();
        var entries = Convert.ToInt64(await ScalarAsync("SELECT COUNT(*) FROM \"AuditRecords\""), CultureInfo.InvariantCulture);
        var customers = Convert.ToInt64(await ScalarAsync("SELECT COUNT(*) FROM \"Customers\""), CultureInfo.InvariantCulture);
        return new DatabaseFacts(schema, size, Convert.ToHexStringLower(root), entries, customers);
    }

    private Process StartPostgresTool(string tool, IEnumerable<string> arguments, bool redirectInput)
    {
        var connection = new NpgsqlConnectionStringBuilder(settings.Database);
        var start = new ProcessStartInfo(FindTool(tool))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectInput,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The connection goes by environment, never on the command line where others could read the password.
        start.Environment["PGHOST"] = connection.Host ?? "localhost";
        start.Environment["PGPORT"] = connection.Port.ToString(CultureInfo.InvariantCulture);
        start.Environment["PGDATABASE"] = connection.Database ?? "";
        start.Environment["PGUSER"] = connection.Username ?? "";
        if (!string.IsNullOrEmpty(connection.Password))
        {
            start.Environment["PGPASSWORD"] = connection.Password;
        }

        return Process.Start(start) ?? throw CustosException.Invalid("BackupToolMissing", tool);
    }

    /// <summary>The PostgreSQL client tool: from <c>Custos:PostgresTools</c>, else the newest installed server's, else the PATH.</summary>
    private string FindTool(string tool)
    {
        if (!string.IsNullOrWhiteSpace(settings.PostgresTools))
        {
            return Path.Combine(settings.PostgresTools, tool);
        }

        const string debian = "/usr/lib/postgresql";
        if (Directory.Exists(debian))
        {
            var newest = Directory.GetDirectories(debian)
                .Select(d => (Dir: d, Version: int.TryParse(Path.GetFileName(d), NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : -1))
                .Where(d => d.Version >= 0 && File.Exists(Path.Combine(d.Dir, "bin", tool)))
                .OrderByDescending(d => d.Version).FirstOrDefault();
            if (newest.Dir is not null)
            {
                return Path.Combine(newest.Dir, "bin", tool);
            }
        }

        return tool;
    }

    private string DescribePostgres()
    {
        var connection = new NpgsqlConnectionStringBuilder(settings.Database);
        return $"{connection.Host}/{connection.Database}";
    }

    private static string LocalFile(string path, SqliteOpenMode mode) =>
        new SqliteConnectionStringBuilder { DataSource = path, Mode = mode, Pooling = false }.ToString();

    private static void DeleteWithJournal(string path)
    {
        foreach (var suffix in new[] { "", "-wal", "-shm", "-journal" })
        {
            File.Delete(path + suffix);
        }
    }

    private static string FirstLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "";
}
