using Cream.Api.Common;
using Cream.Api.Data;

namespace Cream.Api.Audit;

/// <summary>
/// Writes security-relevant events to <c>auth_events</c>, each with the client address, user
/// agent and request id of the request it happened in. The row is stored before the response
/// goes out, on a database context of its own so it never commits someone else's pending
/// changes; a failed write is logged and never fails the action it records.
/// </summary>
public sealed class AuditTrail(IServiceScopeFactory scopes, TimeProvider time, ILogger<AuditTrail> logger)
{
    public Task SucceededAsync(string type, Guid? userId, Guid? sessionId = null, string? reason = null, Guid? actorId = null) =>
        RecordAsync(type, AuthEventOutcomes.Success, userId, sessionId, reason, actorId);

    public Task FailedAsync(string type, Guid? userId, Guid? sessionId = null, string? reason = null, Guid? actorId = null) =>
        RecordAsync(type, AuthEventOutcomes.Failure, userId, sessionId, reason, actorId);

    private async Task RecordAsync(string type, string outcome, Guid? userId, Guid? sessionId, string? reason, Guid? actorId)
    {
        var context = CurrentRequest.Context;
        var client = context is null ? null : ClientInfo.From(context);
        var entry = new AuthEvent
        {
            OccurredAt = time.GetUtcNow().UtcDateTime,
            Type = type,
            Outcome = outcome,
            UserId = userId,
            SessionId = sessionId,
            ActorId = actorId,
            Reason = Truncate(reason, AuthEventConfiguration.ReasonMaxLength),
            ClientIp = client?.IpAddress,
            UserAgent = client?.UserAgent,
            RequestId = Truncate(context?.TraceIdentifier, AuthEventConfiguration.RequestIdMaxLength),
        };

        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<CreamDbContext>();
            db.AuthEvents.Add(entry);
            // Not the request's token: an event that happened is recorded even if the client hung up.
            await db.SaveChangesAsync(CancellationToken.None);
        }
        catch (Exception exception)
        {
            Log.AuditWriteFailed(logger, type, outcome, exception);
        }
    }

    private static string? Truncate(string? value, int maxLength) =>
        string.IsNullOrEmpty(value) ? null : value.Length <= maxLength ? value : value[..maxLength];
}
