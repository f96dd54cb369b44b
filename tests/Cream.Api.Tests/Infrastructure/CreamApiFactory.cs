using System.Security.Cryptography;
using Cream.Api.Data;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace Cream.Api.Tests.Infrastructure;

/// <summary>
/// The real service in process over its own fresh database. Subclasses choose SQLite or
/// PostgreSQL; every HTTP test class runs against both.
/// </summary>
public abstract class CreamApiFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    /// <summary>Fewer iterations than production keep the suite fast; the hashing path is the same.</summary>
    public const int TestPasswordIterations = 10_000;

    /// <summary>Instances of one deployment share it.</summary>
    public string JwtSecret { get; init; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));

    /// <summary>Starts at the real current time; tests that move it get a factory of their own.</summary>
    public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);

    public abstract DatabaseProvider Provider { get; }

    protected abstract string ConnectionString { get; }

    public FakeLogCollector Logs => Services.GetFakeLogCollector();

    /// <summary>The host environment; not Development, so nothing falls back to a development default.</summary>
    public string EnvironmentName { get; init; } = "Testing";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(EnvironmentName);
        builder.UseSetting("ConnectionStrings:Cream", ConnectionString);
        // The test server's own address, as a deployment configures its public URL.
        builder.UseSetting("Accounts:PublicBaseUrl", "http://localhost");
        builder.UseSetting("Jwt:Secret", JwtSecret);
        builder.UseSetting("Passwords:Iterations", TestPasswordIterations.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("RateLimits:PerIpPerMinute", "1000000");
        builder.UseSetting("RateLimits:SignupsPerIpPerHour", "1000000");
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }

        if (RedisConfiguration is not null)
        {
            builder.UseSetting("Redis:Configuration", RedisConfiguration);
        }

        builder.ConfigureLogging(logging => logging.ClearProviders().SetMinimumLevel(LogLevel.Debug).AddFakeLogging());
        builder.ConfigureServices(services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(Time);
        });
    }

    /// <summary>Extra configuration for this instance (keys as in appsettings, e.g. <c>Jwt:Algorithm</c>).</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; init; } = new Dictionary<string, string?>();

    /// <summary>A Redis configuration string to share revocations through, or null for in-process only.</summary>
    public string? RedisConfiguration { get; init; }

    public virtual async Task InitializeAsync()
    {
        if (TestServers.SkippedHere(this))
        {
            return;
        }

        await PrepareDatabaseAsync();
        _ = Server; // start the host (SQLite migrates itself at start)
    }

    protected virtual Task PrepareDatabaseAsync() => Task.CompletedTask;

    async Task IAsyncLifetime.DisposeAsync()
    {
        if (TestServers.SkippedHere(this))
        {
            return;
        }

        await DisposeAsync();
        await DropDatabaseAsync();
    }

    protected virtual Task DropDatabaseAsync() => Task.CompletedTask;

    /// <summary>Runs a query against the service's own database.</summary>
    public async Task<T> WithDbAsync<T>(Func<CreamDbContext, Task<T>> query)
    {
        await using var scope = Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<CreamDbContext>());
    }
}

public class SqliteApiFactory : CreamApiFactory
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"cream-test-{Guid.NewGuid():N}.db");

    public override DatabaseProvider Provider => DatabaseProvider.Sqlite;

    protected override string ConnectionString => $"Data Source={_path};Pooling=False";

    protected override Task DropDatabaseAsync()
    {
        foreach (var file in new[] { _path, _path + "-wal", _path + "-shm" })
        {
            File.Delete(file);
        }

        return Task.CompletedTask;
    }
}

[NeedsTestServers(TestServers.PostgresVariable)]
public class PostgresApiFactory : CreamApiFactory
{
    /// <summary>Several factories (service instances) may share one database by naming the same one.</summary>
    public string DatabaseName { get; init; } = $"cream_test_{Guid.NewGuid():N}";

    /// <summary>Only the factory that created the database drops it.</summary>
    public bool OwnsDatabase { get; init; } = true;

    /// <summary>The server to create the database on (its superuser connection); the shared test server unless a test needs one of its own.</summary>
    public string? AdminConnectionString { get; init; }

    private string Admin => AdminConnectionString ?? TestServers.PostgresAdminConnectionString;

    public override DatabaseProvider Provider => DatabaseProvider.Postgres;

    /// <summary>Connect through this port instead of the server's own (a <see cref="TcpProxy"/> that a test can cut).</summary>
    public int? ProxyPort { get; init; }

    protected override string ConnectionString
    {
        get
        {
            var builder = new NpgsqlConnectionStringBuilder(Admin) { Database = DatabaseName, Timeout = 3 };
            if (ProxyPort is { } port)
            {
                builder.Port = port;
            }

            return builder.ConnectionString;
        }
    }

    /// <summary>Creates and migrates the database before the service starts, as the <c>migrate</c> command would.</summary>
    protected override async Task PrepareDatabaseAsync()
    {
        await using (var connection = new NpgsqlConnection(Admin))
        {
            await connection.OpenAsync();
            await using var exists = new NpgsqlCommand($"SELECT 1 FROM pg_database WHERE datname = '{DatabaseName}'", connection);
            if (await exists.ExecuteScalarAsync() is not null)
            {
                return;
            }

            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{DatabaseName}\"", connection);
            await command.ExecuteNonQueryAsync();
        }

        var options = new Microsoft.EntityFrameworkCore.DbContextOptionsBuilder<PostgresCreamDbContext>().UseNpgsql(ConnectionString).Options;
        await using var db = new PostgresCreamDbContext(options);
        await db.Database.MigrateAsync();
    }

    protected override async Task DropDatabaseAsync()
    {
        if (!OwnsDatabase)
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(Admin);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{DatabaseName}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }
}
