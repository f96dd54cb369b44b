using Cream.Api.Common;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.Options;

namespace Cream.Api.Accounts;

/// <summary>
/// The account layer: its settings (<see cref="AccountsOptions"/>, kept in <c>Common</c> with
/// <see cref="PublicUrls"/> because sign-in and discovery in <c>Auth</c> read them too), the
/// endpoints for verification and password reset, and the pages email links open.
/// </summary>
public static class AccountsExtensions
{
    public static IHostApplicationBuilder AddAccounts(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<AccountsOptions>().BindSettings(AccountsOptions.SectionName);
        builder.Services.AddSingleton<IValidateOptions<AccountsOptions>, AccountsOptionsValidator>();
        builder.Services.AddSingleton(services =>
        {
            var options = services.GetRequiredService<IOptions<AccountsOptions>>().Value;
            return new PublicUrls(options.PublicBaseUrl, options.LinkBaseUrl,
                services.GetRequiredService<IHostEnvironment>(), services.GetRequiredService<IServer>());
        });
        return builder;
    }

    public static WebApplication MapAccounts(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapAccountEndpoints();
        app.MapAccountPages();
        return app;
    }
}
