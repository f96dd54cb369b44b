using Cream.Api.Auth.Passwords;
using Cream.Api.Auth.Revocation;
using Cream.Api.Common;
using Cream.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace Cream.Api.Auth.Accounts;

public enum PasswordChangeOutcome
{
    Changed,
    WrongCurrentPassword,
    BackingOff,
}

/// <param name="RetryAfterSeconds">With <see cref="PasswordChangeOutcome.BackingOff"/>: how long to wait.</param>
public sealed record PasswordChangeResult(PasswordChangeOutcome Outcome, long RetryAfterSeconds = 0);

/// <summary>
/// A signed-in user changes their password: every other session ends with it, in one
/// transaction. The current password is checked as <see cref="PasswordReentry"/> checks it: under
/// the same per-email backoff as a login, so a stolen access token is no way to guess it.
/// </summary>
internal sealed class PasswordChanges(
    CreamDbContext db,
    PasswordReentry reentry,
    PasswordService passwords,
    Revoker revoker,
    AuthEvents events,
    TimeProvider time)
{
    /// <param name="newPassword">Already checked against the password rules.</param>
    public async Task<PasswordChangeResult> ChangeAsync(
        Guid userId, Guid sessionId, string? currentPassword, string newPassword, ClientInfo client, CancellationToken cancellationToken)
    {
        var check = await reentry.CheckAsync(userId, currentPassword, client, cancellationToken);
        if (check.Outcome == ReentryOutcome.BackingOff)
        {
            return new(PasswordChangeOutcome.BackingOff, check.RetryAfterSeconds);
        }

        if (check.Outcome == ReentryOutcome.Wrong)
        {
            await events.PasswordChangeRefusedAsync(userId, sessionId);
            return new(PasswordChangeOutcome.WrongCurrentPassword);
        }

        var newHash = await passwords.HashAsync(newPassword, cancellationToken);
        await revoker.InTransactionAsync(async token =>
        {
            var now = time.GetUtcNow().UtcDateTime;
            // The stamp moves with the password: a sign-in that checked the old one creates nothing.
            await db.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(set => set
                .SetProperty(u => u.PasswordHash, newHash)
                .SetProperty(u => u.PasswordResetToken, (string?)null) // a reset link sent before stops working
                .SetProperty(u => u.PasswordResetExpires, (DateTime?)null)
                .SetProperty(u => u.SecurityStamp, u => u.SecurityStamp + 1)
                .SetProperty(u => u.UpdatedAt, now), token);
            await revoker.RevokeSessionsAsync(userId, keepSessionId: sessionId, "password_changed", token);
        }, cancellationToken);
        await events.PasswordChangedAsync(userId, sessionId);
        return new(PasswordChangeOutcome.Changed);
    }
}
