namespace Cream.Api.Admin;

/// <summary>User events (ids 2000-2999).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 2000, EventName = "AdminCreated", Level = LogLevel.Information,
        Message = "Admin user {UserId} created")]
    public static partial void AdminCreated(ILogger logger, Guid userId);

    [LoggerMessage(EventId = 2001, EventName = "AdminRoleGranted", Level = LogLevel.Information,
        Message = "User {UserId} holds the admin role")]
    public static partial void AdminRoleGranted(ILogger logger, Guid userId);
}
