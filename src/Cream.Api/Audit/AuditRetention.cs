using Cream.Api.Common;
using Cream.Api.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Cream.Api.Audit;

/// <summary>Deletes audit events older than <c>Audit__RetentionDays</c>, every <c>Audit__PruneIntervalMinutes</c>.</summary>
public sealed class AuditRetention(IServiceScopeFactory scopes, IOptions<AuditOptions> options, TimeProvider time, ILogger<AuditRetention> logger)
    : BackgroundService
{
    private readonly AuditOptions _options = options.Value;

    /// <summary>Deletes the expired events; returns how many.</summary>
    public async Task<int> PruneAsync(CancellationToken cancellationToken)
    {
        var cutoff = time.GetUtcNow().UtcDateTime.AddDays(-_options.RetentionDays);
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CreamDbContext>();
        var deleted = await db.AuthEvents.Where(e => e.OccurredAt < cutoff).ExecuteDeleteAsync(cancellationToken);
        if (deleted > 0)
        {
            Log.AuditPruned(logger, deleted, cutoff);
        }

        return deleted;
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Periodic.RunAsync(TimeSpan.FromMinutes(_options.PruneIntervalMinutes), time, PruneAsync,
            exception => Log.AuditPruneFailed(logger, exception), stoppingToken);
}
