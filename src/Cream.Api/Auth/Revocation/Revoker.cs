using Cream.Api.Auth.State;
using Cream.Api.Auth.Tokens;
using Cream.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace Cream.Api.Auth.Revocation;

/// <summary>
/// Every revocation goes through here: the database first (the truth that resyncs read), with a
/// <see cref="RevocationEvent"/> per change in the same transaction (what the periodic resync
/// reads), then this instance's state (refused on the very next request), then the other
/// instances. Inside <see cref="InTransactionAsync"/> the changes are announced once the
/// transaction has committed, so nothing is refused for a change the database never kept.
/// </summary>
public sealed partial class Revoker(
    CreamDbContext db,
    StateBus bus,
    AccessTokenKeys keys,
    AuthMetrics metrics,
    TimeProvider time,
    ILogger<Revoker> logger)
{
    private readonly List<StateChange> _unannounced = [];
    private bool _inTransaction;

    /// <summary>Runs <paramref name="work"/> in one database transaction, then announces what it revoked.</summary>
    public async Task InTransactionAsync(Func<CancellationToken, Task> work, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        _inTransaction = true;
        try
        {
            await work(cancellationToken);
        }
        catch
        {
            _unannounced.Clear();
            throw;
        }
        finally
        {
            _inTransaction = false;
        }

        try
        {
            // The change rows go in with the revocation itself: a resync sees both or neither.
            await RecordAsync(_unannounced, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        finally
        {
            // Announced even when the commit's outcome is unknown (the connection broke during
            // COMMIT): refusing for a change that did not commit errs on the safe side.
            foreach (var change in _unannounced)
            {
                await bus.PublishAsync(change);
            }

            _unannounced.Clear();
        }
    }

    /// <summary>Ends one session of one user; false when there is no such live session.</summary>
    public async Task<bool> RevokeSessionAsync(Guid userId, Guid sessionId, string reason, CancellationToken cancellationToken)
    {
        if (!_inTransaction)
        {
            var revoked = false;
            await InTransactionAsync(async token => revoked = await RevokeSessionAsync(userId, sessionId, reason, token), cancellationToken);
            return revoked;
        }

        var now = time.GetUtcNow().UtcDateTime;
        var ended = await db.Sessions
            .Where(s => s.Id == sessionId && s.UserId == userId && s.IsValid)
            .ExecuteUpdateAsync(set => set.SetProperty(s => s.IsValid, false).SetProperty(s => s.RevokedAt, now), cancellationToken);
        if (ended == 0)
        {
            return false;
        }

        await ApplyAsync(SessionEnded(sessionId, now));
        Log.SessionRevoked(logger, userId, sessionId, reason);
        metrics.Revoked("session", reason);
        return true;
    }

    /// <summary>
    /// Ends every session of the user and refuses every access token it holds now (logout
    /// everywhere, an admin's revoke, disabling); <paramref name="active"/>, when given, also
    /// changes whether the account is active.
    /// </summary>
    public Task EndEverySessionAsync(Guid userId, bool? active, string reason, CancellationToken cancellationToken)
    {
        async Task EndAsync(CancellationToken token)
        {
            // Held first, so a sign-in in flight either committed its session (ended below) or mints nothing.
            await ChangeCredentialsAsync(userId, token);
            await RevokeSessionsAsync(userId, keepSessionId: null, reason, token);
            await CutTokensAsync(userId, active, reason, token);
        }

        return _inTransaction ? EndAsync(cancellationToken) : InTransactionAsync(EndAsync, cancellationToken);
    }

    /// <summary>
    /// Moves the user's security stamp on, which also holds the user's row until the transaction
    /// ends: a sign-in or refresh that read the user before creates no session and no token, and
    /// one that holds the row now finishes first.
    /// </summary>
    public Task ChangeCredentialsAsync(Guid userId, CancellationToken cancellationToken) =>
        db.Users.Where(u => u.Id == userId)
            .ExecuteUpdateAsync(set => set.SetProperty(u => u.SecurityStamp, u => u.SecurityStamp + 1), cancellationToken);

    /// <summary>Ends every live session of a user, but <paramref name="keepSessionId"/>; returns how many.</summary>
    public async Task<int> RevokeSessionsAsync(Guid userId, Guid? keepSessionId, string reason, CancellationToken cancellationToken)
    {
        // Ended first, then read back by the moment they ended: a session that opens meanwhile is
        // either ended and announced, or left alone; never ended in the database alone. Whole
        // milliseconds, which both providers store exactly.
        var now = time.GetUtcNow().UtcDateTime;
        now = now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMillisecond));
        await db.Sessions.Where(s => s.UserId == userId && s.IsValid && s.Id != keepSessionId)
            .ExecuteUpdateAsync(set => set.SetProperty(s => s.IsValid, false).SetProperty(s => s.RevokedAt, now), cancellationToken);
        var sessionIds = await db.Sessions.Where(s => s.UserId == userId && !s.IsValid && s.RevokedAt == now && s.Id != keepSessionId)
            .Select(s => s.Id).ToListAsync(cancellationToken);
        foreach (var sessionId in sessionIds)
        {
            await ApplyAsync(SessionEnded(sessionId, now));
        }

        Log.SessionsRevoked(logger, userId, sessionIds.Count, reason);
        if (sessionIds.Count > 0)
        {
            metrics.Revoked("session", reason, sessionIds.Count);
        }

        return sessionIds.Count;
    }

    /// <summary>
    /// Refuses every access token the user holds now (a removed role, logout everywhere, an
    /// admin's revoke) and, when given, changes whether the account is active.
    /// </summary>
    public async Task CutTokensAsync(Guid userId, bool? active, string reason, CancellationToken cancellationToken)
    {
        // The cut-off is read only once the row is held: a sign-in that minted while holding it
        // has committed by now, so its token falls at or before the cut-off.
        await ChangeCredentialsAsync(userId, cancellationToken);
        var now = time.GetUtcNow().UtcDateTime;
        var users = db.Users.Where(u => u.Id == userId);
        await users.ExecuteUpdateAsync(set => set
            .SetProperty(u => u.TokensValidAfter, now)
            .SetProperty(u => u.IsActive, u => active ?? u.IsActive)
            .SetProperty(u => u.UpdatedAt, now), cancellationToken);

        var stored = await users.Select(u => new { u.IsActive }).FirstOrDefaultAsync(cancellationToken);
        var at = new DateTimeOffset(now);
        await ApplyAsync(new StateChange(StateChangeKind.User, userId.ToString(), at.ToUnixTimeSeconds(),
            stored?.IsActive ?? false, at.ToUnixTimeMilliseconds()));
        Log.UserTokensCut(logger, userId, reason);
        metrics.Revoked("user_tokens", reason);
    }

    /// <summary>
    /// Refuses every access token of a user whose row this transaction is about to delete, here
    /// and on every instance, until the last of them has expired: cut as for disabling, with a
    /// <see cref="DeletedUser"/> row standing in for the user's row that the resync reads.
    /// </summary>
    public async Task CutDeletedUserAsync(Guid userId, CancellationToken cancellationToken)
    {
        if (!_inTransaction)
        {
            throw new InvalidOperationException("A deleted user is cut in the transaction that deletes it.");
        }

        await CutTokensAsync(userId, active: false, "account_deleted", cancellationToken);
        var now = time.GetUtcNow().UtcDateTime;
        var forgotten = now - (keys.AccessTokenLifetime + keys.ValidationParameters.ClockSkew + EndedSessionMargin);
        await db.DeletedUsers.Where(d => d.DeletedAt < forgotten).ExecuteDeleteAsync(cancellationToken);
        db.DeletedUsers.Add(new DeletedUser { UserId = userId, DeletedAt = now });
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Re-activates an account: its old tokens stay refused, new sign-ins work.</summary>
    public async Task ReactivateAsync(Guid userId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await db.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(
            set => set.SetProperty(u => u.IsActive, true).SetProperty(u => u.UpdatedAt, now.UtcDateTime), cancellationToken);
        var validAfter = await db.Users.Where(u => u.Id == userId).Select(u => u.TokensValidAfter).FirstOrDefaultAsync(cancellationToken);
        await ApplyAsync(new StateChange(StateChangeKind.User, userId.ToString(),
            validAfter is { } after ? new DateTimeOffset(after).ToUnixTimeSeconds() : 0, true, now.ToUnixTimeMilliseconds()));
    }

    /// <summary>
    /// How much longer than a token's lifetime an ended session is remembered: a refresh that
    /// held the session while the logout waited mints a moment after the end the logout records.
    /// </summary>
    public static readonly TimeSpan EndedSessionMargin = TimeSpan.FromMinutes(1);

    /// <summary>A session's access tokens live at most one lifetime (plus skew) after it ends; it is remembered a margin longer.</summary>
    private StateChange SessionEnded(Guid sessionId, DateTime endedAt)
    {
        var until = new DateTimeOffset(endedAt + keys.AccessTokenLifetime + keys.ValidationParameters.ClockSkew + EndedSessionMargin).ToUnixTimeSeconds();
        return new StateChange(StateChangeKind.Session, sessionId.ToString(), until, false, new DateTimeOffset(endedAt).ToUnixTimeMilliseconds());
    }

    private async Task ApplyAsync(StateChange change)
    {
        if (_inTransaction)
        {
            _unannounced.Add(change);
            return;
        }

        await RecordAsync([change], CancellationToken.None);
        await bus.PublishAsync(change);
    }

    private async Task RecordAsync(List<StateChange> changes, CancellationToken cancellationToken)
    {
        if (changes.Count > 0)
        {
            db.RevocationEvents.AddRange(changes.Select(change => RevocationEvent.From(change, time.GetUtcNow().UtcDateTime)));
            await db.SaveChangesAsync(cancellationToken);
        }
    }
}
