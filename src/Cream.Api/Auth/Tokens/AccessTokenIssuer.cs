using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Cream.Api.Auth.Tokens;

/// <summary>A freshly signed access token and the facts a response needs about it.</summary>
public sealed record IssuedAccessToken(string Token, string TokenId, DateTime ExpiresAt, int ExpiresInSeconds);

/// <summary>Who a token is for; kept apart from the user entity so issuing stays a pure function.</summary>
/// <param name="TokensValidAfter">The user's revocation cut-off: a new token must be issued after its second.</param>
public sealed record AccessTokenSubject(Guid UserId, string Email, IReadOnlyList<string> Roles, Guid SessionId, DateTime? TokensValidAfter = null);

/// <summary>Signs access tokens: compact JWS, HS256, <c>typ</c> <c>at+jwt</c>, with a <c>kid</c>.</summary>
public sealed class AccessTokenIssuer(AccessTokenKeys keys, Microsoft.Extensions.Options.IOptions<JwtOptions> options, TimeProvider time)
{
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };
    private readonly JwtOptions _options = options.Value;

    public IssuedAccessToken Issue(AccessTokenSubject subject)
    {
        ArgumentNullException.ThrowIfNull(subject);
        var now = time.GetUtcNow().UtcDateTime;
        // Whole seconds, so that the exp a client reads is exactly the one we compute here.
        now = now.AddTicks(-(now.Ticks % TimeSpan.TicksPerSecond));
        if (subject.TokensValidAfter is { } cutOff && now <= cutOff)
        {
            // Tokens issued in the second of a revocation are refused; start the next second
            // (well inside the clock skew) so a sign-in right after a revoke works.
            now = cutOff.AddTicks(-(cutOff.Ticks % TimeSpan.TicksPerSecond)).AddSeconds(1);
        }

        var expires = now + keys.AccessTokenLifetime;
        var tokenId = Guid.NewGuid().ToString("N");

        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = _options.Issuer,
            Audience = _options.Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = expires,
            TokenType = AccessTokenKeys.AccessTokenType,
            SigningCredentials = keys.SigningCredentials,
            Claims = new Dictionary<string, object>(5, StringComparer.Ordinal)
            {
                [AccessTokenClaims.Subject] = subject.UserId.ToString(),
                [AccessTokenClaims.Email] = subject.Email,
                [AccessTokenClaims.Roles] = subject.Roles.ToArray(),
                [AccessTokenClaims.SessionId] = subject.SessionId.ToString(),
                [AccessTokenClaims.TokenId] = tokenId,
            },
        };

        return new IssuedAccessToken(_handler.CreateToken(descriptor), tokenId, expires, (int)keys.AccessTokenLifetime.TotalSeconds);
    }
}
