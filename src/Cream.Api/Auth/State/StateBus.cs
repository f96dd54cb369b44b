namespace Cream.Api.Auth.State;

/// <summary>
/// The one way a state change travels: to this instance's consumers (the revocation list, the
/// profile cache, the signing keys) at once, then to the other instances.
/// </summary>
public sealed class StateBus(StateConsumers local, IStateTransport transport)
{
    public Task PublishAsync(StateChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        local.Deliver(change);
        return transport.SendAsync(change);
    }
}

/// <summary>This instance's consumers; the transport delivers what other instances sent here.</summary>
public sealed class StateConsumers(IEnumerable<IStateChangeConsumer> consumers)
{
    private readonly IStateChangeConsumer[] _consumers = [.. consumers];

    public void Deliver(StateChange change)
    {
        foreach (var consumer in _consumers)
        {
            consumer.Apply(change);
        }
    }
}

/// <summary>Carries a change, already applied here, to the other instances.</summary>
public interface IStateTransport
{
    Task SendAsync(StateChange change);
}

/// <summary>One instance, nothing to tell.</summary>
internal sealed class InProcessStateTransport : IStateTransport
{
    public Task SendAsync(StateChange change) => Task.CompletedTask;
}
