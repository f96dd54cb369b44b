using Cream.Api.Auth.BruteForce;
using Cream.Api.Auth.Passwords;
using Cream.Api.Auth.Sessions;
using Cream.Api.Common;
using Cream.Api.Data;
using Cream.Api.Email;
using Cream.Api.Users;
using Microsoft.EntityFrameworkCore;

namespace Cream.Api.Auth.Accounts;

public enum SignupOutcome
{
    /// <summary>The account exists and is signed in.</summary>
    Created,

    /// <summary>The email has an account (the first version's 400).</summary>
    EmailTaken,

    /// <summary>With <c>Accounts__RequireVerifiedEmail</c>: "check your email", whether the account is new or not.</summary>
    CheckEmail,

    /// <summary>With <c>Accounts__RequireVerifiedEmail</c> and no way to send mail: nothing can be finished.</summary>
    CannotSend,
}

/// <summary>
/// New accounts: stored unverified with a verification link queued in the same save. With
/// <c>Accounts__RequireVerifiedEmail</c> no token is issued until the link is used, and a taken
/// email gets the same answer as a new one (its owner is told by email instead).
/// </summary>
internal sealed class Signups(
    CreamDbContext db,
    PasswordService passwords,
    SessionTokens sessions,
    EmailVerifications verifications,
    PasswordResets resets,
    BruteForceGuard guard,
    AccountLinks links,
    IEmailOutbox outbox,
    AuthEvents events,
    AccountEvents accountEvents,
    TimeProvider time)
{
    /// <param name="request">Already checked by <see cref="SignupValidation"/>.</param>
    public async Task<(SignupOutcome Outcome, TokenResponse? Tokens)> SignupAsync(SignupRequest request, ClientInfo client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var email = EmailAddress.Check(request.Email, out _) ?? throw new ArgumentException("The email was not validated.", nameof(request));
        var requireVerified = links.Options.RequireVerifiedEmail;
        if (requireVerified && !links.CanSend)
        {
            return (SignupOutcome.CannotSend, null);
        }

        // Hashed whether or not the email is taken, so the answer's timing tells nothing.
        var passwordHash = await passwords.HashAsync(request.Password!, cancellationToken);
        var key = EmailAddress.Key(email);
        if (await db.Users.AsNoTracking().Where(u => u.NormalizedEmail == key).Select(u => new { u.Id, u.Email, u.IsActive })
            .FirstOrDefaultAsync(cancellationToken) is { } existing)
        {
            if (!requireVerified)
            {
                return Refused();
            }

            if (existing.IsActive)
            {
                await TellTheOwnerAsync(existing.Id, existing.Email, cancellationToken);
            }

            return (SignupOutcome.CheckEmail, null);
        }

        var now = time.GetUtcNow().UtcDateTime;
        var user = new AppUser
        {
            Id = Guid.CreateVersion7(),
            Email = email,
            NormalizedEmail = key,
            PasswordHash = passwordHash,
            FirstName = request.FirstName!.Trim(),
            LastName = request.LastName!.Trim(),
            CreatedAt = now,
            UpdatedAt = now,
            LastLogin = requireVerified ? null : now,
            IsVerified = false,
            IsActive = true,
        };
        db.Users.Add(user);
        // The signup's link is the address's first email of the hour, unless someone floods it.
        var linkQueued = await guard.ClaimEmailToAsync(email) is null && verifications.AttachTo(user);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException exception) when (DbErrors.IsUniqueViolation(exception))
        {
            // Another signup with the same email won the race between our check and insert.
            db.ChangeTracker.Clear();
            return requireVerified ? (SignupOutcome.CheckEmail, null) : Refused();
        }

        db.ChangeTracker.Clear();
        if (linkQueued)
        {
            await accountEvents.LinkSentAsync(AccountEvents.Verification, user.Id);
        }

        if (requireVerified)
        {
            await events.SignedUpAsync(user.Id, sessionId: null);
            return (SignupOutcome.CheckEmail, null);
        }

        var (tokens, sessionId) = await sessions.StartSessionAsync(
            new SessionHolder(user.Id, user.Email, user.Roles, null, user.SecurityStamp, EmailVerified: false), client, cancellationToken);
        await events.SignedUpAsync(user.Id, sessionId);
        return (SignupOutcome.Created, tokens);
    }

    /// <summary>The owner of a taken email learns of the attempt, with a reset link in case it was them.</summary>
    private async Task TellTheOwnerAsync(Guid userId, string email, CancellationToken cancellationToken)
    {
        if (await guard.ClaimEmailToAsync(email) is not null)
        {
            accountEvents.LinkNotSent(AccountEvents.Reset, "limited");
            return;
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var resetLink = await resets.IssueLinkAsync(userId, cancellationToken);
        outbox.Enqueue(db, EmailTemplates.AlreadyRegistered(email, resetLink));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        db.ChangeTracker.Clear();
        await accountEvents.LinkSentAsync(AccountEvents.Reset, userId);
    }

    private (SignupOutcome, TokenResponse?) Refused()
    {
        events.SignupRefused();
        return (SignupOutcome.EmailTaken, null);
    }
}
