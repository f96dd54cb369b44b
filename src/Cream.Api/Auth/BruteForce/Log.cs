namespace Cream.Api.Auth.BruteForce;

/// <summary>
/// Brute-force events (Auth ids 1100-1199). An account appears only as a short prefix of the
/// SHA-256 of its normalized email: never the email, never a password or token.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1100, EventName = "ClientAttemptsLimited", Level = LogLevel.Warning,
        Message = "Client {Client} made more than {Limit} login and refresh attempts this minute; refused for {RetryAfterSeconds} s")]
    public static partial void ClientAttemptsLimited(ILogger logger, string client, int limit, long retryAfterSeconds);

    [LoggerMessage(EventId = 1101, EventName = "LoginBackingOff", Level = LogLevel.Warning,
        Message = "Login for account {AccountHash} refused without checking the password: {Failures} consecutive failures, backing off for {RetryAfterSeconds} s (client {Client})")]
    public static partial void LoginBackingOff(ILogger logger, string accountHash, long failures, long retryAfterSeconds, string client);

    [LoggerMessage(EventId = 1104, EventName = "SignupsLimited", Level = LogLevel.Warning,
        Message = "Client {Client} made more than {Limit} signups this hour; refused for {RetryAfterSeconds} s")]
    public static partial void SignupsLimited(ILogger logger, string client, int limit, long retryAfterSeconds);

    [LoggerMessage(EventId = 1102, EventName = "SharedRateLimitsUnavailable", Level = LogLevel.Warning,
        Message = "Redis cannot keep the shared login limits ({Failure}); this instance counts attempts on its own until it is back")]
    public static partial void SharedCountersUnavailable(ILogger logger, string failure);

    [LoggerMessage(EventId = 1103, EventName = "SharedRateLimitsRestored", Level = LogLevel.Information,
        Message = "Redis answers again: login limits are shared between instances once more")]
    public static partial void SharedCountersRestored(ILogger logger);
}
