using Microsoft.Data.Sqlite;

namespace Custos.Tests.Infrastructure;

/// <summary>Temporary data directories and key files, and their removal.</summary>
public static class TestPaths
{
    public static string NewDataDir(string purpose) => Path.Combine(Path.GetTempPath(), $"custos-{purpose}-" + Guid.NewGuid().ToString("N")[..8]);

    /// <summary>A key file path of its own, for PostgreSQL installations (which have no data directory).</summary>
    public static string NewKeyFile() => NewDataDir("pgkeys") + ".keys";

    /// <summary>Removes a data directory and the key file Custos keeps beside it.</summary>
    public static void Delete(string dataDir)
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(dataDir))
        {
            Directory.Delete(dataDir, recursive: true);
        }

        File.Delete(dataDir.TrimEnd('/') + ".keys");
        DeleteShares(dataDir.TrimEnd('/') + ".shares");
    }

    /// <summary>Removes a key-share store file and its write-ahead log.</summary>
    public static void DeleteShares(string path)
    {
        SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            File.Delete(path + suffix);
        }
    }
}
