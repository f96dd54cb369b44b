using Cream.Api.Auth.Revocation;
using Cream.Api.Common;
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
