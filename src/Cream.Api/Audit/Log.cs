namespace Cream.Api.Audit;

/// <summary>Audit trail events (ids 3000-3099).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 3000, EventName = "AuditWriteFailed", Level = LogLevel.Error,
        Message = "An audit event ({Type}, {Outcome}) could not be stored")]
    public static partial void AuditWriteFailed(ILogger logger, string type, string outcome, Exception exception);

    [LoggerMessage(EventId = 3001, EventName = "AuditPruned", Level = LogLevel.Information,
        Message = "{Count} audit events older than {Cutoff:o} deleted")]
    public static partial void AuditPruned(ILogger logger, int count, DateTime cutoff);

    [LoggerMessage(EventId = 3002, EventName = "AuditPruneFailed", Level = LogLevel.Warning,
        Message = "Deleting expired audit events failed; the next round tries again")]
    public static partial void AuditPruneFailed(ILogger logger, Exception exception);
}
