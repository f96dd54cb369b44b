using System.Diagnostics;
using Cream.Api.Auth.Passwords;
using Cream.Api.Auth.State;
using Cream.Api.Auth.Sessions;
using Cream.Api.Common;
using Cream.Api.Data;
using Cream.Api.Users;
using Microsoft.EntityFrameworkCore;

namespace Cream.Api.Auth;

public enum SignupOutcome
{
    Created,
    EmailTaken,
}

/// <summary>Password sign-in and sign-up: checks credentials, opens a session, issues tokens.</summary>
public sealed class SignInService(
    CreamDbContext db,
    PasswordService passwords,
    SessionTokens sessions,
    StateBus bus,
    AuthEvents events,
    TimeProvider time,
    ILogger<SignInService> logger)
{
    /// <summary>Returns tokens for a correct email and password, or null (with the reason logged).</summary>
    public async Task<TokenResponse?> PasswordSignInAsync(string email, string password, ClientInfo client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var started = Stopwatch.GetTimestamp();
        if (email.Length > AppUserConfiguration.EmailMaxLength || password.Length > PasswordOptions.MaximumLength)
        {
            await events.LoginFailedAsync("input_too_long", null, client.IpAddress, started);
            return null;
        }

        var normalized = AppUser.Normalize(email);
        var user = await db.Users.AsNoTracking()
            .Where(u => u.NormalizedEmail == normalized)
            .Select(u => new { u.Id, u.Email, u.PasswordHash, u.IsActive, u.Roles, u.TokensValidAfter })
            .FirstOrDefaultAsync(cancellationToken);

        var check = await passwords.VerifyAsync(user?.PasswordHash, password, cancellationToken);
        if (user is null || check == PasswordCheck.Failed || !user.IsActive)
        {
            var reason = user is null ? "unknown_email" : check == PasswordCheck.Failed ? "wrong_password" : "inactive";
            await events.LoginFailedAsync(reason, user?.Id, client.IpAddress, started);
            return null;
        }

        var now = time.GetUtcNow().UtcDateTime;
        if (check == PasswordCheck.SuccessRehashNeeded)
        {
            var newHash = await passwords.HashAsync(password, cancellationToken);
            await db.Users.Where(u => u.Id == user.Id).ExecuteUpdateAsync(
                set => set.SetProperty(u => u.PasswordHash, newHash).SetProperty(u => u.LastLogin, now).SetProperty(u => u.UpdatedAt, now),
                cancellationToken);
            Log.PasswordHashUpgraded(logger, user.Id);
        }
        else
        {
            await db.Users.Where(u => u.Id == user.Id)
                .ExecuteUpdateAsync(set => set.SetProperty(u => u.LastLogin, now), cancellationToken);
        }

        await bus.PublishAsync(StateChange.ProfileChanged(user.Id, time.GetUtcNow())); // last_login moved
        var (tokens, sessionId) = await sessions.StartSessionAsync(new SessionHolder(user.Id, user.Email, user.Roles, user.TokensValidAfter), client, cancellationToken);
        await events.LoggedInAsync(user.Id, sessionId, started);
        return tokens;
    }

    /// <summary>Creates a verified, active user and signs them in; a taken email (even under a race) is reported, not thrown.</summary>
    public async Task<(SignupOutcome Outcome, TokenResponse? Tokens)> SignupAsync(SignupRequest request, ClientInfo client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var email = request.Email!.Trim();
        var normalized = AppUser.Normalize(email);
        if (await db.Users.AnyAsync(u => u.NormalizedEmail == normalized, cancellationToken))
        {
            return SignupRefused();
        }

        var now = time.GetUtcNow().UtcDateTime;
        var user = new AppUser
        {
            Id = Guid.CreateVersion7(),
            Email = email,
            NormalizedEmail = normalized,
            PasswordHash = await passwords.HashAsync(request.Password!, cancellationToken),
            FirstName = request.FirstName!.Trim(),
            LastName = request.LastName!.Trim(),
            CreatedAt = now,
            UpdatedAt = now,
            LastLogin = now,
            IsVerified = true,
            IsActive = true,
        };
        db.Users.Add(user);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException exception) when (DbErrors.IsUniqueViolation(exception))
        {
            // Another signup with the same email won the race between our check and insert.
            db.ChangeTracker.Clear();
            return SignupRefused();
        }

        db.ChangeTracker.Clear();
        var (tokens, sessionId) = await sessions.StartSessionAsync(new SessionHolder(user.Id, user.Email, user.Roles, null), client, cancellationToken);
        await events.SignedUpAsync(user.Id, sessionId);
        return (SignupOutcome.Created, tokens);
    }

    private (SignupOutcome, TokenResponse?) SignupRefused()
    {
        events.SignupRefused();
        return (SignupOutcome.EmailTaken, null);
    }
}
