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

/// <summary>A page of users in page mode; <c>total_count</c> is exact when <c>total_count_exact</c>, otherwise the reach of page mode (ADR 24).</summary>
public sealed record AdminUserPage(IReadOnlyList<UserProfile> Users, int TotalCount, int Page, int PageSize, int TotalPages, bool TotalCountExact);

/// <summary>A page of users in cursor mode: <c>next</c> is the <c>after</c> of the following page, null after the last.</summary>
public sealed record AdminUserCursorPage(IReadOnlyList<UserProfile> Users, string? Next);

public sealed record UpdateUserRequest(List<string>? Roles, bool? IsActive);

/// <summary>Admin management of users: list, change roles or active flag, revoke every token, delete.</summary>
public static class AdminUserEndpoints
{
    private const int MaxRoles = 16;
    private const int MaxRoleLength = 32;

    public static IEndpointRouteBuilder MapAdminUsers(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/admin/users").WithTags("Admin").RequireAuthorization(AuthPolicies.Admin);
        group.MapGet("/", List)
            .WithSummary("Users in email order, optionally those whose email starts with email; by page and page_size within the first 10,000 (with the total, counted up to there), or by the after cursor and limit (answering next)")
            .ProducesProblem(StatusCodes.Status400BadRequest);
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

    /// <summary>
    /// Page mode (<c>page</c>, <c>page_size</c>, the default) answers pages with a total, within
    /// <see cref="PageRequest.Reach"/>; cursor mode (<c>after</c>, <c>limit</c>) walks the email key's index and counts nothing.
    /// </summary>
    private static async Task<Results<Ok<AdminUserPage>, Ok<AdminUserCursorPage>, ProblemHttpResult>> List(
        [AsParameters] PageRequest paging, [AsParameters] CursorRequest cursor, HttpRequest request,
        CreamDbContext db, PageCursors cursors, CancellationToken cancellationToken, string? email = null)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        paging.AddErrors(errors);
        paging.AddReachErrors(errors);
        cursor.AddErrors(errors, request);
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
            users = UserListing.WithEmailPrefix(users, EmailAddress.Key(email));
        }

        if (!cursor.Requested)
        {
            var (total, exact) = await PageRequest.CountWithinReachAsync(users, cancellationToken);
            var items = await users.OrderBy(u => u.NormalizedEmail)
                .Skip(paging.Offset)
                .Take(paging.PageSize)
                .Select(UserProfile.FromUser)
                .ToListAsync(cancellationToken);
            return TypedResults.Ok(new AdminUserPage(items, total, paging.Page, paging.PageSize, paging.TotalPages(total), exact));
        }

        if (cursor.After is not null)
        {
            if (UserListing.OpenCursor(cursors, cursor.After) is not { } after)
            {
                return Problems.Create(StatusCodes.Status400BadRequest, PageCursors.Invalid);
            }

            users = users.Where(u => u.NormalizedEmail.CompareTo(after) > 0);
        }

        var rows = await users.OrderBy(u => u.NormalizedEmail).Take(cursor.Take + 1).Select(UserListing.Keyed).ToListAsync(cancellationToken);
        var next = rows.Count > cursor.Take ? UserListing.SealCursor(cursors, rows[cursor.Take - 1].Key) : null;
        return TypedResults.Ok(new AdminUserCursorPage(rows.Take(cursor.Take).Select(r => r.Profile).ToList(), next));
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
