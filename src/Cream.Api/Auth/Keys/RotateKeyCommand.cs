using Cream.Api.Auth.Tokens;
using Microsoft.Extensions.Options;

namespace Cream.Api.Auth.Keys;

/// <summary>
/// <c>rotate-key</c>: adds a new signing key to the database. It signs once every instance has
/// had time to learn it; the old key keeps verifying until its last token has expired.
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

        await using var scope = services.CreateAsyncScope();
        var store = scope.ServiceProvider.GetRequiredService<SigningKeyStore>();
        var added = await store.RotateAsync(cancellationToken);
        return $"Added signing key {added.KeyId} ({added.Algorithm}); it signs from {added.ActivatesAt:u}, and the previous keys verify until {added.ActivatesAt + store.VerificationTail:u}.";
    }
}
