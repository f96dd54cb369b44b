namespace Cream.Api.Auth.Accounts;

/// <summary>Account events (ids 1200-1249): ids and kinds only, never a token, link or email.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1200, EventName = "AccountLinkQueued", Level = LogLevel.Information,
        Message = "A {Kind} link for user {UserId} is queued for delivery")]
    public static partial void LinkQueued(ILogger logger, string kind, Guid userId);

    [LoggerMessage(EventId = 1201, EventName = "AccountLinkNotQueued", Level = LogLevel.Information,
        Message = "A {Kind} link was not sent: {Why}")]
    public static partial void LinkNotQueued(ILogger logger, string kind, string why);

    [LoggerMessage(EventId = 1202, EventName = "EmailVerified", Level = LogLevel.Information,
        Message = "User {UserId} verified their email")]
    public static partial void EmailVerified(ILogger logger, Guid userId);

    [LoggerMessage(EventId = 1203, EventName = "PasswordReset", Level = LogLevel.Information,
        Message = "User {UserId} reset their password; every session ended")]
    public static partial void PasswordReset(ILogger logger, Guid userId);

    [LoggerMessage(EventId = 1204, EventName = "AccountLinkRefused", Level = LogLevel.Information,
        Message = "A {Kind} link was refused: unknown, used or expired")]
    public static partial void LinkRefused(ILogger logger, string kind);

    [LoggerMessage(EventId = 1205, EventName = "ResetRequestsDropped", Level = LogLevel.Warning,
        Message = "Password reset requests arrive faster than they are handled; one was dropped")]
    public static partial void ResetRequestDropped(ILogger logger);

    [LoggerMessage(EventId = 1206, EventName = "ResetRequestFailed", Level = LogLevel.Error,
        Message = "A password reset request could not be handled")]
    public static partial void ResetRequestFailed(ILogger logger, Exception exception);
}
