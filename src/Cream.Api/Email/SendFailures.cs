using System.Globalization;
using MailKit.Net.Smtp;
using MimeKit;

namespace Cream.Api.Email;

/// <summary>What the sender makes of a failed attempt, and how it names a recipient in logs.</summary>
internal static class SendFailures
{
    /// <summary><c>Email__RetrySeconds</c> after the first failure, doubling, never more than <c>Email__MaxRetrySeconds</c>.</summary>
    public static TimeSpan Backoff(EmailOptions options, int failedAttempts)
    {
        var seconds = options.RetrySeconds * Math.Pow(2, Math.Clamp(failedAttempts - 1, 0, 30));
        return TimeSpan.FromSeconds(Math.Min(seconds, options.MaxRetrySeconds));
    }

    /// <summary>Retrying cannot help: the message cannot be written, or the relay refused its recipient or content for good (5xx).</summary>
    public static bool IsPermanent(Exception exception) => exception switch
    {
        ParseException => true,
        SmtpCommandException { ErrorCode: SmtpErrorCode.RecipientNotAccepted or SmtpErrorCode.MessageNotAccepted } refused
            => (int)refused.StatusCode >= 500,
        _ => false,
    };

    /// <summary>A few words for <c>last_error</c> and the log: the error's kind and message, the recipient masked, never a body.</summary>
    public static string Describe(Exception exception, string recipient, string masked)
    {
        var status = exception is SmtpCommandException command ? string.Create(CultureInfo.InvariantCulture, $" {(int)command.StatusCode}") : "";
        var text = $"{exception.GetType().Name}{status}: {exception.Message}".Replace(recipient, masked, StringComparison.OrdinalIgnoreCase);
        return text.Length <= OutboxMessageConfiguration.LastErrorMaxLength ? text : text[..OutboxMessageConfiguration.LastErrorMaxLength];
    }

    /// <summary>The first character of the local part, then <c>***</c>, then the domain: <c>a***@example.com</c>.</summary>
    public static string Mask(string recipient)
    {
        ArgumentNullException.ThrowIfNull(recipient);
        var at = recipient.LastIndexOf('@');
        return at <= 0 ? "***" : recipient[..StringInfo.GetNextTextElementLength(recipient)] + "***" + recipient[at..];
    }
}
