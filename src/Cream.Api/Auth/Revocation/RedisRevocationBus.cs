using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Cream.Api.Auth.Revocation;

/// <summary>
/// Carries revocations between instances over Redis pub/sub. Redis being down never blocks
/// anything: the local state is already updated, publishing is best effort, the connection
/// comes back by itself, and a resync after reconnecting catches up on what was missed.
/// </summary>
public sealed class RedisRevocationBus(
    IOptions<RedisOptions> options,
    RevocationState state,
    RevocationSync sync,
    ILogger<RedisRevocationBus> logger) : IRevocationPublisher, IHostedService, IAsyncDisposable
{
    public static readonly RedisChannel Channel = RedisChannel.Literal("cream:revocations");

    /// <summary>Tells this instance's own messages apart from the others'.</summary>
    private readonly string _origin = Guid.NewGuid().ToString("N");
    private ConnectionMultiplexer? _redis;
    private int _subscribed;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var configuration = ConfigurationOptions.Parse(options.Value.Configuration!);
        configuration.AbortOnConnectFail = false; // start even when Redis is down; reconnect later
        configuration.ClientName = "cream-api";
        _redis = await ConnectionMultiplexer.ConnectAsync(configuration);
        _redis.ConnectionRestored += (_, args) =>
        {
            if (args.ConnectionType == ConnectionType.Subscription)
            {
                Log.RedisReconnected(logger);
                _ = SubscribeAsync();
                _ = sync.TryResyncAsync(CancellationToken.None);
            }
        };
        _redis.ConnectionFailed += (_, args) =>
        {
            if (args.ConnectionType == ConnectionType.Subscription)
            {
                Log.RedisDisconnected(logger, args.FailureType.ToString());
            }
        };

        await SubscribeAsync();
    }

    /// <summary>
    /// Subscribes once; while Redis is down at start this fails and is retried when the
    /// connection comes up (after which the library keeps the subscription across reconnects).
    /// </summary>
    private async Task SubscribeAsync()
    {
        if (_redis is not { IsConnected: true } || Volatile.Read(ref _subscribed) == 1)
        {
            return; // retried by ConnectionRestored
        }

        try
        {
            var queue = await _redis.GetSubscriber().SubscribeAsync(Channel);
            if (Interlocked.Exchange(ref _subscribed, 1) == 1)
            {
                await queue.UnsubscribeAsync(); // a concurrent attempt won
                return;
            }

            queue.OnMessage(message => Receive(message.Message));
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            Log.RedisDisconnected(logger, exception.GetType().Name);
        }
    }

    public async Task PublishAsync(RevocationEvent change)
    {
        if (_redis is null)
        {
            return;
        }

        try
        {
            var payload = JsonSerializer.Serialize(new RevocationMessage(_origin, change), RevocationJson.Default.RevocationMessage);
            await _redis.GetSubscriber().PublishAsync(Channel, payload);
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            Log.RevocationPublishFailed(logger, exception.GetType().Name);
        }
    }

    private void Receive(RedisValue payload)
    {
        try
        {
            var message = JsonSerializer.Deserialize((string)payload!, RevocationJson.Default.RevocationMessage);
            if (message is not null && message.Origin != _origin)
            {
                state.Apply(message.Change);
            }
        }
        catch (JsonException)
        {
            Log.RevocationMessageIgnored(logger);
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

public sealed record RevocationMessage(string Origin, RevocationEvent Change);

[JsonSerializable(typeof(RevocationMessage))]
internal sealed partial class RevocationJson : JsonSerializerContext;
