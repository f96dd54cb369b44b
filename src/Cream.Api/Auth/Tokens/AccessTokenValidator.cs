using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;
using Cream.Api.Auth.Revocation;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Cream.Api.Auth.Tokens;

/// <summary>
/// A token that passed every rule, and what revocation needs of it (from its claims, never its
/// exact string): <paramref name="TokenKey"/> is its <c>jti</c> as <see cref="RevocationList.TokenKey"/>
/// makes it, once, rather than on every request that reuses the token.
/// </summary>
public readonly record struct ValidatedAccessToken(
    TokenValidationResult Result, Guid UserId, Guid SessionId, Guid TokenKey, long IssuedAt, DateTime Expires);

/// <summary>
/// Strict validation of one access token, with nothing remembered: the library's checks under
/// the given parameters, then one spelling only (base64url, no padding), times as JSON
/// numbers, the claims every Cream access token carries, and revocation.
/// </summary>
public sealed class AccessTokenValidator : JsonWebTokenHandler
{
    /// <summary>Real tokens are well under 2 KB; anything near this is an attack or an accident.</summary>
    public const int MaximumTokenBytes = 8 * 1024;

    private static readonly SearchValues<char> CompactJwsCharacters =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.");

    private readonly RevocationList _revocations;

    public AccessTokenValidator(RevocationList revocations)
    {
        _revocations = revocations;
        MapInboundClaims = false;
        MaximumTokenSizeInBytes = MaximumTokenBytes;
    }

    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters) =>
        (await ValidateAsync(token, validationParameters).ConfigureAwait(false)).Result;

    /// <summary>
    /// Every rule, revocation included; the facts are null when the token is refused. A value
    /// task of a struct: the common, synchronous path allocates nothing of its own.
    /// </summary>
    public async ValueTask<(TokenValidationResult Result, ValidatedAccessToken? Token)> ValidateAsync(string token, TokenValidationParameters validationParameters)
    {
        // One token, one spelling: the library's decoder tolerates '=' padding, we do not.
        if (token is null || token.AsSpan().ContainsAnyExcept(CompactJwsCharacters))
        {
            return (Refused(new SecurityTokenMalformedException("The token holds characters outside base64url.")), null);
        }

        var result = await base.ValidateTokenAsync(token, validationParameters).ConfigureAwait(false);
        if (!result.IsValid)
        {
            return (result, null);
        }

        if (!TimeClaimsAreNumbers(token))
        {
            return (Refused(new SecurityTokenMalformedException("exp, nbf and iat must be JSON numbers (RFC 7519 §2).")), null);
        }

        // Read straight from the parsed token: result.Claims would build a dictionary per call.
        var jwt = (JsonWebToken)result.SecurityToken;
        if (!TryGetGuid(jwt, AccessTokenClaims.Subject, out var userId))
        {
            return (Missing(AccessTokenClaims.Subject), null);
        }

        if (!TryGetGuid(jwt, AccessTokenClaims.SessionId, out var sessionId))
        {
            return (Missing(AccessTokenClaims.SessionId), null);
        }

        if (!jwt.TryGetPayloadValue<string>(AccessTokenClaims.TokenId, out var tokenId) || tokenId is not { Length: > 0 and <= 64 })
        {
            return (Missing(AccessTokenClaims.TokenId), null);
        }

        if (!jwt.TryGetPayloadValue<long>(AccessTokenClaims.IssuedAt, out var issuedAt))
        {
            return (Missing(AccessTokenClaims.IssuedAt), null);
        }

        var validated = new ValidatedAccessToken(result, userId, sessionId, RevocationList.TokenKey(tokenId), issuedAt, jwt.ValidTo);
        var checkedResult = CheckRevocation(validated);
        return (checkedResult, checkedResult.IsValid ? validated : null);
    }

    /// <summary>The token's result, or a refusal when its user, session or <c>jti</c> is revoked now.</summary>
    public TokenValidationResult CheckRevocation(in ValidatedAccessToken token) =>
        _revocations.IsRevoked(token.UserId, token.SessionId, token.TokenKey, token.IssuedAt)
            ? Refused(new SecurityTokenRevokedException("The token has been revoked."))
            : token.Result;

    /// <summary>
    /// The library reads <c>"exp":"1700000000"</c> as a number; RFC 7519 says NumericDate is a
    /// JSON number, so the payload is scanned (without allocating) for string-typed times.
    /// </summary>
    private static bool TimeClaimsAreNumbers(string token)
    {
        var firstDot = token.IndexOf('.', StringComparison.Ordinal);
        var secondDot = token.IndexOf('.', firstDot + 1);
        var encoded = token.AsSpan(firstDot + 1, secondDot - firstDot - 1);
        Span<byte> payload = stackalloc byte[Base64Url.GetMaxDecodedLength(encoded.Length)];
        var written = Base64Url.DecodeFromChars(encoded, payload); // the library has already decoded it once
        var reader = new Utf8JsonReader(payload[..written]);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isTime = reader.ValueTextEquals("exp"u8) || reader.ValueTextEquals("nbf"u8) || reader.ValueTextEquals("iat"u8);
            reader.Read();
            if (isTime && reader.TokenType != JsonTokenType.Number)
            {
                return false;
            }

            reader.Skip();
        }

        return true;
    }

    private static bool TryGetGuid(JsonWebToken jwt, string claim, out Guid value)
    {
        value = default;
        return jwt.TryGetPayloadValue<string>(claim, out var text) && Guid.TryParse(text, out value);
    }

    private static TokenValidationResult Missing(string claim) =>
        Refused(new SecurityTokenMissingClaimException($"The token has no valid '{claim}' claim."));

    private static TokenValidationResult Refused(Exception exception) => new() { IsValid = false, Exception = exception };
}

/// <summary>A signed, unexpired token that lacks a claim Cream relies on.</summary>
public sealed class SecurityTokenMissingClaimException(string message) : SecurityTokenValidationException(message);

/// <summary>A genuine token whose session, user or <c>jti</c> has been revoked.</summary>
public sealed class SecurityTokenRevokedException(string message) : SecurityTokenValidationException(message);
