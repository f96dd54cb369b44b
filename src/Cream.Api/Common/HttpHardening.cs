using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.Net.Http.Headers;

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
    private const string ReferrerPolicyHeader = "Referrer-Policy";

    public static IHostApplicationBuilder AddHttpHardening(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var origins = builder.Configuration.GetSection(CorsSettings.SectionName).Get<CorsSettings>()?.AllowedOrigins ?? [];
        builder.Services.AddCors(options => options.AddPolicy(CorsPolicy, policy => ConfigureCors(policy, origins)));
        return builder;
    }

    /// <summary>
    /// Sets the headers as the request enters, not in a response-start callback (a callback per
    /// request is the dearest way to set six constant headers); an endpoint that needs another
    /// value overwrites one. CORS only runs for requests with an <c>Origin</c> header: without one
    /// the CORS middleware does nothing but look the policy up.
    /// </summary>
    public static WebApplication UseHttpHardening(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.Use(static (context, next) =>
        {
            ApplyHeaders(context);
            return next(context);
        });
        app.UseWhen(static context => context.Request.Headers.ContainsKey(HeaderNames.Origin), static cors => cors.UseCors(CorsPolicy));
        return app;
    }

    /// <summary>
    /// The security headers and the request id. Also called by the exception handler, which
    /// clears the response's headers before it writes its problem detail.
    /// </summary>
    public static void ApplyHeaders(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers[ReferrerPolicyHeader] = "no-referrer";
        headers[RequestIdHeader] = context.TraceIdentifier;
        if (!context.Request.Path.StartsWithSegments("/scalar", StringComparison.OrdinalIgnoreCase))
        {
            // JSON only: nothing here may run script or be framed. (The API page needs scripts; a page
            // of the service's own, such as the account pages, sets its own narrow policy over this one.)
            headers.ContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'";
        }

        // API answers are per-user and may carry tokens: never stored by a cache (an endpoint may say otherwise).
        headers.CacheControl = "no-store";
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
