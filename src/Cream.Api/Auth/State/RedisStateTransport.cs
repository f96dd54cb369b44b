using System.Text.Json;
using System.Threading.Channels;
using Cream.Api.Auth.Revocation;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Cream.Api.Auth.State;

/// <summary>
/// Carries state changes between instances over Redis pub/sub. Redis being down or not answering
/// never blocks anything: the local state is already updated, a request only hands its message
/// to a background sender, the connection comes back by itself, and what could not be sent
/// meanwhile is caught up by a resync from the database once Redis is back (on this instance,
/// and, through a resync request, on the others). An outage is logged once when it starts and
/// once when it ends.
/// </summary>
public sealed class RedisStateTransport(
    IOptions<RedisOptions> options,
    StateConsumers local,
    RevocationSync sync,
    ILogger<RedisStateTransport> logger) : IStateTransport, IHostedService, IAsyncDisposable
{
    /// <summary>Messages waiting for the sender; past this they are dropped (and caught up by the resync).</summary>
    internal const int QueueCapacity = 10_000;

    /// <summary>Tells this instance's own messages apart from the others'.</summary>
    private readonly string _origin = Guid.NewGuid().ToString("N");
    private readonly CancellationTokenSource _stopping = new();
    private readonly Channel<StateMessage> _queue = System.Threading.Channels.Channel.CreateBounded<StateMessage>(
        new BoundedChannelOptions(QueueCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private ConnectionMultiplexer? _redis;
    private Task _sending = Task.CompletedTask;
    private int _subscribed;
    private int _interactiveDown;
    private int _subscriptionDown;
    private int _unavailable;
    private long _missed;
    private int _stopped;
    private int _disposed;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var configuration = ConfigurationOptions.Parse(options.Value.Configuration!);
        configuration.AbortOnConnectFail = false; // start even when Redis is down; reconnect later
        configuration.ConnectTimeout = Math.Min(configuration.ConnectTimeout, 2000);
        // Only the background sender waits on Redis; while it is disconnected, fail at once
        // rather than queue (what is missed is resynced, not replayed).
        configuration.AsyncTimeout = Math.Min(configuration.AsyncTimeout, 2000);
        configuration.BacklogPolicy = BacklogPolicy.FailFast;
        configuration.ClientName = "cream-api";
        _redis = await ConnectionMultiplexer.ConnectAsync(configuration);
        _redis.ConnectionFailed += (_, args) =>
        {
            Interlocked.Exchange(ref args.ConnectionType == ConnectionType.Subscription ? ref _subscriptionDown : ref _interactiveDown, 1);
            MarkUnavailable(args.FailureType.ToString());
        };
        _redis.ConnectionRestored += (_, args) =>
        {
            Interlocked.Exchange(ref args.ConnectionType == ConnectionType.Subscription ? ref _subscriptionDown : ref _interactiveDown, 0);
            TryMarkAvailable();
        };
        if (!_redis.IsConnected)
        {
            _interactiveDown = _subscriptionDown = 1;
            MarkUnavailable("not connected");
        }

        await SubscribeAsync();
        _sending = SendQueuedAsync(_stopping.Token);
    }

    /// <summary>Hands the change to the background sender: never waits for Redis.</summary>
    public Task SendAsync(StateChange change)
    {
        if (_redis is not null && !_queue.Writer.TryWrite(new StateMessage(_origin, change)))
        {
            Interlocked.Increment(ref _missed); // the sender is this far behind, or stopping
        }

        return Task.CompletedTask;
    }

    private async Task SendQueuedAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var message in _queue.Reader.ReadAllAsync(stoppingToken))
            {
                if (Volatile.Read(ref _unavailable) == 1 && !IsConnected)
                {
                    Interlocked.Increment(ref _missed); // fail fast while the outage lasts
                    continue;
                }

                try
                {
                    await _redis!.GetSubscriber().PublishAsync(RedisStateChannel.Channel, RedisStateChannel.Serialize(message)).WaitAsync(stoppingToken);
                    TryMarkAvailable(); // a server that stopped answering without disconnecting is back
                }
                catch (Exception exception) when (exception is RedisException or TimeoutException or ObjectDisposedException)
                {
                    Interlocked.Increment(ref _missed);
                    MarkUnavailable(exception.GetType().Name);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // shutting down
        }
    }

    private bool IsConnected => _redis is { IsConnected: true }
        && Volatile.Read(ref _interactiveDown) == 0 && Volatile.Read(ref _subscriptionDown) == 0;

    private void MarkUnavailable(string failure)
    {
        if (Interlocked.Exchange(ref _unavailable, 1) == 0)
        {
            Log.RedisDisconnected(logger, failure);
        }
    }

    /// <summary>
    /// Ends an outage once both connections are back: resubscribes if need be, resyncs this
    /// instance, and asks the others to resync if something could not be sent to them.
    /// </summary>
    private void TryMarkAvailable()
    {
        if (!IsConnected || Interlocked.CompareExchange(ref _unavailable, 0, 1) != 1)
        {
            return;
        }

        var missed = Interlocked.Exchange(ref _missed, 0);
        Log.RedisReconnected(logger, missed);
        _ = SubscribeAsync();
        _ = sync.TryResyncAsync(CancellationToken.None);
        if (missed > 0)
        {
            _queue.Writer.TryWrite(StateMessage.ResyncRequest(_origin));
        }
    }

    /// <summary>
    /// Subscribes once; while Redis is down at start this fails and is retried when the
    /// connection comes up (after which the library keeps the subscription across reconnects).
    /// </summary>
    private async Task SubscribeAsync()
    {
        if (_redis is not { IsConnected: true } || Volatile.Read(ref _subscribed) == 1)
        {
            return; // retried when the connection is restored
        }

        try
        {
            var queue = await _redis.GetSubscriber().SubscribeAsync(RedisStateChannel.Channel);
            if (Interlocked.Exchange(ref _subscribed, 1) == 1)
            {
                await queue.UnsubscribeAsync(); // a concurrent attempt won
                return;
            }

            queue.OnMessage(message => Receive(message.Message));
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            MarkUnavailable(exception.GetType().Name);
        }
    }

    private void Receive(RedisValue payload)
    {
        try
        {
            var message = RedisStateChannel.Deserialize((string)payload!);
            if (message is null || message.Origin == _origin)
            {
                return;
            }

            if (message.Change is null)
            {
                Log.RevocationMessageIgnored(logger);
                return;
            }

            if (message.Resync)
            {
                _ = sync.TryResyncAsync(CancellationToken.None);
            }
            else
            {
                local.Deliver(message.Change);
            }
        }
        catch (Exception exception) when (exception is JsonException or ArgumentException or FormatException)
        {
            Log.RevocationMessageIgnored(logger);
        }
    }

    /// <summary>Stops the sender: what is still queued is dropped (the other instances resync anyway).</summary>
    public async Task StopAsync(CancellationToken cancellationToken) => await StopSendingAsync();

    private async Task StopSendingAsync()
    {
        _queue.Writer.TryComplete();
        if (Interlocked.Exchange(ref _stopped, 1) == 0)
        {
            await _stopping.CancelAsync();
        }

        await _sending;
    }

    public async ValueTask DisposeAsync()
    {
        await StopSendingAsync();
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }

        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _stopping.Dispose();
        }
    }
}
