using System.Security.Claims;
using Cream.Api.Audit;
using Cream.Api.Auth.Dpop;
using Cream.Api.Auth.Tokens;
using Microsoft.AspNetCore.Authentication.JwtBearer;

namespace Cream.Api.Auth;

/// <summary>
/// The bearer scheme's answers, in the first version's words and RFC 6750's header:
/// no token is "Not authenticated"; a refused token is "Could not validate credentials"
/// with <c>error="invalid_token"</c>; a missing role is "Admin access required". Beside
/// <c>Bearer</c> the same handler reads RFC 9449's <c>DPoP</c> scheme (see <see cref="DpopResourceCheck"/>).
/// </summary>
internal sealed class BearerChallenge(AccessTokenHandler tokens) : JwtBearerEvents
{
    private const string BearerPrefix = "Bearer ";

    public const string NotAuthenticatedDetail = "Not authenticated";
    public const string InvalidCredentialsDetail = "Could not validate credentials";
    public const string AdminRequiredDetail = "Admin access required";
    public const string AdminMfaRequiredDetail = "Admin access requires two-factor authentication";

    public override Task MessageReceived(MessageReceivedContext context)
    {
        // JwtBearer reads "Bearer" itself; "DPoP" tokens are handed to it here.
        if (DpopResourceCheck.DpopToken(context.Request) is { } token)
        {
            context.Token = token;
        }
        else if (tokens.FindLive(BearerToken(context.Request), context.Options.TokenValidationParameters) is { } known)
        {
            // A token this instance has validated before, checked for revocation just now: what
            // the handler would conclude after cloning its parameters and building two contexts.
            context.Principal = new ClaimsPrincipal(known);
            context.Success();
        }

        return Task.CompletedTask;
    }

    /// <summary>The token of a single <c>Authorization: Bearer</c> header, read as JwtBearer reads it; empty otherwise.</summary>
    internal static ReadOnlySpan<char> BearerToken(HttpRequest request)
    {
        var authorization = request.Headers.Authorization;
        return authorization.Count == 1 && authorization[0] is { } value && value.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase)
            ? value.AsSpan(BearerPrefix.Length).Trim()
            : [];
    }

    public override Task TokenValidated(TokenValidatedContext context) => DpopResourceCheck.CheckAsync(context);

    public override Task AuthenticationFailed(AuthenticationFailedContext context)
    {
        var failure = TokenFailure.From(context.Exception);
        var services = context.HttpContext.RequestServices;
        Log.InvalidToken(services.GetRequiredService<ILogger<BearerChallenge>>(), failure.Reason, context.Request.Path,
            context.HttpContext.Connection.RemoteIpAddress?.ToString());
        // Counted, not audited: anyone can send garbage tokens, and the trail must not be theirs to flood.
        services.GetRequiredService<AuthMetrics>().InvalidToken(failure.Reason);
        return Task.CompletedTask;
    }

    public override Task Challenge(JwtBearerChallengeContext context)
    {
        context.HandleResponse();
        if (DpopResourceCheck.Challenge(context.Request, context.AuthenticateFailure) is { } dpopChallenge)
        {
            context.Response.Headers.WWWAuthenticate = dpopChallenge;
            return WriteProblemAsync(context.HttpContext, StatusCodes.Status401Unauthorized, InvalidCredentialsDetail);
        }

        if (context.AuthenticateFailure is { } failure)
        {
            var description = TokenFailure.From(failure).Description;
            context.Response.Headers.WWWAuthenticate = $"Bearer error=\"invalid_token\", error_description=\"{description}\"";
            return WriteProblemAsync(context.HttpContext, StatusCodes.Status401Unauthorized, InvalidCredentialsDetail);
        }

        // The first version's clients read the first challenge; RFC 9449 §7.1 adds DPoP's after it.
        context.Response.Headers.WWWAuthenticate = new(["Bearer", $"{DpopResourceCheck.Scheme} {DpopResourceCheck.AlgorithmsParameter}"]);
        return WriteProblemAsync(context.HttpContext, StatusCodes.Status401Unauthorized, NotAuthenticatedDetail);
    }

    public override async Task Forbidden(ForbiddenContext context)
    {
        var services = context.HttpContext.RequestServices;
        var user = context.HttpContext.User;
        Log.AdminAccessForbidden(services.GetRequiredService<ILogger<BearerChallenge>>(), user.FindFirst(AccessTokenClaims.Subject)?.Value, context.Request.Path);
        services.GetRequiredService<AuthMetrics>().AccessDenied();
        var lacksSecondFactor = services.GetRequiredService<AdminSecondFactor>().LacksOnlySecondFactor(user);
        if (user.Identity?.IsAuthenticated == true && services.GetRequiredService<AccessDeniedAuditThrottle>().ShouldRecord(user.GetUserId()))
        {
            await services.GetRequiredService<AuditTrail>().FailedAsync(AuthEventTypes.AdminAccessDenied, user.GetUserId(), user.GetSessionId(),
                lacksSecondFactor ? "missing_second_factor" : "missing_admin_role");
        }

        // RFC 6750 §3.1: the token is fine, it lacks the privilege (the role, or a second factor behind it).
        var scheme = DpopResourceCheck.DpopToken(context.Request) is null ? "Bearer" : DpopResourceCheck.Scheme;
        context.Response.Headers.WWWAuthenticate = lacksSecondFactor
            ? $"{scheme} error=\"insufficient_scope\", error_description=\"A token from a two-factor sign-in is required\""
            : $"{scheme} error=\"insufficient_scope\", error_description=\"The admin role is required\"";
        await WriteProblemAsync(context.HttpContext, StatusCodes.Status403Forbidden, lacksSecondFactor ? AdminMfaRequiredDetail : AdminRequiredDetail);
    }

    private static async Task WriteProblemAsync(HttpContext httpContext, int status, string detail)
    {
        httpContext.Response.StatusCode = status;
        var problems = httpContext.RequestServices.GetRequiredService<IProblemDetailsService>();
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = { Status = status, Detail = detail },
        });
    }
}
