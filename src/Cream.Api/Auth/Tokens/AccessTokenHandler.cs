using System.Diagnostics;
using System.Security.Claims;
using Microsoft.IdentityModel.Tokens;

namespace Cream.Api.Auth.Tokens;

/// <summary>
/// What the bearer scheme and the token endpoints validate access tokens with: the
/// <see cref="AccessTokenValidator"/>, behind a <see cref="ValidatedTokenCache"/> that answers a
/// repeated token while the parameters are equivalent to Cream's own (revocation is still
/// checked on every call), each validation timed for the metrics.
/// </summary>
public sealed class AccessTokenHandler(
    AccessTokenValidator validator,
    ValidatedTokenCache cache,
    AccessTokenKeys keys,
    TimeProvider time,
    AuthMetrics metrics) : TokenHandler
{
    public override int MaximumTokenSizeInBytes { get; set; } = AccessTokenValidator.MaximumTokenBytes;

    public override Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        ArgumentNullException.ThrowIfNull(validationParameters);
        var started = Stopwatch.GetTimestamp();

        var cacheable = token is not null && AreCreams(validationParameters);
        if (cacheable && FromMemory(token) is { } answer)
        {
            // The steady state of a client: answered without an async state machine.
            metrics.TokenValidated(answer.IsValid, started);
            return Task.FromResult(answer);
        }

        var validation = cacheable
            ? ValidateAndRememberAsync(token!, validationParameters)
            : validator.ValidateTokenAsync(token!, validationParameters);
        if (!validation.IsCompletedSuccessfully)
        {
            return RecordWhenDoneAsync(validation, started);
        }

        metrics.TokenValidated(validation.Result.IsValid, started);
        return validation;
    }

    /// <summary>
    /// The identity of a bearer token validated before under Cream's own parameters that is
    /// still live, not revoked and bound to no DPoP key: the steady state of a client, answered in
    /// front of the authentication middleware (<see cref="RememberedBearerAuthentication"/>) or,
    /// when the bearer handler authenticates, before it sets up a validation
    /// (<see cref="BearerChallenge.MessageReceived"/>). Anything else is null and takes the full
    /// path, which refuses with the reason, log and metric.
    /// </summary>
    public ClaimsIdentity? FindLive(ReadOnlySpan<char> token, TokenValidationParameters validationParameters)
    {
        ArgumentNullException.ThrowIfNull(validationParameters);
        var started = Stopwatch.GetTimestamp();
        // No bearer token (a DPoP request, another scheme): nothing to compare or look up.
        if (token.IsEmpty || !AreCreams(validationParameters) || FromMemory(token) is not { IsValid: true } answer
            || answer.ClaimsIdentity.FindFirst(AccessTokenClaims.Confirmation) is not null)
        {
            return null;
        }

        metrics.TokenValidated(true, started);
        return answer.ClaimsIdentity;
    }

    /// <summary>Only results of Cream's own parameters are remembered: a caller with other rules must not be answered from them.</summary>
    private bool AreCreams(TokenValidationParameters validationParameters) =>
        ValidationParametersComparer.Equivalent(validationParameters, keys.ValidationParameters);

    /// <summary>A remembered token's answer now, its revocation checked; null when it is not remembered, has expired, or the key ring changed.</summary>
    private TokenValidationResult? FromMemory(ReadOnlySpan<char> token) =>
        cache.Find(token, keys.Ring.Version, time.GetUtcNow().UtcDateTime, keys.ValidationParameters.ClockSkew) is { } known
            ? validator.CheckRevocation(in known.Token)
            : null;

    private async Task<TokenValidationResult> RecordWhenDoneAsync(Task<TokenValidationResult> validation, long started)
    {
        var result = await validation.ConfigureAwait(false);
        metrics.TokenValidated(result.IsValid, started);
        return result;
    }

    private async Task<TokenValidationResult> ValidateAndRememberAsync(string token, TokenValidationParameters parameters)
    {
        var ringVersion = keys.Ring.Version; // read before validating: a rotation meanwhile makes the entry stale
        var (result, validated) = await validator.ValidateAsync(token, parameters).ConfigureAwait(false);
        if (validated is { } facts)
        {
            cache.Offer(token, facts, ringVersion);
        }

        return result;
    }
}
