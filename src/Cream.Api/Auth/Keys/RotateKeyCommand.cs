using Cream.Api.Auth.Revocation;
using Cream.Api.Auth.State;
using Cream.Api.Auth.Tokens;
using Microsoft.Extensions.Options;

namespace Cream.Api.Auth.Keys;

/// <summary>
/// <c>rotate-key</c>: adds a new signing key to the database and announces it over Redis, so
/// every running instance publishes it in its JWKS at once (without Redis, at its next resync).
/// It signs once every instance has had time to learn it, even one that missed the
/// announcement; the old key keeps verifying until its last token has expired.
/// </summary>
internal static class RotateKeyCommand
{
    public static async Task<string> RunAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var options = services.GetRequiredService<IOptions<JwtOptions>>().Value;
        if (!SigningAlgorithms.IsAsymmetric(options.Algorithm))
        {
            throw new CommandException(
                "rotate-key: Jwt__Algorithm is HS256, whose key is Jwt__Secret; rotate-key manages RS256 and ES256 keys.");
        }

        if (!string.IsNullOrWhiteSpace(options.PrivateKeyPath))
        {
            throw new CommandException(
                "rotate-key: the signing key comes from Jwt__PrivateKeyPath; rotate it by pointing that at a new key and listing the old one in Jwt__VerificationKeyPaths.");
        }

        KeyRotation rotation;
        await using (var scope = services.CreateAsyncScope())
        {
            rotation = await scope.ServiceProvider.GetRequiredService<SigningKeyStore>().RotateAsync(cancellationToken);
        }

        var added = rotation.Added;
        var announced = await AnnounceAsync(services, cancellationToken);
        var published = announced
            ? "running instances publish it now"
            : "running instances publish it at their next resync (Redis__Configuration is not set or Redis did not answer)";
        return rotation.PreviousRetireAt is { } retireAt
            ? $"Added signing key {added.KeyId} ({added.Algorithm}): {published}; it signs from {added.ActivatesAt:u}, and the {rotation.PreviousKeys} previous key(s) verify until {retireAt:u}."
            : $"Added signing key {added.KeyId} ({added.Algorithm}): there was no key before it, so it signs at once.";
    }

    /// <summary>Tells the other instances over the revocation channel; false when there is no Redis to tell them through.</summary>
    private static async Task<bool> AnnounceAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var configuration = services.GetRequiredService<IOptions<RedisOptions>>().Value.Configuration;
        if (string.IsNullOrWhiteSpace(configuration))
        {
            return false;
        }

        var change = new StateChange(StateChangeKind.SigningKeys, "", 0, true,
            services.GetRequiredService<TimeProvider>().GetUtcNow().ToUnixTimeMilliseconds());
        cancellationToken.ThrowIfCancellationRequested();
        return await RedisStateChannel.AnnounceOnceAsync(configuration, "rotate-key", change);
    }
}
