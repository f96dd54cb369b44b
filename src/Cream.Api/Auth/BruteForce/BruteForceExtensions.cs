using Cream.Api.Common;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Cream.Api.Auth.BruteForce;

/// <summary>Registers the login and refresh limits (see docs/decisions/0007-brute-force-defence.md).</summary>
public static class BruteForceExtensions
{
    /// <summary>
    /// Per-client and per-account limits on the token endpoints, kept in Redis when
    /// <c>Redis__Configuration</c> is set (shared by every instance) and in process otherwise.
    /// </summary>
    public static IHostApplicationBuilder AddBruteForceProtection(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<RateLimitOptions>().BindSettings(RateLimitOptions.SectionName);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(services => AttemptPolicy.From(services.GetRequiredService<IOptions<RateLimitOptions>>().Value));
        builder.Services.AddSingleton<InProcessAttemptCounters>();
        builder.Services.AddSingleton<BruteForceGuard>();

        var redis = builder.Configuration["Redis:Configuration"];
        if (string.IsNullOrWhiteSpace(redis))
        {
            builder.Services.AddSingleton<IAttemptCounters>(services => services.GetRequiredService<InProcessAttemptCounters>());
        }
        else
        {
            builder.Services.AddSingleton(services => new RedisAttemptCounters(
                redis,
                services.GetRequiredService<AttemptPolicy>(),
                services.GetRequiredService<InProcessAttemptCounters>(),
                services.GetRequiredService<ILogger<RedisAttemptCounters>>()));
            builder.Services.AddSingleton<IAttemptCounters>(services => services.GetRequiredService<RedisAttemptCounters>());
            builder.Services.AddHostedService(services => services.GetRequiredService<RedisAttemptCounters>());
        }

        return builder;
    }
}
