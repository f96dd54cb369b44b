using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

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
        app.MapGet("/", () => TypedResults.Ok(new RootResponse("root"))).WithTags("Health").ExcludeFromDescription();
        return app;
    }

    /// <summary>
    /// <c>{"status":"Unhealthy","checks":{"migrations":"2 database migrations are pending: ..."}}</c>:
    /// the reason an instance is not ready, without exception details.
    /// </summary>
    private static Task WriteReadinessAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        var checks = report.Entries.ToDictionary(
            entry => entry.Key,
            entry => entry.Value.Status == HealthStatus.Healthy ? "Healthy" : entry.Value.Description ?? "Unavailable");
        return JsonSerializer.SerializeAsync(context.Response.Body, new ReadinessResponse(report.Status.ToString(), checks),
            HealthJson.Default.ReadinessResponse, context.RequestAborted);
    }

    public sealed record RootResponse(string App);

    internal sealed record ReadinessResponse(string Status, Dictionary<string, string> Checks);
}

[System.Text.Json.Serialization.JsonSerializable(typeof(HealthEndpoints.ReadinessResponse))]
[System.Text.Json.Serialization.JsonSourceGenerationOptions(PropertyNamingPolicy = System.Text.Json.Serialization.JsonKnownNamingPolicy.SnakeCaseLower)]
internal sealed partial class HealthJson : System.Text.Json.Serialization.JsonSerializerContext;
