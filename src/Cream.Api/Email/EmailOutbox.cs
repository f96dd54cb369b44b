using Cream.Api.Data;

namespace Cream.Api.Email;

/// <summary>The outbox in <c>email_outbox</c>: a message is a row added to the caller's context, due at once.</summary>
public sealed class EmailOutbox(EmailDelivery delivery, EmailMetrics metrics, TimeProvider time) : IEmailOutbox
{
    public bool CanDeliver => delivery.Transport != EmailTransport.None;

    public void Enqueue(CreamDbContext db, EmailMessage message)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(message);
        ArgumentException.ThrowIfNullOrWhiteSpace(message.To);
        ArgumentException.ThrowIfNullOrWhiteSpace(message.Subject);
        ArgumentNullException.ThrowIfNull(message.Text);
        ArgumentNullException.ThrowIfNull(message.Html);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(message.To.Length, OutboxMessageConfiguration.RecipientMaxLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(message.Subject.Length, OutboxMessageConfiguration.SubjectMaxLength);
        var now = time.GetUtcNow();
        db.OutboxMessages.Add(new OutboxMessage
        {
            Id = Guid.CreateVersion7(now),
            Recipient = message.To,
            Subject = message.Subject,
            Text = message.Text,
            Html = message.Html,
            CreatedAt = now.UtcDateTime,
            NextAttemptAt = now.UtcDateTime,
        });
        metrics.Queued();
    }
}
