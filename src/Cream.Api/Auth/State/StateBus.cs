namespace Cream.Api.Auth.State;

/// <summary>
/// The one way a state change travels: to this instance's consumers (the revocation list, the
/// profile cache, the signing keys) at once, then to the other instances. A profile change
/// (already committed by its caller) also gets its row in the change feed, so that an instance
/// that missed the message drops that one cached profile at its next resync; revocations get
/// theirs from <see cref="Revocation.Revoker"/>, in their own transaction.
/// </summary>
public sealed class StateBus(StateConsumers local, IStateTransport transport, IServiceScopeFactory scopes, TimeProvider time, ILogger<StateBus> logger)
{
    public async Task PublishAsync(StateChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        local.Deliver(change);
        await transport.SendAsync(change);
        if (change.Kind == StateChangeKind.Profile)
        {
            await RecordAsync(change);
        }
    }

    private async Task RecordAsync(StateChange change)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<Data.CreamDbContext>();
            db.RevocationEvents.Add(Revocation.RevocationEvent.From(change, time.GetUtcNow().UtcDateTime));
            await db.SaveChangesAsync();
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // The change itself is committed and announced: its caller succeeded. Only an
            // instance that missed the message would need this row.
            Log.ProfileChangeNotRecorded(logger, exception);
        }
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
