using System.Security.Claims;
using Cream.Api.Auth.Tokens;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http.Features.Authentication;
using Microsoft.Extensions.Options;

namespace Cream.Api.Auth;

/// <summary>
/// The framework's authentication middleware, with the answer for a bearer token this instance
/// has validated before given in front of it. The answer is the one the bearer scheme's own
/// shortcut gives from its <c>MessageReceived</c> event (<see cref="BearerChallenge"/>): the same
/// token check (<see cref="AccessTokenHandler.FindLive"/>), the same principal. To reach that
/// event the framework first creates the request's service scope, a handler provider and a new
/// JwtBearer handler, then two tickets, an event context and a task for each of five async
/// steps, about a third of what <c>/api/auth/me</c> allocated. Everything else (no token
/// remembered, a revoked or bound one, <c>DPoP</c>) goes to the framework's middleware
/// unchanged, as does every request while anything could make its answer differ: a claims
/// transformation, a default scheme other than the bearer one, a scheme that handles requests
/// itself, bearer options that forward authentication or carry events other than Cream's (ADR 23).
/// </summary>
internal sealed class RememberedBearerAuthentication
{
    private readonly RequestDelegate _next;
    private readonly AuthenticationMiddleware _framework;
    private readonly AccessTokenHandler _tokens;
    private readonly IOptionsMonitor<JwtBearerOptions> _bearer;
    private readonly bool _answersRemembered;

    public RememberedBearerAuthentication(RequestDelegate next, IAuthenticationSchemeProvider schemes,
        IClaimsTransformation transformation, AccessTokenHandler tokens, IOptionsMonitor<JwtBearerOptions> bearer)
    {
        ArgumentNullException.ThrowIfNull(schemes);
        _next = next;
        _framework = new AuthenticationMiddleware(next, schemes);
        _tokens = tokens;
        _bearer = bearer;
        _answersRemembered = AnswersRemembered(schemes, transformation, bearer.Get(JwtBearerDefaults.AuthenticationScheme));
    }

    /// <summary>Whether the framework's middleware would give a remembered token the answer given here.</summary>
    public static bool AnswersRemembered(IAuthenticationSchemeProvider schemes, IClaimsTransformation transformation, JwtBearerOptions bearer)
    {
        ArgumentNullException.ThrowIfNull(schemes);
        ArgumentNullException.ThrowIfNull(bearer);
        // The default provider answers from memory; these tasks are complete.
        return transformation is NoopClaimsTransformation
            && schemes.GetDefaultAuthenticateSchemeAsync().GetAwaiter().GetResult()?.Name == JwtBearerDefaults.AuthenticationScheme
            && !schemes.GetRequestHandlerSchemesAsync().GetAwaiter().GetResult().Any()
            // The handler would hand the request to another scheme, or run events of someone else's.
            && bearer is { ForwardAuthenticate: null, ForwardDefault: null, ForwardDefaultSelector: null, EventsType: null, Events: BearerChallenge };
    }

    public Task InvokeAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!_answersRemembered || _tokens.FindLive(BearerChallenge.BearerToken(context.Request),
                _bearer.Get(JwtBearerDefaults.AuthenticationScheme).TokenValidationParameters) is not { } known)
        {
            return _framework.Invoke(context);
        }

        // What the framework's middleware leaves behind after a successful authentication.
        context.Features.Set<IAuthenticationFeature>(new AuthenticationFeature { OriginalPath = context.Request.Path, OriginalPathBase = context.Request.PathBase });
        var principal = new ClaimsPrincipal(known);
        context.User = principal;
        var features = new Authenticated(AuthenticateResult.Success(new AuthenticationTicket(principal, JwtBearerDefaults.AuthenticationScheme)));
        context.Features.Set<IHttpAuthenticationFeature>(features);
        context.Features.Set<IAuthenticateResultFeature>(features);
        return _next(context);
    }

    /// <summary>The result and the user, kept together as the framework keeps them: setting the user drops the result it no longer matches.</summary>
    private sealed class Authenticated(AuthenticateResult result) : IAuthenticateResultFeature, IHttpAuthenticationFeature
    {
        private AuthenticateResult? _result = result;
        private ClaimsPrincipal? _user = result.Principal;

        public AuthenticateResult? AuthenticateResult
        {
            get => _result;
            set
            {
                _result = value;
                _user = value?.Principal;
            }
        }

        public ClaimsPrincipal? User
        {
            get => _user;
            set
            {
                _user = value;
                _result = null;
            }
        }
    }
}
