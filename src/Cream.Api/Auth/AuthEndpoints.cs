using System.Security.Claims;
using Cream.Api.Auth.Dpop;
using Cream.Api.Auth.Accounts;
using Cream.Api.Auth.BruteForce;
using Cream.Api.Auth.Grants;
using Cream.Api.Auth.Profiles;
using Cream.Api.Auth.Sessions;
using Cream.Api.Auth.Tokens;
using Cream.Api.Common;
using Cream.Api.Data;
using Cream.Api.Email;
using Cream.Api.Users;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Cream.Api.Auth;

public static class AuthEndpoints
{
    public static IEndpointRouteBuilder MapAuthEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/auth").WithTags("Auth");

        group.MapPost("/signup", Signup)
            .WithSummary("Create an account and sign in (202 instead when Accounts__RequireVerifiedEmail asks for the email to be verified first)")
            .Accepts<SignupRequest>("application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .AddEndpointFilter<DpopTokenRequestFilter>();

        group.MapPost("/login", Login)
            .WithSummary("OAuth 2.0 token endpoint: password or refresh_token grant as a form, or a JSON {email, password}")
            .Accepts<LoginRequest>("application/x-www-form-urlencoded", "application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .DisableAntiforgery()
            .AddEndpointFilter<DpopTokenRequestFilter>();

        group.MapGet("/me", Me)
            .WithSummary("The signed-in user's profile")
            .RequireAuthorization();

        group.MapDelete("/me", DeleteMe)
            .WithSummary("Delete the signed-in user's account, confirmed with its password (and a two-factor code when two-factor is on); every token of it stops working")
            .RequireAuthorization()
            .Accepts<DeleteAccountRequest>("application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        return routes;
    }

    private static async Task<Results<Created<TokenResponse>, Accepted<MessageResponse>, ProblemHttpResult>> Signup(
        SignupRequest request, Signups signups, BruteForceGuard guard, HttpContext context, CancellationToken cancellationToken)
    {
        var errors = SignupValidation.Validate(request);
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        if (await guard.CheckSignupAsync(context) is { } tooManySignups)
        {
            return tooManySignups;
        }

        var (outcome, tokens) = await signups.SignupAsync(request, DpopClient.From(context), cancellationToken);
        switch (outcome)
        {
            case SignupOutcome.EmailTaken:
                return Problems.Create(StatusCodes.Status400BadRequest, "Email already registered");
            case SignupOutcome.CheckEmail:
                return TypedResults.Accepted((string?)null, new MessageResponse("Check your email to finish signing up"));
            case SignupOutcome.CannotSend:
                return Problems.Create(StatusCodes.Status503ServiceUnavailable, IEmailOutbox.NotConfigured);
            default:
                TokenResponses.SetNoStore(context.Response);
                return TypedResults.Created("/api/auth/me", tokens);
        }
    }

    /// <summary>The token endpoint: reads the request, then hands it to the grant its <c>grant_type</c> names.</summary>
    private static async Task<Results<Ok<TokenResponse>, ProblemHttpResult>> Login(
        HttpContext context, IEnumerable<ITokenGrant> grants, IOptions<JsonOptions> json, CancellationToken cancellationToken)
    {
        var (request, problem) = await TokenRequest.ReadAsync(context.Request, json.Value.SerializerOptions, cancellationToken);
        if (request is null)
        {
            return problem!;
        }

        var known = grants.ToList();
        return known.FirstOrDefault(grant => grant.GrantType == request.GrantType) is { } handler
            ? await handler.IssueAsync(request, context, cancellationToken)
            : Problems.OAuth(StatusCodes.Status400BadRequest, "unsupported_grant_type",
                $"grant_type must be {string.Join(" or ", known.Select(grant => $"'{grant.GrantType}'"))}.");
    }

    /// <summary>
    /// Served from the in-process profile cache in the steady state: a profile change, a role
    /// change or a revocation drops the entry here and, through the revocation bus, everywhere.
    /// The database context and JSON options are resolved only on a miss: a hit would otherwise
    /// build (and dispose) a context for nothing on every request. The cache holds the answer
    /// already wrapped, and a hit completes synchronously: a hit allocates neither a wrapper nor a task.
    /// </summary>
    private static async ValueTask<Results<ProfileResult, ProblemHttpResult>> Me(
        ClaimsPrincipal principal, ProfileCache profiles, HttpContext context, CancellationToken cancellationToken)
    {
        var userId = principal.GetUserId();
        if (profiles.TryGet<Results<ProfileResult, ProblemHttpResult>>(userId, out var cached))
        {
            return cached;
        }

        var epoch = profiles.Epoch;
        var db = context.RequestServices.GetRequiredService<CreamDbContext>();
        var json = context.RequestServices.GetRequiredService<IOptions<JsonOptions>>();
        var me = await db.Users.AsNoTracking()
            .Where(u => u.Id == userId && u.IsActive)
            .Select(UserProfile.FromUser)
            .FirstOrDefaultAsync(cancellationToken);
        if (me is null)
        {
            // The token was fine a moment ago; the account has since been disabled or removed.
            context.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\", error_description=\"The account is disabled\"";
            return Problems.Create(StatusCodes.Status401Unauthorized, BearerChallenge.InvalidCredentialsDetail);
        }

        Results<ProfileResult, ProblemHttpResult> result = ProfileResult.Create(me, json.Value);
        profiles.Set(userId, result, epoch);
        return result;
    }

    /// <summary>The password (and code) are checked as change-password checks it (same backoff); a missing one is refused before anything is counted.</summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteMe(
        [Microsoft.AspNetCore.Mvc.FromBody] DeleteAccountRequest? request, ClaimsPrincipal principal, AccountDeletion deletion, HttpContext context, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(request?.Password))
        {
            return Problems.Validation(new Dictionary<string, string[]> { ["password"] = ["The password is required."] });
        }

        var result = await deletion.DeleteOwnAsync(
            principal.GetUserId(), principal.GetSessionId(), request.Password, request.Code, ClientInfo.From(context), cancellationToken);
        return result.Outcome switch
        {
            DeletionOutcome.Deleted => TypedResults.NoContent(),
            DeletionOutcome.BackingOff => BruteForceGuard.TooManyAttempts(context, result.RetryAfterSeconds),
            DeletionOutcome.LastAdmin => Problems.Create(StatusCodes.Status409Conflict, LastAdmin.RefusedDetail),
            DeletionOutcome.CodeRequired => Problems.Create(StatusCodes.Status400BadRequest, PasswordGrant.MfaRequired),
            DeletionOutcome.WrongCode => Problems.Create(StatusCodes.Status400BadRequest, MfaOtpGrant.InvalidCode),
            _ => Problems.Create(StatusCodes.Status400BadRequest, "Password is incorrect"),
        };
    }
}
