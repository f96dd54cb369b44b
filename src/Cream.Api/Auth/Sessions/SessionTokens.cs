using Cream.Api.Auth.Revocation;
using Cream.Api.Auth.Tokens;
using Cream.Api.Common;
using Cream.Api.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Cream.Api.Auth.Sessions;

/// <summary>The user facts a session's tokens are issued from, read with the session, and the security stamp they were read under.</summary>
/// <param name="Amr">How the session was signed in (RFC 8176); a password alone when null.</param>
/// <param name="DpopKey">The DPoP key the session is bound to (its thumbprint), or null.</param>
public sealed record SessionHolder(
    Guid UserId, string Email, IReadOnlyList<string> Roles, DateTime? TokensValidAfter, long SecurityStamp, bool EmailVerified,
    IReadOnlyList<string>? Amr = null, string? DpopKey = null)
{
    public IReadOnlyList<string> Methods => Amr ?? AuthenticationMethods.PasswordOnly;
}

/// <summary>Why a refresh token was refused: a reason for logs and the RFC 6749 description.</summary>
public sealed record RefreshFailure(string Reason, string Description)
{
    /// <summary>The token is fine but bound to a DPoP key this request did not prove (RFC 9449 §5): nothing changed.</summary>
    public bool IsDpopProblem => Reason.StartsWith("dpop_", StringComparison.Ordinal);
}

/// <summary>
/// Opens sessions and rotates their refresh tokens. Rotation consumes the presented token
/// with one conditional UPDATE, so of any number of concurrent refreshes exactly one creates a
/// successor; the others, within the grace window, receive that same successor. After the
/// window a consumed token is reuse, and reuse ends the whole session.
/// </summary>
public sealed class SessionTokens(
    CreamDbContext db,
    AccessTokenIssuer issuer,
    RefreshRotation rotation,
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
            Amr = AuthenticationMethods.Store(holder.Methods),
            DpopKey = client.DpopKey,
        };
        var refreshToken = RefreshTokenCrypto.NewToken();
        db.Sessions.Add(session);
        db.RefreshTokens.Add(RefreshRotation.NewRow(session.Id, refreshToken, now, expires));
        await db.SaveChangesAsync(cancellationToken);
        db.ChangeTracker.Clear();
        return (Respond(holder with { DpopKey = client.DpopKey }, session.Id, refreshToken), session.Id);
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
                        Holder = new SessionHolder(user.Id, user.Email, user.Roles, user.TokensValidAfter, user.SecurityStamp, user.IsVerified, AuthenticationMethods.Read(session.Amr), session.DpopKey),
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

            if (found.Holder.DpopKey is { } boundKey && !string.Equals(boundKey, client.DpopKey, StringComparison.Ordinal))
            {
                // Refused before anything is consumed or revoked: a thief with the refresh token
                // but not the key can neither use it nor end the owner's session by "reuse".
                return await RefuseAsync(client.DpopKey is null ? "dpop_proof_missing" : "dpop_key_mismatch",
                    "This refresh token is bound to a DPoP key: send a DPoP proof signed with that key.", client, (userId, found.SessionId));
            }

            var (outcome, tokens) = found.ConsumedAt is null
                ? await rotation.TryRotateAsync(new(found.Id, found.SessionId, found.Holder, presented, now), client, Respond, cancellationToken)
                : (Rotation.AlreadyConsumed, null);
            if (outcome == Rotation.Rotated)
            {
                await events.RefreshedAsync("rotated", userId, found.SessionId);
                return (tokens, null);
            }

            if (outcome == Rotation.AlreadyConsumed)
            {
                // Consumed, by an earlier request or by a concurrent one that just won the race. A
                // bound session's key proved this is its client, whose reply was lost: the unused
                // successor is its own at any time (RFC 9449 makes a stolen token useless anyway).
                var lostReply = found.Holder.DpopKey is not null;
                (outcome, tokens) = await rotation.ReplayAsync(
                    new(found.Id, found.SessionId, found.Holder, presented, now), Respond, withinGraceOnly: !lostReply, cancellationToken);
                if (outcome == Rotation.Rotated)
                {
                    await events.RefreshedAsync(lostReply ? "lost_reply_replay" : "grace_replay", userId, found.SessionId);
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

    private TokenResponse Respond(SessionHolder holder, Guid sessionId, string refreshToken)
    {
        var access = issuer.Issue(new AccessTokenSubject(
            holder.UserId, holder.Email, holder.Roles, sessionId, holder.TokensValidAfter, holder.EmailVerified, holder.Methods, holder.DpopKey));
        return new TokenResponse(access.Token, holder.DpopKey is null ? TokenResponse.Bearer : TokenResponse.DPoP, access.ExpiresInSeconds, refreshToken);
    }

    private async Task<(TokenResponse?, RefreshFailure?)> RefuseAsync(string reason, string description, ClientInfo client, (Guid UserId, Guid SessionId)? owner)
    {
        await events.RefreshRefusedAsync(reason, client.IpAddress, owner?.UserId, owner?.SessionId);
        return (null, new RefreshFailure(reason, description));
    }
}
