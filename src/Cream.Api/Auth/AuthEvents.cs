using Cream.Api.Audit;

namespace Cream.Api.Auth;

/// <summary>
/// The one place an authentication outcome is reported: its log line (stable event id), its
/// metric and its audit row go together, so a new outcome cannot be half-reported. Never a
/// password, token or email; an account appears only as a hash prefix.
/// </summary>
public sealed class AuthEvents(AuditTrail audit, AuthMetrics metrics, ILogger<AuthEvents> logger)
{
    /// <param name="sessionId">Null when the account must verify its email before a session opens.</param>
    public Task SignedUpAsync(Guid userId, Guid? sessionId)
    {
        Log.UserSignedUp(logger, userId);
        metrics.Signup(succeeded: true);
        return audit.SucceededAsync(AuthEventTypes.Signup, userId, sessionId);
    }

    /// <summary>
    /// Counted and logged, not audited: a refused signup changes nothing, so a row each would let
    /// anyone grow the trail at will.
    /// </summary>
    public void SignupRefused()
    {
        Log.SignupDuplicate(logger);
        metrics.Signup(succeeded: false);
    }

    public Task LoggedInAsync(Guid userId, Guid sessionId, long startTimestamp)
    {
        Log.LoginSucceeded(logger, userId);
        metrics.Login(succeeded: true, "none", startTimestamp);
        return audit.SucceededAsync(AuthEventTypes.Login, userId, sessionId);
    }

    public Task LoginFailedAsync(string reason, Guid? userId, string? clientIp, long startTimestamp)
    {
        Log.LoginFailed(logger, reason, clientIp);
        metrics.Login(succeeded: false, reason, startTimestamp);
        return audit.FailedAsync(AuthEventTypes.Login, userId, reason: reason);
    }

    /// <param name="reason"><c>rotated</c>, or <c>grace_replay</c> for the same successor given twice.</param>
    public Task RefreshedAsync(string reason, Guid userId, Guid sessionId)
    {
        if (reason == "grace_replay")
        {
            Log.RefreshGraceReplay(logger, userId, sessionId);
        }
        else
        {
            Log.RefreshRotated(logger, userId, sessionId);
        }

        metrics.Refresh(succeeded: true, reason);
        return audit.SucceededAsync(AuthEventTypes.Refresh, userId, sessionId, reason);
    }

    public Task RefreshRefusedAsync(string reason, string? clientIp, Guid? userId, Guid? sessionId)
    {
        Log.RefreshRefused(logger, reason, clientIp);
        metrics.Refresh(succeeded: false, reason);
        return audit.FailedAsync(AuthEventTypes.Refresh, userId, sessionId, reason);
    }

    public Task RefreshReuseDetectedAsync(Guid userId, Guid sessionId, string? clientIp)
    {
        Log.RefreshReuseDetected(logger, userId, sessionId, clientIp);
        metrics.Refresh(succeeded: false, "reused");
        metrics.RefreshReuseDetected();
        return audit.FailedAsync(AuthEventTypes.RefreshReuse, userId, sessionId, "reused");
    }

    /// <summary>A client address over its login and refresh limit for this minute.</summary>
    public Task ClientLimitedAsync(string client, int limit, long retryAfterSeconds, bool firstInWindow)
    {
        if (firstInWindow)
        {
            BruteForce.Log.ClientAttemptsLimited(logger, client, limit, retryAfterSeconds);
        }

        return AddressLimitedAsync("client", "client_limit", firstInWindow);
    }

    /// <summary>A client address over its signup limit for this hour.</summary>
    public Task SignupsLimitedAsync(string client, int limit, long retryAfterSeconds, bool firstInWindow)
    {
        if (firstInWindow)
        {
            BruteForce.Log.SignupsLimited(logger, client, limit, retryAfterSeconds);
        }

        return AddressLimitedAsync("signup", "signup_limit", firstInWindow);
    }

    /// <summary>Every refusal is counted; the first of a client's window is also audited (and logged), however long the flood.</summary>
    private Task AddressLimitedAsync(string scope, string reason, bool firstInWindow)
    {
        metrics.Lockout(scope);
        return firstInWindow ? audit.FailedAsync(AuthEventTypes.Lockout, userId: null, reason: reason) : Task.CompletedTask;
    }

    /// <summary>Every refused attempt is a row; the per-address limit bounds how fast they come.</summary>
    public Task EmailBackingOffAsync(string accountHashPrefix, long failures, long retryAfterSeconds, string client)
    {
        BruteForce.Log.LoginBackingOff(logger, accountHashPrefix, failures, retryAfterSeconds, client);
        metrics.Lockout("email");
        return audit.FailedAsync(AuthEventTypes.Lockout, userId: null, reason: "email_backoff");
    }

    public Task LoggedOutAsync(Guid userId, Guid sessionId, bool everywhere)
    {
        Log.LoggedOut(logger, userId, everywhere ? "all" : "session");
        return audit.SucceededAsync(everywhere ? AuthEventTypes.LogoutAll : AuthEventTypes.Logout, userId, sessionId);
    }

    public Task PasswordChangedAsync(Guid userId, Guid sessionId)
    {
        Log.PasswordChanged(logger, userId);
        return audit.SucceededAsync(AuthEventTypes.PasswordChange, userId, sessionId);
    }

    public Task PasswordChangeRefusedAsync(Guid userId, Guid sessionId) =>
        audit.FailedAsync(AuthEventTypes.PasswordChange, userId, sessionId, "wrong_current_password");

    /// <summary>A deleted account: by its owner (<paramref name="actorId"/> null) or by an admin.</summary>
    public Task AccountDeletedAsync(Guid userId, Guid? sessionId, Guid? actorId)
    {
        Log.UserDeleted(logger, userId, actorId ?? userId);
        metrics.AccountDeletion(succeeded: true, actorId is null ? "user" : "admin");
        return actorId is null
            ? audit.SucceededAsync(AuthEventTypes.AccountDeleted, userId, sessionId)
            : audit.SucceededAsync(AuthEventTypes.UserDeleted, userId, actorId: actorId);
    }

    /// <param name="reason"><c>wrong_password</c>, or <c>credentials_changed</c> when the password changed after it was checked.</param>
    public Task AccountDeletionRefusedAsync(Guid userId, Guid sessionId, string reason)
    {
        metrics.AccountDeletion(succeeded: false, "user");
        return audit.FailedAsync(AuthEventTypes.AccountDeleted, userId, sessionId, reason);
    }

    /// <summary>
    /// An admin's change that would have left no active admin, refused and changed nothing. Every
    /// one is a row: only admins can cause them.
    /// </summary>
    /// <param name="change"><c>role_removal</c>, <c>disable</c> (a request that asks for both is a <c>disable</c>) or <c>delete</c>.</param>
    public Task LastAdminRefusedAsync(Guid userId, Guid actorId, string change)
    {
        Log.LastAdminRefused(logger, change, userId, actorId);
        metrics.LastAdminRefused(change);
        return audit.FailedAsync(AuthEventTypes.LastAdminRefused, userId, reason: change, actorId: actorId);
    }
}
