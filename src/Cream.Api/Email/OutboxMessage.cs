namespace Cream.Api.Email;

/// <summary>
/// One row of <c>email_outbox</c>: a message waiting to be sent, being sent (<see cref="ClaimedUntil"/>
/// is the sender's lease), sent, or given up. Once sent or given up its bodies are emptied, so
/// the database keeps no usable link.
/// </summary>
public sealed class OutboxMessage
{
    /// <summary>Also the message's <c>Message-Id</c>, the same on every attempt.</summary>
    public Guid Id { get; set; }
    public required string Recipient { get; set; }
    public required string Subject { get; set; }
    public required string Text { get; set; }
    public required string Html { get; set; }
    public DateTime CreatedAt { get; set; }

    /// <summary>Failed attempts so far.</summary>
    public int Attempts { get; set; }
    public DateTime NextAttemptAt { get; set; }

    /// <summary>While in the future, one sender holds the message; nobody else sends it.</summary>
    public DateTime? ClaimedUntil { get; set; }
    public DateTime? SentAt { get; set; }
    public DateTime? FailedAt { get; set; }

    /// <summary>Why the last attempt failed, in a few words (never the body).</summary>
    public string? LastError { get; set; }
}
