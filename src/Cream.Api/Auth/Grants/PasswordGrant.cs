using Cream.Api.Auth.Dpop;
using Cream.Api.Auth.BruteForce;
using Cream.Api.Auth.TwoFactor;
using Cream.Api.Common;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Cream.Api.Auth.Grants;

/// <summary>The resource owner password grant (RFC 6749 §4.3), behind the per-address and per-email limits.</summary>
internal sealed class PasswordGrant(SignInService signIn, BruteForceGuard guard) : ITokenGrant
{
    public const string InvalidCredentials = "Incorrect email or password";

    /// <summary>The first version's text, answered only after the password was right.</summary>
    public const string EmailUnverified = "Please verify your email before logging in";

    /// <summary>The answer to a right password of an account with two-factor on.</summary>
    public const string MfaRequired = "Two-factor code required";

    public string GrantType => "password";

    public async Task<Results<Ok<TokenResponse>, ProblemHttpResult>> IssueAsync(TokenRequest request, HttpContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        if (await guard.CheckClientAsync(context) is { } tooManyFromClient)
        {
            return tooManyFromClient;
        }

        if (string.IsNullOrEmpty(request.Username) || string.IsNullOrEmpty(request.Password))
        {
            return Problems.OAuth(StatusCodes.Status400BadRequest, "invalid_request", "username (or email) and password are required.");
        }

        if (await guard.BeginLoginAsync(context, request.Username) is { } backingOff)
        {
            return backingOff; // decided before any lookup: the same answer for known and unknown emails
        }

        var (outcome, tokens, mfaToken) = await signIn.PasswordSignInAsync(request.Username, request.Password, DpopClient.From(context), cancellationToken);
        if (outcome == SignInOutcome.MfaRequired)
        {
            // The password was right, but this ends no failure streak: only the second factor does.
            context.Response.Headers.WWWAuthenticate = "Bearer";
            TokenResponses.SetNoStore(context.Response);
            return Problems.OAuth(StatusCodes.Status401Unauthorized, "mfa_required", MfaRequired,
            [
                new("mfa_token", mfaToken),
                new("mfa_token_expires_in", (int)MfaChallengeStore.Lifetime.TotalSeconds),
            ]);
        }

        if (outcome == SignInOutcome.EmailUnverified)
        {
            await guard.LoginSucceededAsync(request.Username); // the password was right
            context.Response.Headers.WWWAuthenticate = "Bearer";
            return Problems.OAuth(StatusCodes.Status401Unauthorized, "invalid_grant", EmailUnverified);
        }

        if (tokens is null)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            return Problems.OAuth(StatusCodes.Status401Unauthorized, "invalid_grant", InvalidCredentials);
        }

        await guard.LoginSucceededAsync(request.Username);
        TokenResponses.SetNoStore(context.Response);
        return TypedResults.Ok(tokens);
    }
}
