using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Cream.Api.Data;

public static class DbErrors
{
    private const int SqliteConstraint = 19;
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;
    private const int SqliteCantOpen = 14;

    /// <summary>True when a write failed on a unique index (SQLite or PostgreSQL).</summary>
    public static bool IsUniqueViolation(DbUpdateException exception) => exception?.InnerException switch
    {
        PostgresException postgres => postgres.SqlState == PostgresErrorCodes.UniqueViolation,
        SqliteException sqlite => sqlite.SqliteErrorCode == SqliteConstraint
            && sqlite.Message.Contains("UNIQUE", StringComparison.Ordinal),
        _ => false,
    };

    /// <summary>True when the database could not be reached or did not answer in time (not a bug in a query).</summary>
    public static bool IsUnavailable(Exception exception) => exception switch
    {
        PostgresException => false,
        NpgsqlException => true,
        SqliteException sqlite => sqlite.SqliteErrorCode is SqliteBusy or SqliteLocked or SqliteCantOpen,
        TimeoutException => true,
        InvalidOperationException { InnerException: { } inner } => IsUnavailable(inner),
        DbUpdateException { InnerException: { } inner } => IsUnavailable(inner),
        _ => false,
    };
}
