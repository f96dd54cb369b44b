using Npgsql;

namespace Cream.Api.Tests.Infrastructure;

/// <summary>A PostgreSQL database of the test server's that exists for one test (or is only named) and is dropped after it.</summary>
public sealed class ThrowawayDatabase : IAsyncDisposable
{
    private ThrowawayDatabase(string name) => Name = name;

    public string Name { get; }

    public string ConnectionString =>
        new NpgsqlConnectionStringBuilder(TestServers.PostgresAdminConnectionString) { Database = Name }.ConnectionString;

    /// <summary>An empty database, created now.</summary>
    public static async Task<ThrowawayDatabase> CreateAsync(string prefix)
    {
        var database = Named(prefix);
        await ExecuteAsync($"CREATE DATABASE \"{database.Name}\"");
        return database;
    }

    /// <summary>A name no database has yet (whatever creates it, it is dropped afterwards).</summary>
    public static ThrowawayDatabase Named(string prefix) => new($"{prefix}_{Guid.NewGuid():N}");

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await ExecuteAsync($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)");
    }

    private static async Task ExecuteAsync(string sql)
    {
        await using var admin = new NpgsqlConnection(TestServers.PostgresAdminConnectionString);
        await admin.OpenAsync();
        await using var command = new NpgsqlCommand(sql, admin);
        await command.ExecuteNonQueryAsync();
    }
}
