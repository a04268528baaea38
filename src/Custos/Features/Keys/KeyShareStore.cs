using System.Data.Common;
using Custos.Hosting;
using Custos.Kernel.Crypto;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Custos.Features.Keys;

/// <summary>
/// Where the second halves of customers' data keys are kept (ADR 0018): apart from the database, so that a backup of the
/// database never holds a whole data key, and deleting a customer's share destroys that customer in every backup at
/// once. The store is a SQLite file beside the data directory (0600, secure delete), or — for several nodes on one
/// PostgreSQL database — a PostgreSQL database of its own (<c>Custos:KeyShares</c> as a connection string). Keep it
/// like the key file: replicated or copied as it is now, never kept in generations, or a destroyed customer's share
/// survives in an old copy.
/// </summary>
[Contract]
public sealed class KeyShareStore(CustosSettings settings, TimeProvider time) : IDisposable
{
    private const int Batch = 500;
    private readonly Lock gate = new();
    private bool ready;

    /// <summary>The store's location for messages: the file, or the PostgreSQL host and database (never a password).</summary>
    public string Description => IsPostgres ? DescribePostgres(settings.KeyShares!) : FilePath;

    private bool IsPostgres => settings.KeyShares is { } s && s.Contains('=', StringComparison.Ordinal);

    /// <summary>The file: as configured, else beside the data directory (<c>custos-data.shares</c>) — tied to the database, so a restore drill into another directory never shares production's store by default.</summary>
    private string FilePath => Path.GetFullPath(!string.IsNullOrWhiteSpace(settings.KeyShares) ? settings.KeyShares
        : settings.UsesPostgres ? (settings.FullKeyFile.EndsWith(".keys", StringComparison.Ordinal) ? settings.FullKeyFile[..^".keys".Length] : settings.FullKeyFile) + ".shares"
        : settings.FullDataDir.TrimEnd(Path.DirectorySeparatorChar) + ".shares");

    /// <summary>Whether the store exists already (a file store's file; a PostgreSQL store always answers yes once reachable).</summary>
    public bool Exists => IsPostgres || File.Exists(FilePath);

    /// <summary>
    /// Opens the store, creating it when <paramref name="mayCreate"/>; refuses a missing store when the database has
    /// split keys (restore it from where it is kept, or the customers cannot be read).
    /// </summary>
    public void Open(bool mayCreate)
    {
        lock (gate)
        {
            if (ready)
            {
                return;
            }

            if (IsPostgres && settings.UsesPostgres && SameDatabase(settings.KeyShares!, settings.Database!))
            {
                // In the customers' database the shares would be in its backups, and destruction would not reach them.
                throw new KeyFileException("The key-share store must not be the customers' database: give Custos:KeyShares a database of its own.");
            }

            if (!IsPostgres && !File.Exists(FilePath))
            {
                if (!mayCreate)
                {
                    throw new KeyFileException(
                        $"The key-share store {FilePath} does not exist, but this database's customers need it. Restore it from where it is kept (like the key file, apart from the database's backups), or name it with CUSTOS_KEY_SHARES; " +
                        "without it the customers cannot be read.");
                }

                Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
                using (new FileStream(FilePath, PrivateFolder.NewFile()))
                {
                    // an empty file, private to the owner, that SQLite fills
                }
            }

            try
            {
                using var connection = Connect();
                Execute(connection, IsPostgres
                    ? "CREATE TABLE IF NOT EXISTS key_shares (id text PRIMARY KEY, share bytea NOT NULL, created bigint NOT NULL)"
                    : "CREATE TABLE IF NOT EXISTS key_shares (id TEXT PRIMARY KEY, share BLOB NOT NULL, created INTEGER NOT NULL) WITHOUT ROWID");

                // Which shares were deleted, and when (no key material): a restore tells a destroyed customer from a lost share.
                Execute(connection, IsPostgres
                    ? "CREATE TABLE IF NOT EXISTS key_share_tombstones (id text PRIMARY KEY, deleted bigint NOT NULL)"
                    : "CREATE TABLE IF NOT EXISTS key_share_tombstones (id TEXT PRIMARY KEY, deleted INTEGER NOT NULL) WITHOUT ROWID");
                if (!IsPostgres)
                {
                    Execute(connection, "PRAGMA journal_mode=WAL");
                }
            }
            catch (DbException e)
            {
                throw new KeyFileException($"The key-share store {Description} cannot be opened: {e.Message}", e);
            }

            ready = true;
        }
    }

    /// <summary>The share of one customer, or null when it was destroyed (or never written).</summary>
    public KeyShare? Get(Guid id)
    {
        Open(mayCreate: false);
        using var connection = Connect();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT share FROM key_shares WHERE id = @id";
        Add(command, "@id", Key(id));
        return command.ExecuteScalar() is byte[] bytes ? new KeyShare(bytes) : null;
    }

    /// <summary>The shares of many customers at once (a page of a list): those found.</summary>
    public Dictionary<Guid, KeyShare> GetMany(IEnumerable<Guid> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        Open(mayCreate: false);
        var found = new Dictionary<Guid, KeyShare>();
        using var connection = Connect();
        foreach (var chunk in ids.Distinct().Chunk(Batch))
        {
            using var command = connection.CreateCommand();
            var names = new List<string>();
            for (var i = 0; i < chunk.Length; i++)
            {
                names.Add("@p" + i);
                Add(command, "@p" + i, Key(chunk[i]));
            }

            command.CommandText = $"SELECT id, share FROM key_shares WHERE id IN ({string.Join(',', names)})";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                found[Guid.ParseExact(reader.GetString(0), "N")] = new KeyShare((byte[])reader.GetValue(1));
            }
        }

        return found;
    }

    /// <summary>Of <paramref name="ids"/>, those whose share was deleted here (a destruction), as opposed to never written or lost.</summary>
    public HashSet<Guid> Deleted(IEnumerable<Guid> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        Open(mayCreate: false);
        var found = new HashSet<Guid>();
        using var connection = Connect();
        foreach (var chunk in ids.Distinct().Chunk(Batch))
        {
            using var command = connection.CreateCommand();
            var names = new List<string>();
            for (var i = 0; i < chunk.Length; i++)
            {
                names.Add("@p" + i);
                Add(command, "@p" + i, Key(chunk[i]));
            }

            command.CommandText = $"SELECT id FROM key_share_tombstones WHERE id IN ({string.Join(',', names)})";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                found.Add(Guid.ParseExact(reader.GetString(0), "N"));
            }
        }

        return found;
    }

    /// <summary>Writes shares in one transaction per batch, before the customers they belong to are saved (a share left without its customer is useless without the ciphertexts).</summary>
    public void PutMany(IReadOnlyCollection<(Guid Id, KeyShare Share)> shares, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(shares);
        if (shares.Count == 0)
        {
            return;
        }

        Open(mayCreate: true);
        using var connection = Connect();
        foreach (var chunk in shares.Chunk(Batch))
        {
            using var transaction = connection.BeginTransaction();
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "INSERT INTO key_shares (id, share, created) VALUES (@id, @share, @created) ON CONFLICT (id) DO NOTHING";
            var id = Add(command, "@id", "");
            var share = Add(command, "@share", Array.Empty<byte>());
            Add(command, "@created", now.ToUnixTimeSeconds());
            command.Prepare();
            foreach (var (customer, value) in chunk)
            {
                id.Value = Key(customer);
                share.Value = value.Bytes.ToArray();
                command.ExecuteNonQuery();
            }

            transaction.Commit();
        }
    }

    /// <summary>Deletes shares: the customers' data keys are destroyed, here and in every backup of the database.</summary>
    public int Delete(IEnumerable<Guid> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        Open(mayCreate: false);
        var deleted = 0;
        using var connection = Connect();
        foreach (var chunk in ids.Distinct().Chunk(Batch))
        {
            using var transaction = connection.BeginTransaction();
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "DELETE FROM key_shares WHERE id = @id";
            var id = Add(command, "@id", "");
            using var tombstone = connection.CreateCommand();
            tombstone.Transaction = transaction;
            tombstone.CommandText = "INSERT INTO key_share_tombstones (id, deleted) VALUES (@id, @at) ON CONFLICT (id) DO NOTHING";
            var tombstoneId = Add(tombstone, "@id", "");
            Add(tombstone, "@at", time.GetUtcNow().ToUnixTimeSeconds());
            foreach (var customer in chunk)
            {
                id.Value = Key(customer);
                deleted += command.ExecuteNonQuery();
                tombstoneId.Value = id.Value;
                tombstone.ExecuteNonQuery();
            }

            transaction.Commit();
        }

        if (!IsPostgres && deleted > 0)
        {
            // Deleted pages are overwritten (secure_delete); the write-ahead log's copies are overwritten by truncating it.
            Execute(connection, "PRAGMA wal_checkpoint(TRUNCATE)");
        }

        return deleted;
    }

    /// <summary>
    /// Shares older than <paramref name="before"/> that <paramref name="exist"/> does not keep (it answers, for a batch of
    /// ids, which shares must stay): deleted.
    /// </summary>
    public async Task<int> SweepAsync(DateTimeOffset before, Func<IReadOnlyList<Guid>, CancellationToken, Task<IReadOnlySet<Guid>>> exist, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(exist);
        if (!Exists)
        {
            return 0;
        }

        Open(mayCreate: false);
        var after = "";
        var orphans = new List<Guid>();
        while (true)
        {
            var ids = new List<Guid>();
            using (var connection = Connect())
            using (var command = connection.CreateCommand())
            {
                command.CommandText = "SELECT id FROM key_shares WHERE id > @after AND created < @before ORDER BY id LIMIT 1000";
                Add(command, "@after", after);
                Add(command, "@before", before.ToUnixTimeSeconds());
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    ids.Add(Guid.ParseExact(reader.GetString(0), "N"));
                }
            }

            if (ids.Count == 0)
            {
                break;
            }

            after = Key(ids[^1]);
            var living = await exist(ids, ct);
            orphans.AddRange(ids.Where(i => !living.Contains(i)));
        }

        return orphans.Count == 0 ? 0 : Delete(orphans);
    }

    public void Dispose()
    {
        if (!IsPostgres)
        {
            SqliteConnection.ClearAllPools();
        }
    }

    private DbConnection Connect()
    {
        DbConnection connection = IsPostgres
            ? new NpgsqlConnection(settings.KeyShares)
            : new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = FilePath, Mode = SqliteOpenMode.ReadWrite, Pooling = true, DefaultTimeout = 30 }.ToString());
        connection.Open();
        if (!IsPostgres)
        {
            Execute(connection, "PRAGMA secure_delete=ON; PRAGMA synchronous=FULL; PRAGMA busy_timeout=30000");
        }

        return connection;
    }

    private static void Execute(DbConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static DbParameter Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
        return parameter;
    }

    private static string Key(Guid id) => id.ToString("N");

    private static bool SameDatabase(string a, string b)
    {
        try
        {
            var x = new NpgsqlConnectionStringBuilder(a);
            var y = new NpgsqlConnectionStringBuilder(b);
            return string.Equals(x.Host, y.Host, StringComparison.OrdinalIgnoreCase) && x.Port == y.Port && x.Database == y.Database;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private static string DescribePostgres(string connectionString)
    {
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            return $"{builder.Host}/{builder.Database}";
        }
        catch (ArgumentException)
        {
            return "PostgreSQL";
        }
    }
}
