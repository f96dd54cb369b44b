using StackExchange.Redis;

namespace Cream.Api.Auth.BruteForce;

/// <summary>
/// Counters shared by every instance through Redis, each update one atomic script. Redis being
/// unreachable never opens the gate, never fails a request and never holds one up for more than
/// <see cref="RequestBudget"/>: the instance falls back to its own counters
/// (<see cref="InProcessAttemptCounters"/>) at once, and stops asking Redis on the request path
/// until a probe off it finds Redis answering again. Each outage is logged once as it starts
/// and once as it ends.
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

    /// <summary>The longest a request waits for Redis before counting locally (once per outage, not per request).</summary>
    internal static readonly TimeSpan RequestBudget = TimeSpan.FromMilliseconds(250);

    /// <summary>How often, during an outage, a probe off the request path asks whether Redis answers again.</summary>
    private static readonly TimeSpan ProbeInterval = TimeSpan.FromSeconds(1);

    private ConnectionMultiplexer? _redis;
    private int _degraded;
    private int _probing;
    private long _lastProbe;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var options = ConfigurationOptions.Parse(configuration);
        options.AbortOnConnectFail = false; // start even when Redis is down; reconnect later
        options.ConnectTimeout = 2000;
        options.AsyncTimeout = 1000; // the library's own bound; requests wait RequestBudget at most
        options.BacklogPolicy = BacklogPolicy.FailFast; // while disconnected, fall back at once instead of queueing
        options.ClientName = "cream-api-rate-limits";
        _redis = await ConnectionMultiplexer.ConnectAsync(options);
        _redis.ConnectionFailed += (_, args) =>
        {
            if (args.ConnectionType == ConnectionType.Interactive)
            {
                Degraded(args.FailureType.ToString());
            }
        };
        _redis.ConnectionRestored += (_, args) =>
        {
            if (args.ConnectionType == ConnectionType.Interactive)
            {
                _ = ProbeAsync();
            }
        };
        if (!_redis.IsConnected)
        {
            Degraded("not connected");
        }
    }

    public async ValueTask<long> CountClientAttemptAsync(string client, long windowIndex, long windowMs = AttemptPolicy.WindowMs)
    {
        var result = await EvaluateAsync(CountClientScript, $"{KeyPrefix}ip:{client}:{windowIndex}", [2 * windowMs]);
        return result is null ? await local.CountClientAttemptAsync(client, windowIndex, windowMs) : (long)result;
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
        if (Usable() is not { } redis)
        {
            return;
        }

        try
        {
            await redis.GetDatabase().KeyDeleteAsync(AccountKey(account)).WaitAsync(RequestBudget);
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException or ObjectDisposedException)
        {
            Degraded(exception.GetType().Name);
        }
    }

    private static string AccountKey(string account) => $"{KeyPrefix}acct:{account}";

    /// <summary>Runs a script, or returns null (and says so once) when Redis cannot answer within the budget.</summary>
    private async Task<RedisResult?> EvaluateAsync(string script, string key, RedisValue[] arguments)
    {
        if (Usable() is not { } redis)
        {
            return null;
        }

        var evaluation = redis.GetDatabase().ScriptEvaluateAsync(script, [key], arguments);
        try
        {
            // Real time, not the service's clock: this bounds a network wait (and a test's frozen clock must not freeze it).
            return await evaluation.WaitAsync(RequestBudget);
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException or ObjectDisposedException)
        {
            Degraded(exception.GetType().Name);
            Observe(evaluation);
            return null;
        }
    }

    /// <summary>The connection when requests may use it; during an outage null, and a probe is started now and then.</summary>
    private ConnectionMultiplexer? Usable()
    {
        var redis = _redis;
        if (redis is not { IsConnected: true })
        {
            Degraded("not connected");
            return null;
        }

        if (Volatile.Read(ref _degraded) == 1)
        {
            var now = Environment.TickCount64;
            var last = Interlocked.Read(ref _lastProbe);
            if (now - last >= ProbeInterval.TotalMilliseconds && Interlocked.CompareExchange(ref _lastProbe, now, last) == last)
            {
                _ = ProbeAsync();
            }

            return null;
        }

        return redis;
    }

    /// <summary>Off the request path: ends the outage once Redis answers a PING in time.</summary>
    private async Task ProbeAsync()
    {
        var redis = _redis;
        if (redis is not { IsConnected: true } || Interlocked.Exchange(ref _probing, 1) == 1)
        {
            return;
        }

        var ping = redis.GetDatabase().PingAsync();
        try
        {
            await ping.WaitAsync(RequestBudget);
            if (Interlocked.Exchange(ref _degraded, 0) == 1)
            {
                Log.SharedCountersRestored(logger);
            }
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException or ObjectDisposedException)
        {
            Observe(ping);
        }
        finally
        {
            Volatile.Write(ref _probing, 0);
        }
    }

    /// <summary>A command given up on may still fail later; its failure is expected, not unobserved.</summary>
    private static void Observe(Task task) =>
        _ = task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    private void Degraded(string failure)
    {
        if (Interlocked.Exchange(ref _degraded, 1) == 0)
        {
            Interlocked.Exchange(ref _lastProbe, Environment.TickCount64);
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
