namespace Cream.Api.Auth;

/// <summary>Auth events (ids 1000-1999). None of them ever carries a password, token or secret.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1000, EventName = "UserSignedUp", Level = LogLevel.Information,
        Message = "User {UserId} signed up")]
    public static partial void UserSignedUp(ILogger logger, Guid userId);

    [LoggerMessage(EventId = 1001, EventName = "LoginSucceeded", Level = LogLevel.Information,
        Message = "User {UserId} logged in")]
    public static partial void LoginSucceeded(ILogger logger, Guid userId);

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

    [LoggerMessage(EventId = 1012, EventName = "LastAdminRefused", Level = LogLevel.Warning,
        Message = "Refused {Change} of user {UserId} by admin {ActorId}: no other active admin would remain")]
    public static partial void LastAdminRefused(ILogger logger, string change, Guid userId, Guid actorId);

    [LoggerMessage(EventId = 1020, EventName = "DevelopmentSigningKey", Level = LogLevel.Warning,
        Message = "Jwt__Secret is not set: using the Development signing key kept in {KeyPath}. Set Jwt__Secret outside Development.")]
    public static partial void DevelopmentSigningKeyInUse(ILogger logger, string keyPath);

    [LoggerMessage(EventId = 1040, EventName = "RefreshRotated", Level = LogLevel.Information,
        Message = "Refresh token of user {UserId} rotated, session {SessionId}")]
    public static partial void RefreshRotated(ILogger logger, Guid userId, Guid sessionId);

    [LoggerMessage(EventId = 1041, EventName = "RefreshGraceReplay", Level = LogLevel.Information,
        Message = "Concurrent refresh of user {UserId} within the grace window got the same successor, session {SessionId}")]
    public static partial void RefreshGraceReplay(ILogger logger, Guid userId, Guid sessionId);

    [LoggerMessage(EventId = 1042, EventName = "RefreshRefused", Level = LogLevel.Warning,
        Message = "Refresh refused ({Reason}) from {ClientIp}")]
    public static partial void RefreshRefused(ILogger logger, string reason, string? clientIp);

    [LoggerMessage(EventId = 1043, EventName = "RefreshReuseDetected", Level = LogLevel.Warning,
        Message = "Security: reuse of a rotated refresh token of user {UserId} from {ClientIp}; session {SessionId} revoked")]
    public static partial void RefreshReuseDetected(ILogger logger, Guid userId, Guid sessionId, string? clientIp);

    [LoggerMessage(EventId = 1050, EventName = "SessionRevoked", Level = LogLevel.Information,
        Message = "Session {SessionId} of user {UserId} revoked ({Reason})")]
    public static partial void SessionRevoked(ILogger logger, Guid userId, Guid sessionId, string reason);

    [LoggerMessage(EventId = 1051, EventName = "SessionsRevoked", Level = LogLevel.Information,
        Message = "{Count} sessions of user {UserId} revoked ({Reason})")]
    public static partial void SessionsRevoked(ILogger logger, Guid userId, int count, string reason);

    [LoggerMessage(EventId = 1052, EventName = "UserTokensRevoked", Level = LogLevel.Information,
        Message = "Every access token of user {UserId} issued until now revoked ({Reason})")]
    public static partial void UserTokensCut(ILogger logger, Guid userId, string reason);

    [LoggerMessage(EventId = 1053, EventName = "AccessTokenRevoked", Level = LogLevel.Information,
        Message = "An access token of user {UserId} revoked")]
    public static partial void AccessTokenRevoked(ILogger logger, Guid userId);

    [LoggerMessage(EventId = 1054, EventName = "PasswordChanged", Level = LogLevel.Information,
        Message = "User {UserId} changed their password")]
    public static partial void PasswordChanged(ILogger logger, Guid userId);

    [LoggerMessage(EventId = 1055, EventName = "LoggedOut", Level = LogLevel.Information,
        Message = "User {UserId} logged out ({Scope})")]
    public static partial void LoggedOut(ILogger logger, Guid userId, string scope);

    [LoggerMessage(EventId = 1056, EventName = "UserDeleted", Level = LogLevel.Information,
        Message = "User {UserId} deleted by {ActorId}")]
    public static partial void UserDeleted(ILogger logger, Guid userId, Guid actorId);

    [LoggerMessage(EventId = 1060, EventName = "RevocationResyncFailed", Level = LogLevel.Warning,
        Message = "Reloading the revocation state from the database failed; the current state is kept")]
    public static partial void RevocationResyncFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1061, EventName = "RedisDisconnected", Level = LogLevel.Warning,
        Message = "Redis is unavailable for revocation messages ({Failure}); revocations stay local until it is back, then every instance catches up from the database")]
    public static partial void RedisDisconnected(ILogger logger, string failure);

    [LoggerMessage(EventId = 1062, EventName = "RedisReconnected", Level = LogLevel.Information,
        Message = "Redis connection for revocation messages restored ({Missed} revocations could not be sent meanwhile); resyncing")]
    public static partial void RedisReconnected(ILogger logger, long missed);

    // 1063 (RevocationPublishFailed, one line per failed publish) is retired: an outage is
    // logged once, by 1061 and 1062.

    [LoggerMessage(EventId = 1064, EventName = "RevocationMessageIgnored", Level = LogLevel.Warning,
        Message = "An unreadable revocation message was ignored")]
    public static partial void RevocationMessageIgnored(ILogger logger);

    [LoggerMessage(EventId = 1080, EventName = "SigningKeyInUse", Level = LogLevel.Information,
        Message = "Signing with key {KeyId}; {Count} keys verify")]
    public static partial void SigningKeyInUse(ILogger logger, string keyId, int count);

    [LoggerMessage(EventId = 1081, EventName = "SigningKeyReloadFailed", Level = LogLevel.Warning,
        Message = "Reloading the signing keys from the database failed; the current keys are kept")]
    public static partial void SigningKeyReloadFailed(ILogger logger, Exception exception);
}
