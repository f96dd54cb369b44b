using Cream.Api.Auth.Passwords;
using Cream.Api.Auth.Revocation;
using Cream.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace Cream.Api.Auth.Accounts;

public enum PasswordChangeOutcome
{
    Changed,
    WrongCurrentPassword,
}

/// <summary>A signed-in user changes their password: every other session ends with it, in one transaction.</summary>
public sealed class PasswordChanges(
    CreamDbContext db,
    PasswordService passwords,
    Revoker revoker,
    AuthEvents events,
    TimeProvider time)
{
    /// <param name="newPassword">Already checked against the password rules.</param>
    public async Task<PasswordChangeOutcome> ChangeAsync(
        Guid userId, Guid sessionId, string? currentPassword, string newPassword, CancellationToken cancellationToken)
    {
        var stored = await db.Users.Where(u => u.Id == userId).Select(u => u.PasswordHash).FirstOrDefaultAsync(cancellationToken);
        if (stored is null || currentPassword is not { Length: <= PasswordOptions.MaximumLength }
            || await passwords.VerifyAsync(stored, currentPassword, cancellationToken) == PasswordCheck.Failed)
        {
            await events.PasswordChangeRefusedAsync(userId, sessionId);
            return PasswordChangeOutcome.WrongCurrentPassword;
        }

        var newHash = await passwords.HashAsync(newPassword, cancellationToken);
        await revoker.InTransactionAsync(async token =>
        {
            var now = time.GetUtcNow().UtcDateTime;
            // The stamp moves with the password: a sign-in that checked the old one creates nothing.
            await db.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(set => set
                .SetProperty(u => u.PasswordHash, newHash)
                .SetProperty(u => u.SecurityStamp, u => u.SecurityStamp + 1)
                .SetProperty(u => u.UpdatedAt, now), token);
            await revoker.RevokeSessionsAsync(userId, keepSessionId: sessionId, "password_changed", token);
        }, cancellationToken);
        await events.PasswordChangedAsync(userId, sessionId);
        return PasswordChangeOutcome.Changed;
    }
}
