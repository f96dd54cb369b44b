using StackExchange.Redis;

namespace Cream.Api.Auth.BruteForce;

/// <summary>
/// Counters shared by every instance through Redis, each update one atomic script. Redis being
/// unreachable never opens the gate and never fails a request: the instance falls back to its
/// own counters (<see cref="InProcessAttemptCounters"/>) until Redis answers again.
/// </summary>
/// <remarks>Keys are <c>cream:rl:ip:{client}:{window}</c> and <c>cream:rl:acct:{SHA-256 of the normalized email}</c>.</remarks>
internal sealed class RedisAttemptCounters(
    string configuration,
    AttemptPolicy policy,
    InProcessAttemptCounters local,
    ILogger<RedisAttemptCounters> logger) : IAttemptCounters, IHostedService, IAsyncDisposable
{
    public const string KeyPrefix = "cream:rl:";

    // Fixed window: the first hit of a window sets its expiry (a cleanup, not the limit's clock).
    private const string CountClientScript = """
        local count = redis.call('INCR', KEYS[1])
        if count == 1 then
          redis.call('PEXPIRE', KEYS[1], ARGV[1])
        end
        return count
        """;

    // AttemptPolicy and InProcessAttemptCounters.ClaimAccountAttemptAsync, in one atomic step.
    // ARGV: now, free failures, first backoff, max backoff, memory (milliseconds of the service's clock).
    private const string ClaimAccountScript = """
        local now = tonumber(ARGV[1])
        local state = redis.call('HMGET', KEYS[1], 'f', 'u', 'm')
        local failures = tonumber(state[1]) or 0
        local blocked = tonumber(state[2]) or 0
        if (tonumber(state[3]) or 0) <= now then
          failures = 0
          blocked = 0
        end
        if blocked > now then
          return {0, blocked - now, failures}
        end
        failures = failures + 1
        local free = tonumber(ARGV[2])
        local blocked_until = 0
        if failures >= free then
          blocked_until = now + math.min(tonumber(ARGV[3]) * 2 ^ math.min(failures - free, 30), tonumber(ARGV[4]))
        end
        redis.call('HSET', KEYS[1], 'f', failures, 'u', blocked_until, 'm', now + tonumber(ARGV[5]))
        redis.call('PEXPIRE', KEYS[1], ARGV[5])
        return {1, 0, failures}
        """;

    private ConnectionMultiplexer? _redis;
    private int _degraded;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var options = ConfigurationOptions.Parse(configuration);
        options.AbortOnConnectFail = false; // start even when Redis is down; reconnect later
        options.ConnectTimeout = 2000;
        options.AsyncTimeout = 1000; // a login waits at most this long before counting locally
        options.BacklogPolicy = BacklogPolicy.FailFast; // while disconnected, fall back at once instead of queueing
        options.ClientName = "cream-api-rate-limits";
        _redis = await ConnectionMultiplexer.ConnectAsync(options);
    }

    public async ValueTask<long> CountClientAttemptAsync(string client, long windowIndex)
    {
        var result = await EvaluateAsync(CountClientScript, $"{KeyPrefix}ip:{client}:{windowIndex}", [2 * AttemptPolicy.WindowMs]);
        return result is null ? await local.CountClientAttemptAsync(client, windowIndex) : (long)result;
    }

    public async ValueTask<AccountClaim> ClaimAccountAttemptAsync(string account, long nowMs)
    {
        var result = await EvaluateAsync(ClaimAccountScript, AccountKey(account),
            [nowMs, policy.FreeFailures, AttemptPolicy.FirstBackoffMs, AttemptPolicy.MaxBackoffMs, AttemptPolicy.FailureMemoryMs]);
        if (result is null)
        {
            return await local.ClaimAccountAttemptAsync(account, nowMs);
        }

        var reply = (RedisResult[])result!;
        return (long)reply[0] == 1 ? AccountClaim.Allow((long)reply[2]) : AccountClaim.Refuse((long)reply[1], (long)reply[2]);
    }

    public async ValueTask ResetAccountAsync(string account)
    {
        await local.ResetAccountAsync(account); // a streak counted locally during an outage ends too
        var redis = _redis;
        if (redis is not { IsConnected: true })
        {
            return;
        }

        try
        {
            await redis.GetDatabase().KeyDeleteAsync(AccountKey(account));
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException or ObjectDisposedException)
        {
            Degraded(exception.GetType().Name);
        }
    }

    private static string AccountKey(string account) => $"{KeyPrefix}acct:{account}";

    /// <summary>Runs a script, or returns null (and says so once) when Redis cannot answer.</summary>
    private async Task<RedisResult?> EvaluateAsync(string script, string key, RedisValue[] arguments)
    {
        var redis = _redis;
        if (redis is not { IsConnected: true })
        {
            Degraded("not connected");
            return null;
        }

        try
        {
            var result = await redis.GetDatabase().ScriptEvaluateAsync(script, [key], arguments);
            if (Interlocked.Exchange(ref _degraded, 0) == 1)
            {
                Log.SharedCountersRestored(logger);
            }

            return result;
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException or ObjectDisposedException)
        {
            Degraded(exception.GetType().Name);
            return null;
        }
    }

    private void Degraded(string failure)
    {
        if (Interlocked.Exchange(ref _degraded, 1) == 0)
        {
            Log.SharedCountersUnavailable(logger, failure);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
    }
}
