using Microsoft.AspNetCore.Cors.Infrastructure;

namespace Cream.Api.Common;

/// <summary>The <c>Cors</c> configuration section.</summary>
public sealed class CorsSettings
{
    public const string SectionName = "Cors";

    /// <summary>Browser origins allowed to call the API (e.g. <c>https://app.example.com</c>); none by default.</summary>
    public string[] AllowedOrigins { get; set; } = [];
}

/// <summary>Security headers and the request id on every response, and CORS closed unless origins are configured.</summary>
public static class HttpHardening
{
    /// <summary>The response header carrying the request's id, as found in its logs, problem details and audit events.</summary>
    public const string RequestIdHeader = "X-Request-Id";

    private const string CorsPolicy = "configured-origins";

    public static IHostApplicationBuilder AddHttpHardening(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var origins = builder.Configuration.GetSection(CorsSettings.SectionName).Get<CorsSettings>()?.AllowedOrigins ?? [];
        builder.Services.AddCors(options => options.AddPolicy(CorsPolicy, policy => ConfigureCors(policy, origins)));
        return builder;
    }

    public static WebApplication UseHttpHardening(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.Use(static (context, next) =>
        {
            context.Response.OnStarting(static state =>
            {
                var response = ((HttpContext)state).Response;
                var headers = response.Headers;
                headers.XContentTypeOptions = "nosniff";
                headers.XFrameOptions = "DENY";
                headers["Referrer-Policy"] = "no-referrer";
                headers[RequestIdHeader] = ((HttpContext)state).TraceIdentifier;
                var path = ((HttpContext)state).Request.Path;
                if (!path.StartsWithSegments("/scalar", StringComparison.OrdinalIgnoreCase)
                    && string.IsNullOrEmpty(headers.ContentSecurityPolicy))
                {
                    // JSON only: nothing here may run script or be framed. (The API page needs scripts; a page
                    // of the service's own, such as the account pages, sets its own narrow policy.)
                    headers.ContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'";
                }

                if (string.IsNullOrEmpty(headers.CacheControl))
                {
                    // API answers are per-user and may carry tokens: never stored by a cache.
                    headers.CacheControl = "no-store";
                }

                return Task.CompletedTask;
            }, context);
            return next(context);
        });
        app.UseCors(CorsPolicy);
        return app;
    }

    /// <summary>With no configured origin the policy allows none, so browsers get no CORS headers at all.</summary>
    private static void ConfigureCors(CorsPolicyBuilder policy, string[] origins)
    {
        if (origins.Length == 0)
        {
            return;
        }

        policy.WithOrigins(origins)
            .WithMethods("GET", "POST", "PATCH", "DELETE")
            .WithHeaders("Authorization", "Content-Type")
            .WithExposedHeaders(RequestIdHeader, "Retry-After", "WWW-Authenticate")
            .SetPreflightMaxAge(TimeSpan.FromMinutes(10));
    }
}
