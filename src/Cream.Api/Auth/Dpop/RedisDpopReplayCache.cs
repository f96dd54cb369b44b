using StackExchange.Redis;

namespace Cream.Api.Auth.Dpop;

/// <summary>
/// Proofs seen by any instance: each is claimed with one <c>SET NX PX</c> in Redis, so a proof
/// replayed on another instance is refused too. The instance's own cache is asked first (a
/// replay to the same instance costs no round trip). While Redis cannot answer within
/// <see cref="RequestBudget"/>, this instance's cache alone decides: a replay to the same
/// instance is still refused, one to another instance is not, for the outage only
/// (docs/decisions/0020-dpop.md). Each outage is logged once as it starts and once as it ends.
/// </summary>
internal sealed class RedisDpopReplayCache(
    string configuration,
    InProcessDpopReplayCache local,
    DpopMetrics metrics,
    ILogger<RedisDpopReplayCache> logger) : IDpopReplayCache, IHostedService, IAsyncDisposable
{
    public const string KeyPrefix = "cream:dpop:";

    internal static readonly TimeSpan RequestBudget = TimeSpan.FromMilliseconds(250);

    private ConnectionMultiplexer? _redis;
    private int _degraded;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var options = ConfigurationOptions.Parse(configuration);
        options.AbortOnConnectFail = false; // start even when Redis is down; reconnect later
        options.ConnectTimeout = 2000;
        options.AsyncTimeout = 1000;
        options.BacklogPolicy = BacklogPolicy.FailFast; // while disconnected, decide locally at once
        options.ClientName = "cream-api-dpop";
        _redis = await ConnectionMultiplexer.ConnectAsync(options);
    }

    public async ValueTask<bool> TryUseAsync(string thumbprint, string jti, TimeSpan window)
    {
        var proof = InProcessDpopReplayCache.Hash(thumbprint, jti);
        if (!local.TryUse(proof, window))
        {
            return false;
        }

        if (_redis is not { IsConnected: true } redis)
        {
            Degraded("not connected");
            return true;
        }

        var claim = redis.GetDatabase().StringSetAsync($"{KeyPrefix}{proof:x32}", 1, window, When.NotExists);
        try
        {
            var first = await claim.WaitAsync(RequestBudget); // real time: this bounds a network wait
            Restored();
            return first;
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException or ObjectDisposedException)
        {
            _ = claim.ContinueWith(static t => _ = t.Exception, CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            Degraded(exception.GetType().Name);
            return true;
        }
    }

    private void Degraded(string failure)
    {
        metrics.ReplayCheckedLocally();
        if (Interlocked.Exchange(ref _degraded, 1) == 0)
        {
            Log.DpopReplayCacheUnavailable(logger, failure);
        }
    }

    private void Restored()
    {
        if (Volatile.Read(ref _degraded) == 1 && Interlocked.Exchange(ref _degraded, 0) == 1)
        {
            Log.DpopReplayCacheRestored(logger);
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
