using System.Diagnostics;
using Cream.Api.Auth.Passwords;
using Cream.Api.Auth.State;
using Cream.Api.Auth.Sessions;
using Cream.Api.Auth.TwoFactor;
using Cream.Api.Common;
using Cream.Api.Data;
using Cream.Api.Users;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Cream.Api.Auth;

public enum SignInOutcome
{
    SignedIn,

    /// <summary>The email or password is wrong, the account is disabled, or it changed meanwhile.</summary>
    Refused,

    /// <summary>The password was right, but <c>Accounts__RequireVerifiedEmail</c> wants a verified email first.</summary>
    EmailUnverified,

    /// <summary>The password was right and the account has two-factor on: no session yet, an <c>mfa_token</c> waits for a code.</summary>
    MfaRequired,
}

/// <param name="Tokens">With <see cref="SignInOutcome.SignedIn"/>.</param>
/// <param name="MfaToken">With <see cref="SignInOutcome.MfaRequired"/>: what finishes this login with a code.</param>
public sealed record SignInResult(SignInOutcome Outcome, TokenResponse? Tokens = null, string? MfaToken = null);

/// <summary>Password sign-in: checks credentials, opens a session, issues tokens.</summary>
public sealed class SignInService(
    CreamDbContext db,
    PasswordService passwords,
    SessionTokens sessions,
    StateBus bus,
    AuthEvents events,
    MfaChallengeStore challenges,
    TwoFactorEvents twoFactorEvents,
    IOptions<AccountsOptions> accounts,
    TimeProvider time,
    ILogger<SignInService> logger)
{
    /// <summary>Tokens for a correct email and password, or why there are none (the reason is logged).</summary>
    public async Task<SignInResult> PasswordSignInAsync(string email, string password, ClientInfo client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var started = Stopwatch.GetTimestamp();
        if (email.Length > AppUserConfiguration.EmailMaxLength || password.Length > PasswordOptions.MaximumUtf16Length)
        {
            await events.LoginFailedAsync("input_too_long", null, client.IpAddress, started);
            return new(SignInOutcome.Refused);
        }

        var normalized = EmailAddress.Key(email);
        var user = await db.Users.AsNoTracking()
            .Where(u => u.NormalizedEmail == normalized)
            .Select(u => new { u.Id, u.Email, u.PasswordHash, u.IsActive, u.IsVerified, u.Roles, u.TokensValidAfter, u.SecurityStamp, u.TwoFactorEnabled })
            .FirstOrDefaultAsync(cancellationToken);

        var check = await passwords.VerifyAsync(user?.PasswordHash, password, cancellationToken);
        if (user is null || check == PasswordCheck.Failed || !user.IsActive)
        {
            var reason = user is null ? "unknown_email" : check == PasswordCheck.Failed ? "wrong_password" : "inactive";
            await events.LoginFailedAsync(reason, user?.Id, client.IpAddress, started);
            return new(SignInOutcome.Refused);
        }

        if (!user.IsVerified && accounts.Value.RequireVerifiedEmail)
        {
            await events.LoginFailedAsync("email_unverified", user.Id, client.IpAddress, started);
            return new(SignInOutcome.EmailUnverified);
        }

        var newHash = check == PasswordCheck.SuccessRehashNeeded ? await passwords.HashAsync(password, cancellationToken) : null;
        if (user.TwoFactorEnabled)
        {
            // No session yet: the second step opens it, if the stamp read here still holds then.
            var mfaToken = await challenges.IssueAsync(user.Id, user.SecurityStamp, newHash, client, cancellationToken);
            LogUpgrade(newHash, user.Id);
            await twoFactorEvents.ChallengedAsync(user.Id);
            return new(SignInOutcome.MfaRequired, MfaToken: mfaToken);
        }

        var holder = new SessionHolder(user.Id, user.Email, user.Roles, user.TokensValidAfter, user.SecurityStamp, user.IsVerified);
        if (await OpenSessionAsync(holder, newHash, client, started, cancellationToken) is not { } opened)
        {
            return new(SignInOutcome.Refused);
        }

        LogUpgrade(newHash, user.Id);
        return new(SignInOutcome.SignedIn, opened.Tokens);
    }

    private void LogUpgrade(string? newHash, Guid userId)
    {
        if (newHash is not null)
        {
            Log.PasswordHashUpgraded(logger, userId);
        }
    }

    /// <summary>
    /// Opens the session of a sign-in whose credentials were checked under <paramref name="holder"/>'s
    /// security stamp (a password, or a password and then a second factor) and reports it; null
    /// when the credentials changed meanwhile (reported as a failed login).
    /// </summary>
    internal async Task<(TokenResponse Tokens, Guid SessionId)?> OpenSessionAsync(SessionHolder holder, string? newHash, ClientInfo client, long started, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(holder);
        ArgumentNullException.ThrowIfNull(client);
        var opened = await OpenSessionCoreAsync(holder, newHash, client, cancellationToken);
        if (opened is not { } session)
        {
            // The password, roles, status or two-factor changed while this sign-in checked the old ones.
            await events.LoginFailedAsync("credentials_changed", holder.UserId, client.IpAddress, started);
            return null;
        }

        await bus.PublishAsync(StateChange.ProfileChanged(holder.UserId, time.GetUtcNow())); // last_login moved
        await events.LoggedInAsync(holder.UserId, session.SessionId, started);
        return session;
    }

    /// <summary>
    /// Opens the session in one transaction that first moves <c>last_login</c> on the user's
    /// row, if its security stamp is still the one the password was checked under; that row
    /// stays locked until the tokens are minted and committed, so a credential change either
    /// commits first (null: no session, no token) or waits and then ends what this created.
    /// </summary>
    private async Task<(TokenResponse Tokens, Guid SessionId)?> OpenSessionCoreAsync(
        SessionHolder holder, string? newHash, ClientInfo client, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var current = db.Users.Where(u => u.Id == holder.UserId && u.SecurityStamp == holder.SecurityStamp && u.IsActive);
        var moved = newHash is null
            ? await current.ExecuteUpdateAsync(set => set.SetProperty(u => u.LastLogin, now), cancellationToken)
            : await current.ExecuteUpdateAsync(
                set => set.SetProperty(u => u.PasswordHash, newHash).SetProperty(u => u.LastLogin, now).SetProperty(u => u.UpdatedAt, now),
                cancellationToken);
        if (moved != 1)
        {
            await transaction.RollbackAsync(cancellationToken);
            return null;
        }

        var opened = await sessions.StartSessionAsync(holder, client, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return opened;
    }
}
