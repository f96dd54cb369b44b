using System.Net;
using Cream.Api.Auth.BruteForce;
using Cream.Api.Tests.Infrastructure;
using Cream.Api.Tests.ScaleOut;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging.Testing;
using StackExchange.Redis;

namespace Cream.Api.Tests.BruteForce;

/// <summary>Two instances on one PostgreSQL and one Redis, each also with a low-address-limit host, and their clocks set equal.</summary>
[NeedsTestServers]
public sealed class TwoLimitedInstances : IAsyncLifetime
{
    public TwoInstances Deployment { get; } = new();

    /// <summary>Instance A and B with the suite's settings.</summary>
    public CreamApiFactory A => Deployment.A;

    public CreamApiFactory B => Deployment.B;

    /// <summary>Hosts of A and B with <see cref="BruteForceApi.PerIpPerMinute"/> attempts per address.</summary>
    public WebApplicationFactory<Program> LimitedA { get; private set; } = null!;

    public WebApplicationFactory<Program> LimitedB { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        if (TestServers.SkippedHere(this))
        {
            return;
        }

        await Deployment.InitializeAsync();
        LimitedA = A.WithLowAddressLimit();
        LimitedB = B.WithLowAddressLimit();
        _ = LimitedA.Server;
        _ = LimitedB.Server;
        // One deployment, one time: the instances' fake clocks started a few microseconds apart.
        var now = new[] { A.Time.GetUtcNow(), B.Time.GetUtcNow() }.Max();
        A.Time.SetUtcNow(now);
        B.Time.SetUtcNow(now);
    }

    public async Task DisposeAsync()
    {
        if (TestServers.SkippedHere(this))
        {
            return;
        }

        await LimitedB.DisposeAsync();
        await LimitedA.DisposeAsync();
        await Deployment.DisposeAsync();
    }
}

/// <summary>
/// With Redis configured the limits belong to the deployment: what one instance counted, the
/// other enforces. In the Redis-outage collection so no test stops Redis meanwhile.
/// </summary>
[Collection(RedisOutageGroup.Name)]
public sealed class SharedLimitsTests(TwoLimitedInstances instances) : IClassFixture<TwoLimitedInstances>
{
    [Fact]
    public async Task Attempts_from_one_address_on_either_instance_count_against_one_budget()
    {
        var address = BruteForceApi.NewAddress();
        using var onA = instances.LimitedA.ClientFrom(address);
        using var onB = instances.LimitedB.ClientFrom(address);
        for (var attempt = 0; attempt < 3; attempt++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await BruteForceApi.StatusOfAsync(onA.PostLoginFormAsync(ApiHelpers.NewEmail(), BruteForceApi.WrongPassword)));
        }

        for (var attempt = 0; attempt < 2; attempt++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, await BruteForceApi.StatusOfAsync(onB.PostRefreshAsync("guess")));
        }

        using var refusedOnA = await onA.PostRefreshAsync("guess");
        using var refusedOnB = await onB.PostLoginFormAsync(ApiHelpers.NewEmail(), BruteForceApi.WrongPassword);

        var wait = await BruteForceApi.AssertTooManyAttemptsAsync(refusedOnA);
        Assert.Equal(wait, await BruteForceApi.AssertTooManyAttemptsAsync(refusedOnB));
        instances.Deployment.Advance(TimeSpan.FromSeconds(wait));
        Assert.Equal(HttpStatusCode.Unauthorized, await BruteForceApi.StatusOfAsync(onB.PostRefreshAsync("guess")));
    }

    [Fact]
    public async Task Failures_on_either_instance_make_one_streak_and_a_success_on_either_ends_it()
    {
        using var onA = instances.A.CreateClient();
        using var onB = instances.B.CreateClient();
        var user = await onA.SignupAsync();
        await onA.FailLoginsAsync(user.Email, 3);
        await onB.FailLoginsAsync(user.Email, 2);

        using var refusedOnB = await onB.PostLoginFormAsync(user.Email, user.Password);
        using var refusedOnA = await onA.PostLoginFormAsync(user.Email, user.Password);
        Assert.Equal(1, await BruteForceApi.AssertTooManyAttemptsAsync(refusedOnB));
        Assert.Equal(1, await BruteForceApi.AssertTooManyAttemptsAsync(refusedOnA));

        instances.Deployment.Advance(TimeSpan.FromSeconds(1));
        await onA.FailLoginsAsync(user.Email, 1);
        using var doubled = await onB.PostLoginFormAsync(user.Email, user.Password);
        Assert.Equal(2, await BruteForceApi.AssertTooManyAttemptsAsync(doubled));

        instances.Deployment.Advance(TimeSpan.FromSeconds(2));
        await onB.LoginAsync(user.Email, user.Password);
        await onA.FailLoginsAsync(user.Email, 5); // the success on B ended the streak for A too
    }

    [Fact]
    public async Task Redis_holds_a_hash_of_the_email_never_the_email()
    {
        var email = ApiHelpers.NewEmail("hashed");
        using var client = instances.A.CreateClient();
        await client.FailLoginsAsync(email, 2);

        await using var redis = await ConnectionMultiplexer.ConnectAsync(TestServers.RedisConfiguration);
        var keys = new List<string>();
        await foreach (var key in redis.GetServers()[0].KeysAsync(pattern: RedisAttemptCounters.KeyPrefix + "*"))
        {
            keys.Add(key.ToString());
        }

        var accountKey = $"{RedisAttemptCounters.KeyPrefix}acct:{BruteForceGuard.AccountKey(email)}";
        Assert.Contains(accountKey, keys);
        Assert.Equal("2", (await redis.GetDatabase().HashGetAsync(accountKey, "f")).ToString());
        Assert.DoesNotContain(keys, key => key.Contains(email.Split('@')[0], StringComparison.OrdinalIgnoreCase));
        foreach (var entry in await redis.GetDatabase().HashGetAllAsync(accountKey))
        {
            Assert.True(long.TryParse(entry.Value.ToString(), System.Globalization.CultureInfo.InvariantCulture, out _));
        }

        Assert.True(await redis.GetDatabase().KeyTimeToLiveAsync(accountKey) is { } ttl && ttl <= TimeSpan.FromDays(1));
    }
}

/// <summary>
/// Redis lost while serving (its connection cut through a proxy, the shared Redis left
/// running): the limits fall back to the instance's own counters, never to none, never to a 500.
/// </summary>
[Collection(RedisOutageGroup.Name)]
[NeedsTestServers(TestServers.RedisVariable)]
public sealed class UnreachableRedisTests
{
    [Fact]
    public async Task With_redis_unreachable_both_limits_still_hold_on_each_instance()
    {
        await using var proxy = new TcpProxy(IPEndPoint.Parse(TestServers.RedisConfiguration));
        var service = new SqliteApiFactory { RedisConfiguration = $"127.0.0.1:{proxy.Port}" };
        try
        {
            await service.InitializeAsync();
            await using var limited = service.WithLowAddressLimit();
            _ = limited.Server;
            using var client = service.CreateClient();
            var user = await client.SignupAsync();
            proxy.Cut();

            await client.FailLoginsAsync(user.Email, 5);
            using var backingOff = await client.PostLoginFormAsync(user.Email, user.Password);
            Assert.Equal(1, await BruteForceApi.AssertTooManyAttemptsAsync(backingOff));
            service.Time.Advance(TimeSpan.FromSeconds(1));
            await client.LoginAsync(user.Email, user.Password);

            using var fromOneAddress = limited.ClientFrom(BruteForceApi.NewAddress());
            for (var attempt = 0; attempt < BruteForceApi.PerIpPerMinute; attempt++)
            {
                Assert.Equal(HttpStatusCode.Unauthorized, await BruteForceApi.StatusOfAsync(fromOneAddress.PostRefreshAsync("guess")));
            }

            using var refused = await fromOneAddress.PostRefreshAsync("guess");
            await BruteForceApi.AssertTooManyAttemptsAsync(refused);
            var unavailable = Assert.Single(service.Services.GetFakeLogCollector().GetSnapshot(), r => r.Id.Id == 1102);
            Assert.Equal("SharedRateLimitsUnavailable", unavailable.Id.Name);
        }
        finally
        {
            await ((IAsyncLifetime)service).DisposeAsync();
        }
    }
}
