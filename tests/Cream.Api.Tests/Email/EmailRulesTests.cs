using Cream.Api.Common;
using Cream.Api.Email;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Cream.Api.Tests.Email;

/// <summary>The sender's rules that need no server: settings, where mail goes, backoff, masking, the MIME shape.</summary>
public sealed class EmailRulesTests
{
    [Theory]
    [InlineData("From", "not a mailbox", "Email__From must be one mailbox such as Cream API <no-reply@example.com>.")]
    [InlineData("From", "", "Email__From must not be empty.")]
    [InlineData("Security", "Tls", "Email__Security must be one of None, StartTls, SslOnConnect, Auto.")]
    [InlineData("SmtpPort", "70000", "Email__SmtpPort must be a whole number from 1 to 65535.")]
    [InlineData("SmtpHost", "smtp example com", "Email__SmtpHost must be a host name or address such as smtp.example.com.")]
    [InlineData("MaxAttempts", "0", "Email__MaxAttempts must be a whole number from 1 to 100.")]
    [InlineData("MaxRetrySeconds", "10", "Email__MaxRetrySeconds must be at least Email__RetrySeconds.")]
    public void A_bad_email_setting_is_one_line_naming_the_variable(string key, string value, string expected)
    {
        var failure = Assert.Throws<OptionsValidationException>(() => Bind(new() { [$"Email:{key}"] = value }));

        Assert.Equal(expected, Settings.DescribeFailure(failure));
    }

    [Fact]
    public void The_defaults_are_the_documented_ones()
    {
        var options = Bind([]);

        Assert.Equal((null, 587, "Cream API <no-reply@localhost>", EmailSecurity.Auto), (options.SmtpHost, options.SmtpPort, options.From, options.Security));
        Assert.Equal((5, 20, 8, 30, 3600, 7), (options.PollSeconds, options.BatchSize, options.MaxAttempts, options.RetrySeconds, options.MaxRetrySeconds, options.RetentionDays));
    }

    [Fact]
    public void A_relay_is_used_wherever_it_is_set_and_without_one_only_Development_writes_to_a_folder()
    {
        var data = Path.Combine(Path.GetTempPath(), "data");
        var root = Path.Combine(Path.GetTempPath(), "root");

        var relay = new EmailDelivery(new EmailOptions { SmtpHost = " smtp.example.com " }, isDevelopment: true, data, root);
        var defaultFolder = new EmailDelivery(new EmailOptions(), isDevelopment: true, data, root);
        var relativeFolder = new EmailDelivery(new EmailOptions { PickupDirectory = "outbox" }, isDevelopment: true, data, root);
        var production = new EmailDelivery(new EmailOptions { PickupDirectory = "outbox" }, isDevelopment: false, data, root);

        Assert.Equal((EmailTransport.Smtp, "smtp.example.com"), (relay.Transport, relay.SmtpHost));
        Assert.Equal((EmailTransport.Pickup, Path.Combine(data, "mail")), (defaultFolder.Transport, defaultFolder.PickupDirectory));
        Assert.Equal(Path.Combine(root, "outbox"), relativeFolder.PickupDirectory);
        Assert.Equal(EmailTransport.None, production.Transport);
        Assert.False(new EmailOutbox(production, new EmailMetrics(new NoMeters()), TimeProvider.System).CanDeliver);
    }

    [Fact]
    public void Retries_wait_the_first_delay_then_double_and_stop_at_the_cap()
    {
        var options = new EmailOptions { RetrySeconds = 30, MaxRetrySeconds = 3600 };

        var waits = Enumerable.Range(1, 9).Select(attempt => SendFailures.Backoff(options, attempt).TotalSeconds);

        Assert.Equal([30, 60, 120, 240, 480, 960, 1920, 3600, 3600], waits);
        Assert.Equal(TimeSpan.FromSeconds(3600), SendFailures.Backoff(options, 1000));
    }

    [Theory]
    [InlineData("alice@example.com", "a***@example.com")]
    [InlineData("x@y.org", "x***@y.org")]
    [InlineData("\u00e9mile@exemple.fr", "\u00e9***@exemple.fr")]
    [InlineData("\"a@b\"@example.com", "\"***@example.com")]
    [InlineData("no-at-sign", "***")]
    public void A_recipient_is_logged_as_its_first_character_and_its_domain(string recipient, string masked) =>
        Assert.Equal(masked, SendFailures.Mask(recipient));

    [Fact]
    public void A_stored_message_becomes_text_and_HTML_alternatives_with_a_message_id_from_its_row()
    {
        var delivery = new EmailDelivery(new EmailOptions { SmtpHost = "smtp.example.com", From = "Cream <mail@cream.example.com>" }, false, "/d", "/r");
        var stored = new OutboxMessage
        {
            Id = Guid.CreateVersion7(), Recipient = "bob@example.com", Subject = "Hello", Text = "text", Html = "<p>html</p>",
            CreatedAt = new DateTime(2026, 12, 1, 10, 0, 0, DateTimeKind.Utc),
        };

        var message = delivery.Compose(stored);

        Assert.Equal($"{stored.Id:N}@cream.example.com", message.MessageId);
        Assert.Equal("multipart/alternative", message.Body?.ContentType.MimeType);
        Assert.Equal(("Cream", "mail@cream.example.com"), (message.From.Mailboxes.Single().Name, message.From.Mailboxes.Single().Address));
        Assert.Equal(new DateTimeOffset(stored.CreatedAt), message.Date);
        Assert.Equal(("text", "<p>html</p>"), (message.TextBody, message.HtmlBody));
    }

    private static EmailOptions Bind(Dictionary<string, string?> values)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration);
        services.AddOptions<EmailOptions>().BindSettings(EmailOptions.SectionName);
        services.AddSingleton<IValidateOptions<EmailOptions>, EmailOptionsValidator>();
        return services.BuildServiceProvider().GetRequiredService<IOptions<EmailOptions>>().Value;
    }

    private sealed class NoMeters : System.Diagnostics.Metrics.IMeterFactory
    {
        public System.Diagnostics.Metrics.Meter Create(System.Diagnostics.Metrics.MeterOptions options) => new(options);

        public void Dispose()
        {
        }
    }
}
