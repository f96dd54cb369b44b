using Cream.Api.Auth.State;
using Cream.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace Cream.Api.Auth.Revocation;

public sealed partial class Revoker
{
    /// <summary>Revokes one access token by its <c>jti</c> until it expires (RFC 7009).</summary>
    public async Task RevokeAccessTokenAsync(Guid userId, string tokenId, DateTime expiresAt, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        // Validation accepts a token until exp + skew, so the revocation must last as long.
        var keepUntil = expiresAt + keys.ValidationParameters.ClockSkew;
        if (keepUntil <= now || await db.RevokedAccessTokens.AnyAsync(t => t.TokenId == tokenId, cancellationToken))
        {
            return;
        }

        var change = new StateChange(StateChangeKind.Token, tokenId, new DateTimeOffset(keepUntil).ToUnixTimeSeconds(), false,
            time.GetUtcNow().ToUnixTimeMilliseconds());
        async Task RevokeAsync(CancellationToken token)
        {
            db.RevokedAccessTokens.Add(new Cream.Api.Auth.Sessions.RevokedAccessToken
            {
                TokenId = tokenId,
                UserId = userId,
                ExpiresAt = keepUntil,
                RevokedAt = now,
            });
            await db.SaveChangesAsync(token);
            await ApplyAsync(change);
        }

        try
        {
            await (_inTransaction ? RevokeAsync(cancellationToken) : InTransactionAsync(RevokeAsync, cancellationToken));
        }
        catch (DbUpdateException exception) when (!_inTransaction && DbErrors.IsUniqueViolation(exception))
        {
            // Revoked twice at once: the other one wrote it and its change row; refuse it here at once all the same.
            db.ChangeTracker.Clear();
            await bus.PublishAsync(change);
        }

        Log.AccessTokenRevoked(logger, userId);
        metrics.Revoked("access_token", "rfc7009_revoke");
    }
}
