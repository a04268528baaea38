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
            services.AddDbContext<CustosDbContext, PostgresCustosDbContext>(o => ConfigurePostgres(o, settings.Database!));
        }
        else
        {
            services.AddDbContext<CustosDbContext, SqliteCustosDbContext>(o => ConfigureSqlite(o, SqliteConnectionString(settings)));
        }

        return services;
    }

    public static void ConfigureSqlite(DbContextOptionsBuilder options, string connectionString) =>
        options.UseSqlite(connectionString, o => o.MigrationsHistoryTable("__custos_migrations"))
            .AddInterceptors(SqlitePragmas.Instance);

    public static void ConfigurePostgres(DbContextOptionsBuilder options, string connectionString) =>
        options.UseNpgsql(connectionString, o => o.MigrationsHistoryTable("__custos_migrations"));
}
