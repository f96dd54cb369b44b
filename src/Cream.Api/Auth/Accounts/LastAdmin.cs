using Cream.Api.Common;
using Cream.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace Cream.Api.Auth.Accounts;

/// <summary>
/// The last active admin stays (docs/decisions/0013-last-admin.md). A change that may leave one
/// admin fewer (removing the role, disabling, deleting) takes <see cref="HoldRemovalLockAsync"/>
/// first in its transaction, before any row lock, then asks <see cref="IsLastActiveAdminAsync"/>:
/// such changes take turns, and each counts the other admins after the one before committed.
/// </summary>
internal static class LastAdmin
{
    public const string RefusedDetail = "The last administrator cannot be removed";

    /// <summary>No row lock covers "the other admins", so every removal holds this one name instead.</summary>
    private const string RemovalLock = "cream:admin-removal";

    public static Task HoldRemovalLockAsync(CreamDbContext db, CancellationToken cancellationToken) =>
        db.HoldTransactionLockAsync(RemovalLock, cancellationToken);

    /// <summary>True when the user is an active admin and no other active user holds the role.</summary>
    public static async Task<bool> IsLastActiveAdminAsync(
        CreamDbContext db, Guid userId, IReadOnlyCollection<string> roles, bool isActive, CancellationToken cancellationToken) =>
        isActive && roles.Contains(Roles.Admin, StringComparer.Ordinal)
        && !await db.Users.AnyAsync(u => u.Id != userId && u.IsActive && u.Roles.Contains(Roles.Admin), cancellationToken);
}
