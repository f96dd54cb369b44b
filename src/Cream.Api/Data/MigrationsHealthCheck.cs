using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Cream.Api.Data;

/// <summary>
/// Readiness fails while migrations are pending: an instance on a database that was never
/// migrated would answer 500 to every write. Once it has seen none pending it stops asking,
/// since migrations are only ever added by a deployment, which restarts the instance.
/// </summary>
internal sealed class MigrationsHealthCheck(IServiceScopeFactory scopes) : IHealthCheck
{
    private volatile bool _migrated;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (_migrated)
        {
            return HealthCheckResult.Healthy();
        }

        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CreamDbContext>();
        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).Count();
        if (pending > 0)
        {
            return HealthCheckResult.Unhealthy($"{pending} database migrations are pending: run the migrate command.");
        }

        _migrated = true;
        return HealthCheckResult.Healthy();
    }
}
