using Cream.Api.Data;

namespace Cream.Api.Email;

/// <summary>One message to one recipient, with a plain-text and an HTML body.</summary>
public sealed record EmailMessage(string To, string Subject, string Text, string Html);

/// <summary>
/// Where features put the mail their actions cause. A message is added to the caller's own
/// <see cref="CreamDbContext"/>, so it commits (or rolls back) with the action; a background
/// sender delivers it later, with retries, and a request never waits for SMTP.
/// </summary>
public interface IEmailOutbox
{
    /// <summary>
    /// Whether mail can be delivered at all: an SMTP host is configured, or (in Development)
    /// a pickup folder. When false, features that send mail answer 503 <see cref="NotConfigured"/>.
    /// </summary>
    bool CanDeliver { get; }

    /// <summary>Adds the message to <paramref name="db"/>; it is stored by the caller's next save or commit.</summary>
    void Enqueue(CreamDbContext db, EmailMessage message);

    public const string NotConfigured = "Email delivery is not configured";
}
