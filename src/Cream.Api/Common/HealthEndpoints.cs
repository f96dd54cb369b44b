using Microsoft.AspNetCore.Diagnostics.HealthChecks;

namespace Cream.Api.Common;

public static class HealthEndpoints
{
    public static WebApplication MapHealth(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        // Liveness: the process answers. Readiness: the database answers too.
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).WithTags("Health");
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") }).WithTags("Health");
        app.MapGet("/", () => TypedResults.Ok(new RootResponse("root"))).WithTags("Health").ExcludeFromDescription();
        return app;
    }

    public sealed record RootResponse(string App);
}
