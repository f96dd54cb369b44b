using Cream.Api.Email;
using Cream.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Cream.Api.Tests.Email;

/// <summary>Outside Development, without <c>Email__SmtpHost</c>, nothing can be delivered, and start-up says so.</summary>
public sealed class EmailNotConfiguredTests(SqliteApiFactory factory) : IClassFixture<SqliteApiFactory>
{
    [Fact]
    public void Mail_cannot_be_delivered_and_the_start_up_warning_names_the_setting()
    {
        Assert.False(factory.Services.GetRequiredService<IEmailOutbox>().CanDeliver);
        Assert.Equal(EmailTransport.None, factory.Services.GetRequiredService<EmailDelivery>().Transport);
        var warning = Assert.Single(factory.Logs.GetSnapshot(), r => r.Id.Id == 6002);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("Email__SmtpHost", warning.Message, StringComparison.Ordinal);
    }
}
