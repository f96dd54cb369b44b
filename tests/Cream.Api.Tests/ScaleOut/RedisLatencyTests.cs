using System.Diagnostics;
using System.Globalization;
using System.Net;
using Cream.Api.Tests.BruteForce;
using Cream.Api.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Testing;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Cream.Api.Tests.ScaleOut;

/// <summary>
/// Redis stopped or not answering never makes a request wait for it: login and logout take
/// what they take with Redis up, limits are counted in process meanwhile, a revocation that
/// could not be published reaches the other instance through the resync after reconnecting,
/// and each outage is logged once when it starts and once when it ends.
/// </summary>
[Collection(RedisOutageGroup.Name)]
public sealed class RedisLatencyTests(TwoInstances instances, ITestOutputHelper output) : IClassFixture<TwoInstances>
{
    /// <summary>A stall detector, far above a login plus a logout here and far below the library's 5 s timeout.</summary>
    private static readonly TimeSpan Stall = TimeSpan.FromSeconds(1.5);

    private const int BusUnavailable = 1061;
    private const int BusRestored = 1062;
    private const int PublishFailed = 1063;
    private const int CountersUnavailable = 1102;
    private const int CountersRestored = 1103;

    [Fact]
    public async Task With_redis_stopped_requests_do_not_wait_limits_count_locally_missed_revocations_resync_and_the_outage_is_logged_once()
    {
        using var onA = instances.A.CreateClient();
        var user = await onA.SignupAsync();
        var victim = await onA.SignupAsync();
        await MeasureAsync(instances.A, user, 5); // warm up
        var up = await MeasureAsync(instances.A, user, 30);
        var logsBefore = instances.A.Logs.GetSnapshot().Count;
        var revokedDuringOutage = await onA.LoginAsync(user.Email, user.Password);
        using var onB = instances.B.CreateClient(revokedDuringOutage.AccessToken);
        Assert.Equal(HttpStatusCode.OK, (await onB.GetAsync("/api/auth/me")).StatusCode);

        await TwoInstances.StopRedisAsync();
        (List<double> Login, List<double> Logout) down;
        try
        {
            // The first requests after Redis died are counted in process: five failures, then backoff.
            var first = Stopwatch.StartNew();
            await onA.FailLoginsAsync(victim.Email, 5);
            output.WriteLine($"first five failed logins after Redis stopped: {first.Elapsed.TotalMilliseconds:F0} ms");
            using var backingOff = await onA.PostLoginFormAsync(victim.Email, victim.Password);
            Assert.Equal(1, await BruteForceApi.AssertTooManyAttemptsAsync(backingOff));

            down = await MeasureAsync(instances.A, user, 30);

            // A revocation whose message cannot go out: refused here at once, not yet on B.
            using var logout = await instances.A.CreateClient(revokedDuringOutage.AccessToken).PostAsync("/api/auth/logout", null);
            Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await instances.A.CreateClient(revokedDuringOutage.AccessToken).GetAsync("/api/auth/me")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await onB.GetAsync("/api/auth/me")).StatusCode);
        }
        finally
        {
            TwoInstances.StartRedis();
        }

        // The fake clocks stand still, so no periodic resync runs: B learns of the logout from the resync after reconnecting.
        var caughtUp = await TwoInstances.WaitUntilAsync(
            async () => (await onB.GetAsync("/api/auth/me")).StatusCode == HttpStatusCode.Unauthorized, TimeSpan.FromSeconds(30));
        Assert.NotNull(caughtUp);
        var restored = await TwoInstances.WaitUntilAsync(async () =>
        {
            await onA.LoginAsync(user.Email, user.Password);
            var records = instances.A.Logs.GetSnapshot().Skip(logsBefore).ToList();
            return records.Any(r => r.Id.Id == BusRestored) && records.Any(r => r.Id.Id == CountersRestored);
        }, TimeSpan.FromSeconds(30));

        Report("Redis up", up);
        Report("Redis down", down);
        output.WriteLine($"B refused the token revoked during the outage {caughtUp.Value.TotalSeconds:F1} s after Redis started");
        var outageLogs = instances.A.Logs.GetSnapshot().Skip(logsBefore).Where(r => r.Id.Id is >= 1060 and < 1070 or >= 1100 and < 1110).ToList();
        foreach (var record in outageLogs)
        {
            output.WriteLine($"  {record.Id.Id} {record.Id.Name}: {record.Message}");
        }

        for (var i = 0; i < down.Login.Count; i++)
        {
            Assert.True(TimeSpan.FromMilliseconds(down.Login[i] + down.Logout[i]) < Stall,
                $"login + logout took {down.Login[i]:F0} + {down.Logout[i]:F0} ms with Redis down");
        }

        Assert.NotNull(restored);
        Assert.Single(outageLogs, r => r.Id.Id == BusUnavailable);
        Assert.Single(outageLogs, r => r.Id.Id == BusRestored);
        Assert.Single(outageLogs, r => r.Id.Id == CountersUnavailable);
        Assert.Single(outageLogs, r => r.Id.Id == CountersRestored);
        Assert.DoesNotContain(outageLogs, r => r.Id.Id == PublishFailed);
    }

    [Fact]
    public async Task With_redis_connected_but_not_answering_requests_do_not_wait_for_it()
    {
        using var onA = instances.A.CreateClient();
        var user = await onA.SignupAsync();
        await MeasureAsync(instances.A, user, 3);

        await using var admin = await AdminAsync();
        await admin.GetServers()[0].ExecuteAsync("CLIENT", "PAUSE", "5000", "ALL"); // connections kept, nothing answered
        var paused = await MeasureAsync(instances.A, user, 5);

        Report("Redis paused", paused);
        for (var i = 0; i < paused.Login.Count; i++)
        {
            Assert.True(TimeSpan.FromMilliseconds(paused.Login[i] + paused.Logout[i]) < Stall,
                $"login + logout took {paused.Login[i]:F0} + {paused.Logout[i]:F0} ms with Redis not answering");
        }

        // Once Redis answers again, revocations travel between instances again. A logout made while
        // it still does not answer may reach the other instance only at its next resync, which the
        // instances' fake clocks hold back: the check starts once Redis answers a ping at once.
        var answering = await TwoInstances.WaitUntilAsync(async () =>
        {
            try
            {
                return await admin.GetServers()[0].PingAsync() < TimeSpan.FromMilliseconds(100);
            }
            catch (Exception exception) when (exception is RedisException or TimeoutException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(30));
        Assert.NotNull(answering);

        var login = await onA.LoginAsync(user.Email, user.Password);
        using var onB = instances.B.CreateClient(login.AccessToken);
        var propagated = await TwoInstances.WaitUntilAsync(async () =>
        {
            using var logout = await instances.A.CreateClient(login.AccessToken).PostAsync("/api/auth/logout", null);
            return (await onB.GetAsync("/api/auth/me")).StatusCode == HttpStatusCode.Unauthorized;
        }, TimeSpan.FromSeconds(30));
        Assert.NotNull(propagated);
    }

    /// <summary>Logs in and out <paramref name="times"/> times; the milliseconds each took.</summary>
    private static async Task<(List<double> Login, List<double> Logout)> MeasureAsync(CreamApiFactory service, TestUser user, int times)
    {
        var login = new List<double>(times);
        var logout = new List<double>(times);
        using var client = service.CreateClient();
        for (var i = 0; i < times; i++)
        {
            var clock = Stopwatch.StartNew();
            var tokens = await client.LoginAsync(user.Email, user.Password);
            login.Add(clock.Elapsed.TotalMilliseconds);
            clock.Restart();
            using var response = await service.CreateClient(tokens.AccessToken).PostAsync("/api/auth/logout", null);
            logout.Add(clock.Elapsed.TotalMilliseconds);
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }

        return (login, logout);
    }

    private void Report(string label, (List<double> Login, List<double> Logout) sample) =>
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{label}: login p50 {Percentile(sample.Login, 0.5):F1} ms p99 {Percentile(sample.Login, 0.99):F1} ms; logout p50 {Percentile(sample.Logout, 0.5):F1} ms p99 {Percentile(sample.Logout, 0.99):F1} ms (n={sample.Login.Count})"));

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
    }

    /// <summary>An admin connection, kept open while Redis is paused: closing it would wait for the pause to end.</summary>
    private static async Task<ConnectionMultiplexer> AdminAsync()
    {
        var options = ConfigurationOptions.Parse(TestServers.RedisConfiguration);
        options.AllowAdmin = true;
        return await ConnectionMultiplexer.ConnectAsync(options);
    }
}
