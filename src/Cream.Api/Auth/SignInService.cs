using System.Diagnostics;
using Cream.Api.Auth.Passwords;
using Cream.Api.Auth.State;
using Cream.Api.Auth.Sessions;
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
}

/// <summary>Password sign-in: checks credentials, opens a session, issues tokens.</summary>
public sealed class SignInService(
    CreamDbContext db,
    PasswordService passwords,
    SessionTokens sessions,
    StateBus bus,
    AuthEvents events,
    IOptions<AccountsOptions> accounts,
    TimeProvider time,
    ILogger<SignInService> logger)
{
    /// <summary>Tokens for a correct email and password, or why there are none (the reason is logged).</summary>
    public async Task<(SignInOutcome Outcome, TokenResponse? Tokens)> PasswordSignInAsync(string email, string password, ClientInfo client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var started = Stopwatch.GetTimestamp();
        if (email.Length > AppUserConfiguration.EmailMaxLength || password.Length > PasswordOptions.MaximumUtf16Length)
        {
            await events.LoginFailedAsync("input_too_long", null, client.IpAddress, started);
            return (SignInOutcome.Refused, null);
        }

        var normalized = EmailAddress.Key(email);
        var user = await db.Users.AsNoTracking()
            .Where(u => u.NormalizedEmail == normalized)
            .Select(u => new { u.Id, u.Email, u.PasswordHash, u.IsActive, u.IsVerified, u.Roles, u.TokensValidAfter, u.SecurityStamp })
            .FirstOrDefaultAsync(cancellationToken);

        var check = await passwords.VerifyAsync(user?.PasswordHash, password, cancellationToken);
        if (user is null || check == PasswordCheck.Failed || !user.IsActive)
        {
            var reason = user is null ? "unknown_email" : check == PasswordCheck.Failed ? "wrong_password" : "inactive";
            await events.LoginFailedAsync(reason, user?.Id, client.IpAddress, started);
            return (SignInOutcome.Refused, null);
        }

        if (!user.IsVerified && accounts.Value.RequireVerifiedEmail)
        {
            await events.LoginFailedAsync("email_unverified", user.Id, client.IpAddress, started);
            return (SignInOutcome.EmailUnverified, null);
        }

        var newHash = check == PasswordCheck.SuccessRehashNeeded ? await passwords.HashAsync(password, cancellationToken) : null;
        var holder = new SessionHolder(user.Id, user.Email, user.Roles, user.TokensValidAfter, user.SecurityStamp, user.IsVerified);
        var opened = await OpenSessionAsync(holder, newHash, client, cancellationToken);
        if (opened is not { } session)
        {
            // The password, roles or status changed while this sign-in checked the old ones.
            await events.LoginFailedAsync("credentials_changed", user.Id, client.IpAddress, started);
            return (SignInOutcome.Refused, null);
        }

        if (newHash is not null)
        {
            Log.PasswordHashUpgraded(logger, user.Id);
        }

        await bus.PublishAsync(StateChange.ProfileChanged(user.Id, time.GetUtcNow())); // last_login moved
        await events.LoggedInAsync(user.Id, session.SessionId, started);
        return (SignInOutcome.SignedIn, session.Tokens);
    }

    /// <summary>
    /// Opens the session in one transaction that first moves <c>last_login</c> on the user's
    /// row, if its security stamp is still the one the password was checked under; that row
    /// stays locked until the tokens are minted and committed, so a credential change either
    /// commits first (null: no session, no token) or waits and then ends what this created.
    /// </summary>
    private async Task<(TokenResponse Tokens, Guid SessionId)?> OpenSessionAsync(
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
