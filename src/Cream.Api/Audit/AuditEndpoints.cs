using Cream.Api.Common;
using Cream.Api.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace Cream.Api.Audit;

public sealed record AuditEventView(
    long Id,
    DateTime OccurredAt,
    string Type,
    string Outcome,
    Guid? UserId,
    Guid? SessionId,
    Guid? ActorId,
    string? ClientIp,
    string? UserAgent,
    string? RequestId,
    string? Reason);

public sealed record AuditPage(IReadOnlyList<AuditEventView> Events, int TotalCount, int Page, int PageSize, int TotalPages);

/// <summary>The audit trail for admins, newest first.</summary>
public static class AuditEndpoints
{

    public static IEndpointRouteBuilder MapAudit(this IEndpointRouteBuilder routes)
    {
        routes.MapGroup("/api/admin/audit").WithTags("Admin").RequireAuthorization(AuthPolicies.Admin)
            .MapGet("/", List)
            .WithSummary("Security events, newest first, filtered by user (subject or actor), type, request id and time (from inclusive, to exclusive)");
        return routes;
    }

    private static async Task<Results<Ok<AuditPage>, ProblemHttpResult>> List(
        [AsParameters] PageRequest paging,
        CreamDbContext db,
        CancellationToken cancellationToken,
        Guid? user_id = null,
        string? type = null,
        string? request_id = null,
        DateTimeOffset? from = null,
        DateTimeOffset? to = null)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        paging.AddErrors(errors);

        if (type is not null && !AuthEventTypes.All.Contains(type))
        {
            errors["type"] = [$"type must be one of: {string.Join(", ", AuthEventTypes.All.Order(StringComparer.Ordinal))}."];
        }

        if (request_id is { Length: > AuthEventConfiguration.RequestIdMaxLength })
        {
            errors["request_id"] = [$"request_id is at most {AuthEventConfiguration.RequestIdMaxLength} characters."];
        }

        if (from > to)
        {
            errors["from"] = ["from must not be later than to."];
        }

        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var events = db.AuthEvents.AsNoTracking();
        if (user_id is { } userId)
        {
            events = events.Where(e => e.UserId == userId || e.ActorId == userId);
        }

        if (type is not null)
        {
            events = events.Where(e => e.Type == type);
        }

        if (request_id is not null)
        {
            events = events.Where(e => e.RequestId == request_id);
        }

        if (from is { } since)
        {
            var start = since.UtcDateTime;
            events = events.Where(e => e.OccurredAt >= start);
        }

        if (to is { } until)
        {
            var end = until.UtcDateTime;
            events = events.Where(e => e.OccurredAt < end);
        }

        var total = await events.CountAsync(cancellationToken);
        var items = await events.OrderByDescending(e => e.Id)
            .Skip(paging.Offset)
            .Take(paging.PageSize)
            .Select(e => new AuditEventView(e.Id, e.OccurredAt, e.Type, e.Outcome, e.UserId, e.SessionId, e.ActorId,
                e.ClientIp, e.UserAgent, e.RequestId, e.Reason))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(new AuditPage(items, total, paging.Page, paging.PageSize, paging.TotalPages(total)));
    }
}
