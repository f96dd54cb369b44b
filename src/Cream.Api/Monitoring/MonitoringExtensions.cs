using Cream.Api.Common;
using System.Diagnostics.Metrics;
using System.Net;
using Cream.Api.Auth;
using Cream.Api.Auth.Retention;
using Cream.Api.Email;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Cream.Api.Monitoring;

/// <summary>
/// Metrics in Prometheus text format at <c>/metrics</c> (the <c>Cream.Auth</c>, <c>Cream.Email</c> and <c>Cream.Retention</c> meters, for
/// clients on the allowed networks or with an admin token), and the console log settings that
/// let JSON logs carry each request's id.
/// </summary>
public static class MonitoringExtensions
{
    public const string MetricsPath = "/metrics";
    public const string MetricsReaderPolicy = "metrics-reader";

    public static IHostApplicationBuilder AddMonitoring(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<MetricsOptions>().BindSettings(MetricsOptions.SectionName)
            .Validate(options => options.ParseNetworks() is not null,
                "Metrics__AllowedNetworks must be comma-separated networks such as 10.0.0.0/8,::1/128.")
            .ValidateOnStart();
        builder.Services.AddSingleton<AllowedNetworks>();
        var exported = new ExportedMeters();
        builder.Services.AddSingleton(exported);
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("cream-api"))
            .WithMetrics(metrics => metrics
                .AddMeter(AuthMetrics.MeterName, EmailMetrics.MeterName, RetentionMetrics.MeterName)
                .AddView(exported.Select)
                .AddPrometheusExporter(prometheus => prometheus.ScrapeResponseCacheDurationMilliseconds = 0));
        builder.Services.AddAuthorizationBuilder().AddPolicy(MetricsReaderPolicy, policy => policy.RequireAssertion(context =>
            context.Resource is HttpContext http
            && ((http.RequestServices.GetRequiredService<AllowedNetworks>().Contains(http.Connection.RemoteIpAddress) && !ViaProxy(http.Request))
                || context.User.IsInRole(Roles.Admin))));

        // JSON logs (Logging__Console__FormatterName=json) carry the request id and trace id of
        // each line's request, unless configuration says otherwise; the logger factory takes its
        // scopes from RequestLogScopes, which reads them from the request as a line is written.
        builder.Services.AddSingleton<RequestLogScopes>();
        builder.Services.AddSingleton<IExternalScopeProvider>(services => services.GetRequiredService<RequestLogScopes>());
        var includeScopes = builder.Configuration["Logging:Console:FormatterOptions:IncludeScopes"];
        builder.Services.Configure<JsonConsoleFormatterOptions>(options =>
        {
            options.IncludeScopes = !bool.TryParse(includeScopes, out var configured) || configured;
            options.UseUtcTimestamp = true;
            options.TimestampFormat ??= "yyyy-MM-ddTHH:mm:ss.fffZ";
        });
        return builder;
    }

    public static WebApplication MapMonitoring(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.Services.GetRequiredService<ExportedMeters>().Scope = app.Services.GetRequiredService<IMeterFactory>();
        app.Services.GetRequiredService<RequestLogScopes>().Watch(app.Services.GetRequiredService<ILoggerFactory>());
        app.MapPrometheusScrapingEndpoint(MetricsPath)
            .RequireAuthorization(MetricsReaderPolicy)
            .WithTags("Monitoring")
            .WithSummary("Prometheus metrics of the Cream.Auth, Cream.Email and Cream.Retention meters (allowed networks, or an admin token)");
        return app;
    }

    /// <summary>
    /// A request a proxy forwarded: its peer address is the proxy's (often loopback), not the
    /// client's, so it never gets the tokenless path however the allowed networks are set.
    /// </summary>
    private static bool ViaProxy(HttpRequest request) =>
        request.Headers.ContainsKey("X-Forwarded-For") || request.Headers.ContainsKey("Forwarded") || request.Headers.ContainsKey("X-Real-IP");

    /// <summary>The networks allowed to read metrics without a token.</summary>
    internal sealed class AllowedNetworks(IOptions<MetricsOptions> options)
    {
        private readonly IReadOnlyList<IPNetwork> _networks = options.Value.ParseNetworks() ?? [];

        public bool Contains(IPAddress? address)
        {
            if (address is null)
            {
                return false;
            }

            if (address.IsIPv4MappedToIPv6)
            {
                address = address.MapToIPv4();
            }

            foreach (var network in _networks)
            {
                if (network.Contains(address))
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>
    /// Which meters this host exports: only its own (those of its <see cref="IMeterFactory"/>),
    /// so two hosts in one process, as in tests, never mix their counts.
    /// </summary>
    internal sealed class ExportedMeters
    {
        public object? Scope { get; set; }

        public MetricStreamConfiguration? Select(Instrument instrument) =>
            Scope is not null && ReferenceEquals(instrument.Meter.Scope, Scope) ? null : MetricStreamConfiguration.Drop;
    }
}
