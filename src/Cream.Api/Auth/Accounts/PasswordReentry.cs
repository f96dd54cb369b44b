using System.Net;
using Cream.Api.Auth.BruteForce;
using Cream.Api.Auth.Passwords;
using Cream.Api.Common;
using Cream.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace Cream.Api.Auth.Accounts;

internal enum ReentryOutcome
{
    Confirmed,
    Wrong,
    BackingOff,
}

/// <param name="RetryAfterSeconds">With <see cref="ReentryOutcome.BackingOff"/>: how long to wait.</param>
/// <param name="SecurityStamp">With <see cref="ReentryOutcome.Confirmed"/>: the user's security stamp the password was checked under.</param>
internal sealed record ReentryResult(ReentryOutcome Outcome, long RetryAfterSeconds = 0, long SecurityStamp = 0);

/// <summary>
/// A signed-in user types their password again to confirm a change to the account (a new
/// password, deleting the account). It is checked under the same per-email backoff as a login,
/// so a stolen access token is no way to guess it: a wrong one counts as a failed login, a
/// right one ends the failure streak.
/// </summary>
internal sealed class PasswordReentry(CreamDbContext db, PasswordService passwords, BruteForceGuard guard)
{
    public async Task<ReentryResult> CheckAsync(Guid userId, string? password, ClientInfo client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var user = await db.Users.Where(u => u.Id == userId)
            .Select(u => new { u.Email, u.PasswordHash, u.SecurityStamp })
            .FirstOrDefaultAsync(cancellationToken);
        if (user is null)
        {
            return new(ReentryOutcome.Wrong);
        }

        if (await guard.ClaimPasswordCheckAsync(user.Email, IPAddress.TryParse(client.IpAddress, out var address) ? address : null) is { } retryAfter)
        {
            return new(ReentryOutcome.BackingOff, retryAfter);
        }

        if (password is not { Length: <= PasswordOptions.MaximumUtf16Length }
            || await passwords.VerifyAsync(user.PasswordHash, password, cancellationToken) == PasswordCheck.Failed)
        {
            return new(ReentryOutcome.Wrong); // and the claimed check stays a failure
        }

        await guard.LoginSucceededAsync(user.Email);
        return new(ReentryOutcome.Confirmed, SecurityStamp: user.SecurityStamp);
    }
}
