using System.Buffers.Binary;
using System.Linq.Expressions;
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

/// <summary>A page of events in page mode; <c>total_count</c> is exact when <c>total_count_exact</c>, otherwise the reach of page mode (ADR 24).</summary>
public sealed record AuditPage(IReadOnlyList<AuditEventView> Events, int TotalCount, int Page, int PageSize, int TotalPages, bool TotalCountExact);

/// <summary>A page of events in cursor mode: <c>next</c> is the <c>after</c> of the following (older) page, null after the last.</summary>
public sealed record AuditCursorPage(IReadOnlyList<AuditEventView> Events, string? Next);

/// <summary>The audit trail for admins, newest first.</summary>
public static class AuditEndpoints
{

    public static IEndpointRouteBuilder MapAudit(this IEndpointRouteBuilder routes)
    {
        routes.MapGroup("/api/admin/audit").WithTags("Admin").RequireAuthorization(AuthPolicies.Admin)
            .MapGet("/", List)
            .WithSummary("Security events, newest first, filtered by user (subject or actor), type, request id and time (from inclusive, to exclusive); by page and page_size within the first 10,000 (with the total, counted up to there), or by the after cursor and limit (answering next)")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        return routes;
    }

    private const string CursorList = "admin-audit";

    private static async Task<Results<Ok<AuditPage>, Ok<AuditCursorPage>, ProblemHttpResult>> List(
        [AsParameters] PageRequest paging,
        [AsParameters] CursorRequest cursor,
        HttpRequest request,
        CreamDbContext db,
        PageCursors cursors,
        CancellationToken cancellationToken,
        Guid? user_id = null,
        string? type = null,
        string? request_id = null,
        DateTimeOffset? from = null,
        DateTimeOffset? to = null)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        paging.AddErrors(errors);
        paging.AddReachErrors(errors);
        cursor.AddErrors(errors, request);

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

        if (!cursor.Requested)
        {
            var (total, exact) = await PageRequest.CountWithinReachAsync(events, cancellationToken);
            var items = await Newest(events)
                .Skip(paging.Offset)
                .Take(paging.PageSize)
                .Select(View)
                .ToListAsync(cancellationToken);
            return TypedResults.Ok(new AuditPage(items, total, paging.Page, paging.PageSize, paging.TotalPages(total), exact));
        }

        if (cursor.After is not null)
        {
            if (OpenCursor(cursors, cursor.After) is not { } position)
            {
                return Problems.Create(StatusCodes.Status400BadRequest, PageCursors.Invalid);
            }

            var (at, id) = position;
            // Written so the (occurred_at, id) index bounds the scan and the rest is a filter on it.
            events = events.Where(e => e.OccurredAt <= at && (e.OccurredAt < at || e.Id < id));
        }

        var rows = await Newest(events).Take(cursor.Take + 1).Select(View).ToListAsync(cancellationToken);
        string? next = null;
        if (rows.Count > cursor.Take)
        {
            rows.RemoveAt(cursor.Take);
            next = SealCursor(cursors, rows[^1]);
        }

        return TypedResults.Ok(new AuditCursorPage(rows, next));
    }

    /// <summary>
    /// Newest first by time, then id: the order of the (occurred_at, id) index, which serves the
    /// time range too; the other filters' indexes find few rows, sorted after.
    /// </summary>
    private static IOrderedQueryable<AuthEvent> Newest(IQueryable<AuthEvent> events) =>
        events.OrderByDescending(e => e.OccurredAt).ThenByDescending(e => e.Id);

    private static string SealCursor(PageCursors cursors, AuditEventView last)
    {
        var position = new byte[2 * sizeof(long)];
        BinaryPrimitives.WriteInt64BigEndian(position, last.OccurredAt.Ticks);
        BinaryPrimitives.WriteInt64BigEndian(position.AsSpan(sizeof(long)), last.Id);
        return cursors.Seal(CursorList, position);
    }

    private static (DateTime At, long Id)? OpenCursor(PageCursors cursors, string cursor)
    {
        if (cursors.Open(CursorList, cursor) is not { Length: 2 * sizeof(long) } position)
        {
            return null;
        }

        var ticks = BinaryPrimitives.ReadInt64BigEndian(position);
        var id = BinaryPrimitives.ReadInt64BigEndian(position.AsSpan(sizeof(long)));
        return ticks >= 0 && ticks <= DateTime.MaxValue.Ticks && id > 0 ? (new DateTime(ticks, DateTimeKind.Utc), id) : null;
    }

    private static readonly Expression<Func<AuthEvent, AuditEventView>> View = e => new AuditEventView(
        e.Id, e.OccurredAt, e.Type, e.Outcome, e.UserId, e.SessionId, e.ActorId, e.ClientIp, e.UserAgent, e.RequestId, e.Reason);
}
