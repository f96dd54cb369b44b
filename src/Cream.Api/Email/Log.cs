namespace Cream.Api.Email;

/// <summary>
/// Email events (ids 6000-6099). Recipients appear masked (<c>a***@example.com</c>); subjects,
/// bodies and links never appear.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 6000, EventName = "EmailRelay", Level = LogLevel.Information,
        Message = "Email: SMTP relay {Host}:{Port} ({Security}), from {From}")]
    public static partial void EmailRelay(ILogger logger, string host, int port, EmailSecurity security, string from);

    [LoggerMessage(EventId = 6001, EventName = "EmailPickupFolder", Level = LogLevel.Information,
        Message = "Email: no Email__SmtpHost, so in Development each message is written to {Directory}")]
    public static partial void EmailPickupFolder(ILogger logger, string directory);

    [LoggerMessage(EventId = 6002, EventName = "EmailNotConfigured", Level = LogLevel.Warning,
        Message = "Email: no Email__SmtpHost; the features that send mail answer 503 until one is set")]
    public static partial void EmailNotConfigured(ILogger logger);

    [LoggerMessage(EventId = 6010, EventName = "EmailSent", Level = LogLevel.Information,
        Message = "Email {MessageId} sent to {Recipient} (attempt {Attempt})")]
    public static partial void EmailSent(ILogger logger, Guid messageId, string recipient, int attempt);

    [LoggerMessage(EventId = 6011, EventName = "EmailWrittenToPickup", Level = LogLevel.Information,
        Message = "Email {MessageId} to {Recipient} written to {Path}")]
    public static partial void EmailWrittenToPickup(ILogger logger, Guid messageId, string recipient, string path);

    [LoggerMessage(EventId = 6012, EventName = "EmailAttemptFailed", Level = LogLevel.Warning,
        Message = "Email {MessageId} to {Recipient}: attempt {Attempt} of {MaxAttempts} failed ({Error}); next try at {NextAttemptAt:o}")]
    public static partial void EmailAttemptFailed(ILogger logger, Guid messageId, string recipient, int attempt, int maxAttempts, string error, DateTime nextAttemptAt);

    [LoggerMessage(EventId = 6013, EventName = "EmailGivenUp", Level = LogLevel.Error,
        Message = "Email {MessageId} to {Recipient} given up after {Attempts} attempts ({Error})")]
    public static partial void EmailGivenUp(ILogger logger, Guid messageId, string recipient, int attempts, string error);

    [LoggerMessage(EventId = 6014, EventName = "EmailRoundFailed", Level = LogLevel.Warning,
        Message = "Sending queued email failed; the next round tries again")]
    public static partial void EmailRoundFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 6015, EventName = "EmailsPruned", Level = LogLevel.Information,
        Message = "{Count} sent or given-up emails finished before {Cutoff:o} deleted")]
    public static partial void EmailsPruned(ILogger logger, int count, DateTime cutoff);
}
