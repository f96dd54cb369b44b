namespace Cream.Client;

/// <summary>One page of users by cursor (<c>GET /api/admin/users?after=&amp;limit=</c>).</summary>
/// <param name="Users">In email order.</param>
/// <param name="Next">The cursor of the following page; null after the last one.</param>
public sealed record UserCursorPage(IReadOnlyList<UserProfile> Users, string? Next);

/// <summary>One page of audit events by cursor (<c>GET /api/admin/audit?after=&amp;limit=</c>).</summary>
/// <param name="Events">Newest first.</param>
/// <param name="Next">The cursor of the following (older) page; null after the last one.</param>
public sealed record AuditEventCursorPage(IReadOnlyList<AuditEvent> Events, string? Next);

/// <summary>One page of users (<c>GET /api/admin/users</c>).</summary>
/// <param name="Users">The users of this page, ordered by email.</param>
/// <param name="TotalCount">Users matching the filter, counted up to the reach of page mode (10,000).</param>
/// <param name="Page">This page's number, from 1.</param>
/// <param name="PageSize">The page size asked for.</param>
/// <param name="TotalPages">Pages at this size, within that reach.</param>
/// <param name="TotalCountExact">False when more users match than page mode reaches: walk them with the cursor.</param>
public sealed record UserPage(IReadOnlyList<UserProfile> Users, int TotalCount, int Page, int PageSize, int TotalPages, bool TotalCountExact = true);

/// <summary>One page of audit events.</summary>
/// <param name="Events">The events of this page.</param>
/// <param name="TotalCount">Matching events, counted up to the reach of page mode (10,000).</param>
/// <param name="Page">This page's number, from 1.</param>
/// <param name="PageSize">The page size asked for.</param>
/// <param name="TotalPages">Pages at this size, within that reach.</param>
/// <param name="TotalCountExact">False when more events match than page mode reaches: walk them with the cursor.</param>
public sealed record AuditEventPage(IReadOnlyList<AuditEvent> Events, int TotalCount, int Page, int PageSize, int TotalPages, bool TotalCountExact = true);
