using Cream.Api.Auth.Dpop;
using System.Security.Claims;
using Cream.Api.Audit;
using Cream.Api.Auth.Accounts;
using Cream.Api.Auth.BruteForce;
using Cream.Api.Auth.Grants;
using Cream.Api.Auth.Passwords;
using Cream.Api.Auth.Revocation;
using Cream.Api.Auth.Tokens;
using Cream.Api.Common;
using Cream.Api.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Cream.Api.Auth.Sessions;

public sealed record SessionView(
    Guid Id,
    DateTime CreatedAt,
    DateTime LastActivity,
    DateTime ExpiresAt,
    string? IpAddress,
    string? UserAgent,
    bool Current);

public sealed record ChangePasswordRequest(string? CurrentPassword, string? NewPassword);

/// <summary>Refresh, logout and the user's own sessions (devices).</summary>
public static class SessionEndpoints
{
    public static IEndpointRouteBuilder MapSessionEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/auth").WithTags("Sessions");

        group.MapPost("/refresh", Refresh)
            .WithSummary("Rotate a refresh token: a new access token and a new refresh token")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .AddEndpointFilter<DpopTokenRequestFilter>();

        group.MapPost("/logout", Logout).RequireAuthorization()
            .WithSummary("End the current session");
        group.MapPost("/logout-all", LogoutAll).RequireAuthorization()
            .WithSummary("End every session of the user");
        group.MapGet("/sessions", List).RequireAuthorization()
            .WithSummary("The user's live sessions; the one of this token is marked current");
        group.MapDelete("/sessions/{id:guid}", End).RequireAuthorization()
            .WithSummary("End one of the user's sessions");
        group.MapPost("/change-password", ChangePassword).RequireAuthorization()
            .WithSummary("Change the password; every other session ends");
        return routes;
    }

    private static Task<Results<Ok<TokenResponse>, ProblemHttpResult>> Refresh(
        RefreshRequest request, RefreshTokenGrant grant, HttpContext context, CancellationToken cancellationToken) =>
        grant.IssueAsync(new TokenRequest(grant.GrantType, null, null, request.RefreshToken), context, cancellationToken);

    private static async Task<NoContent> Logout(ClaimsPrincipal principal, Revoker revoker, AuthEvents events, CancellationToken cancellationToken)
    {
        var userId = principal.GetUserId();
        var sessionId = principal.GetSessionId();
        await revoker.RevokeSessionAsync(userId, sessionId, "logout", cancellationToken);
        await events.LoggedOutAsync(userId, sessionId, everywhere: false);
        return TypedResults.NoContent();
    }

    private static async Task<NoContent> LogoutAll(ClaimsPrincipal principal, Revoker revoker, AuthEvents events, CancellationToken cancellationToken)
    {
        var userId = principal.GetUserId();
        await revoker.EndEverySessionAsync(userId, active: null, "logout_all", cancellationToken);
        await events.LoggedOutAsync(userId, principal.GetSessionId(), everywhere: true);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<List<SessionView>>> List(ClaimsPrincipal principal, CreamDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var userId = principal.GetUserId();
        var current = principal.GetSessionId();
        var now = time.GetUtcNow().UtcDateTime;
        var sessions = await db.Sessions.AsNoTracking()
            .Where(s => s.UserId == userId && s.IsValid && s.ExpiresAt > now)
            .OrderByDescending(s => s.LastActivity)
            .Select(s => new SessionView(s.Id, s.CreatedAt, s.LastActivity, s.ExpiresAt, s.IpAddress, s.UserAgent, s.Id == current))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(sessions);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> End(
        Guid id, ClaimsPrincipal principal, Revoker revoker, AuditTrail audit, CancellationToken cancellationToken)
    {
        var userId = principal.GetUserId();
        if (!await revoker.RevokeSessionAsync(userId, id, "session_ended_by_user", cancellationToken))
        {
            // Another user's session, an ended one and an unknown id all look the same: 404.
            return Problems.Create(StatusCodes.Status404NotFound, "Session not found");
        }

        await audit.SucceededAsync(AuthEventTypes.SessionEnded, userId, id, "ended_by_user");
        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> ChangePassword(
        ChangePasswordRequest request, ClaimsPrincipal principal, PasswordChanges changes, HttpContext context, CancellationToken cancellationToken)
    {
        if (PasswordPolicy.Problem(request.NewPassword, principal.FindFirstValue(AccessTokenClaims.Email)) is { } problem)
        {
            return Problems.Validation(new Dictionary<string, string[]> { ["new_password"] = [problem] });
        }

        var result = await changes.ChangeAsync(
            principal.GetUserId(), principal.GetSessionId(), request.CurrentPassword, request.NewPassword!, ClientInfo.From(context), cancellationToken);
        return result.Outcome switch
        {
            PasswordChangeOutcome.Changed => TypedResults.NoContent(),
            PasswordChangeOutcome.BackingOff => BruteForceGuard.TooManyAttempts(context, result.RetryAfterSeconds),
            _ => Problems.Create(StatusCodes.Status400BadRequest, "Current password is incorrect"),
        };
    }
}
