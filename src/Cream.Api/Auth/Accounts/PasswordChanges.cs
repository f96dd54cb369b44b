using System.Net;
using Cream.Api.Auth.BruteForce;
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
/// transaction. The current password is checked under the same per-email backoff as a login,
/// so a stolen access token is no way to guess it.
/// </summary>
internal sealed class PasswordChanges(
    CreamDbContext db,
    PasswordService passwords,
    BruteForceGuard guard,
    Revoker revoker,
    AuthEvents events,
    TimeProvider time)
{
    /// <param name="newPassword">Already checked against the password rules.</param>
    public async Task<PasswordChangeResult> ChangeAsync(
        Guid userId, Guid sessionId, string? currentPassword, string newPassword, ClientInfo client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var user = await db.Users.Where(u => u.Id == userId).Select(u => new { u.Email, u.PasswordHash }).FirstOrDefaultAsync(cancellationToken);
        if (user is null)
        {
            await events.PasswordChangeRefusedAsync(userId, sessionId);
            return new(PasswordChangeOutcome.WrongCurrentPassword);
        }

        if (await guard.ClaimPasswordCheckAsync(user.Email, IPAddress.TryParse(client.IpAddress, out var address) ? address : null) is { } retryAfter)
        {
            return new(PasswordChangeOutcome.BackingOff, retryAfter);
        }

        if (currentPassword is not { Length: <= PasswordOptions.MaximumUtf16Length }
            || await passwords.VerifyAsync(user.PasswordHash, currentPassword, cancellationToken) == PasswordCheck.Failed)
        {
            await events.PasswordChangeRefusedAsync(userId, sessionId); // and the claimed check stays a failure
            return new(PasswordChangeOutcome.WrongCurrentPassword);
        }

        await guard.LoginSucceededAsync(user.Email);

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
