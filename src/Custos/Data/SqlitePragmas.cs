using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Custos.Data;

/// <summary>
/// Every SQLite connection waits for a busy writer instead of failing at once, keeps full durability, and
/// overwrites what it deletes (a destroyed customer's ciphertexts and wrapped key do not linger in free pages, DST-1),
/// and keeps its temporary tables and sort files in memory, never in the system's temporary folder.
/// WAL mode itself is persistent in the database file and is set once at initialisation.
/// </summary>
internal sealed class SqlitePragmas : DbConnectionInterceptor
{
    public static readonly SqlitePragmas Instance = new();

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Apply(connection);
        return Task.CompletedTask;
    }

    private static void Apply(DbConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA busy_timeout = 5000; PRAGMA synchronous = FULL; PRAGMA secure_delete = ON; PRAGMA temp_store = MEMORY;";
        command.ExecuteNonQuery();
    }
}
