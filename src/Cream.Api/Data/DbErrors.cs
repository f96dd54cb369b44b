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
    private const int SqliteIoError = 10;
    private const int SqliteFull = 13;

    /// <summary>True when a write failed on a unique index (SQLite or PostgreSQL).</summary>
    public static bool IsUniqueViolation(DbUpdateException exception) => exception?.InnerException switch
    {
        PostgresException postgres => postgres.SqlState == PostgresErrorCodes.UniqueViolation,
        SqliteException sqlite => sqlite.SqliteErrorCode == SqliteConstraint
            && sqlite.Message.Contains("UNIQUE", StringComparison.Ordinal),
        _ => false,
    };

    /// <summary>
    /// True when the database could not be reached, is restarting or did not answer in time:
    /// worth trying again shortly (503), unlike a bug in a query (500).
    /// </summary>
    public static bool IsUnavailable(Exception exception) => exception switch
    {
        PostgresException postgres => IsUnavailable(postgres.SqlState),
        // Two commands at once on one connection is a bug of ours, not an outage.
        NpgsqlOperationInProgressException => false,
        // Everything else Npgsql raises itself is about reaching the server: refused, reset,
        // closed mid-reply, timed out, no free connection in the pool.
        NpgsqlException => true,
        SqliteException sqlite => sqlite.SqliteErrorCode is SqliteBusy or SqliteLocked or SqliteCantOpen or SqliteIoError or SqliteFull,
        TimeoutException => true,
        InvalidOperationException { InnerException: { } inner } => IsUnavailable(inner),
        InvalidOperationException { Source: "Npgsql" } orphaned => LeftByABrokenConnection.Contains(orphaned.Message),
        DbUpdateException { InnerException: { } inner } => IsUnavailable(inner),
        _ => false,
    };

    /// <summary>
    /// True when the server refused this service's connection itself: a wrong user or password
    /// (class 28) or a database that does not exist (3D000). A setting to fix, not an outage.
    /// </summary>
    public static bool IsConnectionRefused(Exception exception) =>
        exception.GetBaseException() is PostgresException { SqlState: ['2', '8', _, _, _] or PostgresErrorCodes.InvalidCatalogName };

    /// <summary>
    /// What Npgsql says, without an inner exception, of a transaction or connection that a
    /// broken connection left behind: a restart that kills the connection between two statements
    /// of one transaction makes the second fail with "Transaction is already completed". A
    /// genuine misuse gives the same words; it fails its tests either way (as 503 instead of 500).
    /// </summary>
    private static readonly HashSet<string> LeftByABrokenConnection = new(StringComparer.Ordinal)
    {
        "Transaction is already completed",
        "This NpgsqlTransaction has completed; it is no longer usable.",
        "Connection is not open",
    };

    /// <summary>
    /// The SQLSTATEs of a server that is going away or cannot take us now (PostgreSQL appendix A):
    /// the connection exceptions of class 08 (but 08P01, a protocol violation), 57P01 admin shutdown (a restart, or
    /// <c>pg_terminate_backend</c>), 57P02 crash shutdown, 57P03 cannot connect now (starting up
    /// or shutting down), 57P05 idle session timeout, 53300 too many connections and 57014 a
    /// statement timeout. Serialization failures and deadlocks are not among them: they come from
    /// how our statements meet, and a database that answers them is not unavailable.
    /// </summary>
    public static bool IsUnavailable(string? sqlState) => sqlState switch
    {
        null => false,
        "08000" or "08001" or "08003" or "08004" or "08006" => true, // connection exceptions (not 08P01, a protocol bug)
        PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow => true,
        "57P05" => true, // idle_session_timeout (PostgreSQL 14)
        PostgresErrorCodes.TooManyConnections => true,
        PostgresErrorCodes.QueryCanceled => true,
        _ => false,
    };
}

/// <summary>Tells the error handler that a database outage is a 503, not a 500.</summary>
internal sealed class DatabaseUnavailability : Cream.Api.Common.IUnavailabilityClassifier
{
    public bool IsUnavailable(Exception exception) => DbErrors.IsUnavailable(exception);
}
