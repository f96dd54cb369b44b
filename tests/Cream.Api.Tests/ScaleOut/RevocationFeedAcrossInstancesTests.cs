using System.Net;
using Cream.Api.Auth.Revocation;
using Cream.Api.Auth.State;
using Cream.Api.Data;
using Cream.Api.Tests.Auth;
using Cream.Api.Tests.Infrastructure;
using Cream.Api.Tests.Sessions;
using Microsoft.Extensions.DependencyInjection;

namespace Cream.Api.Tests.ScaleOut;

/// <summary>
/// On PostgreSQL a transaction takes its change number when it inserts and may commit after a
/// later number has been read: the resync must still read it when it commits.
/// </summary>
public sealed class RevocationFeedGapTests(PostgresApiFactory factory) : IClassFixture<PostgresApiFactory>
{
    [Fact]
    public async Task A_revocation_that_commits_after_a_later_one_was_read_is_still_read_at_the_next_resync()
    {
        var first = await factory.CreateClient().SignupAsync();
        var second = await factory.CreateClient().SignupAsync();
        var sync = factory.Services.GetRequiredService<RevocationSync>();
        await using var slowScope = factory.Services.CreateAsyncScope();
        await using var fastScope = factory.Services.CreateAsyncScope();
        var slow = slowScope.ServiceProvider.GetRequiredService<CreamDbContext>();
        var fast = fastScope.ServiceProvider.GetRequiredService<CreamDbContext>();

        // Two other instances end a session each; the first takes its number first and commits last.
        await using var slowTransaction = await slow.Database.BeginTransactionAsync();
        slow.RevocationEvents.Add(SessionEnded(RevocationFeedTests.SessionOf(first.AccessToken)));
        await slow.SaveChangesAsync();
        await using (var fastTransaction = await fast.Database.BeginTransactionAsync())
        {
            fast.RevocationEvents.Add(SessionEnded(RevocationFeedTests.SessionOf(second.AccessToken)));
            await fast.SaveChangesAsync();
            await fastTransaction.CommitAsync();
        }

        await sync.ResyncAsync(CancellationToken.None);
        await factory.AssertRefusedAsync(second.AccessToken);
        await factory.AssertAcceptedAsync(first.AccessToken); // not committed yet: nothing to read
        await slowTransaction.CommitAsync();
        await sync.ResyncAsync(CancellationToken.None);

        await factory.AssertRefusedAsync(first.AccessToken);
        Assert.True(slow.RevocationEvents.Single(e => e.Subject == RevocationFeedTests.SessionOf(first.AccessToken)).Sequence
            < fast.RevocationEvents.Single(e => e.Subject == RevocationFeedTests.SessionOf(second.AccessToken)).Sequence);
    }

    [Fact]
    public async Task A_revocation_open_while_the_state_is_loaded_at_start_is_read_once_it_commits_and_an_old_hole_is_not_waited_for()
    {
        var sync = factory.Services.GetRequiredService<RevocationSync>();
        var feed = factory.Services.GetRequiredService<RevocationFeed>();
        await using var slowScope = factory.Services.CreateAsyncScope();
        await using var fastScope = factory.Services.CreateAsyncScope();
        var slow = slowScope.ServiceProvider.GetRequiredService<CreamDbContext>();
        var fast = fastScope.ServiceProvider.GetRequiredService<CreamDbContext>();
        // A hole left long ago (a rolled-back number, say), below a row of the same time.
        var hole = SessionEnded(Guid.NewGuid().ToString());
        fast.RevocationEvents.Add(hole);
        await fast.SaveChangesAsync();
        fast.RevocationEvents.Add(SessionEnded(Guid.NewGuid().ToString()));
        fast.RevocationEvents.Remove(hole);
        await fast.SaveChangesAsync();
        factory.Time.Advance(RevocationFeed.OpenTransactionWindow + TimeSpan.FromMinutes(1));
        var first = await factory.CreateClient().SignupAsync();

        // Another instance's revocation takes its number and has not committed yet; a later one has.
        await using var slowTransaction = await slow.Database.BeginTransactionAsync();
        slow.RevocationEvents.Add(SessionEnded(RevocationFeedTests.SessionOf(first.AccessToken)));
        await slow.SaveChangesAsync();
        fast.RevocationEvents.Add(SessionEnded(Guid.NewGuid().ToString()));
        await fast.SaveChangesAsync();

        await sync.ReloadAsync(CancellationToken.None); // as at start: the feed's place, then the snapshot
        var openAtStart = feed.OpenGaps;
        await slowTransaction.CommitAsync();
        await sync.ResyncAsync(CancellationToken.None);

        Assert.Equal(1, openAtStart); // the open transaction's number, not the old hole's
        await factory.AssertRefusedAsync(first.AccessToken);
        Assert.Equal(0, feed.OpenGaps);
    }

    private RevocationEvent SessionEnded(string sessionId)
    {
        var now = factory.Time.GetUtcNow();
        return RevocationEvent.From(
            new StateChange(StateChangeKind.Session, sessionId, now.AddMinutes(32).ToUnixTimeSeconds(), false, now.ToUnixTimeMilliseconds()),
            now.UtcDateTime);
    }
}

/// <summary>With Redis down, a revocation on one instance reaches the other through the change feed within one resync interval.</summary>
[Collection(RedisOutageGroup.Name)]
public sealed class RevocationFeedWithoutRedisTests(TwoInstances instances) : IClassFixture<TwoInstances>
{
    [Fact]
    public async Task With_redis_stopped_a_logout_on_one_instance_is_refused_by_the_other_at_its_next_resync()
    {
        var user = await instances.A.CreateClient().SignupAsync();
        using var onB = instances.B.CreateClient(user.AccessToken);
        Assert.Equal(HttpStatusCode.OK, (await onB.GetAsync("/api/auth/me")).StatusCode);
        await TwoInstances.StopRedisAsync();
        try
        {
            using var logout = await instances.A.CreateClient(user.AccessToken).PostAsync("/api/auth/logout", null);
            Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);

            instances.Advance(TimeSpan.FromSeconds(new RevocationOptions().ResyncSeconds)); // one resync interval on both clocks
            var refused = await TwoInstances.WaitUntilAsync(
                async () => (await onB.GetAsync("/api/auth/me")).StatusCode == HttpStatusCode.Unauthorized, TimeSpan.FromSeconds(10));

            Assert.NotNull(refused);
        }
        finally
        {
            TwoInstances.StartRedis();
        }
    }
}
