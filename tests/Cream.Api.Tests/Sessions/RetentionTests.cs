using System.Diagnostics.Metrics;
using System.Net;
using System.Security.Cryptography;
using Cream.Api.Auth.Keys;
using Cream.Api.Auth.Retention;
using Cream.Api.Auth.Sessions;
using Cream.Api.Email;
using Cream.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Cream.Api.Tests.Sessions;

/// <summary>
/// <c>Sessions__RetentionDays</c> and the background pruner: what no longer serves anyone is
/// deleted, what reuse detection or a live token still needs is kept. This class has a service
/// of its own (its clock moves by days); each test starts from the clock's current time.
/// </summary>
public abstract class RetentionTests(CreamApiFactory factory)
{
    private static readonly TimeSpan RefreshLifetime = TimeSpan.FromDays(7);

    private readonly HttpClient _client = factory.CreateClient();

    private RetentionPruner Pruner => factory.Services.GetRequiredService<RetentionPruner>();

    [Fact]
    public async Task A_rotated_token_is_kept_and_its_reuse_detected_right_up_to_its_lifetime()
    {
        var user = await _client.SignupAsync();
        var second = await _client.RefreshAsync(user.RefreshToken); // the first token is rotated now
        factory.Time.Advance(TimeSpan.FromDays(1));
        var third = await _client.RefreshAsync(second.RefreshToken); // the session now lasts a day longer than the first token

        factory.Time.Advance(RefreshLifetime - TimeSpan.FromDays(1) - TimeSpan.FromMinutes(1));
        await Pruner.PruneAsync(CancellationToken.None);
        using var reuse = await _client.PostRefreshAsync(user.RefreshToken);

        Assert.Contains("already used", await SessionApi.AssertInvalidGrantAsync(reuse), StringComparison.Ordinal);
        await factory.AssertRefreshRefusedAsync(third.RefreshToken); // the reuse ended the session
    }

    [Fact]
    public async Task Rotated_tokens_past_their_lifetime_are_deleted_and_the_live_chain_keeps_working()
    {
        var user = await _client.SignupAsync();
        var second = await _client.RefreshAsync(user.RefreshToken);
        factory.Time.Advance(TimeSpan.FromDays(2));
        var third = await _client.RefreshAsync(second.RefreshToken);
        var sessionId = SessionApi.SessionIdOf(third.AccessToken);

        factory.Time.Advance(RefreshLifetime - TimeSpan.FromDays(2) + RetentionPruner.ClockMargin + TimeSpan.FromMinutes(1));
        await Pruner.PruneAsync(CancellationToken.None);

        var left = await factory.WithDbAsync(db => db.RefreshTokens.Where(t => t.SessionId == sessionId).Select(t => t.TokenHash).ToListAsync());
        Assert.Equal([SessionApi.Sha256(third.RefreshToken)], left);
        using var old = await _client.PostRefreshAsync(user.RefreshToken);
        await SessionApi.AssertInvalidGrantAsync(old); // unknown now, as it was expired before
        await _client.RefreshAsync(third.RefreshToken);
    }

    [Fact]
    public async Task Sessions_ended_or_expired_past_the_retention_go_with_their_tokens_and_younger_ones_stay()
    {
        var now = factory.Time.GetUtcNow().UtcDateTime;
        var userId = (await _client.SignupAsync()).Id;
        var endedLongAgo = Session(userId, created: now.AddDays(-40), expires: now.AddDays(-25), revoked: now.AddDays(-31));
        var expiredLongAgo = Session(userId, created: now.AddDays(-45), expires: now.AddDays(-31));
        var endedRecently = Session(userId, created: now.AddDays(-35), expires: now.AddDays(-20), revoked: now.AddDays(-29));
        var expiredRecently = Session(userId, created: now.AddDays(-40), expires: now.AddDays(-29));
        var live = Session(userId, created: now.AddDays(-1), expires: now.AddDays(6));
        var sessions = new[] { endedLongAgo, expiredLongAgo, endedRecently, expiredRecently, live };
        await factory.WithDbAsync(db =>
        {
            db.Sessions.AddRange(sessions);
            db.RefreshTokens.AddRange(sessions.Select(s => Token(s.Id, s.CreatedAt, s.ExpiresAt)));
            return db.SaveChangesAsync();
        });

        await Pruner.PruneAsync(CancellationToken.None);

        var ids = sessions.Select(s => s.Id).ToList();
        var kept = await factory.WithDbAsync(db => db.Sessions.Where(s => ids.Contains(s.Id)).Select(s => s.Id).ToListAsync());
        var keptTokens = await factory.WithDbAsync(db => db.RefreshTokens.Where(t => ids.Contains(t.SessionId)).Select(t => t.SessionId).ToListAsync());
        Guid[] expected = [endedRecently.Id, expiredRecently.Id, live.Id];
        Assert.Equal(expected.Order(), kept.Order());
        Assert.Equal(expected.Order(), keptTokens.Order());
    }

    [Fact]
    public async Task A_backlog_larger_than_one_batch_is_worked_through_in_one_round()
    {
        var now = factory.Time.GetUtcNow().UtcDateTime;
        var userId = (await _client.SignupAsync()).Id;
        var session = Session(userId, created: now.AddDays(-20), expires: now.AddDays(5));
        var rows = RetentionPruner.BatchSize * 2 + 10;
        await factory.WithDbAsync(db =>
        {
            db.Sessions.Add(session);
            db.RefreshTokens.AddRange(Enumerable.Range(0, rows).Select(i =>
                Token(session.Id, now.AddDays(-20), now.AddDays(-10), consumed: now.AddDays(-19))));
            db.RefreshTokens.Add(Token(session.Id, now.AddDays(-2), now.AddDays(5)));
            return db.SaveChangesAsync();
        });

        await Pruner.PruneAsync(CancellationToken.None);

        Assert.Equal(1, await factory.WithDbAsync(db => db.RefreshTokens.CountAsync(t => t.SessionId == session.Id)));
    }

    [Fact]
    public async Task Revoked_jtis_go_after_their_expiry_and_retired_keys_after_their_last_token()
    {
        var now = factory.Time.GetUtcNow().UtcDateTime;
        var userId = (await _client.SignupAsync()).Id;
        using var deleted = new MetricCollector<long>(factory.Services.GetRequiredService<IMeterFactory>(), RetentionMetrics.MeterName, "cream.retention.deleted");
        var marker = Guid.NewGuid().ToString("N")[..16];
        var tail = TimeSpan.FromMinutes(30) + TimeSpan.FromSeconds(30);
        await factory.WithDbAsync(db =>
        {
            db.RevokedAccessTokens.AddRange(
                new RevokedAccessToken { TokenId = $"{marker}-expired", UserId = userId, ExpiresAt = now.AddSeconds(-1), RevokedAt = now.AddMinutes(-20) },
                new RevokedAccessToken { TokenId = $"{marker}-live", UserId = userId, ExpiresAt = now.AddMinutes(1), RevokedAt = now.AddMinutes(-29) });
            db.SigningKeys.AddRange(
                Key($"{marker}-gone", retires: now - tail - TimeSpan.FromMinutes(1)),
                Key($"{marker}-verifying", retires: now - tail + TimeSpan.FromMinutes(1)),
                Key($"{marker}-retiring", retires: now.AddMinutes(10)),
                Key($"{marker}-current", retires: null));
            return db.SaveChangesAsync();
        });

        await Pruner.PruneAsync(CancellationToken.None);

        // Counted by table, whichever round deleted them (a clock jump of an earlier test also wakes the pruner).
        Assert.Contains(deleted.GetMeasurementSnapshot(), m => Equals(m.Tags["table"], "revoked_access_tokens") && m.Value >= 1);
        Assert.Contains(deleted.GetMeasurementSnapshot(), m => Equals(m.Tags["table"], "signing_keys") && m.Value >= 1);
        Assert.Equal([$"{marker}-live"], await factory.WithDbAsync(db =>
            db.RevokedAccessTokens.Where(t => t.TokenId.StartsWith(marker)).Select(t => t.TokenId).ToListAsync()));
        var keys = await factory.WithDbAsync(db => db.SigningKeys.Where(k => k.KeyId.StartsWith(marker)).Select(k => k.KeyId).ToListAsync());
        Assert.Equal([$"{marker}-current", $"{marker}-retiring", $"{marker}-verifying"], keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task The_round_also_deletes_finished_outbox_messages_through_the_email_sender()
    {
        var now = factory.Time.GetUtcNow().UtcDateTime;
        var subject = $"Retention {Guid.NewGuid():N}";
        await factory.WithDbAsync(db =>
        {
            db.OutboxMessages.Add(new OutboxMessage
            {
                Id = Guid.CreateVersion7(), Recipient = ApiHelpers.NewEmail(), Subject = subject, Text = "", Html = "",
                CreatedAt = now.AddDays(-10), NextAttemptAt = now.AddDays(-10), SentAt = now.AddDays(-9),
            });
            return db.SaveChangesAsync();
        });

        await Pruner.PruneAsync(CancellationToken.None);

        Assert.False(await factory.WithDbAsync(db => db.OutboxMessages.AnyAsync(m => m.Subject == subject)));
    }

    [Fact]
    public async Task Under_steady_traffic_the_row_counts_stop_growing_after_the_retention_window()
    {
        // Every half day: one login; every session younger than two days refreshes; at two days
        // old, odd sessions log out and even ones are left to expire; one access token revoked.
        await Pruner.PruneAsync(CancellationToken.None); // start from what earlier tests left, pruned
        var user = await _client.SignupAsync();
        var open = new List<(int Born, TokenBody Tokens)>();
        var history = new List<(int RefreshTokens, int Sessions, int RevokedAccessTokens)>();
        const int Steps = 100; // 50 days: the window (30 days) after the longest life (2 + 7 days)
        for (var step = 0; step < Steps; step++)
        {
            factory.Time.Advance(TimeSpan.FromHours(12));
            var login = await _client.LoginAsync(user.Email, user.Password);
            open.Add((step, login));
            using (var revoke = await _client.PostFormAsync("/api/auth/revoke", ("token", login.AccessToken)))
            {
                Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
            }

            for (var i = open.Count - 1; i >= 0; i--)
            {
                var (born, tokens) = open[i];
                if (step - born < 4)
                {
                    open[i] = (born, await _client.RefreshAsync(tokens.RefreshToken));
                    continue;
                }

                if (born % 2 == 1)
                {
                    var fresh = await _client.RefreshAsync(tokens.RefreshToken); // its access token has long expired
                    using var logout = await factory.CreateClient(fresh.AccessToken).PostAsync("/api/auth/logout", null);
                    Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
                }

                open.RemoveAt(i);
            }

            await Pruner.PruneAsync(CancellationToken.None);
            history.Add(await factory.RowCountsAsync());
        }

        // Traffic repeats every two steps, so once the window has passed the counts repeat too.
        for (var step = Steps - 16; step < Steps; step++)
        {
            Assert.Equal(history[step - 2], history[step]);
        }

        Assert.True(history[^1].Sessions < Steps, $"{history[^1].Sessions} sessions kept of {Steps} opened");
        Assert.Equal(1, history[^1].RevokedAccessTokens); // this step's, until its token expires
    }

    private static Session Session(Guid userId, DateTime created, DateTime expires, DateTime? revoked = null) => new()
    {
        Id = Guid.CreateVersion7(),
        UserId = userId,
        CreatedAt = created,
        LastActivity = created,
        ExpiresAt = expires,
        IsValid = revoked is null,
        RevokedAt = revoked,
    };

    private static RefreshToken Token(Guid sessionId, DateTime created, DateTime expires, DateTime? consumed = null) => new()
    {
        Id = Guid.CreateVersion7(),
        SessionId = sessionId,
        TokenHash = RandomNumberGenerator.GetBytes(32),
        CreatedAt = created,
        ExpiresAt = expires,
        ConsumedAt = consumed,
    };

    private static StoredSigningKey Key(string kid, DateTime? retires) => new()
    {
        KeyId = kid,
        Algorithm = "ES256",
        ProtectedPrivateKey = "unused",
        CreatedAt = DateTime.UnixEpoch,
        ActivatesAt = DateTime.UnixEpoch,
        RetiresAt = retires,
    };
}

public sealed class SqliteRetentionTests(SqliteApiFactory factory) : RetentionTests(factory), IClassFixture<SqliteApiFactory>;

public sealed class PostgresRetentionTests(PostgresApiFactory factory) : RetentionTests(factory), IClassFixture<PostgresApiFactory>;
