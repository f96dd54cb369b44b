using Cream.Api.Common;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Cream.Api.Audit;

public static class AuditExtensions
{
    public static IHostApplicationBuilder AddAudit(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<AuditOptions>().BindSettings(AuditOptions.SectionName);
        builder.Services.AddSingleton<AuditTrail>();
        builder.Services.TryAddSingleton<PageCursors>();
        builder.Services.AddSingleton<AuditRetention>();
        builder.Services.AddHostedService(services => services.GetRequiredService<AuditRetention>());
        return builder;
    }
}
