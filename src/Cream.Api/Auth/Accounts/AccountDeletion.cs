using Cream.Api.Auth.Revocation;
using Cream.Api.Common;
using Cream.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace Cream.Api.Auth.Accounts;

public enum DeletionOutcome
{
    Deleted,
    NotFound,

    /// <summary>Refused, nothing changed: the user is the last active admin.</summary>
    LastAdmin,
    WrongPassword,
    BackingOff,

    /// <summary>The account has two-factor on and the request carried no code.</summary>
    CodeRequired,

    /// <summary>The password was right, the two-factor code was not.</summary>
    WrongCode,
}

/// <param name="RetryAfterSeconds">With <see cref="DeletionOutcome.BackingOff"/>: how long to wait.</param>
public sealed record DeletionResult(DeletionOutcome Outcome, long RetryAfterSeconds = 0);

/// <summary>
/// Deletes an account, asked by its owner (who types the password again) or by an admin, in one
/// transaction: every token of the user is refused on every instance (<see cref="Revoker.CutDeletedUserAsync"/>),
/// then the row goes, and with it, by the database's foreign keys, its sessions and their refresh
/// tokens; its tracking requests stay, unlinked; audit rows never had a key to it and stay with
/// its id. The last active admin is never deleted. See docs/decisions/0016-account-deletion.md.
/// </summary>
internal sealed class AccountDeletion(CreamDbContext db, PasswordReentry reentry, Revoker revoker, AuthEvents events)
{
    /// <summary>
    /// The signed-in user deletes their own account, if <paramref name="password"/> is theirs and,
    /// when the account has two-factor on, <paramref name="code"/> is one of its codes.
    /// </summary>
    public async Task<DeletionResult> DeleteOwnAsync(
        Guid userId, Guid sessionId, string? password, string? code, ClientInfo client, CancellationToken cancellationToken)
    {
        var check = await reentry.CheckWithCodeAsync(userId, password, code, client, cancellationToken);
        switch (check.Outcome)
        {
            case ReentryOutcome.BackingOff:
                return new(DeletionOutcome.BackingOff, check.RetryAfterSeconds);
            case ReentryOutcome.CodeRequired:
                return new(DeletionOutcome.CodeRequired);
            case ReentryOutcome.WrongCode:
                await events.AccountDeletionRefusedAsync(userId, sessionId, "wrong_code");
                return new(DeletionOutcome.WrongCode);
            case ReentryOutcome.Wrong:
                await events.AccountDeletionRefusedAsync(userId, sessionId, "wrong_password");
                return new(DeletionOutcome.WrongPassword);
        }

        var outcome = await DeleteAsync(userId, check.SecurityStamp, cancellationToken);
        switch (outcome)
        {
            case DeletionOutcome.Deleted:
                await events.AccountDeletedAsync(userId, sessionId, actorId: null);
                break;
            case DeletionOutcome.LastAdmin:
                await events.LastAdminRefusedAsync(userId, userId, "delete");
                break;
            default:
                // The password (or another credential) changed after it was checked: the one typed is no longer the account's.
                await events.AccountDeletionRefusedAsync(userId, sessionId, "credentials_changed");
                return new(DeletionOutcome.WrongPassword);
        }

        return new(outcome);
    }

    /// <summary>An admin deletes a user (possibly itself, while another active admin remains).</summary>
    public async Task<DeletionOutcome> DeleteUserAsync(Guid userId, Guid adminId, CancellationToken cancellationToken)
    {
        var outcome = await DeleteAsync(userId, securityStamp: null, cancellationToken);
        if (outcome == DeletionOutcome.Deleted)
        {
            await events.AccountDeletedAsync(userId, sessionId: null, actorId: adminId);
        }
        else if (outcome == DeletionOutcome.LastAdmin)
        {
            await events.LastAdminRefusedAsync(userId, adminId, "delete");
        }

        return outcome;
    }

    /// <param name="securityStamp">When given, the user's row must still carry it (the stamp the owner's password was checked under).</param>
    private async Task<DeletionOutcome> DeleteAsync(Guid userId, long? securityStamp, CancellationToken cancellationToken)
    {
        var outcome = DeletionOutcome.Deleted;
        await revoker.InTransactionAsync(async token =>
        {
            // Deleting may leave one admin fewer: in turn with every other such change (ADR 13).
            await LastAdmin.HoldRemovalLockAsync(db, token);

            // The row held before it is read, changing nothing yet: a sign-in or refresh that holds
            // it finishes first (and its token is cut below); one that comes later finds no row.
            var held = await db.Users.Where(u => u.Id == userId && (securityStamp == null || u.SecurityStamp == securityStamp))
                .ExecuteUpdateAsync(set => set.SetProperty(u => u.SecurityStamp, u => u.SecurityStamp), token);
            var user = held == 1
                ? await db.Users.AsNoTracking().Where(u => u.Id == userId).Select(u => new { u.Roles, u.IsActive }).FirstOrDefaultAsync(token)
                : null;
            if (user is null)
            {
                outcome = DeletionOutcome.NotFound;
                return;
            }

            if (await LastAdmin.IsLastActiveAdminAsync(db, userId, user.Roles, user.IsActive, token))
            {
                outcome = DeletionOutcome.LastAdmin;
                return;
            }

            await revoker.CutDeletedUserAsync(userId, token);
            await db.Users.Where(u => u.Id == userId).ExecuteDeleteAsync(token);
        }, cancellationToken);
        return outcome;
    }
}
