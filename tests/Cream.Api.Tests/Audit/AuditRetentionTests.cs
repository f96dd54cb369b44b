using Cream.Api.Audit;
using Cream.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cream.Api.Tests.Audit;

/// <summary><c>Audit__RetentionDays</c>: older events are deleted, periodically, and nothing younger.</summary>
public abstract class AuditRetentionTests(CreamApiFactory factory)
{
    [Fact]
    public async Task Events_older_than_the_retention_are_pruned_every_interval_and_younger_ones_stay()
    {
        var now = factory.Time.GetUtcNow().UtcDateTime;
        var marker = $"retention-{Guid.NewGuid():N}"[..32];
        await factory.WithDbAsync(async db =>
        {
            db.AuthEvents.AddRange(
                Event(marker, now.AddDays(-91)),
                Event(marker, now.AddDays(-89)),
                Event(marker, now));
            return await db.SaveChangesAsync();
        });

        // The next round of the background loop runs once the interval (60 min) has passed.
        factory.Time.Advance(TimeSpan.FromMinutes(61));
        var remaining = await WaitForAsync(marker, count => count == 2);

        // Days, not ticks: PostgreSQL keeps microseconds.
        Assert.Equal([now.AddDays(-89).Date, now.Date], remaining.Select(e => e.OccurredAt.Date).Order().ToList());
    }

    [Fact]
    public async Task A_direct_prune_returns_how_many_it_deleted()
    {
        var marker = $"retention-{Guid.NewGuid():N}"[..32];
        var now = factory.Time.GetUtcNow().UtcDateTime;
        await factory.WithDbAsync(async db =>
        {
            db.AuthEvents.AddRange(Event(marker, now.AddDays(-200)), Event(marker, now.AddDays(-100)), Event(marker, now.AddDays(-1)));
            return await db.SaveChangesAsync();
        });

        var deleted = await factory.Services.GetRequiredService<AuditRetention>().PruneAsync(CancellationToken.None);

        Assert.True(deleted >= 2);
        Assert.Single(await EventsAsync(marker));
    }

    [Fact]
    public async Task A_backlog_larger_than_a_batch_is_deleted_a_batch_per_statement_oldest_first_in_one_round()
    {
        var marker = $"retention-{Guid.NewGuid():N}"[..32];
        var now = factory.Time.GetUtcNow().UtcDateTime;
        var oldest = now.Date.AddDays(-300); // whole seconds: PostgreSQL keeps microseconds, SQLite ticks
        var backlog = AuditRetention.BatchSize * 2 + 10;
        await factory.WithDbAsync(async db =>
        {
            db.AuthEvents.AddRange(Enumerable.Range(0, backlog).Select(i => Event(marker, oldest.AddSeconds(i))));
            db.AuthEvents.Add(Event(marker, now.AddDays(-1)));
            return await db.SaveChangesAsync();
        });
        var retention = factory.Services.GetRequiredService<AuditRetention>();

        // One statement deletes one batch, and the oldest events go first.
        Assert.Equal(AuditRetention.BatchSize, await retention.PruneBatchAsync(CancellationToken.None));
        var left = await EventsAsync(marker);
        Assert.Equal(backlog - AuditRetention.BatchSize + 1, left.Count);
        Assert.Equal(oldest.AddSeconds(AuditRetention.BatchSize), left.Min(e => e.OccurredAt));

        // A round works through the rest of the backlog.
        Assert.True(await retention.PruneAsync(CancellationToken.None) >= backlog - AuditRetention.BatchSize);
        Assert.Equal([now.AddDays(-1).Date], (await EventsAsync(marker)).Select(e => e.OccurredAt.Date).ToList());
    }

    private static AuthEvent Event(string marker, DateTime at) =>
        new() { OccurredAt = at, Type = AuthEventTypes.Login, Outcome = AuthEventOutcomes.Success, Reason = marker };

    private Task<List<AuthEvent>> EventsAsync(string marker) =>
        factory.WithDbAsync(db => db.AuthEvents.AsNoTracking().Where(e => e.Reason == marker).ToListAsync());

    private async Task<List<AuthEvent>> WaitForAsync(string marker, Func<int, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var events = await EventsAsync(marker);
            if (done(events.Count) || DateTime.UtcNow > deadline)
            {
                return events;
            }

            await Task.Delay(50);
        }
    }
}

public sealed class SqliteAuditRetentionTests(SqliteApiFactory factory) : AuditRetentionTests(factory), IClassFixture<SqliteApiFactory>;

public sealed class PostgresAuditRetentionTests(PostgresApiFactory factory) : AuditRetentionTests(factory), IClassFixture<PostgresApiFactory>;
