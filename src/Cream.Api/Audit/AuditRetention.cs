using Cream.Api.Common;
using Cream.Api.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Cream.Api.Audit;

/// <summary>
/// Deletes audit events older than <c>Audit__RetentionDays</c>, every <c>Audit__PruneIntervalMinutes</c>.
/// Like the other tables' retention (ADR 21), each statement deletes at most <see cref="BatchSize"/>
/// of the oldest events, found through <c>ix_auth_events_occurred_at</c>, so a backlog of millions
/// (after a shortened retention, or rounds that failed for days) never holds one long lock on the table
/// the sign-ins write to.
/// </summary>
public sealed class AuditRetention(IServiceScopeFactory scopes, IOptions<AuditOptions> options, TimeProvider time, ILogger<AuditRetention> logger)
    : BackgroundService
{
    /// <summary>Events per statement (<see cref="BatchedDelete"/>).</summary>
    public const int BatchSize = BatchedDelete.Size;

    private readonly AuditOptions _options = options.Value;

    /// <summary>Deletes the expired events, batch after batch; returns how many.</summary>
    public async Task<int> PruneAsync(CancellationToken cancellationToken)
    {
        var cutoff = Cutoff();
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CreamDbContext>();
        var total = await BatchedDelete.UntilShortAsync(() => PruneBatchAsync(db, cutoff, cancellationToken), cancellationToken);
        if (total > 0)
        {
            Log.AuditPruned(logger, total, cutoff);
        }

        return total;
    }

    /// <summary>One statement: the oldest expired events, at most <see cref="BatchSize"/>; returns how many it deleted.</summary>
    internal async Task<int> PruneBatchAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await PruneBatchAsync(scope.ServiceProvider.GetRequiredService<CreamDbContext>(), Cutoff(), cancellationToken);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Periodic.RunAsync(TimeSpan.FromMinutes(_options.PruneIntervalMinutes), time, PruneAsync,
            exception => Log.AuditPruneFailed(logger, exception), stoppingToken);

    private DateTime Cutoff() => time.GetUtcNow().UtcDateTime.AddDays(-_options.RetentionDays);

    private static Task<int> PruneBatchAsync(CreamDbContext db, DateTime cutoff, CancellationToken cancellationToken) =>
        db.AuthEvents.Where(e => e.OccurredAt < cutoff)
            .OrderBy(e => e.OccurredAt).ThenBy(e => e.Id)
            .Take(BatchSize)
            .ExecuteDeleteAsync(cancellationToken);
}
