using Cream.Api.Auth.Sessions;
using Cream.Api.Common;
using Cream.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace Cream.Api.Auth.TwoFactor;

/// <summary>A live <c>mfa_token</c> as read back: whose login it is, under which stamp, from which client.</summary>
public sealed record PendingLogin(Guid ChallengeId, Guid UserId, long SecurityStamp, string? UserAgent);

/// <summary>
/// The <c>mfa_token</c>s of logins waiting for their second factor, in the database so that any
/// instance can finish a login another one started. A token is 256 random bits, stored as its
/// SHA-256, lives <see cref="Lifetime"/>, allows <see cref="MaxAttempts"/> codes, and is spent by
/// the statement that deletes its row; expired rows go whenever a new one is written.
/// </summary>
public sealed class MfaChallengeStore(CreamDbContext db, TimeProvider time)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);
    public const int MaxAttempts = 5;
    private const int MaxTokenLength = 128;

    /// <param name="newHash">A password hash upgraded at this login, stored now if the stamp still holds.</param>
    public async Task<string> IssueAsync(Guid userId, long securityStamp, string? newHash, ClientInfo client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var now = time.GetUtcNow().UtcDateTime;
        if (newHash is not null)
        {
            // Stamp unchanged: a rehash is no credential change, and an older stamp means a newer password.
            await db.Users.Where(u => u.Id == userId && u.SecurityStamp == securityStamp)
                .ExecuteUpdateAsync(set => set.SetProperty(u => u.PasswordHash, newHash), cancellationToken);
        }

        await db.MfaChallenges.Where(c => c.ExpiresAt <= now).ExecuteDeleteAsync(cancellationToken);
        var token = RefreshTokenCrypto.NewToken();
        db.MfaChallenges.Add(new MfaChallenge
        {
            Id = Guid.CreateVersion7(),
            TokenHash = RefreshTokenCrypto.Hash(token),
            UserId = userId,
            SecurityStamp = securityStamp,
            UserAgent = client.UserAgent,
            CreatedAt = now,
            ExpiresAt = now + Lifetime,
        });
        await db.SaveChangesAsync(cancellationToken);
        db.ChangeTracker.Clear();
        return token;
    }

    /// <summary>The live login <paramref name="mfaToken"/> names, if it is unexpired and has attempts left.</summary>
    public Task<PendingLogin?> FindAsync(string? mfaToken, CancellationToken cancellationToken)
    {
        if (mfaToken is not { Length: > 0 and <= MaxTokenLength })
        {
            return Task.FromResult<PendingLogin?>(null);
        }

        var hash = RefreshTokenCrypto.Hash(mfaToken);
        var now = time.GetUtcNow().UtcDateTime;
        return db.MfaChallenges.AsNoTracking()
            .Where(c => c.TokenHash == hash && c.ExpiresAt > now && c.FailedAttempts < MaxAttempts)
            .Select(c => new PendingLogin(c.Id, c.UserId, c.SecurityStamp, c.UserAgent))
            .FirstOrDefaultAsync(cancellationToken);
    }

    /// <summary>
    /// Takes one of the token's attempts before its code is checked, so that however many requests
    /// race, no more than <see cref="MaxAttempts"/> codes are ever tried with it; false when none is left.
    /// </summary>
    public async Task<bool> ClaimAttemptAsync(Guid challengeId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        return await db.MfaChallenges
            .Where(c => c.Id == challengeId && c.ExpiresAt > now && c.FailedAttempts < MaxAttempts)
            .ExecuteUpdateAsync(set => set.SetProperty(c => c.FailedAttempts, c => c.FailedAttempts + 1), cancellationToken) == 1;
    }

    /// <summary>Spends the token: true for the one request that deletes its row.</summary>
    public async Task<bool> ConsumeAsync(Guid challengeId, CancellationToken cancellationToken) =>
        await db.MfaChallenges.Where(c => c.Id == challengeId).ExecuteDeleteAsync(cancellationToken) == 1;
}
