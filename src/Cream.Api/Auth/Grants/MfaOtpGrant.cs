using Cream.Api.Auth.Dpop;
using Cream.Api.Auth.BruteForce;
using Cream.Api.Auth.TwoFactor;
using Cream.Api.Common;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Cream.Api.Auth.Grants;

/// <summary>
/// The second step of a two-factor login: <c>mfa_token</c> (from the password grant's
/// <c>mfa_required</c> answer) and <c>otp</c> (a TOTP code or a recovery code); the token
/// endpoint's and <c>POST /api/auth/mfa/verify</c>'s.
/// </summary>
internal sealed class MfaOtpGrant(MfaVerification verification, BruteForceGuard guard) : ITokenGrant
{
    public const string Type = "urn:cream:params:oauth:grant-type:mfa-otp";
    public const string InvalidToken = "The two-factor login has expired or was already used: sign in again";
    public const string InvalidCode = "Invalid two-factor code";

    public string GrantType => Type;

    public async Task<Results<Ok<TokenResponse>, ProblemHttpResult>> IssueAsync(TokenRequest request, HttpContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        if (await guard.CheckClientAsync(context) is { } tooManyFromClient)
        {
            return tooManyFromClient;
        }

        if (string.IsNullOrEmpty(request.MfaToken) || string.IsNullOrWhiteSpace(request.Otp))
        {
            return Problems.OAuth(StatusCodes.Status400BadRequest, "invalid_request", "mfa_token and otp (a two-factor code) are required.");
        }

        var result = await verification.VerifyAsync(request.MfaToken, request.Otp, DpopClient.From(context), cancellationToken);
        switch (result.Outcome)
        {
            case MfaVerifyOutcome.SignedIn:
                TokenResponses.SetNoStore(context.Response);
                return TypedResults.Ok(result.Tokens!);
            case MfaVerifyOutcome.BackingOff:
                return BruteForceGuard.TooManyAttempts(context, result.RetryAfterSeconds);
            default:
                context.Response.Headers.WWWAuthenticate = "Bearer";
                return Problems.OAuth(StatusCodes.Status401Unauthorized, "invalid_grant",
                    result.Outcome == MfaVerifyOutcome.WrongCode ? InvalidCode : InvalidToken);
        }
    }
}
