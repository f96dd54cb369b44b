using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Cream.Api.Auth.Tokens;

/// <summary>
/// The token handler behind the bearer scheme: the library's validation with our
/// parameters, then the claims every Cream access token must carry.
/// </summary>
public sealed class AccessTokenHandler : JsonWebTokenHandler
{
    /// <summary>Real tokens are well under 2 KB; anything near this is an attack or an accident.</summary>
    public const int MaximumTokenBytes = 8 * 1024;

    public AccessTokenHandler()
    {
        MapInboundClaims = false;
        MaximumTokenSizeInBytes = MaximumTokenBytes;
    }

    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        var result = await base.ValidateTokenAsync(token, validationParameters).ConfigureAwait(false);
        if (result.IsValid && MissingClaim(result.Claims) is { } missing)
        {
            return new TokenValidationResult
            {
                IsValid = false,
                Exception = new SecurityTokenMissingClaimException($"The token has no valid '{missing}' claim."),
            };
        }

        return result;
    }

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

        return claims.TryGetValue(AccessTokenClaims.TokenId, out var jti) && jti is string { Length: > 0 }
            ? null
            : AccessTokenClaims.TokenId;
    }

    private static bool IsGuid(IDictionary<string, object> claims, string name) =>
        claims.TryGetValue(name, out var value) && value is string text && Guid.TryParse(text, out _);
}

/// <summary>A signed, unexpired token that lacks a claim Cream relies on.</summary>
public sealed class SecurityTokenMissingClaimException(string message) : SecurityTokenValidationException(message);
