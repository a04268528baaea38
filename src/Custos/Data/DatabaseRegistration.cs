using Custos.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Custos.Data;

/// <summary>Chooses the provider: SQLite in the data directory, or PostgreSQL by connection string.</summary>
public static class DatabaseRegistration
{
    public static string SqliteConnectionString(CustosSettings settings) =>
        $"Data Source={Path.Combine(settings.FullDataDir, "custos.db")};Foreign Keys=True;Pooling=True";

    public static IServiceCollection AddCustosDatabase(this IServiceCollection services, CustosSettings settings)
    {
        if (settings.UsesPostgres)
        {
            services.AddDbContext<CustosDbContext, PostgresCustosDbContext>(o => ConfigurePostgres(o, settings.Database!, settings.CommandTimeoutSeconds));
        }
        else
        {
            services.AddDbContext<CustosDbContext, SqliteCustosDbContext>(o => ConfigureSqlite(o, SqliteConnectionString(settings), settings.CommandTimeoutSeconds));
        }

        return services;
    }

    /// <summary>
    /// <paramref name="commandTimeoutSeconds"/> bounds how long one statement may take, including waiting for a
    /// lock; past it the operation fails (and, if it carried an audit entry, is refused as unrecorded).
    /// </summary>
    public static void ConfigureSqlite(DbContextOptionsBuilder options, string connectionString, int? commandTimeoutSeconds = null) =>
        options.UseSqlite(connectionString, o => o.MigrationsHistoryTable("__custos_migrations").CommandTimeout(commandTimeoutSeconds))
            .AddInterceptors(SqlitePragmas.Instance);

    public static void ConfigurePostgres(DbContextOptionsBuilder options, string connectionString, int? commandTimeoutSeconds = null) =>
        options.UseNpgsql(connectionString, o => o.MigrationsHistoryTable("__custos_migrations").CommandTimeout(commandTimeoutSeconds));
}
