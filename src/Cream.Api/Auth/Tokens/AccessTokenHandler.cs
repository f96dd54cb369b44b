using Cream.Api.Auth.Revocation;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Cream.Api.Auth.Tokens;

/// <summary>
/// The token handler behind the bearer scheme: the library's validation with our
/// parameters, then the claims every Cream access token must carry, then revocation,
/// keyed on those claims (never on the token's exact string), from in-process state.
/// </summary>
public sealed class AccessTokenHandler : JsonWebTokenHandler
{
    private readonly RevocationState _revocations;

    /// <summary>Real tokens are well under 2 KB; anything near this is an attack or an accident.</summary>
    public const int MaximumTokenBytes = 8 * 1024;

    public AccessTokenHandler(RevocationState revocations)
    {
        _revocations = revocations;
        MapInboundClaims = false;
        MaximumTokenSizeInBytes = MaximumTokenBytes;
    }

    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        var result = await base.ValidateTokenAsync(token, validationParameters).ConfigureAwait(false);
        if (!result.IsValid)
        {
            return result;
        }

        if (MissingClaim(result.Claims) is { } missing)
        {
            return Refused(new SecurityTokenMissingClaimException($"The token has no valid '{missing}' claim."));
        }

        var jwt = (JsonWebToken)result.SecurityToken;
        var revoked = _revocations.IsRevoked(
            Guid.Parse(jwt.Subject),
            Guid.Parse((string)result.Claims[AccessTokenClaims.SessionId]),
            jwt.Id,
            new DateTimeOffset(jwt.IssuedAt).ToUnixTimeSeconds());
        return revoked ? Refused(new SecurityTokenRevokedException("The token has been revoked.")) : result;
    }

    private static TokenValidationResult Refused(Exception exception) => new() { IsValid = false, Exception = exception };

    private static string? MissingClaim(IDictionary<string, object> claims)
    {
        if (!IsGuid(claims, AccessTokenClaims.Subject))
        {
            return AccessTokenClaims.Subject;
        }

        if (!IsGuid(claims, AccessTokenClaims.SessionId))
        {
            return AccessTokenClaims.SessionId;
        }

        if (!claims.TryGetValue(AccessTokenClaims.TokenId, out var jti) || jti is not string { Length: > 0 and <= 64 })
        {
            return AccessTokenClaims.TokenId;
        }

        return claims.TryGetValue(AccessTokenClaims.IssuedAt, out var iat) && iat is int or long or double
            ? null
            : AccessTokenClaims.IssuedAt;
    }

    private static bool IsGuid(IDictionary<string, object> claims, string name) =>
        claims.TryGetValue(name, out var value) && value is string text && Guid.TryParse(text, out _);
}

/// <summary>A signed, unexpired token that lacks a claim Cream relies on.</summary>
public sealed class SecurityTokenMissingClaimException(string message) : SecurityTokenValidationException(message);

/// <summary>A genuine token whose session, user or <c>jti</c> has been revoked.</summary>
public sealed class SecurityTokenRevokedException(string message) : SecurityTokenValidationException(message);
