using Microsoft.EntityFrameworkCore;

namespace Custos.Data;

/// <summary>
/// After many customers arrive at once (an import), the query planners learn how the customer tables look, so
/// that a list or a search starts from the selective index — a blind-index value, a rare grade, a tag — rather
/// than walking a department of a million. PostgreSQL's autovacuum would get there within minutes; SQLite has
/// no statistics until asked. Sampled, so it costs about the same at a million rows as at ten thousand.
/// </summary>
public static class PlannerStatistics
{
    public static async Task RefreshAsync(CustosDbContext db, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (db.Database.IsNpgsql())
        {
            await db.Database.ExecuteSqlRawAsync("ANALYZE \"Customers\", \"CustomerIndexes\", \"CustomerTags\", \"CustomerValues\"", ct);
        }
        else
        {
            await db.Database.ExecuteSqlRawAsync("PRAGMA analysis_limit = 1000; ANALYZE \"Customers\"; ANALYZE \"CustomerIndexes\"; ANALYZE \"CustomerTags\";", ct);
        }
    }
}
