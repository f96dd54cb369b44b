using System.Diagnostics;
using Cream.Api.Tests.Infrastructure;
using Npgsql;
using StackExchange.Redis;

namespace Cream.Api.Tests.ScaleOut;

/// <summary>Two instances of the service on one PostgreSQL database and one Redis, as in a scale-out deployment.</summary>
[NeedsTestServers]
public sealed class TwoInstances : IAsyncLifetime
{
    private readonly string _database = $"cream_scale_{Guid.NewGuid():N}";

    public PostgresApiFactory A { get; private set; } = null!;
    public PostgresApiFactory B { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (TestServers.SkippedHere(this))
        {
            return;
        }

        A = new PostgresApiFactory { DatabaseName = _database, RedisConfiguration = TestServers.RedisConfiguration };
        B = new PostgresApiFactory
        {
            DatabaseName = _database,
            RedisConfiguration = TestServers.RedisConfiguration,
            OwnsDatabase = false,
            JwtSecret = A.JwtSecret,
        };
        await A.InitializeAsync();
        await B.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        if (TestServers.SkippedHere(this))
        {
            return;
        }

        await ((IAsyncLifetime)B).DisposeAsync();
        await ((IAsyncLifetime)A).DisposeAsync();
    }

    /// <summary>Moves both instances' clocks together (they are one deployment).</summary>
    public void Advance(TimeSpan by)
    {
        A.Time.Advance(by);
        B.Time.Advance(by);
    }

    /// <summary>Polls until <paramref name="condition"/> holds or <paramref name="limit"/> passes; returns the time it took, or null.</summary>
    public static async Task<TimeSpan?> WaitUntilAsync(Func<Task<bool>> condition, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < limit)
        {
            if (await condition())
            {
                return clock.Elapsed;
            }

            await Task.Delay(5);
        }

        return await condition() ? clock.Elapsed : null;
    }

    /// <summary>Stops the test Redis (SHUTDOWN NOSAVE) the way an outage would.</summary>
    public static async Task StopRedisAsync()
    {
        var options = ConfigurationOptions.Parse(TestServers.RedisConfiguration);
        options.AllowAdmin = true;
        await using var admin = await ConnectionMultiplexer.ConnectAsync(options);
        var server = admin.GetServers()[0];
        try
        {
            server.Shutdown(ShutdownMode.Never);
        }
        catch (RedisConnectionException)
        {
            // the server closes the connection as it stops
        }
    }

    /// <summary>Starts the test Redis again on the same port.</summary>
    public static void StartRedis()
    {
        var command = Environment.GetEnvironmentVariable("CREAM_TEST_REDIS_SERVER_CMD") ?? "redis-server";
        var port = Environment.GetEnvironmentVariable("CREAM_TEST_REDIS_PORT")
            ?? TestServers.RedisConfiguration.Split(':')[^1];
        using var process = Process.Start(new ProcessStartInfo(command)
        {
            ArgumentList = { "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "yes" },
            UseShellExecute = false,
        })!;
        process.WaitForExit();
    }

    public static void ClearPools() => NpgsqlConnection.ClearAllPools();
}
