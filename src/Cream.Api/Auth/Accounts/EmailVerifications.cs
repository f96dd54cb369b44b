using Cream.Api.Auth.BruteForce;
using Cream.Api.Auth.State;
using Cream.Api.Data;
using Cream.Api.Email;
using Cream.Api.Users;
using Microsoft.EntityFrameworkCore;

namespace Cream.Api.Auth.Accounts;

public enum ResendOutcome
{
    Sent,
    AlreadyVerified,
    TooMany,
    CannotSend,
}

/// <param name="RetryAfterSeconds">With <see cref="ResendOutcome.TooMany"/>: when the address may be sent another.</param>
public sealed record ResendResult(ResendOutcome Outcome, long RetryAfterSeconds = 0);

/// <summary>
/// Proving an email: a link at signup and on request, each one voiding the one before (one
/// token hash per user), used once, within <c>Accounts__VerificationTokenHours</c>.
/// </summary>
internal sealed class EmailVerifications(
    CreamDbContext db,
    AccountLinks links,
    IEmailOutbox outbox,
    BruteForceGuard guard,
    StateBus bus,
    AccountEvents events,
    TimeProvider time)
{
    /// <summary>
    /// Gives a user who is being created its verification link and queues the email on the same
    /// context, so both are stored with the user; false when no mail can be sent.
    /// </summary>
    public bool AttachTo(AppUser user)
    {
        ArgumentNullException.ThrowIfNull(user);
        if (!links.CanSend)
        {
            events.LinkNotSent(AccountEvents.Verification, "skipped");
            return false;
        }

        var link = LinkToken.New();
        user.EmailVerificationToken = link.Hash;
        user.EmailVerificationExpires = time.GetUtcNow().UtcDateTime.AddHours(links.Options.VerificationTokenHours);
        outbox.Enqueue(db, EmailTemplates.Verification(user.Email, links.VerifyEmail(link.Token), links.Options.VerificationTokenHours));
        return true;
    }

    /// <summary>A new link for a signed-in user; the older one stops working.</summary>
    public async Task<ResendResult> ResendAsync(Guid userId, CancellationToken cancellationToken)
    {
        var user = await db.Users.AsNoTracking().Where(u => u.Id == userId)
            .Select(u => new { u.Email, u.IsVerified }).FirstOrDefaultAsync(cancellationToken);
        if (user is null || user.IsVerified)
        {
            return new(ResendOutcome.AlreadyVerified);
        }

        if (!links.CanSend)
        {
            return new(ResendOutcome.CannotSend);
        }

        if (await guard.ClaimEmailToAsync(user.Email) is { } retryAfter)
        {
            events.LinkNotSent(AccountEvents.Verification, "limited");
            return new(ResendOutcome.TooMany, retryAfter);
        }

        var link = LinkToken.New();
        var hours = links.Options.VerificationTokenHours;
        var expires = time.GetUtcNow().UtcDateTime.AddHours(hours);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(set => set
            .SetProperty(u => u.EmailVerificationToken, link.Hash)
            .SetProperty(u => u.EmailVerificationExpires, expires), cancellationToken);
        outbox.Enqueue(db, EmailTemplates.Verification(user.Email, links.VerifyEmail(link.Token), hours));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        db.ChangeTracker.Clear();
        await events.LinkSentAsync(AccountEvents.Verification, userId);
        return new(ResendOutcome.Sent);
    }

    /// <summary>Marks the email of the link's user verified; false for an unknown, used or expired link.</summary>
    public async Task<bool> VerifyAsync(string? token, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var hash = LinkToken.HashOf(token);
        var userId = hash is null ? null : await db.Users.AsNoTracking()
            .Where(u => u.EmailVerificationToken == hash && u.EmailVerificationExpires > now)
            .Select(u => (Guid?)u.Id).FirstOrDefaultAsync(cancellationToken);

        // The token is spent by the statement that uses it: of two at once, one verifies.
        var verified = userId is { } id && await db.Users
            .Where(u => u.Id == id && u.EmailVerificationToken == hash && u.EmailVerificationExpires > now)
            .ExecuteUpdateAsync(set => set
                .SetProperty(u => u.IsVerified, true)
                .SetProperty(u => u.EmailVerificationToken, (string?)null)
                .SetProperty(u => u.EmailVerificationExpires, (DateTime?)null)
                .SetProperty(u => u.UpdatedAt, now), cancellationToken) == 1;
        if (!verified)
        {
            events.LinkRefused(AccountEvents.Verification);
            return false;
        }

        await bus.PublishAsync(StateChange.ProfileChanged(userId!.Value, time.GetUtcNow())); // is_verified moved
        await events.EmailVerifiedAsync(userId.Value);
        return true;
    }
}
