using System.Security.Claims;
using System.Text.Json;
using Cream.Api.Auth.BruteForce;
using Cream.Api.Auth.Revocation;
using Cream.Api.Auth.Sessions;
using Cream.Api.Auth.Tokens;
using Cream.Api.Common;
using Cream.Api.Data;
using Cream.Api.Users;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Cream.Api.Auth;

public static class AuthEndpoints
{
    public const string InvalidCredentials = "Incorrect email or password";

    public static IEndpointRouteBuilder MapAuthEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/auth").WithTags("Auth");

        group.MapPost("/signup", Signup)
            .WithSummary("Create an account and sign in")
            .Accepts<SignupRequest>("application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest);

        group.MapPost("/login", Login)
            .WithSummary("OAuth 2.0 token endpoint: password or refresh_token grant as a form, or a JSON {email, password}")
            .Accepts<LoginRequest>("application/x-www-form-urlencoded", "application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .DisableAntiforgery();

        group.MapGet("/me", Me)
            .WithSummary("The signed-in user's profile")
            .RequireAuthorization();

        return routes;
    }

    private static async Task<Results<Created<TokenResponse>, ProblemHttpResult>> Signup(
        SignupRequest request, SignInService signIn, HttpContext context, CancellationToken cancellationToken)
    {
        var errors = SignupValidation.Validate(request);
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var (outcome, tokens) = await signIn.SignupAsync(request, ClientInfo.From(context), cancellationToken);
        if (outcome == SignupOutcome.EmailTaken)
        {
            return Problems.Create(StatusCodes.Status400BadRequest, "Email already registered");
        }

        TokenResponses.SetNoStore(context.Response);
        return TypedResults.Created("/api/auth/me", tokens);
    }

    private static async Task<Results<Ok<TokenResponse>, ProblemHttpResult>> Login(
        HttpContext context, SignInService signIn, SessionTokens sessions, BruteForceGuard guard, IOptions<JsonOptions> json, CancellationToken cancellationToken)
    {
        var request = context.Request;
        string? grantType, username, password, refreshToken;
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(cancellationToken);
            grantType = form["grant_type"];
            username = form.TryGetValue("username", out var name) ? name : form["email"];
            password = form["password"];
            refreshToken = form["refresh_token"];
        }
        else if (request.HasJsonContentType())
        {
            LoginRequest? body;
            try
            {
                body = await request.ReadFromJsonAsync<LoginRequest>(json.Value.SerializerOptions, cancellationToken);
            }
            catch (JsonException)
            {
                return Problems.OAuth(StatusCodes.Status400BadRequest, "invalid_request", "The request body is not valid JSON.");
            }

            (grantType, username, password, refreshToken) = (body?.GrantType, body?.Email ?? body?.Username, body?.Password, body?.RefreshToken);
        }
        else
        {
            return Problems.Create(StatusCodes.Status415UnsupportedMediaType,
                "Send the token request as application/x-www-form-urlencoded or application/json.");
        }

        grantType = string.IsNullOrEmpty(grantType) ? "password" : grantType;
        if (grantType == "refresh_token")
        {
            return await SessionEndpoints.RefreshAsync(refreshToken, sessions, guard, context, cancellationToken);
        }

        if (grantType != "password")
        {
            return Problems.OAuth(StatusCodes.Status400BadRequest, "unsupported_grant_type", "grant_type must be 'password' or 'refresh_token'.");
        }

        if (await guard.CheckClientAsync(context) is { } tooManyFromClient)
        {
            return tooManyFromClient;
        }

        if (string.IsNullOrEmpty(username) || string.IsNullOrEmpty(password))
        {
            return Problems.OAuth(StatusCodes.Status400BadRequest, "invalid_request", "username (or email) and password are required.");
        }

        if (await guard.BeginLoginAsync(context, username) is { } backingOff)
        {
            return backingOff; // decided before any lookup: the same answer for known and unknown emails
        }

        var tokens = await signIn.PasswordSignInAsync(username, password, ClientInfo.From(context), cancellationToken);
        if (tokens is null)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            return Problems.OAuth(StatusCodes.Status401Unauthorized, "invalid_grant", InvalidCredentials);
        }

        await guard.LoginSucceededAsync(username);
        TokenResponses.SetNoStore(context.Response);
        return TypedResults.Ok(tokens);
    }

    /// <summary>
    /// Served from the in-process profile cache in the steady state: a profile change, a role
    /// change or a revocation drops the entry here and, through the revocation bus, everywhere.
    /// </summary>
    private static async Task<Results<ProfileResult, ProblemHttpResult>> Me(
        ClaimsPrincipal principal, RevocationState state, CreamDbContext db, IOptions<JsonOptions> json, HttpContext context, CancellationToken cancellationToken)
    {
        var userId = principal.GetUserId();
        if (state.TryGetProfile<ProfileResult>(userId, out var cached))
        {
            return cached;
        }

        var epoch = state.ProfileEpoch;
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

        var result = ProfileResult.Create(me, json.Value);
        state.SetProfile(userId, result, epoch);
        return result;
    }
}
