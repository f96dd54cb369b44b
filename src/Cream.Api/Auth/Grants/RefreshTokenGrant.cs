using Cream.Api.Auth.Dpop;
using Cream.Api.Auth.BruteForce;
using Cream.Api.Auth.Sessions;
using Cream.Api.Common;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Cream.Api.Auth.Grants;

/// <summary>The refresh token grant (RFC 6749 §6): the token endpoint's and <c>/api/auth/refresh</c>'s.</summary>
internal sealed class RefreshTokenGrant(SessionTokens sessions, BruteForceGuard guard) : ITokenGrant
{
    public string GrantType => "refresh_token";

    public async Task<Results<Ok<TokenResponse>, ProblemHttpResult>> IssueAsync(TokenRequest request, HttpContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        if (await guard.CheckClientAsync(context) is { } tooManyFromClient)
        {
            return tooManyFromClient;
        }

        if (string.IsNullOrEmpty(request.RefreshToken))
        {
            return Problems.OAuth(StatusCodes.Status400BadRequest, "invalid_request", "refresh_token is required.");
        }

        var (tokens, failure) = await sessions.RefreshAsync(request.RefreshToken, DpopClient.From(context), cancellationToken);
        if (failure is { IsDpopProblem: true })
        {
            return Problems.OAuth(StatusCodes.Status400BadRequest, DpopProblem.InvalidProof, failure.Description);
        }

        if (tokens is null)
        {
            // RFC 9110 §15.5.2: every 401 names its scheme, as the password grant's does.
            context.Response.Headers.WWWAuthenticate = "Bearer";
            return Problems.OAuth(StatusCodes.Status401Unauthorized, "invalid_grant", failure!.Description);
        }

        TokenResponses.SetNoStore(context.Response);
        return TypedResults.Ok(tokens);
    }
}
