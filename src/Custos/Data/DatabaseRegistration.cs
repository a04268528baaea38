using Custos.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
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
            services.AddDbContext<CustosDbContext, PostgresCustosDbContext>((s, o) => ConfigurePostgres(o, settings.Database!, settings.CommandTimeoutSeconds).AddInterceptors(s.GetServices<IInterceptor>()));
        }
        else
        {
            services.AddDbContext<CustosDbContext, SqliteCustosDbContext>((s, o) => ConfigureSqlite(o, SqliteConnectionString(settings), settings.CommandTimeoutSeconds).AddInterceptors(s.GetServices<IInterceptor>()));
        }

        return services;
    }

    /// <summary>
    /// Interceptors that features register as <see cref="IInterceptor"/> (e.g. the customers' key shares) join every context.
    /// <paramref name="commandTimeoutSeconds"/> bounds how long one statement may take, including waiting for a
    /// lock; past it the operation fails (and, if it carried an audit entry, is refused as unrecorded).
    /// </summary>
    public static DbContextOptionsBuilder ConfigureSqlite(DbContextOptionsBuilder options, string connectionString, int? commandTimeoutSeconds = null) =>
        options.UseSqlite(connectionString, o => o.MigrationsHistoryTable("__custos_migrations").CommandTimeout(commandTimeoutSeconds))
            .AddInterceptors(SqlitePragmas.Instance);

    public static DbContextOptionsBuilder ConfigurePostgres(DbContextOptionsBuilder options, string connectionString, int? commandTimeoutSeconds = null) =>
        options.UseNpgsql(connectionString, o => o.MigrationsHistoryTable("__custos_migrations").CommandTimeout(commandTimeoutSeconds));
}
