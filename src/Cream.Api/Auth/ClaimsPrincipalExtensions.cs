using System.Security.Claims;
using Cream.Api.Auth.Tokens;

namespace Cream.Api.Auth;

public static class ClaimsPrincipalExtensions
{
    /// <summary>The user id of an authenticated principal (the token handler guarantees a UUID <c>sub</c>).</summary>
    public static Guid GetUserId(this ClaimsPrincipal principal)
    {
        ArgumentNullException.ThrowIfNull(principal);
        return Guid.Parse(principal.FindFirstValue(AccessTokenClaims.Subject)
            ?? throw new InvalidOperationException("The principal is not authenticated."));
    }

    /// <summary>The session id (<c>sid</c>) of an authenticated principal.</summary>
    public static Guid GetSessionId(this ClaimsPrincipal principal)
    {
        ArgumentNullException.ThrowIfNull(principal);
        return Guid.Parse(principal.FindFirstValue(AccessTokenClaims.SessionId)
            ?? throw new InvalidOperationException("The principal is not authenticated."));
    }
}
