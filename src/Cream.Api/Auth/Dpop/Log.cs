namespace Cream.Api.Auth.Dpop;

/// <summary>DPoP events (ids 1400-1419). A proof, a token or a key never reaches a log; a thumbprint may.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1400, EventName = "DpopProofRefused", Level = LogLevel.Warning,
        Message = "DPoP proof refused ({Reason}) on {Path} from {ClientIp}")]
    public static partial void ProofRefused(ILogger logger, string reason, string path, string? clientIp);

    [LoggerMessage(EventId = 1401, EventName = "DpopReplayCacheUnavailable", Level = LogLevel.Warning,
        Message = "Redis cannot answer ({Failure}): DPoP proofs are checked for replay on this instance only until it answers again")]
    public static partial void DpopReplayCacheUnavailable(ILogger logger, string failure);

    [LoggerMessage(EventId = 1402, EventName = "DpopReplayCacheRestored", Level = LogLevel.Information,
        Message = "Redis answers again: DPoP proofs are checked for replay on every instance")]
    public static partial void DpopReplayCacheRestored(ILogger logger);

    [LoggerMessage(EventId = 1403, EventName = "DpopRefreshKeyMismatch", Level = LogLevel.Warning,
        Message = "Refresh of DPoP-bound session {SessionId} of user {UserId} refused ({Reason}); nothing changed")]
    public static partial void RefreshKeyMismatch(ILogger logger, Guid userId, Guid sessionId, string reason);
}
