namespace Cream.Api.Auth.TwoFactor;

/// <summary>Two-factor events (ids 1300-1319): ids and kinds only.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1300, EventName = "TwoFactorSetupStarted", Level = LogLevel.Information,
        Message = "User {UserId} started two-factor setup (a pending secret)")]
    public static partial void SetupStarted(ILogger logger, Guid userId);

    [LoggerMessage(EventId = 1301, EventName = "TwoFactorEnabled", Level = LogLevel.Information,
        Message = "User {UserId} turned two-factor authentication on")]
    public static partial void Enabled(ILogger logger, Guid userId);

    [LoggerMessage(EventId = 1302, EventName = "TwoFactorChallenged", Level = LogLevel.Information,
        Message = "User {UserId} passed the password step; a two-factor code is required")]
    public static partial void Challenged(ILogger logger, Guid userId);

    [LoggerMessage(EventId = 1303, EventName = "TwoFactorVerified", Level = LogLevel.Information,
        Message = "User {UserId} gave a right two-factor code ({Step}, {Kind})")]
    public static partial void Verified(ILogger logger, Guid userId, string step, string kind);

    [LoggerMessage(EventId = 1304, EventName = "TwoFactorCodeFailed", Level = LogLevel.Warning,
        Message = "A two-factor code of user {UserId} was refused ({Step}: {Reason}) from {ClientIp}")]
    public static partial void CodeFailed(ILogger logger, Guid userId, string step, string reason, string? clientIp);

    [LoggerMessage(EventId = 1305, EventName = "MfaTokenRefused", Level = LogLevel.Warning,
        Message = "An unknown, expired, used or exhausted mfa_token was refused from {ClientIp}")]
    public static partial void TokenRefused(ILogger logger, string? clientIp);

    [LoggerMessage(EventId = 1306, EventName = "RecoveryCodesRenewed", Level = LogLevel.Information,
        Message = "User {UserId} replaced their recovery codes")]
    public static partial void RecoveryCodesRenewed(ILogger logger, Guid userId);

    [LoggerMessage(EventId = 1307, EventName = "TwoFactorDisabled", Level = LogLevel.Information,
        Message = "User {UserId} turned two-factor authentication off; other sessions ended")]
    public static partial void Disabled(ILogger logger, Guid userId);

    [LoggerMessage(EventId = 1308, EventName = "TwoFactorAdminReset", Level = LogLevel.Warning,
        Message = "Two-factor authentication of user {UserId} turned off by admin {ActorId}; every session ended")]
    public static partial void AdminReset(ILogger logger, Guid userId, Guid actorId);
}
