namespace Cream.Api.Auth;

/// <summary>Revocation feed events (ids 1530-1559).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1530, EventName = "RevocationStateLoaded", Level = LogLevel.Information,
        Message = "Revocation state loaded from the database in {Milliseconds} ms ({FeedMilliseconds} ms of it finding the change feed's place): {Entries} entries; change feed at {Cursor} with {Gaps} numbers still open")]
    public static partial void RevocationStateLoaded(ILogger logger, long milliseconds, long feedMilliseconds, int entries, long cursor, int gaps);

    [LoggerMessage(EventId = 1531, EventName = "RevocationGapsGivenUp", Level = LogLevel.Warning,
        Message = "{Count} change-feed numbers were given up unread, more than the gaps remembered at most; revocations they held reach this instance by Redis only")]
    public static partial void RevocationGapsGivenUp(ILogger logger, int count);

    [LoggerMessage(EventId = 1532, EventName = "RevocationFeedPruned", Level = LogLevel.Debug,
        Message = "Deleted {Rows} change-feed rows and dropped {Entries} revocation entries that no live token can match")]
    public static partial void RevocationFeedPruned(ILogger logger, int rows, int entries);

    [LoggerMessage(EventId = 1533, EventName = "ProfileChangeNotRecorded", Level = LogLevel.Warning,
        Message = "A profile change could not be written to the change feed; instances that missed its message keep the cached profile until that user's next change")]
    public static partial void ProfileChangeNotRecorded(ILogger logger, Exception exception);
}
