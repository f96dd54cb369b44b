namespace Cream.Api.Data;

/// <summary>Data events (ids 4000-4099).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 4000, EventName = "DatabaseInUse", Level = LogLevel.Information,
        Message = "Database: {Database}")]
    public static partial void DatabaseInUse(ILogger logger, string database);
}
