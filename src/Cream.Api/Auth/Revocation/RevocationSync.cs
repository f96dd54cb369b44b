using Cream.Api.Auth.Profiles;
using Cream.Api.Auth.State;
using Cream.Api.Auth.Tokens;
using Cream.Api.Common;
using Cream.Api.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Cream.Api.Auth.Revocation;

/// <summary>
/// Loads the revocation state from the database at start, then every
/// <see cref="RevocationOptions.ResyncSeconds"/> reads only what changed since
/// (<see cref="RevocationFeed"/>): the safety net under pub/sub, and the only propagation
/// between instances that share a database but no Redis.
/// </summary>
public sealed class RevocationSync(
    IServiceScopeFactory scopes,
    RevocationList revocations,
    RevocationFeed feed,
    StateConsumers consumers,
    ProfileCache profiles,
    AccessTokenKeys keys,
    TimeProvider time,
    IOptions<RevocationOptions> options,
    ILogger<RevocationSync> logger) : BackgroundService
{
    /// <summary>How often this instance deletes change rows no live token can need any more.</summary>
    private static readonly TimeSpan PruneEvery = TimeSpan.FromMinutes(1);

    private readonly SemaphoreSlim _gate = new(1, 1);
    private bool _loaded;
    private DateTime _prunedAt;

    /// <summary>How long any revocation can matter: one token lifetime, the clock skew, and the ended-session margin.</summary>
    private TimeSpan Relevance => keys.AccessTokenLifetime + keys.ValidationParameters.ClockSkew + Revoker.EndedSessionMargin;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await TryResyncAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Periodic.RunAsync(TimeSpan.FromSeconds(options.Value.ResyncSeconds), time, ResyncAsync,
            exception => Log.RevocationResyncFailed(logger, exception), stoppingToken);

    /// <summary>
    /// Catches up now (after Redis was unreachable, when messages may have been lost): the changes
    /// since the last read, and every cached profile dropped, since a lost message may have hidden
    /// a profile change. A failure is logged and the current state kept.
    /// </summary>
    public async Task TryResyncAsync(CancellationToken cancellationToken)
    {
        try
        {
            await ResyncAsync(cancellationToken);
            profiles.StartOver();
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            Log.RevocationResyncFailed(logger, exception);
        }
    }

    /// <summary>Reads the changes since the last read (the whole snapshot the first time) and applies them.</summary>
    public async Task ResyncAsync(CancellationToken cancellationToken)
    {
        if (!_loaded)
        {
            await ReloadAsync(cancellationToken);
            return;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            var now = time.GetUtcNow().UtcDateTime;
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<CreamDbContext>();
            var (changes, gapsGivenUp) = await feed.ReadAsync(db, now, Relevance, cancellationToken);
            foreach (var change in changes)
            {
                consumers.Deliver(change.ToChange()); // the profile cache drops just these users
            }

            if (gapsGivenUp > 0)
            {
                Log.RevocationGapsGivenUp(logger, gapsGivenUp);
            }

            var dropped = revocations.Tidy(time.GetUtcNow().ToUnixTimeSeconds(), (long)(keys.AccessTokenLifetime + keys.ValidationParameters.ClockSkew).TotalSeconds);
            if (now - _prunedAt >= PruneEvery)
            {
                _prunedAt = now;
                var pruned = await RevocationFeed.PruneAsync(db, now - Relevance - PruneEvery, cancellationToken);
                Log.RevocationFeedPruned(logger, pruned, dropped);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Reads the whole state from the revoked rows themselves, as at start: where the feed stands
    /// first (so that what commits meanwhile is read next time), then every revocation that can
    /// still match a live token. Cached profiles are dropped.
    /// </summary>
    public async Task ReloadAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var startedAt = time.GetTimestamp(); // before reading: later local changes win over this snapshot
            var now = time.GetUtcNow().UtcDateTime;
            await ReadAsync(db => feed.StartAsync(db, now, cancellationToken));
            var feedTook = (long)time.GetElapsedTime(startedAt).TotalMilliseconds;

            // Streamed into the state as read, each kind on a connection of its own: the reads
            // overlap, the database producing rows while this process files them.
            var loading = revocations.BeginLoad(startedAt);
            await Task.WhenAll(
                ReadAsync(db => ReadUsersAsync(db, loading, now, cancellationToken)),
                ReadAsync(db => ReadSessionsAsync(db, loading, now, cancellationToken)),
                ReadAsync(db => ReadTokensAsync(db, loading, now, cancellationToken)));
            loading.Complete(time.GetUtcNow().ToUnixTimeSeconds());
            profiles.StartOver();
            _loaded = true;
            var took = (long)time.GetElapsedTime(startedAt).TotalMilliseconds;
            var entries = revocations.Count;
            Log.RevocationStateLoaded(logger, took, feedTook, entries, feed.Cursor, feed.OpenGaps);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task ReadAsync(Func<CreamDbContext, Task> read)
    {
        await using var scope = scopes.CreateAsyncScope();
        await read(scope.ServiceProvider.GetRequiredService<CreamDbContext>());
    }

    /// <summary>A revocation older than one token lifetime (plus skew) can no longer match a live token.</summary>
    private DateTime Window(DateTime now) => now - keys.AccessTokenLifetime - keys.ValidationParameters.ClockSkew;

    private async Task ReadUsersAsync(CreamDbContext db, RevocationList.Snapshot loading, DateTime now, CancellationToken cancellationToken)
    {
        // Disabled users are cut off when disabled and cannot sign in since: their cut-off bounds them too.
        var window = Window(now);
        await SnapshotRows.ReadAsync(db, db.Users.Where(u => u.TokensValidAfter > window).Select(u => new { u.Id, u.IsActive, u.TokensValidAfter, u.UpdatedAt }), row =>
        {
            int id = row.GetOrdinal("Id"), active = row.GetOrdinal("IsActive"), validAfter = row.GetOrdinal("TokensValidAfter"), updatedAt = row.GetOrdinal("UpdatedAt");
            return () => loading.User(row.GetGuid(id), UnixSeconds(row.GetDateTime(validAfter)), row.GetBoolean(active), UnixMilliseconds(row.GetDateTime(updatedAt)));
        }, cancellationToken);

        // Deleted users have no row to read: a tombstone stands in until their last token has expired.
        var deletedWindow = window - Revoker.EndedSessionMargin;
        await SnapshotRows.ReadAsync(db, db.DeletedUsers.Where(d => d.DeletedAt > deletedWindow).Select(d => new { d.UserId, d.DeletedAt }), row =>
        {
            int id = row.GetOrdinal("UserId"), deletedAt = row.GetOrdinal("DeletedAt");
            return () =>
            {
                var at = row.GetDateTime(deletedAt);
                loading.User(row.GetGuid(id), UnixSeconds(at), false, UnixMilliseconds(at));
            };
        }, cancellationToken);
    }

    private async Task ReadSessionsAsync(CreamDbContext db, RevocationList.Snapshot loading, DateTime now, CancellationToken cancellationToken)
    {
        var sessionWindow = Window(now) - Revoker.EndedSessionMargin;
        var sessionKept = (long)(keys.AccessTokenLifetime + keys.ValidationParameters.ClockSkew + Revoker.EndedSessionMargin).TotalSeconds;
        await SnapshotRows.ReadAsync(db, db.Sessions.Where(s => s.RevokedAt > sessionWindow).Select(s => new { s.Id, s.RevokedAt }), row =>
        {
            int id = row.GetOrdinal("Id"), revokedAt = row.GetOrdinal("RevokedAt");
            return () => loading.Session(row.GetGuid(id), UnixSeconds(row.GetDateTime(revokedAt)) + sessionKept);
        }, cancellationToken);
    }

    private static Task ReadTokensAsync(CreamDbContext db, RevocationList.Snapshot loading, DateTime now, CancellationToken cancellationToken) =>
        SnapshotRows.ReadAsync(db, db.RevokedAccessTokens.Where(t => t.ExpiresAt > now).Select(t => new { t.TokenId, t.ExpiresAt }), row =>
        {
            int id = row.GetOrdinal("TokenId"), expiresAt = row.GetOrdinal("ExpiresAt");
            return () => loading.Token(row.GetString(id), UnixSeconds(row.GetDateTime(expiresAt)));
        }, cancellationToken);

    private static long UnixSeconds(DateTime value) => new DateTimeOffset(DateTime.SpecifyKind(value, DateTimeKind.Utc)).ToUnixTimeSeconds();

    private static long UnixMilliseconds(DateTime value) => new DateTimeOffset(DateTime.SpecifyKind(value, DateTimeKind.Utc)).ToUnixTimeMilliseconds();

    public override void Dispose()
    {
        _gate.Dispose();
        base.Dispose();
    }
}
