using Cream.Api.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Cream.Api.Tests.Faults;

/// <summary>Which database failures mean "try again shortly" (503) and which are bugs (500).</summary>
public sealed class DbErrorsTests
{
    private static PostgresException Postgres(string sqlState, string severity = "FATAL") =>
        new($"server says {sqlState}", severity, severity, sqlState);

    [Theory]
    [InlineData("57P01")] // admin_shutdown: pg_ctl restart/stop -m fast, pg_terminate_backend
    [InlineData("57P02")] // crash_shutdown
    [InlineData("57P03")] // cannot_connect_now: starting up or shutting down
    [InlineData("57P05")] // idle_session_timeout
    [InlineData("08000")] // connection_exception
    [InlineData("08003")] // connection_does_not_exist
    [InlineData("08006")] // connection_failure
    [InlineData("08001")] // sqlclient_unable_to_establish_sqlconnection
    [InlineData("08004")] // sqlserver_rejected_establishment_of_sqlconnection
    [InlineData("53300")] // too_many_connections
    [InlineData("57014")] // query_canceled: a statement timeout
    public void A_server_going_away_or_refusing_connections_is_unavailable(string sqlState)
    {
        var failure = Postgres(sqlState);

        Assert.True(DbErrors.IsUnavailable(failure));
        Assert.True(DbErrors.IsUnavailable(new DbUpdateException("An error occurred while saving the entity changes.", failure)));
        Assert.True(DbErrors.IsUnavailable(new InvalidOperationException("An exception has been raised that is likely due to a transient failure.", failure)));
    }

    [Theory]
    [InlineData("42P01")] // undefined_table
    [InlineData("42703")] // undefined_column
    [InlineData("42601")] // syntax_error
    [InlineData("22P02")] // invalid_text_representation
    [InlineData("23505")] // unique_violation (handled where it is expected, a bug anywhere else)
    [InlineData("23503")] // foreign_key_violation
    [InlineData("40001")] // serialization_failure
    [InlineData("40P01")] // deadlock_detected
    [InlineData("57P04")] // database_dropped
    [InlineData("08P01")] // protocol_violation: a bug of the client, not an outage
    [InlineData("XX000")] // internal_error
    public void A_query_the_server_refused_is_a_bug_not_an_outage(string sqlState)
    {
        var failure = Postgres(sqlState, "ERROR");

        Assert.False(DbErrors.IsUnavailable(failure));
        Assert.False(DbErrors.IsUnavailable(new DbUpdateException("An error occurred while saving the entity changes.", failure)));
    }

    [Fact]
    public void Connection_refused_reset_and_timeouts_are_unavailable()
    {
        Assert.True(DbErrors.IsUnavailable(new NpgsqlException("Failed to connect to 127.0.0.1:5432",
            new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.ConnectionRefused))));
        Assert.True(DbErrors.IsUnavailable(new NpgsqlException("Exception while reading from stream",
            new EndOfStreamException("Attempted to read past the end of the stream."))));
        Assert.True(DbErrors.IsUnavailable(new NpgsqlException("Exception while reading from stream", new TimeoutException())));
        Assert.True(DbErrors.IsUnavailable(new TimeoutException("The operation has timed out.")));
        Assert.True(DbErrors.IsUnavailable(new DbUpdateException("An error occurred while saving the entity changes.",
            new NpgsqlException("Exception while writing to stream", new IOException("Connection reset by peer")))));
    }

    [Theory]
    [InlineData("Transaction is already completed")]
    [InlineData("This NpgsqlTransaction has completed; it is no longer usable.")]
    [InlineData("Connection is not open")]
    public void What_a_broken_connection_leaves_of_a_transaction_is_unavailable(string message)
    {
        Assert.True(DbErrors.IsUnavailable(new InvalidOperationException(message) { Source = "Npgsql" }));
        // The same words from anything else are not Npgsql's.
        Assert.False(DbErrors.IsUnavailable(new InvalidOperationException(message)));
    }

    /// <summary>What a restart between two statements of one transaction raises (seen in the restart test).</summary>
    [Fact]
    [Cream.Api.Tests.Infrastructure.NeedsTestServers(Cream.Api.Tests.Infrastructure.TestServers.PostgresVariable)]
    public async Task A_command_on_a_transaction_its_broken_connection_completed_is_unavailable()
    {
        await using var connection = new NpgsqlConnection(Cream.Api.Tests.Infrastructure.TestServers.PostgresAdminConnectionString);
        await connection.OpenAsync();
        var transaction = await connection.BeginTransactionAsync();
        await transaction.RollbackAsync();

        var failure = Assert.Throws<InvalidOperationException>(() => new NpgsqlCommand("SELECT 1", connection) { Transaction = transaction });

        Assert.True(DbErrors.IsUnavailable(failure));
    }

    [Theory]
    [InlineData(5)] // SQLITE_BUSY: another writer held the lock past the busy timeout
    [InlineData(6)] // SQLITE_LOCKED
    [InlineData(14)] // SQLITE_CANTOPEN
    [InlineData(10)] // SQLITE_IOERR
    [InlineData(13)] // SQLITE_FULL: the disk is full
    public void Sqlite_busy_locked_or_unopenable_is_unavailable(int code)
    {
        var failure = new SqliteException("database is locked", code);

        Assert.True(DbErrors.IsUnavailable(failure));
        Assert.True(DbErrors.IsUnavailable(new DbUpdateException("An error occurred while saving the entity changes.", failure)));
    }

    [Fact]
    public void Sqlite_constraint_and_syntax_errors_and_other_exceptions_are_bugs()
    {
        Assert.False(DbErrors.IsUnavailable(new SqliteException("UNIQUE constraint failed: app_users.normalized_email", 19)));
        Assert.False(DbErrors.IsUnavailable(new SqliteException("near \"SELEC\": syntax error", 1)));
        Assert.False(DbErrors.IsUnavailable(new InvalidOperationException("Sequence contains no elements")));
        Assert.False(DbErrors.IsUnavailable(new ArgumentException("bad value")));
        Assert.False(DbErrors.IsUnavailable(new DbUpdateConcurrencyException("The database operation was expected to affect 1 row(s).")));
    }
}
