using MimeKit;

namespace Cream.Api.Email;

/// <summary>Where this instance's mail goes.</summary>
public enum EmailTransport
{
    /// <summary>Nowhere: no <c>Email__SmtpHost</c> outside Development. Messages wait in the outbox.</summary>
    None,

    /// <summary>The SMTP relay of <c>Email__SmtpHost</c>.</summary>
    Smtp,

    /// <summary>Development without a relay: one <c>.eml</c> file per message in the pickup folder.</summary>
    Pickup,
}

/// <summary>
/// What the sender does with a message, decided once from the <c>Email</c> settings and the
/// environment, and how a stored message becomes a MIME message.
/// </summary>
public sealed class EmailDelivery
{
    private readonly EmailOptions _options;

    /// <param name="dataDirectory">The data folder: the default pickup folder is <c>mail</c> inside it.</param>
    /// <param name="contentRoot">A relative <c>Email__PickupDirectory</c> is taken from here, as <c>DataDirectory</c> is.</param>
    public EmailDelivery(EmailOptions options, bool isDevelopment, string dataDirectory, string contentRoot)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        From = MailboxAddress.Parse(options.From);
        if (!string.IsNullOrWhiteSpace(options.SmtpHost))
        {
            Transport = EmailTransport.Smtp;
            SmtpHost = options.SmtpHost.Trim();
        }
        else if (isDevelopment)
        {
            Transport = EmailTransport.Pickup;
            PickupDirectory = string.IsNullOrWhiteSpace(options.PickupDirectory)
                ? Path.Combine(dataDirectory, "mail")
                : Path.GetFullPath(options.PickupDirectory, contentRoot);
        }
    }

    public EmailTransport Transport { get; }

    public string? SmtpHost { get; }

    /// <summary>The full path of the pickup folder, when <see cref="Transport"/> is <see cref="EmailTransport.Pickup"/>.</summary>
    public string? PickupDirectory { get; }

    public MailboxAddress From { get; }

    /// <summary>A transport for one round of sending (one SMTP connection, opened at the first message).</summary>
    internal IMailTransport Open() => Transport switch
    {
        EmailTransport.Smtp => new SmtpTransport(_options, SmtpHost!),
        EmailTransport.Pickup => new PickupTransport(PickupDirectory!),
        _ => throw new InvalidOperationException(IEmailOutbox.NotConfigured),
    };

    /// <summary>
    /// The MIME message of a stored one: plain text and HTML as alternatives, dated when it was
    /// queued, and a <c>Message-Id</c> made from the row's id, so that a retry of a message the
    /// relay may already have taken carries the same id and can be recognised.
    /// </summary>
    internal MimeMessage Compose(OutboxMessage stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        var message = new MimeMessage
        {
            Subject = stored.Subject,
            Date = new DateTimeOffset(DateTime.SpecifyKind(stored.CreatedAt, DateTimeKind.Utc)),
            MessageId = $"{stored.Id:N}@{From.Domain}",
            Body = new BodyBuilder { TextBody = stored.Text, HtmlBody = stored.Html }.ToMessageBody(),
        };
        message.From.Add(From);
        message.To.Add(MailboxAddress.Parse(stored.Recipient));
        return message;
    }
}
