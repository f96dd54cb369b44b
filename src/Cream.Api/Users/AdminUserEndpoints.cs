using System.Security.Claims;
using Cream.Api.Audit;
using Cream.Api.Auth;
using Cream.Api.Auth.Revocation;
using Cream.Api.Auth.State;
using Cream.Api.Common;
using Cream.Api.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Cream.Api.Users;

public sealed record AdminUserPage(IReadOnlyList<UserProfile> Users, int TotalCount, int Page, int PageSize, int TotalPages);

public sealed record UpdateUserRequest(List<string>? Roles, bool? IsActive);

/// <summary>Admin management of users: list, change roles or active flag, revoke every token.</summary>
public static class AdminUserEndpoints
{
    private const int MaxRoles = 16;
    private const int MaxRoleLength = 32;

    public static IEndpointRouteBuilder MapAdminUsers(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/admin/users").WithTags("Admin").RequireAuthorization(AuthPolicies.Admin);
        group.MapGet("/", List).WithSummary("Users, one page at a time, optionally filtered by email");
        group.MapPatch("/{id:guid}", Update).WithSummary("Change a user's roles or active flag; removed roles and disabling take effect at once");
        group.MapPost("/{id:guid}/revoke-tokens", RevokeTokens).WithSummary("End every session and access token of a user");
        return routes;
    }

    private static async Task<Results<Ok<AdminUserPage>, ProblemHttpResult>> List(
        [AsParameters] PageRequest paging, CreamDbContext db, CancellationToken cancellationToken, string? email = null)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        paging.AddErrors(errors);
        if (email is { Length: > AppUserConfiguration.EmailMaxLength })
        {
            errors["email"] = [$"email is at most {AppUserConfiguration.EmailMaxLength} characters."];
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var users = db.Users.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(email))
        {
            var fragment = AppUser.Normalize(email);
            users = users.Where(u => u.NormalizedEmail.Contains(fragment));
        }

        var total = await users.CountAsync(cancellationToken);
        var items = await users.OrderBy(u => u.NormalizedEmail)
            .Skip(paging.Offset)
            .Take(paging.PageSize)
            .Select(UserProfile.FromUser)
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(new AdminUserPage(items, total, paging.Page, paging.PageSize, paging.TotalPages(total)));
    }

    private static async Task<Results<Ok<UserProfile>, ProblemHttpResult>> Update(
        Guid id,
        UpdateUserRequest request,
        ClaimsPrincipal admin,
        CreamDbContext db,
        Revoker revoker,
        StateBus bus,
        AuditTrail audit,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        if (request.Roles is { } requested && InvalidRoles(requested) is { } problem)
        {
            return Problems.Validation(new Dictionary<string, string[]> { ["roles"] = [problem] });
        }

        var user = await db.Users.AsNoTracking().Where(u => u.Id == id).Select(u => new { u.Roles, u.IsActive }).FirstOrDefaultAsync(cancellationToken);
        if (user is null)
        {
            return Problems.Create(StatusCodes.Status404NotFound, "User not found");
        }

        if (request.Roles is { } roles)
        {
            var distinct = roles.Select(r => r.Trim()).Distinct(StringComparer.Ordinal).ToList();
            await db.Users.Where(u => u.Id == id).ExecuteUpdateAsync(
                set => set.SetProperty(u => u.Roles, distinct).SetProperty(u => u.UpdatedAt, time.GetUtcNow().UtcDateTime), cancellationToken);
            var removed = user.Roles.Except(distinct, StringComparer.Ordinal).ToList();
            if (removed.Count > 0)
            {
                // Tokens that still carry a removed role must stop working now.
                await revoker.CutTokensAsync(id, active: null, "role_removed", cancellationToken);
            }

            // One row per role, so no change is ever cut short: "-admin", "+analyst".
            var changes = removed.Select(r => "-" + r).Concat(distinct.Except(user.Roles, StringComparer.Ordinal).Select(r => "+" + r));
            foreach (var change in changes)
            {
                await audit.SucceededAsync(AuthEventTypes.RolesChanged, id, reason: change, actorId: admin.GetUserId());
            }
        }

        if (request.IsActive is false && user.IsActive)
        {
            await revoker.RevokeSessionsAsync(id, keepSessionId: null, "account_disabled", cancellationToken);
            await revoker.CutTokensAsync(id, active: false, "account_disabled", cancellationToken);
            await audit.SucceededAsync(AuthEventTypes.UserDisabled, id, actorId: admin.GetUserId());
        }
        else if (request.IsActive is true && !user.IsActive)
        {
            await revoker.ReactivateAsync(id, cancellationToken);
            await audit.SucceededAsync(AuthEventTypes.UserEnabled, id, actorId: admin.GetUserId());
        }

        await bus.PublishAsync(StateChange.ProfileChanged(id, time.GetUtcNow()));
        var view = await db.Users.AsNoTracking().Where(u => u.Id == id)
            .Select(UserProfile.FromUser)
            .FirstAsync(cancellationToken);
        return TypedResults.Ok(view);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeTokens(
        Guid id, ClaimsPrincipal admin, CreamDbContext db, Revoker revoker, AuditTrail audit, CancellationToken cancellationToken)
    {
        if (!await db.Users.AnyAsync(u => u.Id == id, cancellationToken))
        {
            return Problems.Create(StatusCodes.Status404NotFound, "User not found");
        }

        await revoker.RevokeSessionsAsync(id, keepSessionId: null, "admin_revoke", cancellationToken);
        await revoker.CutTokensAsync(id, active: null, "admin_revoke", cancellationToken);
        await audit.SucceededAsync(AuthEventTypes.UserTokensRevoked, id, actorId: admin.GetUserId());
        return TypedResults.NoContent();
    }

    private static string? InvalidRoles(List<string> roles)
    {
        if (roles.Count > MaxRoles)
        {
            return $"At most {MaxRoles} roles.";
        }

        return roles.All(r => r is { Length: > 0 and <= MaxRoleLength } && char.IsAsciiLetterLower(r[0])
                && r.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '_'))
            ? null
            : $"Roles are 1 to {MaxRoleLength} characters of a-z, 0-9, '-' and '_', starting with a letter.";
    }
}
