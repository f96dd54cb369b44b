using Cream.Api.Audit;
using Cream.Api.Auth;
using Cream.Api.Auth.Accounts;
using Cream.Api.Auth.Revocation;
using Cream.Api.Auth.State;
using Cream.Api.Common;
using Cream.Api.Data;
using Cream.Api.Users;
using Microsoft.EntityFrameworkCore;

namespace Cream.Api.Admin;

/// <summary>What became of an admin's change to a user.</summary>
public enum UserUpdateOutcome
{
    Updated,
    NotFound,

    /// <summary>Refused, nothing changed: the user is the last active admin and would lose the role or be disabled.</summary>
    LastAdmin,
}

/// <param name="Profile">The profile after the change; only for <see cref="UserUpdateOutcome.Updated"/>.</param>
public sealed record UserUpdateResult(UserUpdateOutcome Outcome, UserProfile? Profile = null);

/// <summary>What an admin does to another account, each in one transaction, audited with the admin as actor.</summary>
public sealed class UserAdministration(CreamDbContext db, Revoker revoker, StateBus bus, AuditTrail audit, AuthEvents events, TimeProvider time)
{
    /// <summary>
    /// Sets the roles and the active flag the request names; a removed role or disabling takes
    /// effect on every token at once. The last active admin keeps its role and stays active.
    /// </summary>
    /// <param name="roles">Already checked against the role rules; null leaves the roles alone.</param>
    public async Task<UserUpdateResult> UpdateAsync(Guid userId, IReadOnlyList<string>? roles, bool? isActive, Guid adminId, CancellationToken cancellationToken)
    {
        var distinct = roles?.Select(r => r.Trim()).Distinct(StringComparer.Ordinal).ToList();
        var mayRemoveAdmin = isActive is false || (distinct is not null && !distinct.Contains(Roles.Admin, StringComparer.Ordinal));
        List<string> added = [], removed = [];
        bool disabled = false, enabled = false;
        var outcome = UserUpdateOutcome.Updated;
        await revoker.InTransactionAsync(async token =>
        {
            if (mayRemoveAdmin)
            {
                // Two admins removing each other at once would each count the other and both
                // commit; in turn, the second counts after the first committed (ADR 13).
                await LastAdmin.HoldRemovalLockAsync(db, token);
            }

            // Held before it is read: two admins changing one user at once take turns, so what
            // is removed or disabled is decided from what the other left behind.
            await db.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(set => set.SetProperty(u => u.UpdatedAt, u => u.UpdatedAt), token);
            var user = await db.Users.AsNoTracking().Where(u => u.Id == userId).Select(u => new { u.Roles, u.IsActive }).FirstOrDefaultAsync(token);
            if (user is null)
            {
                outcome = UserUpdateOutcome.NotFound;
                return;
            }

            if (mayRemoveAdmin && await LastAdmin.IsLastActiveAdminAsync(db, userId, user.Roles, user.IsActive, token))
            {
                outcome = UserUpdateOutcome.LastAdmin;
                return;
            }

            if (distinct is not null)
            {
                await db.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(
                    set => set.SetProperty(u => u.Roles, distinct).SetProperty(u => u.UpdatedAt, time.GetUtcNow().UtcDateTime), token);
                removed = [.. user.Roles.Except(distinct, StringComparer.Ordinal)];
                added = [.. distinct.Except(user.Roles, StringComparer.Ordinal)];
                if (removed.Count > 0)
                {
                    // Tokens that still carry a removed role must stop working now.
                    await revoker.CutTokensAsync(userId, active: null, "role_removed", token);
                }
            }

            if (isActive is false && user.IsActive)
            {
                await revoker.EndEverySessionAsync(userId, active: false, "account_disabled", token);
                disabled = true;
            }
            else if (isActive is true && !user.IsActive)
            {
                await revoker.ReactivateAsync(userId, token);
                enabled = true;
            }
        }, cancellationToken);
        if (outcome is UserUpdateOutcome.NotFound)
        {
            return new UserUpdateResult(outcome);
        }

        if (outcome is UserUpdateOutcome.LastAdmin)
        {
            await events.LastAdminRefusedAsync(userId, adminId, isActive is false ? "disable" : "role_removal");
            return new UserUpdateResult(outcome);
        }

        // One row per role, so no change is ever cut short: "-admin", "+analyst".
        foreach (var change in removed.Select(r => "-" + r).Concat(added.Select(r => "+" + r)))
        {
            await audit.SucceededAsync(AuthEventTypes.RolesChanged, userId, reason: change, actorId: adminId);
        }

        if (disabled || enabled)
        {
            await audit.SucceededAsync(disabled ? AuthEventTypes.UserDisabled : AuthEventTypes.UserEnabled, userId, actorId: adminId);
        }

        await bus.PublishAsync(StateChange.ProfileChanged(userId, time.GetUtcNow()));
        return new UserUpdateResult(outcome, await db.Users.AsNoTracking().Where(u => u.Id == userId).Select(UserProfile.FromUser).FirstAsync(cancellationToken));
    }

    /// <summary>Ends every session and access token of the user; false for an unknown user.</summary>
    public async Task<bool> RevokeTokensAsync(Guid userId, Guid adminId, CancellationToken cancellationToken)
    {
        if (!await db.Users.AnyAsync(u => u.Id == userId, cancellationToken))
        {
            return false;
        }

        await revoker.EndEverySessionAsync(userId, active: null, "admin_revoke", cancellationToken);
        await audit.SucceededAsync(AuthEventTypes.UserTokensRevoked, userId, actorId: adminId);
        return true;
    }
}
