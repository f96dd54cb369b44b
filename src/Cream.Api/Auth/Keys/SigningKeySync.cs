using Cream.Api.Auth.Revocation;
using Microsoft.Extensions.Options;

namespace Cream.Api.Auth.Keys;

/// <summary>
/// Database-kept keys: loaded into the <see cref="KeyRing"/> before the service answers, and
/// reloaded at every resync so a rotation on any instance (or by the <c>rotate-key</c>
/// command) reaches them all before the new key signs.
/// </summary>
public sealed class SigningKeySync(
    IServiceScopeFactory scopes,
    KeyRing ring,
    TimeProvider time,
    IOptions<RevocationOptions> options,
    ILogger<SigningKeySync> logger) : BackgroundService
{
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await ReloadAsync(cancellationToken); // no keys, no service: let a failure stop the start
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // A one-shot delay per round (not a periodic timer): after a long pause, or a test's
        // clock jump, there is one catch-up round rather than one per missed period.
        var interval = TimeSpan.FromSeconds(options.Value.ResyncSeconds);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await Task.Delay(interval, time, stoppingToken);
                try
                {
                    await ReloadAsync(stoppingToken);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    Log.SigningKeyReloadFailed(logger, exception);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // shutting down
        }
    }

    public async Task ReloadAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var (signing, verifying) = await scope.ServiceProvider.GetRequiredService<SigningKeyStore>().LoadAsync(cancellationToken);
        var previous = ring.KeyIds.Count == 0 ? null : ring.SigningKeyId;
        ring.Install(signing, verifying);
        if (previous != signing.KeyId)
        {
            Log.SigningKeyInUse(logger, signing.KeyId, verifying.Count);
        }
    }
}
