using Cream.Api.Auth.BruteForce;
using Cream.Api.Auth.Passwords;
using Cream.Api.Auth.Revocation;
using Cream.Api.Data;
using Cream.Api.Email;
using Cream.Api.Users;
using Microsoft.EntityFrameworkCore;

namespace Cream.Api.Auth.Accounts;

public enum ResetOutcome
{
    Reset,
    InvalidToken,
    WeakPassword,
}

/// <param name="Problem">With <see cref="ResetOutcome.WeakPassword"/>: why the new password was refused.</param>
public sealed record ResetResult(ResetOutcome Outcome, string? Problem = null);

/// <summary>
/// Forgotten passwords: a link per request (the newest voids the older ones, in the first
/// version's <c>password_reset_token</c> columns, as a hash), and the reset it allows, which
/// is a credential change like change-password: every session and access token ends, on
/// every instance, and a sign-in racing it creates nothing.
/// </summary>
internal sealed class PasswordResets(
    CreamDbContext db,
    AccountLinks links,
    IEmailOutbox outbox,
    PasswordService passwords,
    BruteForceGuard guard,
    Revoker revoker,
    AccountEvents events,
    TimeProvider time)
{
    /// <summary>
    /// Sends a reset link to the account of <paramref name="email"/>, if there is an active one
    /// and its address has not had too many emails this hour. Runs off the request (see
    /// <see cref="PasswordResetRequests"/>): the caller learns nothing either way.
    /// </summary>
    public async Task SendLinkAsync(string email, CancellationToken cancellationToken)
    {
        var key = EmailAddress.Key(email);
        var user = await db.Users.AsNoTracking().Where(u => u.NormalizedEmail == key && u.IsActive)
            .Select(u => new { u.Id, u.Email }).FirstOrDefaultAsync(cancellationToken);
        if (user is null)
        {
            events.LinkNotSent(AccountEvents.Reset, "skipped");
            return;
        }

        if (await guard.ClaimEmailToAsync(user.Email) is not null)
        {
            events.LinkNotSent(AccountEvents.Reset, "limited");
            return;
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var link = await IssueLinkAsync(user.Id, cancellationToken);
        outbox.Enqueue(db, EmailTemplates.PasswordReset(user.Email, link, links.Options.PasswordResetMinutes));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        db.ChangeTracker.Clear();
        await events.LinkSentAsync(AccountEvents.Reset, user.Id);
    }

    /// <summary>
    /// Stores a new reset token for the user (voiding any older one) and returns the link that
    /// carries it, for the caller to mail in the same transaction.
    /// </summary>
    public async Task<string> IssueLinkAsync(Guid userId, CancellationToken cancellationToken)
    {
        var link = LinkToken.New();
        var expires = time.GetUtcNow().UtcDateTime.AddMinutes(links.Options.PasswordResetMinutes);
        await db.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(set => set
            .SetProperty(u => u.PasswordResetToken, link.Hash)
            .SetProperty(u => u.PasswordResetExpires, expires), cancellationToken);
        return links.ResetPassword(link.Token);
    }

    /// <summary>Sets a new password with a link's token, once: the token, every session and every access token of the user end with it.</summary>
    public async Task<ResetResult> ResetAsync(string? token, string? newPassword, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var hash = LinkToken.HashOf(token);
        var user = hash is null ? null : await db.Users.AsNoTracking()
            .Where(u => u.PasswordResetToken == hash && u.PasswordResetExpires > now && u.IsActive)
            .Select(u => new { u.Id, u.Email }).FirstOrDefaultAsync(cancellationToken);
        if (user is null)
        {
            events.LinkRefused(AccountEvents.Reset);
            return new(ResetOutcome.InvalidToken);
        }

        if (PasswordPolicy.Problem(newPassword, user.Email) is { } problem)
        {
            return new(ResetOutcome.WeakPassword, problem); // the link still works: the user may try another password
        }

        var newHash = await passwords.HashAsync(newPassword!, cancellationToken);
        var spent = false;
        await revoker.InTransactionAsync(async transactionToken =>
        {
            // Spent by the statement that uses it: of two resets with one link, one wins.
            spent = await db.Users
                .Where(u => u.Id == user.Id && u.PasswordResetToken == hash && u.PasswordResetExpires > now && u.IsActive)
                .ExecuteUpdateAsync(set => set
                    .SetProperty(u => u.PasswordHash, newHash)
                    .SetProperty(u => u.PasswordResetToken, (string?)null)
                    .SetProperty(u => u.PasswordResetExpires, (DateTime?)null)
                    .SetProperty(u => u.IsVerified, true) // the link proved the address
                    .SetProperty(u => u.EmailVerificationToken, (string?)null)
                    .SetProperty(u => u.EmailVerificationExpires, (DateTime?)null)
                    .SetProperty(u => u.UpdatedAt, now), transactionToken) == 1;
            if (spent)
            {
                await revoker.EndEverySessionAsync(user.Id, active: null, "password_reset", transactionToken);
            }
        }, cancellationToken);
        if (!spent)
        {
            events.LinkRefused(AccountEvents.Reset);
            return new(ResetOutcome.InvalidToken);
        }

        await guard.LoginSucceededAsync(user.Email); // the owner proved the address: no backoff left from the guessing
        await events.PasswordResetAsync(user.Id);
        return new(ResetOutcome.Reset);
    }
}
