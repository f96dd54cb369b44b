using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Cream.Api.Common;

public static class HealthEndpoints
{
    public static WebApplication MapHealth(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        // Liveness: the process answers. Readiness: the database answers and is migrated.
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).WithTags("Health");
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains("ready"),
            ResponseWriter = WriteReadinessAsync,
        }).WithTags("Health");
        // The same body on every request: serialized once, written with its length.
        var root = JsonSerializer.SerializeToUtf8Bytes(new RootResponse("root"),
            app.Services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions);
        app.MapGet("/", context => SerializedJson.WriteAsync(context, root)).WithTags("Health").ExcludeFromDescription();
        return app;
    }

    /// <summary>
    /// The status word, as the framework writes it, followed by why when it is not healthy
    /// (<c>Unhealthy: 2 database migrations are pending: run the migrate command.</c>); never
    /// exception details.
    /// </summary>
    private static Task WriteReadinessAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "text/plain";
        var reasons = report.Entries
            .Where(entry => entry.Value.Status != HealthStatus.Healthy)
            .Select(entry => entry.Value.Description ?? $"the {entry.Key} check failed")
            .ToList();
        var text = reasons.Count == 0 ? report.Status.ToString() : $"{report.Status}: {string.Join(" ", reasons)}";
        return context.Response.WriteAsync(text, context.RequestAborted);
    }

    public sealed record RootResponse(string App);
}
