using System.Security.Claims;
using Cream.Api.Auth;
using Cream.Api.Auth.Accounts;
using Cream.Api.Auth.TwoFactor;
using Cream.Api.Common;
using Cream.Api.Data;
using Cream.Api.Users;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Cream.Api.Admin;

public sealed record AdminUserPage(IReadOnlyList<UserProfile> Users, int TotalCount, int Page, int PageSize, int TotalPages);

public sealed record UpdateUserRequest(List<string>? Roles, bool? IsActive);

/// <summary>Admin management of users: list, change roles or active flag, revoke every token, delete.</summary>
public static class AdminUserEndpoints
{
    private const int MaxRoles = 16;
    private const int MaxRoleLength = 32;

    public static IEndpointRouteBuilder MapAdminUsers(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/admin/users").WithTags("Admin").RequireAuthorization(AuthPolicies.Admin);
        group.MapGet("/", List).WithSummary("Users, one page at a time, optionally filtered by email");
        group.MapPatch("/{id:guid}", Update)
            .WithSummary("Change a user's roles or active flag; removed roles and disabling take effect at once; the last active admin keeps its role and stays active (409)")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapPost("/{id:guid}/revoke-tokens", RevokeTokens).WithSummary("End every session and access token of a user");
        group.MapDelete("/{id:guid}/mfa", ResetTwoFactor)
            .WithSummary("Turn a user's two-factor authentication off (a user who lost the authenticator and the recovery codes); every session of it ends")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapDelete("/{id:guid}", Delete)
            .WithSummary("Delete a user: every token of it stops working at once; the last active admin stays (409)")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
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
            var fragment = EmailAddress.Key(email);
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
        Guid id, UpdateUserRequest request, ClaimsPrincipal admin, UserAdministration users, CancellationToken cancellationToken)
    {
        if (request.Roles is { } requested && InvalidRoles(requested) is { } problem)
        {
            return Problems.Validation(new Dictionary<string, string[]> { ["roles"] = [problem] });
        }

        var result = await users.UpdateAsync(id, request.Roles, request.IsActive, admin.GetUserId(), cancellationToken);
        return result switch
        {
            { Profile: { } profile } => TypedResults.Ok(profile),
            { Outcome: UserUpdateOutcome.LastAdmin } => Problems.Create(StatusCodes.Status409Conflict, LastAdmin.RefusedDetail),
            _ => Problems.Create(StatusCodes.Status404NotFound, "User not found"),
        };
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeTokens(
        Guid id, ClaimsPrincipal admin, UserAdministration users, CancellationToken cancellationToken) =>
        await users.RevokeTokensAsync(id, admin.GetUserId(), cancellationToken)
            ? TypedResults.NoContent()
            : Problems.Create(StatusCodes.Status404NotFound, "User not found");

    private static async Task<Results<NoContent, ProblemHttpResult>> ResetTwoFactor(
        Guid id, ClaimsPrincipal admin, TwoFactorSettings settings, CancellationToken cancellationToken) =>
        await settings.ResetAsync(id, admin.GetUserId(), cancellationToken) switch
        {
            TwoFactorOutcome.Done => TypedResults.NoContent(),
            TwoFactorOutcome.NotOn => Problems.Create(StatusCodes.Status409Conflict, TwoFactorEndpoints.NotOn),
            _ => Problems.Create(StatusCodes.Status404NotFound, "User not found"),
        };

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(
        Guid id, ClaimsPrincipal admin, AccountDeletion deletion, CancellationToken cancellationToken) =>
        await deletion.DeleteUserAsync(id, admin.GetUserId(), cancellationToken) switch
        {
            DeletionOutcome.Deleted => TypedResults.NoContent(),
            DeletionOutcome.LastAdmin => Problems.Create(StatusCodes.Status409Conflict, LastAdmin.RefusedDetail),
            _ => Problems.Create(StatusCodes.Status404NotFound, "User not found"),
        };

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
