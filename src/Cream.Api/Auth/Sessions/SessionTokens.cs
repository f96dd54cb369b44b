using Cream.Api.Auth.Revocation;
using Cream.Api.Auth.Tokens;
using Cream.Api.Common;
using Cream.Api.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Cream.Api.Auth.Sessions;

/// <summary>The user facts a session's tokens are issued from, read with the session, and the security stamp they were read under.</summary>
public sealed record SessionHolder(Guid UserId, string Email, IReadOnlyList<string> Roles, DateTime? TokensValidAfter, long SecurityStamp);

/// <summary>Why a refresh token was refused: a reason for logs and the RFC 6749 description.</summary>
public sealed record RefreshFailure(string Reason, string Description);

/// <summary>
/// Opens sessions and rotates their refresh tokens. Rotation consumes the presented token
/// with one conditional UPDATE, so of any number of concurrent refreshes exactly one creates a
/// successor; the others, within the grace window, receive that same successor. After the
/// window a consumed token is reuse, and reuse ends the whole session.
/// </summary>
public sealed class SessionTokens(
    CreamDbContext db,
    AccessTokenIssuer issuer,
    Revoker revoker,
    AuthEvents events,
    TimeProvider time,
    IOptions<JwtOptions> jwtOptions)
{
    private readonly JwtOptions _options = jwtOptions.Value;

    /// <summary>Creates a session with its first refresh token; returns the token response and the session's id.</summary>
    public async Task<(TokenResponse Tokens, Guid SessionId)> StartSessionAsync(SessionHolder holder, ClientInfo client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(holder);
        ArgumentNullException.ThrowIfNull(client);
        var now = time.GetUtcNow().UtcDateTime;
        var expires = now.AddDays(_options.RefreshTokenDays);
        var session = new Session
        {
            Id = Guid.CreateVersion7(),
            UserId = holder.UserId,
            CreatedAt = now,
            LastActivity = now,
            ExpiresAt = expires,
            IpAddress = client.IpAddress,
            UserAgent = client.UserAgent,
            IsValid = true,
        };
        var refreshToken = RefreshTokenCrypto.NewToken();
        db.Sessions.Add(session);
        db.RefreshTokens.Add(NewRow(session.Id, refreshToken, now, expires));
        await db.SaveChangesAsync(cancellationToken);
        db.ChangeTracker.Clear();
        return (Respond(holder, session.Id, refreshToken), session.Id);
    }

    /// <summary>
    /// Rotates a refresh token: the new token response, or why it was refused. The user's
    /// facts are read first and held still while the token is minted (their row locked, and the
    /// read required to be current through the security stamp): a credential change that commits
    /// meanwhile makes this read again, so no token carries what the change removed.
    /// </summary>
    public async Task<(TokenResponse? Tokens, RefreshFailure? Failure)> RefreshAsync(string presented, ClientInfo client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(presented);
        ArgumentNullException.ThrowIfNull(client);
        if (presented.Length is 0 or > 256)
        {
            return await RefuseAsync("unknown", "The refresh token is invalid", client, null);
        }

        var hash = RefreshTokenCrypto.Hash(presented);
        for (var attempt = 0; attempt < MaxReads; attempt++)
        {
            var now = time.GetUtcNow().UtcDateTime;
            var found = await (
                    from token in db.RefreshTokens.AsNoTracking()
                    join session in db.Sessions on token.SessionId equals session.Id
                    join user in db.Users on session.UserId equals user.Id
                    where token.TokenHash == hash
                    select new
                    {
                        token.Id,
                        token.ExpiresAt,
                        token.ConsumedAt,
                        SessionId = session.Id,
                        session.IsValid,
                        SessionExpiresAt = session.ExpiresAt,
                        Holder = new SessionHolder(user.Id, user.Email, user.Roles, user.TokensValidAfter, user.SecurityStamp),
                        user.IsActive,
                    })
                .FirstOrDefaultAsync(cancellationToken);

            if (found is null)
            {
                return await RefuseAsync("unknown", "The refresh token is invalid", client, null);
            }

            var userId = found.Holder.UserId;
            if (!found.IsValid || !found.IsActive)
            {
                return await RefuseAsync("revoked", "The refresh token has been revoked", client, (userId, found.SessionId));
            }

            if (found.ExpiresAt <= now || found.SessionExpiresAt <= now)
            {
                return await RefuseAsync("expired", "The refresh token has expired", client, (userId, found.SessionId));
            }

            var (outcome, tokens) = found.ConsumedAt is null
                ? await TryRotateAsync(found.Id, found.SessionId, found.Holder, presented, client, now, cancellationToken)
                : (Rotation.AlreadyConsumed, null);
            if (outcome == Rotation.Rotated)
            {
                await events.RefreshedAsync("rotated", userId, found.SessionId);
                return (tokens, null);
            }

            if (outcome == Rotation.AlreadyConsumed)
            {
                // Consumed, by an earlier request or by a concurrent one that just won the race.
                (outcome, tokens) = await ReplayWithinGraceAsync(found.Id, found.SessionId, found.Holder, presented, now, cancellationToken);
                if (outcome == Rotation.Rotated)
                {
                    await events.RefreshedAsync("grace_replay", userId, found.SessionId);
                    return (tokens, null);
                }

                if (outcome == Rotation.AlreadyConsumed)
                {
                    await revoker.RevokeSessionAsync(userId, found.SessionId, "refresh_token_reuse", cancellationToken);
                    await events.RefreshReuseDetectedAsync(userId, found.SessionId, client.IpAddress);
                    return (null, new RefreshFailure("reused", "The refresh token was already used; the session has been revoked"));
                }
            }

            // The user's credentials changed after the read: read again.
        }

        return await RefuseAsync("credentials_changed", "The refresh token has been revoked", client, null);
    }

    /// <summary>How many times a refresh reads the user again when a credential change keeps overtaking it.</summary>
    private const int MaxReads = 3;

    private enum Rotation
    {
        Rotated,
        AlreadyConsumed,
        HolderChanged,
    }

    private async Task<(Rotation, TokenResponse?)> TryRotateAsync(
        Guid tokenId, Guid sessionId, SessionHolder holder, string presented, ClientInfo client, DateTime now, CancellationToken cancellationToken)
    {
        var successor = RefreshTokenCrypto.NewToken();
        var successorRow = NewRow(sessionId, successor, now, now.AddDays(_options.RefreshTokenDays));
        var sealedSuccessor = RefreshTokenCrypto.SealSuccessor(presented, successor);

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (!await HoldAsync(holder, cancellationToken))
        {
            await transaction.RollbackAsync(cancellationToken);
            return (Rotation.HolderChanged, null);
        }

        var consumed = await db.RefreshTokens
            .Where(t => t.Id == tokenId && t.ConsumedAt == null)
            .ExecuteUpdateAsync(set => set
                .SetProperty(t => t.ConsumedAt, now)
                .SetProperty(t => t.SuccessorId, successorRow.Id)
                .SetProperty(t => t.SuccessorCiphertext, sealedSuccessor), cancellationToken);
        if (consumed != 1)
        {
            await transaction.RollbackAsync(cancellationToken);
            return (Rotation.AlreadyConsumed, null);
        }

        // Only a live session moves on: one ended since it was read (a logout) gets nothing.
        var live = await db.Sessions.Where(s => s.Id == sessionId && s.IsValid).ExecuteUpdateAsync(set => set
            .SetProperty(s => s.LastActivity, now)
            .SetProperty(s => s.ExpiresAt, successorRow.ExpiresAt)
            .SetProperty(s => s.IpAddress, client.IpAddress)
            .SetProperty(s => s.UserAgent, client.UserAgent), cancellationToken);
        if (live != 1)
        {
            await transaction.RollbackAsync(cancellationToken);
            return (Rotation.HolderChanged, null);
        }

        db.RefreshTokens.Add(successorRow);
        await db.SaveChangesAsync(cancellationToken);
        db.ChangeTracker.Clear();
        var response = Respond(holder, sessionId, successor); // minted before the commit, while the user's row is held
        await transaction.CommitAsync(cancellationToken);
        return (Rotation.Rotated, response);
    }

    /// <summary>The same successor again within the grace window, minted while the user's row is held; AlreadyConsumed when there is none to give.</summary>
    private async Task<(Rotation, TokenResponse?)> ReplayWithinGraceAsync(
        Guid tokenId, Guid sessionId, SessionHolder holder, string presented, DateTime now, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (!await HoldAsync(holder, cancellationToken))
        {
            await transaction.RollbackAsync(cancellationToken);
            return (Rotation.HolderChanged, null);
        }

        // Held like a rotation: a session ended since it was read gets nothing (its next read refuses it).
        var live = await db.Sessions.Where(s => s.Id == sessionId && s.IsValid)
            .ExecuteUpdateAsync(set => set.SetProperty(s => s.LastActivity, s => s.LastActivity), cancellationToken);
        if (live != 1)
        {
            await transaction.RollbackAsync(cancellationToken);
            return (Rotation.HolderChanged, null);
        }

        if (await SuccessorWithinGraceAsync(tokenId, presented, now, cancellationToken) is not { } successor)
        {
            await transaction.RollbackAsync(cancellationToken);
            return (Rotation.AlreadyConsumed, null);
        }

        var response = Respond(holder, sessionId, successor);
        await transaction.CommitAsync(cancellationToken);
        return (Rotation.Rotated, response);
    }

    /// <summary>
    /// Locks the user's row for the rest of the transaction, if its security stamp is still the
    /// one the holder was read with: a credential change either committed before (false: read
    /// again) or waits until this transaction ends, then revokes what it minted.
    /// </summary>
    private async Task<bool> HoldAsync(SessionHolder holder, CancellationToken cancellationToken) =>
        await db.Users.Where(u => u.Id == holder.UserId && u.SecurityStamp == holder.SecurityStamp && u.IsActive)
            .ExecuteUpdateAsync(set => set.SetProperty(u => u.SecurityStamp, u => u.SecurityStamp), cancellationToken) == 1;

    /// <summary>The successor a concurrent refresh created, if the token was consumed within the grace window and the successor is unused.</summary>
    private async Task<string?> SuccessorWithinGraceAsync(Guid tokenId, string presented, DateTime now, CancellationToken cancellationToken)
    {
        var graceStart = now.AddSeconds(-_options.RefreshReuseGraceSeconds);
        var consumed = await db.RefreshTokens.AsNoTracking()
            .Where(t => t.Id == tokenId && t.ConsumedAt >= graceStart && t.SuccessorCiphertext != null)
            .Select(t => new
            {
                t.SuccessorCiphertext,
                SuccessorUnused = db.RefreshTokens.Any(s => s.Id == t.SuccessorId && s.ConsumedAt == null),
            })
            .FirstOrDefaultAsync(cancellationToken);
        return consumed is { SuccessorUnused: true }
            ? RefreshTokenCrypto.OpenSuccessor(presented, consumed.SuccessorCiphertext!)
            : null;
    }

    private TokenResponse Respond(SessionHolder holder, Guid sessionId, string refreshToken)
    {
        var access = issuer.Issue(new AccessTokenSubject(holder.UserId, holder.Email, holder.Roles, sessionId, holder.TokensValidAfter));
        return new TokenResponse(access.Token, TokenResponse.Bearer, access.ExpiresInSeconds, refreshToken);
    }

    private async Task<(TokenResponse?, RefreshFailure?)> RefuseAsync(string reason, string description, ClientInfo client, (Guid UserId, Guid SessionId)? owner)
    {
        await events.RefreshRefusedAsync(reason, client.IpAddress, owner?.UserId, owner?.SessionId);
        return (null, new RefreshFailure(reason, description));
    }

    private static RefreshToken NewRow(Guid sessionId, string token, DateTime now, DateTime expires) => new()
    {
        Id = Guid.CreateVersion7(),
        SessionId = sessionId,
        TokenHash = RefreshTokenCrypto.Hash(token),
        CreatedAt = now,
        ExpiresAt = expires,
    };
}
