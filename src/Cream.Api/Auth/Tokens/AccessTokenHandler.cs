using System.Buffers;
using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
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
    /// <summary>Validated tokens remembered at most; past it the cache starts over.</summary>
    public const int MaxCachedTokens = 10_000;

    private readonly RevocationState _revocations;
    private readonly AccessTokenKeys? _keys;
    private readonly TimeProvider _time = TimeProvider.System;
    private readonly AuthMetrics? _metrics;
    private readonly ConcurrentDictionary<string, ValidatedToken> _validated = new(StringComparer.Ordinal);

    /// <summary>
    /// Hashes of tokens validated once: a token is remembered on its second validation, so tokens
    /// seen only once (the common case under many distinct clients) cost no cache churn.
    /// </summary>
    private readonly int[] _seenOnce = new int[1 << 16];

    /// <summary>A token that passed every check but revocation, and what revocation needs of it.</summary>
    private sealed record ValidatedToken(
        TokenValidationResult Result, Guid UserId, Guid SessionId, string TokenId, long IssuedAt, DateTime Expires, int KeyRingVersion);

    /// <summary>Real tokens are well under 2 KB; anything near this is an attack or an accident.</summary>
    public const int MaximumTokenBytes = 8 * 1024;

    private static readonly SearchValues<char> CompactJwsCharacters =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.");

    /// <summary>A handler that validates every token in full.</summary>
    public AccessTokenHandler(RevocationState revocations)
    {
        _revocations = revocations;
        MapInboundClaims = false;
        MaximumTokenSizeInBytes = MaximumTokenBytes;
    }

    /// <summary>
    /// A handler that remembers validated tokens until they expire, so a client that sends one
    /// token many times pays for parsing and the signature once. The revocation check runs on
    /// every call; a key ring change drops what was remembered.
    /// </summary>
    public AccessTokenHandler(RevocationState revocations, AccessTokenKeys keys, TimeProvider time, AuthMetrics? metrics = null)
        : this(revocations)
    {
        _keys = keys;
        _time = time;
        _metrics = metrics;
    }

    public override Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        if (_metrics is null)
        {
            return ValidateCoreAsync(token, validationParameters);
        }

        var started = Stopwatch.GetTimestamp();
        var validation = ValidateCoreAsync(token, validationParameters);
        if (!validation.IsCompletedSuccessfully)
        {
            return RecordWhenDoneAsync(validation, started);
        }

        _metrics.TokenValidated(validation.Result.IsValid, started);
        return validation;
    }

    private async Task<TokenValidationResult> RecordWhenDoneAsync(Task<TokenValidationResult> validation, long started)
    {
        var result = await validation.ConfigureAwait(false);
        _metrics!.TokenValidated(result.IsValid, started);
        return result;
    }

    private async Task<TokenValidationResult> ValidateCoreAsync(string token, TokenValidationParameters validationParameters)
    {
        // One token, one spelling: the library's decoder tolerates '=' padding, we do not.
        if (token is null || token.AsSpan().ContainsAnyExcept(CompactJwsCharacters))
        {
            return Refused(new SecurityTokenMalformedException("The token holds characters outside base64url."));
        }

        var cacheable = IsCacheable(validationParameters);
        if (cacheable && _validated.TryGetValue(token, out var known))
        {
            if (known.KeyRingVersion == _keys!.Ring.Version
                && _time.GetUtcNow().UtcDateTime <= known.Expires + validationParameters.ClockSkew)
            {
                return _revocations.IsRevoked(known.UserId, known.SessionId, known.TokenId, known.IssuedAt)
                    ? Refused(new SecurityTokenRevokedException("The token has been revoked."))
                    : known.Result;
            }

            _validated.TryRemove(token, out _); // expired, or its key may be gone: validate in full
        }

        var result = await base.ValidateTokenAsync(token, validationParameters).ConfigureAwait(false);
        if (!result.IsValid)
        {
            return result;
        }

        if (!TimeClaimsAreNumbers(token))
        {
            return Refused(new SecurityTokenMalformedException("exp, nbf and iat must be JSON numbers (RFC 7519 §2)."));
        }

        // Read straight from the parsed token: result.Claims would build a dictionary per call.
        var jwt = (JsonWebToken)result.SecurityToken;
        if (!TryGetGuid(jwt, AccessTokenClaims.Subject, out var userId))
        {
            return Missing(AccessTokenClaims.Subject);
        }

        if (!TryGetGuid(jwt, AccessTokenClaims.SessionId, out var sessionId))
        {
            return Missing(AccessTokenClaims.SessionId);
        }

        if (!jwt.TryGetPayloadValue<string>(AccessTokenClaims.TokenId, out var tokenId) || tokenId is not { Length: > 0 and <= 64 })
        {
            return Missing(AccessTokenClaims.TokenId);
        }

        if (!jwt.TryGetPayloadValue<long>(AccessTokenClaims.IssuedAt, out var issuedAt))
        {
            return Missing(AccessTokenClaims.IssuedAt);
        }

        if (_revocations.IsRevoked(userId, sessionId, tokenId, issuedAt))
        {
            return Refused(new SecurityTokenRevokedException("The token has been revoked."));
        }

        if (cacheable && SeenBefore(token))
        {
            Remember(token, new ValidatedToken(result, userId, sessionId, tokenId, issuedAt, jwt.ValidTo, _keys!.Ring.Version));
        }

        return result;
    }

    /// <summary>
    /// Only results of Cream's own parameters are remembered (the bearer scheme works on a copy of
    /// them): a caller with other rules must not be answered from a cache built under ours.
    /// </summary>
    private bool IsCacheable(TokenValidationParameters parameters)
    {
        if (_keys is null)
        {
            return false;
        }

        var ours = _keys.ValidationParameters;
        return ReferenceEquals(parameters, ours)
            || (parameters.ValidAlgorithms is { } algorithms && algorithms.SequenceEqual(ours.ValidAlgorithms!)
                && parameters.IssuerSigningKeyResolver == ours.IssuerSigningKeyResolver
                && parameters.TypeValidator == ours.TypeValidator
                && parameters.LifetimeValidator == ours.LifetimeValidator
                && parameters.IssuerSigningKey is null
                && parameters.IssuerSigningKeys is null
                && parameters.ValidIssuers is null
                && parameters.ValidAudiences is null
                && parameters.ValidIssuer == ours.ValidIssuer
                && parameters.ValidAudience == ours.ValidAudience
                && parameters.ClockSkew == ours.ClockSkew
                && parameters.ValidateIssuer && parameters.ValidateAudience && parameters.ValidateLifetime
                && parameters.RequireSignedTokens && parameters.RequireAudience && parameters.RequireExpirationTime);
    }

    /// <summary>True from a token's second validation on (a rare hash collision admits one early, harmlessly).</summary>
    private bool SeenBefore(string token)
    {
        var hash = token.GetHashCode(StringComparison.Ordinal);
        ref var slot = ref _seenOnce[hash & (_seenOnce.Length - 1)];
        if (slot == hash)
        {
            return true;
        }

        slot = hash;
        return false;
    }

    private void Remember(string token, ValidatedToken validated)
    {
        if (_validated.Count >= MaxCachedTokens)
        {
            _validated.Clear();
        }

        // The result builds its identity once, on first use (thread-safely); later requests share it.
        _validated[token] = validated;
    }

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
