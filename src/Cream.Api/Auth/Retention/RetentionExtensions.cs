using Cream.Api.Common;

namespace Cream.Api.Auth.Retention;

public static class RetentionExtensions
{
    /// <summary>The background pruner of the tables that grow with traffic (<c>Sessions__*</c>).</summary>
    public static IHostApplicationBuilder AddRetention(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<SessionsOptions>().BindSettings(SessionsOptions.SectionName);
        builder.Services.AddSingleton<RetentionMetrics>();
        builder.Services.AddSingleton<RetentionPruner>();
        builder.Services.AddHostedService(services => services.GetRequiredService<RetentionPruner>());
        return builder;
    }
}
