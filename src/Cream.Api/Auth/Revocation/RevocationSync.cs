using Cream.Api.Auth.Profiles;
using Cream.Api.Auth.State;
using Cream.Api.Auth.Tokens;
using Cream.Api.Common;
using Cream.Api.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Cream.Api.Auth.Revocation;

/// <summary>
/// Loads the revocation state from the database at start and again every
/// <see cref="RevocationOptions.ResyncSeconds"/>: the safety net under pub/sub, and the only
/// propagation between instances that share a database but no Redis.
/// </summary>
public sealed class RevocationSync(
    IServiceScopeFactory scopes,
    RevocationList revocations,
    ProfileCache profiles,
    AccessTokenKeys keys,
    TimeProvider time,
    IOptions<RevocationOptions> options,
    ILogger<RevocationSync> logger) : BackgroundService
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await TryResyncAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Periodic.RunAsync(TimeSpan.FromSeconds(options.Value.ResyncSeconds), time, ResyncAsync,
            exception => Log.RevocationResyncFailed(logger, exception), stoppingToken);

    /// <summary>Reloads now; a failure is logged and the current state kept (it only ever errs towards refusing less recently revoked tokens until the next try).</summary>
    public async Task TryResyncAsync(CancellationToken cancellationToken)
    {
        try
        {
            await ResyncAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            Log.RevocationResyncFailed(logger, exception);
        }
    }

    public async Task ResyncAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var startedAt = time.GetTimestamp(); // before reading: later local changes win over this snapshot
            var version = time.GetUtcNow().ToUnixTimeMilliseconds();
            var now = time.GetUtcNow().UtcDateTime;
            // A revocation older than one token lifetime (plus skew) can no longer match a live token.
            var window = now - keys.AccessTokenLifetime - keys.ValidationParameters.ClockSkew;

            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<CreamDbContext>();
            var users = await db.Users.AsNoTracking()
                .Where(u => !u.IsActive || u.TokensValidAfter > window)
                .Select(u => new { u.Id, u.IsActive, u.TokensValidAfter, u.UpdatedAt })
                .ToListAsync(cancellationToken);
            var sessionWindow = window - Revoker.EndedSessionMargin;
            var sessions = await db.Sessions.AsNoTracking()
                .Where(s => s.RevokedAt > sessionWindow)
                .Select(s => new { s.Id, s.RevokedAt })
                .ToListAsync(cancellationToken);
            // Deleted users have no row to read: a tombstone stands in until their last token has expired.
            var deleted = await db.DeletedUsers.AsNoTracking()
                .Where(d => d.DeletedAt > sessionWindow)
                .Select(d => new { d.UserId, d.DeletedAt })
                .ToListAsync(cancellationToken);
            var tokens = await db.RevokedAccessTokens.AsNoTracking()
                .Where(t => t.ExpiresAt > now)
                .Select(t => new { t.TokenId, t.ExpiresAt })
                .ToListAsync(cancellationToken);

            var lifetime = keys.AccessTokenLifetime + keys.ValidationParameters.ClockSkew;
            var snapshot = users
                .Select(u => new StateChange(StateChangeKind.User, u.Id.ToString(), UnixSeconds(u.TokensValidAfter), u.IsActive, UnixMilliseconds(u.UpdatedAt)))
                .Concat(deleted.Select(d => new StateChange(StateChangeKind.User, d.UserId.ToString(), UnixSeconds(d.DeletedAt), false, UnixMilliseconds(d.DeletedAt))))
                .Concat(sessions.Select(s => new StateChange(StateChangeKind.Session, s.Id.ToString(), UnixSeconds(s.RevokedAt!.Value + lifetime + Revoker.EndedSessionMargin), false, version)))
                .Concat(tokens.Select(t => new StateChange(StateChangeKind.Token, t.TokenId, UnixSeconds(t.ExpiresAt), false, version)));
            revocations.Load(snapshot, startedAt);
            revocations.Prune(time.GetUtcNow().ToUnixTimeSeconds());
            profiles.StartOver(); // a lost message may have hidden a profile change
        }
        finally
        {
            _gate.Release();
        }
    }

    private static long UnixSeconds(DateTime? value) => value is { } v ? new DateTimeOffset(DateTime.SpecifyKind(v, DateTimeKind.Utc)).ToUnixTimeSeconds() : 0;

    private static long UnixMilliseconds(DateTime value) => new DateTimeOffset(DateTime.SpecifyKind(value, DateTimeKind.Utc)).ToUnixTimeMilliseconds();

    public override void Dispose()
    {
        _gate.Dispose();
        base.Dispose();
    }
}
