using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace Custos.Data;

/// <summary>
/// Inserts many rows of one entity type without change tracking, inside the context's current transaction:
/// one prepared statement reused row by row on SQLite, binary <c>COPY</c> on PostgreSQL. Table, columns and
/// value conversions come from the EF Core model, so the rows read back exactly as if EF had written them.
/// For imports, where EF's one-INSERT-per-row with change tracking costs far more than the encryption.
/// </summary>
public static class BulkInsert
{
    public static async Task InsertAsync<T>(this CustosDbContext db, IReadOnlyCollection<T> rows, CancellationToken ct)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0)
        {
            return;
        }

        var transaction = db.Database.CurrentTransaction?.GetDbTransaction()
            ?? throw new InvalidOperationException("A bulk insert runs inside a transaction.");
        var table = Table.For(db.Model, typeof(T));
        if (transaction.Connection is NpgsqlConnection postgres)
        {
            await CopyAsync(postgres, table, rows, ct);
        }
        else
        {
            await InsertRowsAsync(transaction, table, rows, ct);
        }
    }

    /// <summary>
    /// For the length of a large write on SQLite, a page cache of 64 MB instead of 2 MB: a long transaction that
    /// outgrows the cache spills pages to the WAL again and again, and random index inserts miss it. Undone on dispose,
    /// so the pooled connection does not keep the memory. Nothing to do on PostgreSQL.
    /// </summary>
    public static async Task<IAsyncDisposable> LargeWriteAsync(this CustosDbContext db, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var connection = db.Database.GetDbConnection();
        if (connection is NpgsqlConnection)
        {
            return new Restore(null);
        }

        await db.Database.OpenConnectionAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA cache_size = -65536";
        await command.ExecuteNonQueryAsync(ct);
        return new Restore(db);
    }

    private sealed class Restore(CustosDbContext? db) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            if (db is null)
            {
                return;
            }

            await using (var command = db.Database.GetDbConnection().CreateCommand())
            {
                command.CommandText = "PRAGMA cache_size = -2000";
                await command.ExecuteNonQueryAsync();
            }

            await db.Database.CloseConnectionAsync();
        }
    }

    private static async Task InsertRowsAsync<T>(DbTransaction transaction, Table table, IEnumerable<T> rows, CancellationToken ct)
        where T : class
    {
        await using var command = transaction.Connection!.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"INSERT INTO {Quote(table.Name)} ({string.Join(", ", table.Columns.Select(c => Quote(c.Name)))}) " +
            $"VALUES ({string.Join(", ", table.Columns.Select((_, i) => "@p" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)))})";
        var parameters = table.Columns
            .Select((column, i) => column.Mapping.CreateParameter(command, "@p" + i.ToString(System.Globalization.CultureInfo.InvariantCulture), null, column.Property.IsNullable))
            .ToArray();
        command.Parameters.AddRange(parameters);
        await command.PrepareAsync(ct);
        foreach (var row in rows)
        {
            for (var i = 0; i < parameters.Length; i++)
            {
                var column = table.Columns[i];
                parameters[i].Value = column.ToProvider(column.Property.GetGetter().GetClrValueUsingContainingEntity(row)) ?? DBNull.Value;
            }

            await command.ExecuteNonQueryAsync(ct);
        }
    }

    private static async Task CopyAsync<T>(NpgsqlConnection connection, Table table, IEnumerable<T> rows, CancellationToken ct)
        where T : class
    {
        var sql = $"COPY {Quote(table.Name)} ({string.Join(", ", table.Columns.Select(c => Quote(c.Name)))}) FROM STDIN (FORMAT BINARY)";
        await using var importer = await connection.BeginBinaryImportAsync(sql, ct);
        foreach (var row in rows)
        {
            await importer.StartRowAsync(ct);
            foreach (var column in table.Columns)
            {
                var value = column.ToProvider(column.Property.GetGetter().GetClrValueUsingContainingEntity(row));
                if (value is null)
                {
                    await importer.WriteNullAsync(ct);
                }
                else
                {
                    await importer.WriteAsync(value, column.StoreType, ct);
                }
            }
        }

        await importer.CompleteAsync(ct);
    }

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private sealed record Column(string Name, IProperty Property, RelationalTypeMapping Mapping, string StoreType)
    {
        public object? ToProvider(object? value) =>
            value is null ? null : Mapping.Converter is { } converter ? converter.ConvertToProvider(value) : value;
    }

    private sealed record Table(string Name, IReadOnlyList<Column> Columns)
    {
        private static readonly System.Collections.Concurrent.ConcurrentDictionary<(IModel, Type), Table> Cache = new();

        public static Table For(IModel model, Type type) => Cache.GetOrAdd((model, type), key =>
        {
            var entity = key.Item1.FindEntityType(key.Item2) ?? throw new InvalidOperationException($"{key.Item2.Name} is not an entity.");
            var name = entity.GetTableName()!;
            var store = StoreObjectIdentifier.Table(name, entity.GetSchema());
            var columns = entity.GetProperties()
                .Where(p => p.GetColumnName(store) is not null)
                .Select(p =>
                {
                    var mapping = (RelationalTypeMapping)p.GetTypeMapping();
                    var storeType = p.GetColumnType();
                    var facet = storeType.IndexOf('(', StringComparison.Ordinal);
                    return new Column(p.GetColumnName(store)!, p, mapping, facet < 0 ? storeType : storeType[..facet]);
                })
                .ToList();
            return new Table(name, columns);
        });
    }
}
