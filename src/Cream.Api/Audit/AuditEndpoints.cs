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

public sealed record AuditPage(IReadOnlyList<AuditEventView> Events, int TotalCount, int Page, int PageSize, int TotalPages);

/// <summary>A page of events in cursor mode: <c>next</c> is the <c>after</c> of the following (older) page, null after the last.</summary>
public sealed record AuditCursorPage(IReadOnlyList<AuditEventView> Events, string? Next);

/// <summary>The audit trail for admins, newest first.</summary>
public static class AuditEndpoints
{

    public static IEndpointRouteBuilder MapAudit(this IEndpointRouteBuilder routes)
    {
        routes.MapGroup("/api/admin/audit").WithTags("Admin").RequireAuthorization(AuthPolicies.Admin)
            .MapGet("/", List)
            .WithSummary("Security events, newest first, filtered by user (subject or actor), type, request id and time (from inclusive, to exclusive); by page and page_size (with the total), or by the after cursor and limit (answering next)")
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
            var total = await events.CountAsync(cancellationToken);
            var items = await events.OrderByDescending(e => e.Id)
                .Skip(paging.Offset)
                .Take(paging.PageSize)
                .Select(View)
                .ToListAsync(cancellationToken);
            return TypedResults.Ok(new AuditPage(items, total, paging.Page, paging.PageSize, paging.TotalPages(total)));
        }

        if (cursor.After is not null)
        {
            if (cursors.Open(CursorList, cursor.After) is not { Length: sizeof(long) } position
                || BinaryPrimitives.ReadInt64BigEndian(position) is var after && after < 1)
            {
                return Problems.Create(StatusCodes.Status400BadRequest, PageCursors.Invalid);
            }

            events = events.Where(e => e.Id < after);
        }

        // Newest first by id: each filter's index is (column, id), read backwards from the cursor.
        var rows = await events.OrderByDescending(e => e.Id).Take(cursor.Take + 1).Select(View).ToListAsync(cancellationToken);
        string? next = null;
        if (rows.Count > cursor.Take)
        {
            var last = new byte[sizeof(long)];
            BinaryPrimitives.WriteInt64BigEndian(last, rows[cursor.Take - 1].Id);
            next = cursors.Seal(CursorList, last);
            rows.RemoveAt(cursor.Take);
        }

        return TypedResults.Ok(new AuditCursorPage(rows, next));
    }

    private static readonly Expression<Func<AuthEvent, AuditEventView>> View = e => new AuditEventView(
        e.Id, e.OccurredAt, e.Type, e.Outcome, e.UserId, e.SessionId, e.ActorId, e.ClientIp, e.UserAgent, e.RequestId, e.Reason);
}
