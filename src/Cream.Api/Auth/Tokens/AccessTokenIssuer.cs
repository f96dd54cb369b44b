using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Cream.Api.Auth.Tokens;

/// <summary>A freshly signed access token and the facts a response needs about it.</summary>
public sealed record IssuedAccessToken(string Token, string TokenId, DateTime ExpiresAt, int ExpiresInSeconds);

/// <summary>Who a token is for; kept apart from the user entity so issuing stays a pure function.</summary>
public sealed record AccessTokenSubject(Guid UserId, string Email, IReadOnlyList<string> Roles, Guid SessionId);

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
