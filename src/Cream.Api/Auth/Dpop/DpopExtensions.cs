using Cream.Api.Auth.Revocation;
using Cream.Api.Common;

namespace Cream.Api.Auth.Dpop;

/// <summary>Registers DPoP (RFC 9449): proofs, their replay cache (shared through Redis when configured) and server nonces.</summary>
public static class DpopExtensions
{
    public static IHostApplicationBuilder AddDpop(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<DpopOptions>().BindSettings(DpopOptions.SectionName);
        builder.Services.AddSingleton<DpopMetrics>();
        builder.Services.AddSingleton<DpopNonces>();
        builder.Services.AddSingleton<DpopKeyCache>();
        builder.Services.AddSingleton<DpopProofValidator>();
        builder.Services.AddSingleton<InProcessDpopReplayCache>();

        var redis = builder.Configuration[$"{RedisOptions.SectionName}:Configuration"];
        if (string.IsNullOrWhiteSpace(redis))
        {
            builder.Services.AddSingleton<IDpopReplayCache>(services => services.GetRequiredService<InProcessDpopReplayCache>());
        }
        else
        {
            builder.Services.AddSingleton(services => new RedisDpopReplayCache(
                redis,
                services.GetRequiredService<InProcessDpopReplayCache>(),
                services.GetRequiredService<DpopMetrics>(),
                services.GetRequiredService<ILogger<RedisDpopReplayCache>>()));
            builder.Services.AddSingleton<IDpopReplayCache>(services => services.GetRequiredService<RedisDpopReplayCache>());
            builder.Services.AddHostedService(services => services.GetRequiredService<RedisDpopReplayCache>());
        }

        return builder;
    }
}
