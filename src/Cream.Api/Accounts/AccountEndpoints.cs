using System.Security.Claims;
using Cream.Api.Auth;
using Cream.Api.Auth.Accounts;
using Cream.Api.Auth.BruteForce;
using Cream.Api.Common;
using Cream.Api.Email;
using Cream.Api.Users;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Cream.Api.Accounts;

/// <summary>Email verification and password reset: what the links in account emails lead to.</summary>
public static class AccountEndpoints
{
    public const string InvalidToken = "Invalid or expired token";
    public const string ResetRequested = "If that account exists, we sent a reset link";

    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/auth").WithTags("Account");

        group.MapPost("/verify-email", VerifyEmail)
            .WithSummary("Marks the email verified with the token from a verification link")
            .ProducesProblem(StatusCodes.Status400BadRequest);

        group.MapPost("/resend-verification", ResendVerification)
            .WithSummary("Sends a new verification link; the older one stops working")
            .RequireAuthorization()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        group.MapPost("/forgot-password", ForgotPassword)
            .WithSummary("Sends a password reset link if the account exists: the same answer either way")
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        group.MapPost("/reset-password", ResetPassword)
            .WithSummary("Sets a new password with the token from a reset link; every session of the account ends")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        return routes;
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> VerifyEmail(
        VerifyEmailRequest request, EmailVerifications verifications, CancellationToken cancellationToken) =>
        await verifications.VerifyAsync(request.Token, cancellationToken)
            ? TypedResults.NoContent()
            : Problems.Create(StatusCodes.Status400BadRequest, InvalidToken);

    private static async Task<Results<Accepted, ProblemHttpResult>> ResendVerification(
        ClaimsPrincipal principal, EmailVerifications verifications, HttpContext context, CancellationToken cancellationToken)
    {
        var result = await verifications.ResendAsync(principal.GetUserId(), cancellationToken);
        return result.Outcome switch
        {
            ResendOutcome.Sent => TypedResults.Accepted((string?)null),
            ResendOutcome.AlreadyVerified => Problems.Create(StatusCodes.Status409Conflict, "Email is already verified"),
            ResendOutcome.TooMany => BruteForceGuard.TooManyAttempts(context, result.RetryAfterSeconds),
            _ => Problems.Create(StatusCodes.Status503ServiceUnavailable, IEmailOutbox.NotConfigured),
        };
    }

    /// <summary>
    /// Answers before anything is looked up: the lookup, the token and the mail happen in the
    /// background, so the status, body and time are the same for every well-formed email.
    /// </summary>
    private static async Task<Results<Accepted<MessageResponse>, ProblemHttpResult>> ForgotPassword(
        ForgotPasswordRequest request, AccountLinks links, PasswordResetRequests requests, BruteForceGuard guard, HttpContext context)
    {
        if (EmailAddress.Check(request.Email, out var problem) is not { } email)
        {
            return Problems.Validation(new Dictionary<string, string[]> { ["email"] = [problem!] });
        }

        if (await guard.CheckClientAsync(context) is { } tooMany)
        {
            return tooMany;
        }

        if (!links.CanSend)
        {
            return Problems.Create(StatusCodes.Status503ServiceUnavailable, IEmailOutbox.NotConfigured);
        }

        requests.Enqueue(email);
        return TypedResults.Accepted((string?)null, new MessageResponse(ResetRequested));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> ResetPassword(
        ResetPasswordRequest request, PasswordResets resets, CancellationToken cancellationToken)
    {
        var result = await resets.ResetAsync(request.Token, request.NewPassword, cancellationToken);
        return result.Outcome switch
        {
            ResetOutcome.Reset => TypedResults.NoContent(),
            ResetOutcome.WeakPassword => Problems.Validation(new Dictionary<string, string[]> { ["new_password"] = [result.Problem!] }),
            _ => Problems.Create(StatusCodes.Status400BadRequest, InvalidToken),
        };
    }
}
