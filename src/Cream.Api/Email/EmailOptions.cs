using System.ComponentModel.DataAnnotations;
using Cream.Api.Common;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Cream.Api.Email;

/// <summary>How the connection to the SMTP relay is secured (MailKit's <c>SecureSocketOptions</c>).</summary>
public enum EmailSecurity
{
    /// <summary>Plain text; only for a relay on the same host or a test server.</summary>
    None,

    /// <summary>Connect in plain text, then require <c>STARTTLS</c>.</summary>
    StartTls,

    /// <summary>TLS from the first byte (usually port 465).</summary>
    SslOnConnect,

    /// <summary>TLS on port 465, otherwise <c>STARTTLS</c> when the server offers it.</summary>
    Auto,
}

/// <summary>The <c>Email</c> configuration section: the relay, the sender's address, and the outbox sender's pace.</summary>
public sealed class EmailOptions
{
    public const string SectionName = "Email";

    /// <summary>The SMTP relay. Unset: Development writes to <see cref="PickupDirectory"/>; elsewhere nothing can be sent.</summary>
    public string? SmtpHost { get; set; }

    [Range(1, 65535)]
    public int SmtpPort { get; set; } = 587;

    /// <summary>The <c>From</c> mailbox, such as <c>Cream API &lt;no-reply@example.com&gt;</c>.</summary>
    [Required(AllowEmptyStrings = false)]
    public string From { get; set; } = "Cream API <no-reply@localhost>";

    /// <summary>Set: the sender authenticates with it (and <see cref="Password"/>).</summary>
    public string? Username { get; set; }

    /// <summary>Never logged.</summary>
    public string? Password { get; set; }

    public EmailSecurity Security { get; set; } = EmailSecurity.Auto;

    /// <summary>Development without <see cref="SmtpHost"/>: each message is written here as an <c>.eml</c> file. Unset: <c>mail</c> in the data folder.</summary>
    public string? PickupDirectory { get; set; }

    /// <summary>How often each instance looks for messages that are due.</summary>
    [Range(1, 3600)]
    public int PollSeconds { get; set; } = 5;

    /// <summary>At most this many messages per round (and per SMTP connection).</summary>
    [Range(1, 1000)]
    public int BatchSize { get; set; } = 20;

    /// <summary>Attempts before a message is given up.</summary>
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 8;

    /// <summary>The wait after the first failed attempt; it doubles after each further one.</summary>
    [Range(1, 86400)]
    public int RetrySeconds { get; set; } = 30;

    /// <summary>The longest wait between two attempts.</summary>
    [Range(1, 86400)]
    public int MaxRetrySeconds { get; set; } = 3600;

    /// <summary>Sent and given-up messages (their bodies already cleared) are deleted this many days later.</summary>
    [Range(1, 3650)]
    public int RetentionDays { get; set; } = 7;
}

/// <summary>Rules across fields and formats the annotations cannot say.</summary>
internal sealed class EmailOptionsValidator : IValidateOptions<EmailOptions>
{
    public ValidateOptionsResult Validate(string? name, EmailOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (!string.IsNullOrWhiteSpace(options.From) && !MailboxAddress.TryParse(options.From, out _))
        {
            failures.Add($"{Variable(nameof(EmailOptions.From))} must be one mailbox such as Cream API <no-reply@example.com>.");
        }

        if (!string.IsNullOrWhiteSpace(options.SmtpHost) && Uri.CheckHostName(options.SmtpHost.Trim()) == UriHostNameType.Unknown)
        {
            failures.Add($"{Variable(nameof(EmailOptions.SmtpHost))} must be a host name or address such as smtp.example.com.");
        }

        if (options.MaxRetrySeconds < options.RetrySeconds)
        {
            failures.Add($"{Variable(nameof(EmailOptions.MaxRetrySeconds))} must be at least {Variable(nameof(EmailOptions.RetrySeconds))}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static string Variable(string property) => Settings.VariableName($"{EmailOptions.SectionName}:{property}");
}
