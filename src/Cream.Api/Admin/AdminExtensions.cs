using Cream.Api.Common;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Cream.Api.Admin;

public static class AdminExtensions
{
    /// <summary>The admin's use cases on other accounts.</summary>
    public static IHostApplicationBuilder AddAdmin(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddScoped<UserAdministration>();
        builder.Services.TryAddSingleton<PageCursors>();
        return builder;
    }
}
