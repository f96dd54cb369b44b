using Cream.Api.Auth.BruteForce;
using Cream.Api.Auth.Passwords;
using Cream.Api.Auth.TwoFactor;
using Cream.Api.Common;
using Cream.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace Cream.Api.Auth.Accounts;

internal enum ReentryOutcome
{
    Confirmed,
    Wrong,
    BackingOff,

    /// <summary>The password was right, the two-factor code was not (or was a replay).</summary>
    WrongCode,

    /// <summary>The account has two-factor on and no code was sent: nothing was checked or counted.</summary>
    CodeRequired,
}

/// <param name="RetryAfterSeconds">With <see cref="ReentryOutcome.BackingOff"/>: how long to wait.</param>
/// <param name="SecurityStamp">With <see cref="ReentryOutcome.Confirmed"/>: the user's security stamp the password was checked under.</param>
/// <param name="Code">What the two-factor code was, when one was asked for.</param>
internal sealed record ReentryResult(ReentryOutcome Outcome, long RetryAfterSeconds = 0, long SecurityStamp = 0, CodeCheck? Code = null);

/// <summary>
/// A signed-in user types their password again (and, where asked, a two-factor code) to confirm
/// a change to the account (a new password, two-factor settings, deleting the account). It is
/// checked under the same per-email backoff as a login, so a stolen access token is no way to
/// guess either: the attempt counts as a failed login until everything asked for was right.
/// </summary>
internal sealed class PasswordReentry(CreamDbContext db, PasswordService passwords, BruteForceGuard guard, SecondFactor secondFactor)
{
    public Task<ReentryResult> CheckAsync(Guid userId, string? password, ClientInfo client, CancellationToken cancellationToken) =>
        CheckAsync(userId, password, code: null, askCode: false, client, cancellationToken);

    /// <summary>The password and, when the account has two-factor on, a code (TOTP or recovery; spent when right).</summary>
    public Task<ReentryResult> CheckWithCodeAsync(Guid userId, string? password, string? code, ClientInfo client, CancellationToken cancellationToken) =>
        CheckAsync(userId, password, code, askCode: true, client, cancellationToken);

    private async Task<ReentryResult> CheckAsync(Guid userId, string? password, string? code, bool askCode, ClientInfo client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var user = await db.Users.Where(u => u.Id == userId)
            .Select(u => new { u.Email, u.PasswordHash, u.SecurityStamp, u.TwoFactorEnabled, u.TwoFactorSecret })
            .FirstOrDefaultAsync(cancellationToken);
        if (user is null)
        {
            return new(ReentryOutcome.Wrong);
        }

        var needsCode = askCode && user.TwoFactorEnabled && user.TwoFactorSecret is not null;
        if (needsCode && string.IsNullOrWhiteSpace(code))
        {
            return new(ReentryOutcome.CodeRequired);
        }

        if (await guard.ClaimPasswordCheckAsync(user.Email, client) is { } retryAfter)
        {
            return new(ReentryOutcome.BackingOff, retryAfter);
        }

        if (password is not { Length: <= PasswordOptions.MaximumUtf16Length }
            || await passwords.VerifyAsync(user.PasswordHash, password, cancellationToken) == PasswordCheck.Failed)
        {
            return new(ReentryOutcome.Wrong); // and the claimed check stays a failure
        }

        CodeCheck? checkedCode = null;
        if (needsCode)
        {
            checkedCode = await secondFactor.CheckAsync(userId, user.TwoFactorSecret!, code, cancellationToken);
            if (!SecondFactor.IsAccepted(checkedCode.Value))
            {
                return new(ReentryOutcome.WrongCode, Code: checkedCode); // a failure too: a right password alone ends no streak here
            }
        }

        await guard.LoginSucceededAsync(user.Email);
        return new(ReentryOutcome.Confirmed, SecurityStamp: user.SecurityStamp, Code: checkedCode);
    }
}
