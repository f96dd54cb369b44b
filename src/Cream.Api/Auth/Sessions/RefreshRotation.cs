using Cream.Api.Auth.Tokens;
using Cream.Api.Common;
using Cream.Api.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Cream.Api.Auth.Sessions;

public enum Rotation
{
    Rotated,
    AlreadyConsumed,
    HolderChanged,
}

/// <summary>A presented refresh token as <see cref="SessionTokens"/> read it: its row, its session, its user.</summary>
public sealed record PresentedRefresh(Guid TokenId, Guid SessionId, SessionHolder Holder, string Token, DateTime Now);

/// <summary>Mints the token response for a session while the user's row is held.</summary>
public delegate TokenResponse MintTokens(SessionHolder holder, Guid sessionId, string refreshToken);

/// <summary>
/// The two transactions a refresh can end in: consuming the token for a successor, or handing a
/// concurrent refresh's successor out again within the grace window. Both hold the user's row
/// (checked against the security stamp read with the token) and require a live session, and
/// mint before they commit.
/// </summary>
public sealed class RefreshRotation(CreamDbContext db, IOptions<JwtOptions> jwtOptions)
{
    private readonly JwtOptions _options = jwtOptions.Value;

    public async Task<(Rotation, TokenResponse?)> TryRotateAsync(
        PresentedRefresh presented, ClientInfo client, MintTokens mint, CancellationToken cancellationToken)
    {
        var now = presented.Now;
        // A bearer session stays one: binding it on refresh would let a thief with its refresh
        // token bind it to their key and turn the owner's next refresh from reuse (which ends
        // the session) into a harmless key mismatch. A proof still binds the access token.
        var boundKey = presented.Holder.DpopKey;
        var tokenKey = boundKey ?? client.DpopKey;
        var successor = RefreshTokenCrypto.NewToken();
        var successorRow = NewRow(presented.SessionId, successor, now, now.AddDays(_options.RefreshTokenDays));
        var sealedSuccessor = RefreshTokenCrypto.SealSuccessor(presented.Token, successor);

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (!await HoldAsync(presented.Holder, cancellationToken))
        {
            await transaction.RollbackAsync(cancellationToken);
            return (Rotation.HolderChanged, null);
        }

        var consumed = await db.RefreshTokens
            .Where(t => t.Id == presented.TokenId && t.ConsumedAt == null)
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
        var live = await db.Sessions.Where(s => s.Id == presented.SessionId && s.IsValid).ExecuteUpdateAsync(set => set
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
        var response = mint(presented.Holder with { DpopKey = tokenKey }, presented.SessionId, successor); // before the commit, while the user's row is held
        await transaction.CommitAsync(cancellationToken);
        return (Rotation.Rotated, response);
    }

    /// <summary>
    /// The same successor again, while it is unused: within the grace window, or at any time
    /// (<paramref name="withinGraceOnly"/> false: a DPoP-bound session's own key asked). Minted
    /// while the user's row is held; AlreadyConsumed when there is none to give.
    /// </summary>
    public async Task<(Rotation, TokenResponse?)> ReplayAsync(PresentedRefresh presented, MintTokens mint, bool withinGraceOnly, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (!await HoldAsync(presented.Holder, cancellationToken))
        {
            await transaction.RollbackAsync(cancellationToken);
            return (Rotation.HolderChanged, null);
        }

        // Held like a rotation: a session ended since it was read gets nothing (its next read refuses it).
        var live = await db.Sessions.Where(s => s.Id == presented.SessionId && s.IsValid)
            .ExecuteUpdateAsync(set => set.SetProperty(s => s.LastActivity, s => s.LastActivity), cancellationToken);
        if (live != 1)
        {
            await transaction.RollbackAsync(cancellationToken);
            return (Rotation.HolderChanged, null);
        }

        if (await UnusedSuccessorAsync(presented, withinGraceOnly, cancellationToken) is not { } successor)
        {
            await transaction.RollbackAsync(cancellationToken);
            return (Rotation.AlreadyConsumed, null);
        }

        var response = mint(presented.Holder, presented.SessionId, successor);
        await transaction.CommitAsync(cancellationToken);
        return (Rotation.Rotated, response);
    }

    public static RefreshToken NewRow(Guid sessionId, string token, DateTime now, DateTime expires) => new()
    {
        Id = Guid.CreateVersion7(),
        SessionId = sessionId,
        TokenHash = RefreshTokenCrypto.Hash(token),
        CreatedAt = now,
        ExpiresAt = expires,
    };

    /// <summary>
    /// Locks the user's row for the rest of the transaction, if its security stamp is still the
    /// one the holder was read with: a credential change either committed before (false: read
    /// again) or waits until this transaction ends, then revokes what it minted.
    /// </summary>
    private async Task<bool> HoldAsync(SessionHolder holder, CancellationToken cancellationToken) =>
        await db.Users.Where(u => u.Id == holder.UserId && u.SecurityStamp == holder.SecurityStamp && u.IsActive)
            .ExecuteUpdateAsync(set => set.SetProperty(u => u.SecurityStamp, u => u.SecurityStamp), cancellationToken) == 1;

    /// <summary>The successor an earlier or concurrent refresh created, if it is unused (and, when asked, made within the grace window).</summary>
    private async Task<string?> UnusedSuccessorAsync(PresentedRefresh presented, bool withinGraceOnly, CancellationToken cancellationToken)
    {
        var tokens = db.RefreshTokens.AsNoTracking().Where(t => t.Id == presented.TokenId && t.SuccessorCiphertext != null);
        if (withinGraceOnly)
        {
            var graceStart = presented.Now.AddSeconds(-_options.RefreshReuseGraceSeconds);
            tokens = tokens.Where(t => t.ConsumedAt >= graceStart);
        }

        var consumed = await tokens
            .Select(t => new
            {
                t.SuccessorCiphertext,
                SuccessorUnused = db.RefreshTokens.Any(s => s.Id == t.SuccessorId && s.ConsumedAt == null),
            })
            .FirstOrDefaultAsync(cancellationToken);
        return consumed is { SuccessorUnused: true }
            ? RefreshTokenCrypto.OpenSuccessor(presented.Token, consumed.SuccessorCiphertext!)
            : null;
    }
}
