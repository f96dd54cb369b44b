using System.Diagnostics;
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
        var validation = ValidateCoreAsync(token, validationParameters);
        if (!validation.IsCompletedSuccessfully)
        {
            return RecordWhenDoneAsync(validation, started);
        }

        metrics.TokenValidated(validation.Result.IsValid, started);
        return validation;
    }

    private async Task<TokenValidationResult> RecordWhenDoneAsync(Task<TokenValidationResult> validation, long started)
    {
        var result = await validation.ConfigureAwait(false);
        metrics.TokenValidated(result.IsValid, started);
        return result;
    }

    private async Task<TokenValidationResult> ValidateCoreAsync(string token, TokenValidationParameters parameters)
    {
        // Only results of Cream's own parameters are remembered: a caller with other rules must
        // not be answered from a cache built under ours.
        if (token is null || !ValidationParametersComparer.Equivalent(parameters, keys.ValidationParameters))
        {
            return await validator.ValidateTokenAsync(token!, parameters).ConfigureAwait(false);
        }

        var ringVersion = keys.Ring.Version;
        if (cache.Find(token, ringVersion, time.GetUtcNow().UtcDateTime, parameters.ClockSkew) is { } known)
        {
            return validator.CheckRevocation(known);
        }

        var (result, validated) = await validator.ValidateAsync(token, parameters).ConfigureAwait(false);
        if (validated is { } facts)
        {
            cache.Offer(token, facts, ringVersion);
        }

        return result;
    }
}
