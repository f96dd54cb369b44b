using System.Diagnostics;
using Cream.Api.Auth.BruteForce;
using Cream.Api.Auth.Sessions;
using Cream.Api.Auth.Tokens;
using Cream.Api.Common;
using Cream.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace Cream.Api.Auth.TwoFactor;

public enum MfaVerifyOutcome
{
    SignedIn,

    /// <summary>Unknown, expired, used, exhausted, or from another client; or the login's credentials changed meanwhile.</summary>
    InvalidToken,
    WrongCode,
    BackingOff,
}

/// <param name="RetryAfterSeconds">With <see cref="MfaVerifyOutcome.BackingOff"/>.</param>
public sealed record MfaVerifyResult(MfaVerifyOutcome Outcome, TokenResponse? Tokens = null, long RetryAfterSeconds = 0);

/// <summary>
/// The second step of a login: an <c>mfa_token</c> and a code (TOTP or recovery) open the session
/// the password step did not. Each code is a password check of the account's email (the login
/// backoff), takes one of the token's five attempts first, and is spent by a conditional
/// statement; the session then opens through <see cref="SignInService.OpenSessionAsync"/> under the
/// security stamp the password was checked with, so a credential change committed meanwhile
/// leaves nothing, and one that waits for it ends what it opened.
/// </summary>
internal sealed class MfaVerification(
    CreamDbContext db,
    MfaChallengeStore challenges,
    SecondFactor secondFactor,
    SignInService signIn,
    BruteForceGuard guard,
    TwoFactorEvents events)
{
    public async Task<MfaVerifyResult> VerifyAsync(string? mfaToken, string? code, ClientInfo client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var started = Stopwatch.GetTimestamp();
        var pending = await challenges.FindAsync(mfaToken, cancellationToken);
        var user = pending is null || !string.Equals(pending.UserAgent, client.UserAgent, StringComparison.Ordinal)
            ? null
            : await db.Users.AsNoTracking()
                .Where(u => u.Id == pending.UserId && u.TwoFactorEnabled && u.TwoFactorSecret != null)
                .Select(u => new { u.Email, u.Roles, u.TokensValidAfter, u.IsVerified, Secret = u.TwoFactorSecret! })
                .FirstOrDefaultAsync(cancellationToken);
        if (pending is null || user is null)
        {
            return Refused(client);
        }

        if (await guard.ClaimPasswordCheckAsync(user.Email, client) is { } retryAfter)
        {
            return new(MfaVerifyOutcome.BackingOff, RetryAfterSeconds: retryAfter);
        }

        if (!await challenges.ClaimAttemptAsync(pending.ChallengeId, cancellationToken))
        {
            return Refused(client); // its last attempt went to a request running beside this one
        }

        var check = await secondFactor.CheckAsync(pending.UserId, user.Secret, code, cancellationToken);
        if (!SecondFactor.IsAccepted(check))
        {
            await events.CodeFailedAsync(pending.UserId, null, check, "login", client.IpAddress);
            return new(MfaVerifyOutcome.WrongCode);
        }

        if (!await challenges.ConsumeAsync(pending.ChallengeId, cancellationToken))
        {
            return Refused(client); // another request finished this login first
        }

        var holder = new SessionHolder(pending.UserId, user.Email, user.Roles, user.TokensValidAfter, pending.SecurityStamp, user.IsVerified,
            AuthenticationMethods.PasswordAndOtp);
        if (await signIn.OpenSessionAsync(holder, newHash: null, client, started, cancellationToken) is not { } opened)
        {
            return new(MfaVerifyOutcome.InvalidToken); // reported by the sign-in as credentials_changed
        }

        await guard.LoginSucceededAsync(user.Email);
        await events.VerifiedAsync(pending.UserId, opened.SessionId, check, "login");
        return new(MfaVerifyOutcome.SignedIn, opened.Tokens);
    }

    private MfaVerifyResult Refused(ClientInfo client)
    {
        events.TokenRefused(client.IpAddress);
        return new(MfaVerifyOutcome.InvalidToken);
    }
}
