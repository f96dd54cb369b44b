using Cream.Api.Auth.Revocation;
using Cream.Api.Auth.State;
using Cream.Api.Common;
using Microsoft.Extensions.Options;

namespace Cream.Api.Auth.Keys;

/// <summary>
/// Database-kept keys: loaded into the <see cref="KeyRing"/> before the service answers,
/// reloaded at once when the <c>rotate-key</c> command announces a new key over Redis, and at
/// every resync (the safety net without Redis), so a rotation reaches every instance before
/// the new key signs.
/// </summary>
public sealed class SigningKeySync(
    IServiceScopeFactory scopes,
    KeyRing ring,
    TimeProvider time,
    IOptions<RevocationOptions> options,
    ILogger<SigningKeySync> logger) : BackgroundService, IStateChangeConsumer
{
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await ReloadAsync(cancellationToken); // no keys, no service: let a failure stop the start
        await base.StartAsync(cancellationToken);
    }

    /// <summary>A <c>rotate-key</c> announcement: reload off the message thread; a failure waits for the next resync.</summary>
    public void Apply(StateChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        if (change.Kind == StateChangeKind.SigningKeys)
        {
            ReloadNow();
        }
    }

    private void ReloadNow() => _ = Task.Run(async () =>
    {
        try
        {
            await ReloadAsync(CancellationToken.None);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            Log.SigningKeyReloadFailed(logger, exception);
        }
    });

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Periodic.RunAsync(TimeSpan.FromSeconds(options.Value.ResyncSeconds), time, ReloadAsync,
            exception => Log.SigningKeyReloadFailed(logger, exception), stoppingToken);

    public async Task ReloadAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var (signing, verifying) = await scope.ServiceProvider.GetRequiredService<SigningKeyStore>().LoadAsync(cancellationToken);
        var previous = ring.IsLoaded ? ring.SigningKeyId : null;
        ring.Install(signing, verifying);
        if (previous != signing.KeyId)
        {
            Log.SigningKeyInUse(logger, signing.KeyId, verifying.Count);
        }
    }
}
