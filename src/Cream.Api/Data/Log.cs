namespace Cream.Api.Data;

/// <summary>Data events (ids 4000-4099).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 4000, EventName = "DatabaseInUse", Level = LogLevel.Information,
        Message = "Database: {Database}")]
    public static partial void DatabaseInUse(ILogger logger, string database);

    [LoggerMessage(EventId = 4001, EventName = "EmailKeysRekeyed", Level = LogLevel.Information,
        Message = "{Count} accounts got the normalised email key")]
    public static partial void EmailKeysRekeyed(ILogger logger, int count);

    [LoggerMessage(EventId = 4002, EventName = "EmailKeyCollision", Level = LogLevel.Warning,
        Message = "Account {UserId} keeps its old email key: another account already has its normalised form")]
    public static partial void EmailKeyCollision(ILogger logger, Guid userId);
}
