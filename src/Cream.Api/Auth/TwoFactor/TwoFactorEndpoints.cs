using Cream.Api.Auth.Dpop;
using System.Security.Claims;
using Cream.Api.Auth.BruteForce;
using Cream.Api.Auth.Grants;
using Cream.Api.Common;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Cream.Api.Auth.TwoFactor;

public sealed record TotpSetupRequest(string? Password);

/// <param name="Secret">The base32 secret, for typing into an authenticator app.</param>
/// <param name="OtpauthUri">The same as an <c>otpauth://</c> URI (for a QR code).</param>
public sealed record TotpSetupResponse(string Secret, string OtpauthUri);

public sealed record TwoFactorCodeRequest(string? Code);

public sealed record RecoveryCodesResponse(IReadOnlyList<string> RecoveryCodes);

public sealed record DisableTwoFactorRequest(string? Password, string? Code);

/// <param name="MfaToken">From the login's <c>mfa_required</c> answer.</param>
/// <param name="Code">A TOTP code or a recovery code.</param>
public sealed record MfaVerifyRequest(string? MfaToken, string? Code);

/// <summary>Two-factor authentication (TOTP, RFC 6238): setup, the login's second step, recovery codes, turning it off.</summary>
public static class TwoFactorEndpoints
{
    public const string PasswordIncorrect = "Password is incorrect";
    public const string AlreadyOn = "Two-factor authentication is already on";
    public const string NotOn = "Two-factor authentication is not on";
    public const string NoPendingSetup = "Start two-factor setup first (POST /api/auth/mfa/totp)";

    public static IEndpointRouteBuilder MapTwoFactorEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/auth/mfa").WithTags("Two-factor");
        group.MapPost("/totp", Begin).RequireAuthorization()
            .WithSummary("Start TOTP setup, confirmed with the password: a pending secret and its otpauth:// URI")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status429TooManyRequests);
        group.MapPost("/totp/confirm", Confirm).RequireAuthorization()
            .WithSummary("Turn two-factor on with a code of the pending secret; answers 10 recovery codes, shown only now")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status429TooManyRequests);
        group.MapPost("/recovery-codes", RenewRecoveryCodes).RequireAuthorization()
            .WithSummary("New recovery codes for a code; the old ones stop working")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status429TooManyRequests);
        group.MapDelete("/", Disable).RequireAuthorization()
            .WithSummary("Turn two-factor off, confirmed with the password and a code; every other session ends")
            .Accepts<DisableTwoFactorRequest>("application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status429TooManyRequests);
        group.MapPost("/verify", Verify)
            .WithSummary("The second step of a login: the mfa_token of the mfa_required answer and a TOTP or recovery code; answers the token response")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status429TooManyRequests)
            .AddEndpointFilter<DpopTokenRequestFilter>();
        return routes;
    }

    private static async Task<Results<Ok<TotpSetupResponse>, ProblemHttpResult>> Begin(
        TotpSetupRequest request, ClaimsPrincipal principal, TwoFactorEnrolment enrolment, HttpContext context, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(request.Password))
        {
            return Required("password", "The password is required.");
        }

        var result = await enrolment.BeginAsync(principal.GetUserId(), principal.GetSessionId(), request.Password, ClientInfo.From(context), cancellationToken);
        if (result.Secret is not { } secret)
        {
            return Refused(result, context);
        }

        TokenResponses.SetNoStore(context.Response);
        return TypedResults.Ok(new TotpSetupResponse(secret.Base32, secret.OtpAuthUri));
    }

    private static async Task<Results<Ok<RecoveryCodesResponse>, ProblemHttpResult>> Confirm(
        TwoFactorCodeRequest request, ClaimsPrincipal principal, TwoFactorEnrolment enrolment, HttpContext context, CancellationToken cancellationToken) =>
        string.IsNullOrWhiteSpace(request.Code)
            ? Required("code", "The code is required.")
            : Codes(await enrolment.ConfirmAsync(principal.GetUserId(), principal.GetSessionId(), request.Code, ClientInfo.From(context), cancellationToken), context);

    private static async Task<Results<Ok<RecoveryCodesResponse>, ProblemHttpResult>> RenewRecoveryCodes(
        TwoFactorCodeRequest request, ClaimsPrincipal principal, TwoFactorSettings settings, HttpContext context, CancellationToken cancellationToken) =>
        string.IsNullOrWhiteSpace(request.Code)
            ? Required("code", "The code is required.")
            : Codes(await settings.RenewRecoveryCodesAsync(principal.GetUserId(), principal.GetSessionId(), request.Code, ClientInfo.From(context), cancellationToken), context);

    private static async Task<Results<NoContent, ProblemHttpResult>> Disable(
        [FromBody] DisableTwoFactorRequest? request, ClaimsPrincipal principal, TwoFactorSettings settings, HttpContext context, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(request?.Password) || string.IsNullOrWhiteSpace(request.Code))
        {
            return Required(string.IsNullOrEmpty(request?.Password) ? "password" : "code", "The password and a code are required.");
        }

        var result = await settings.DisableAsync(principal.GetUserId(), principal.GetSessionId(), request.Password, request.Code, ClientInfo.From(context), cancellationToken);
        return result.Outcome == TwoFactorOutcome.Done ? TypedResults.NoContent() : Refused(result, context);
    }

    private static Task<Results<Ok<TokenResponse>, ProblemHttpResult>> Verify(
        MfaVerifyRequest request, MfaOtpGrant grant, HttpContext context, CancellationToken cancellationToken) =>
        grant.IssueAsync(new TokenRequest(grant.GrantType, null, null, null) { MfaToken = request.MfaToken, Otp = request.Code }, context, cancellationToken);

    private static Results<Ok<RecoveryCodesResponse>, ProblemHttpResult> Codes(TwoFactorResult result, HttpContext context)
    {
        if (result.RecoveryCodes is not { } codes)
        {
            return Refused(result, context);
        }

        TokenResponses.SetNoStore(context.Response);
        return TypedResults.Ok(new RecoveryCodesResponse(codes));
    }

    private static ProblemHttpResult Refused(TwoFactorResult result, HttpContext context) => result.Outcome switch
    {
        TwoFactorOutcome.BackingOff => BruteForceGuard.TooManyAttempts(context, result.RetryAfterSeconds),
        TwoFactorOutcome.WrongCode => Problems.Create(StatusCodes.Status400BadRequest, MfaOtpGrant.InvalidCode),
        TwoFactorOutcome.AlreadyOn => Problems.Create(StatusCodes.Status409Conflict, AlreadyOn),
        TwoFactorOutcome.NotOn => Problems.Create(StatusCodes.Status409Conflict, NotOn),
        TwoFactorOutcome.NoPendingSetup => Problems.Create(StatusCodes.Status409Conflict, NoPendingSetup),
        TwoFactorOutcome.NotFound => Problems.Create(StatusCodes.Status404NotFound, "User not found"),
        _ => Problems.Create(StatusCodes.Status400BadRequest, PasswordIncorrect),
    };

    private static ProblemHttpResult Required(string field, string message) =>
        Problems.Validation(new Dictionary<string, string[]> { [field] = [message] });
}
