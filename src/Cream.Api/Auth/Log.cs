namespace Cream.Api.Auth;

/// <summary>Auth events (ids 1000-1999). None of them ever carries a password, token or secret.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1000, EventName = "UserSignedUp", Level = LogLevel.Information,
        Message = "User {UserId} signed up")]
    public static partial void UserSignedUp(ILogger logger, Guid userId);

    [LoggerMessage(EventId = 1001, EventName = "LoginSucceeded", Level = LogLevel.Information,
        Message = "User {UserId} logged in, session {SessionId}")]
    public static partial void LoginSucceeded(ILogger logger, Guid userId, Guid sessionId);

    [LoggerMessage(EventId = 1002, EventName = "LoginFailed", Level = LogLevel.Warning,
        Message = "Login failed ({Reason}) from {ClientIp}")]
    public static partial void LoginFailed(ILogger logger, string reason, string? clientIp);

    [LoggerMessage(EventId = 1003, EventName = "PasswordHashUpgraded", Level = LogLevel.Information,
        Message = "Password hash of user {UserId} upgraded to the current parameters")]
    public static partial void PasswordHashUpgraded(ILogger logger, Guid userId);

    [LoggerMessage(EventId = 1004, EventName = "SignupRejected", Level = LogLevel.Information,
        Message = "Signup rejected: email already registered")]
    public static partial void SignupDuplicate(ILogger logger);

    [LoggerMessage(EventId = 1010, EventName = "InvalidToken", Level = LogLevel.Warning,
        Message = "Invalid access token ({Reason}) on {Path} from {ClientIp}")]
    public static partial void InvalidToken(ILogger logger, string reason, string path, string? clientIp);

    [LoggerMessage(EventId = 1011, EventName = "AdminAccessForbidden", Level = LogLevel.Warning,
        Message = "User {UserId} was refused admin access to {Path}")]
    public static partial void AdminAccessForbidden(ILogger logger, string? userId, string path);

    [LoggerMessage(EventId = 1020, EventName = "DevelopmentSigningKey", Level = LogLevel.Warning,
        Message = "Jwt__Secret is not set: using the Development signing key kept in {KeyPath}. Set Jwt__Secret outside Development.")]
    public static partial void DevelopmentSigningKeyInUse(ILogger logger, string keyPath);
}
