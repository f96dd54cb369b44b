using Cream.Api.Common;
using Microsoft.Extensions.Options;

namespace Cream.Api.Email;

/// <summary>The outbox that features write mail to, and the background sender that delivers it.</summary>
public static class EmailExtensions
{
    public static IHostApplicationBuilder AddEmail(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<EmailOptions>().BindSettings(EmailOptions.SectionName);
        builder.Services.AddSingleton<IValidateOptions<EmailOptions>, EmailOptionsValidator>();
        var dataDirectory = AppPaths.DataDirectory(builder);
        var environment = builder.Environment;
        builder.Services.AddSingleton(services => new EmailDelivery(
            services.GetRequiredService<IOptions<EmailOptions>>().Value,
            environment.IsDevelopment(), dataDirectory, environment.ContentRootPath));
        builder.Services.AddSingleton<EmailMetrics>();
        builder.Services.AddSingleton<IEmailOutbox, EmailOutbox>();
        builder.Services.AddSingleton<EmailSender>();
        builder.Services.AddHostedService(services => services.GetRequiredService<EmailSender>());
        return builder;
    }
}
