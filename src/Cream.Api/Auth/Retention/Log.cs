namespace Cream.Api.Auth.Retention;

/// <summary>Retention events (ids 1500-1529): counts and cut-offs only, never a token or an email.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1500, EventName = "RowsPruned", Level = LogLevel.Information,
        Message = "Retention: {Count} rows deleted from {Table}")]
    public static partial void RowsPruned(ILogger logger, int count, string table);

    [LoggerMessage(EventId = 1501, EventName = "PruneFailed", Level = LogLevel.Warning,
        Message = "Retention: deleting from {Table} failed; the next round tries again")]
    public static partial void PruneFailed(ILogger logger, string table, Exception exception);

    [LoggerMessage(EventId = 1502, EventName = "PruneRoundFailed", Level = LogLevel.Warning,
        Message = "Retention: a round failed; the next one tries again")]
    public static partial void PruneRoundFailed(ILogger logger, Exception exception);
}
