using Cream.Api.Auth.Keys;
using Cream.Api.Auth.Tokens;
using Cream.Api.Common;
using Cream.Api.Data;
using Cream.Api.Email;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Cream.Api.Auth.Retention;

/// <summary>How many rows one round deleted from each table.</summary>
public sealed record PruneCounts(int RefreshTokens, int Sessions, int RevokedAccessTokens, int SigningKeys, int Outbox);

/// <summary>
/// Deletes, every <c>Sessions__PruneIntervalMinutes</c>, the rows that no longer serve anyone:
/// consumed refresh tokens past their lifetime, sessions ended or expired more than
/// <c>Sessions__RetentionDays</c> ago with their refresh tokens, revoked <c>jti</c>s past their
/// expiry, retired signing keys past their last token, and (through <see cref="EmailSender"/>)
/// finished outbox messages. Every statement deletes at most <see cref="BatchSize"/> rows chosen
/// by an index, so no lock is held for long; a table is worked through batch after batch.
/// </summary>
public sealed class RetentionPruner(
    IServiceScopeFactory scopes,
    EmailSender emails,
    KeyRing ring,
    AccessTokenKeys tokenKeys,
    RetentionMetrics metrics,
    IOptions<SessionsOptions> options,
    TimeProvider time,
    ILogger<RetentionPruner> logger) : BackgroundService
{
    /// <summary>Rows per statement (<see cref="BatchedDelete"/>).</summary>
    public const int BatchSize = BatchedDelete.Size;

    /// <summary>
    /// How long past its own expiry a consumed refresh token is kept: another instance whose clock
    /// runs behind still treats it as live, and must still see reuse when it is presented.
    /// </summary>
    public static readonly TimeSpan ClockMargin = TimeSpan.FromHours(1);

    private readonly SessionsOptions _options = options.Value;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Periodic.RunAsync(TimeSpan.FromMinutes(_options.PruneIntervalMinutes), time, PruneAsync,
            exception => Log.PruneRoundFailed(logger, exception), stoppingToken);

    /// <summary>One round over every table; a table that fails is reported and the others still go.</summary>
    public async Task<PruneCounts> PruneAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var cutoff = now.AddDays(-_options.RetentionDays);
        // Consumed tokens first: what is left of an old session is then one or two rows.
        var consumed = await StepAsync("refresh_tokens", db => ConsumedTokensAsync(db, now - ClockMargin, cancellationToken), cancellationToken);
        var (sessions, sessionTokens) = await EndedSessionsAsync(cutoff, cancellationToken);
        metrics.Deleted("refresh_tokens", sessionTokens);
        var revoked = await StepAsync("revoked_access_tokens", db => RevokedTokensAsync(db, now, cancellationToken), cancellationToken);
        var keys = await StepAsync("signing_keys", db => RetiredKeysAsync(db, now, cancellationToken), cancellationToken);
        var outbox = await StepAsync("email_outbox", _ => emails.PruneAsync(cancellationToken), cancellationToken, report: false); // the sender logs its own
        return new PruneCounts(consumed + sessionTokens, sessions, revoked, keys, outbox);
    }

    /// <summary>
    /// Rotated tokens whose own lifetime is over: presenting one is refused as expired before any
    /// reuse check, so the row (and its successor link) no longer decides anything. Until then
    /// it stays, so reuse of it still ends the session.
    /// </summary>
    private static Task<int> ConsumedTokensAsync(CreamDbContext db, DateTime expiredBefore, CancellationToken cancellationToken) =>
        BatchedDelete.UntilShortAsync(() => db.RefreshTokens
            .Where(t => t.ConsumedAt != null && t.ExpiresAt < expiredBefore)
            .OrderBy(t => t.ExpiresAt)
            .Take(BatchSize)
            .ExecuteDeleteAsync(cancellationToken), cancellationToken);

    /// <summary>Sessions that expired, then those that were ended, before the cut-off: each batch's tokens first, then the sessions.</summary>
    private async Task<(int Sessions, int Tokens)> EndedSessionsAsync(DateTime cutoff, CancellationToken cancellationToken)
    {
        int sessions = 0, tokens = 0;
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<CreamDbContext>();
            foreach (var ended in new[] { true, false })
            {
                List<Guid> batch;
                do
                {
                    var dead = ended
                        ? db.Sessions.Where(s => s.RevokedAt < cutoff).OrderBy(s => s.RevokedAt)
                        : db.Sessions.Where(s => s.ExpiresAt < cutoff).OrderBy(s => s.ExpiresAt);
                    batch = await dead.Select(s => s.Id).Take(BatchSize).ToListAsync(cancellationToken);
                    if (batch.Count == 0)
                    {
                        break;
                    }

                    tokens += await TokensOfAsync(db, batch, cancellationToken);
                    var gone = await db.Sessions.Where(s => batch.Contains(s.Id)).ExecuteDeleteAsync(cancellationToken);
                    sessions += gone;
                    metrics.Deleted("sessions", gone);
                }
                while (batch.Count == BatchSize && !cancellationToken.IsCancellationRequested);
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.PruneFailed(logger, "sessions", exception);
        }

        Report("sessions", sessions);
        return (sessions, tokens);
    }

    private static Task<int> TokensOfAsync(CreamDbContext db, List<Guid> sessionIds, CancellationToken cancellationToken) =>
        BatchedDelete.UntilShortAsync(() => db.RefreshTokens.Where(t => sessionIds.Contains(t.SessionId))
            .OrderBy(t => t.Id).Take(BatchSize).ExecuteDeleteAsync(cancellationToken), cancellationToken);

    /// <summary>Revoked <c>jti</c>s whose token validation refuses anyway (their row already holds exp plus the skew).</summary>
    private static Task<int> RevokedTokensAsync(CreamDbContext db, DateTime now, CancellationToken cancellationToken) =>
        BatchedDelete.UntilShortAsync(() => db.RevokedAccessTokens.Where(t => t.ExpiresAt < now)
            .OrderBy(t => t.ExpiresAt).Take(BatchSize).ExecuteDeleteAsync(cancellationToken), cancellationToken);

    /// <summary>
    /// Keys retired (no longer loaded by any instance) for a further token lifetime, so no token
    /// they signed can still be live; never the key this instance signs with.
    /// </summary>
    private async Task<int> RetiredKeysAsync(CreamDbContext db, DateTime now, CancellationToken cancellationToken)
    {
        var before = now - tokenKeys.AccessTokenLifetime - tokenKeys.ValidationParameters.ClockSkew;
        var signing = ring.IsLoaded ? ring.SigningKeyId : "";
        return await db.SigningKeys.Where(k => k.RetiresAt != null && k.RetiresAt < before && k.KeyId != signing)
            .ExecuteDeleteAsync(cancellationToken);
    }

    /// <summary>Runs one table's deletion in a scope of its own; counts, logs and reports what it deleted.</summary>
    private async Task<int> StepAsync(string table, Func<CreamDbContext, Task<int>> delete, CancellationToken cancellationToken, bool report = true)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var deleted = await delete(scope.ServiceProvider.GetRequiredService<CreamDbContext>());
            metrics.Deleted(table, deleted);
            if (report)
            {
                Report(table, deleted);
            }

            return deleted;
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.PruneFailed(logger, table, exception);
            return 0;
        }
    }

    private void Report(string table, int deleted)
    {
        if (deleted > 0)
        {
            Log.RowsPruned(logger, deleted, table);
        }
    }
}
