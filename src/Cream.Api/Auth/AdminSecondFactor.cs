using System.Security.Claims;
using Cream.Api.Auth.Tokens;
using Cream.Api.Common;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace Cream.Api.Auth;

/// <summary>
/// The admin policy's last rule: with <c>Accounts__AdminRequiresMfa</c>, an admin's token must say
/// it was signed in with a second factor (<c>otp</c> in <c>amr</c>, RFC 8176). Without the setting
/// it always passes.
/// </summary>
internal sealed class AdminSecondFactor(IOptionsMonitor<AccountsOptions> accounts) : AuthorizationHandler<AdminSecondFactor.SecondFactorRequirement>
{
    public static readonly SecondFactorRequirement Requirement = new();

    /// <summary>Whether <paramref name="user"/> is refused only for the missing second factor (its role is there).</summary>
    public bool LacksOnlySecondFactor(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return accounts.CurrentValue.AdminRequiresMfa && user.IsInRole(Roles.Admin) && !HasSecondFactor(user);
    }

    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, SecondFactorRequirement requirement)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!accounts.CurrentValue.AdminRequiresMfa || HasSecondFactor(context.User))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }

    private static bool HasSecondFactor(ClaimsPrincipal user) =>
        user.HasClaim(AccessTokenClaims.AuthenticationMethods, AuthenticationMethods.OneTimePassword);

    public sealed class SecondFactorRequirement : IAuthorizationRequirement;
}
