using Cream.Api.Common;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.Options;

namespace Cream.Api.Accounts;

/// <summary>
/// The account layer's settings. The URLs they name are resolved by <see cref="PublicUrls"/>,
/// which lives in <c>Common</c> so that discovery (in <c>Auth</c>) can use it while this
/// feature stays free to build on <c>Auth</c>.
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
}
