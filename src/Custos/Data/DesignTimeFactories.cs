using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Custos.Data;

/// <summary>Used only by <c>dotnet ef migrations add</c>; the connection strings are never opened.</summary>
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteCustosDbContext>
{
    public SqliteCustosDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<SqliteCustosDbContext>();
        DatabaseRegistration.ConfigureSqlite(options, "Data Source=design-time.db");
        return new SqliteCustosDbContext(options.Options);
    }
}

internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresCustosDbContext>
{
    public PostgresCustosDbContext CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<PostgresCustosDbContext>();
        DatabaseRegistration.ConfigurePostgres(options, "Host=localhost;Database=custos_design");
        return new PostgresCustosDbContext(options.Options);
    }
}
