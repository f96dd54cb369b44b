using System.Text.Json;
using System.Text.Json.Serialization;
using StackExchange.Redis;

namespace Cream.Api.Auth.State;

/// <summary>What instances say to each other over Redis: one channel, one JSON message shape.</summary>
public static class RedisStateChannel
{
    /// <summary>The channel's name predates the other consumers; kept so that instances of different versions still talk.</summary>
    public static readonly RedisChannel Channel = RedisChannel.Literal("cream:revocations");

    public static string Serialize(StateMessage message) => JsonSerializer.Serialize(message, StateJson.Default.StateMessage);

    /// <summary>The message, or null for a payload that is not one (ignored by the receiver).</summary>
    public static StateMessage? Deserialize(string payload) => JsonSerializer.Deserialize(payload, StateJson.Default.StateMessage);

    /// <summary>
    /// Publishes one change from a process that runs no transport (a command): connects, sends,
    /// disconnects. False when Redis could not be reached.
    /// </summary>
    public static async Task<bool> AnnounceOnceAsync(string configuration, string origin, StateChange change)
    {
        var options = ConfigurationOptions.Parse(configuration);
        options.AbortOnConnectFail = false;
        options.ConnectTimeout = 2000;
        options.ClientName = "cream-api-" + origin;
        try
        {
            await using var redis = await ConnectionMultiplexer.ConnectAsync(options);
            await redis.GetSubscriber().PublishAsync(Channel, Serialize(new StateMessage(origin, change)));
            return redis.IsConnected;
        }
        catch (Exception exception) when (exception is RedisException or TimeoutException)
        {
            return false;
        }
    }
}

/// <param name="Resync">
/// A request to reload from the database, sent by an instance that could not publish some
/// changes while Redis was unreachable (its <paramref name="Change"/> revokes nothing, so an
/// instance that does not know the flag applies it harmlessly).
/// </param>
public sealed record StateMessage(string Origin, StateChange Change, bool Resync = false)
{
    internal static StateMessage ResyncRequest(string origin) =>
        new(origin, new StateChange(StateChangeKind.Profile, string.Empty, 0, true, 0), Resync: true);
}

[JsonSerializable(typeof(StateMessage))]
internal sealed partial class StateJson : JsonSerializerContext;
