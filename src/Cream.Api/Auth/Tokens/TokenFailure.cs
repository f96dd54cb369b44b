using Microsoft.IdentityModel.Tokens;

namespace Cream.Api.Auth.Tokens;

/// <summary>
/// Why a bearer token was refused: a short reason for logs and metrics and a description
/// for the RFC 6750 <c>error_description</c>. Neither carries the token or library internals.
/// </summary>
public sealed record TokenFailure(string Reason, string Description)
{
    public static TokenFailure From(Exception? exception) => exception switch
    {
        SecurityTokenExpiredException => new("expired", "The token has expired"),
        SecurityTokenNotYetValidException => new("not_yet_valid", "The token is not valid yet"),
        SecurityTokenNoExpirationException => new("no_expiration", "The token has no expiration time"),
        SecurityTokenInvalidAudienceException => new("invalid_audience", "The token audience is not accepted"),
        SecurityTokenInvalidIssuerException => new("invalid_issuer", "The token issuer is not accepted"),
        SecurityTokenInvalidAlgorithmException => new("invalid_algorithm", "The token algorithm is not accepted"),
        SecurityTokenInvalidTypeException => new("invalid_type", "The token type or header is not accepted"),
        SecurityTokenMissingClaimException => new("missing_claim", "The token lacks a required claim"),
        SecurityTokenRevokedException => new("revoked", "The token has been revoked"),
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException
            => new("invalid_signature", "The token signature is invalid"),
        SecurityTokenMalformedException or ArgumentException => new("malformed", "The token is malformed"),
        _ => new("invalid", "The token is invalid"),
    };
}
