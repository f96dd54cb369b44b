namespace Cream.Client;

/// <summary>One page of users by cursor (<c>GET /api/admin/users?after=&amp;limit=</c>).</summary>
/// <param name="Users">In email order.</param>
/// <param name="Next">The cursor of the following page; null after the last one.</param>
public sealed record UserCursorPage(IReadOnlyList<UserProfile> Users, string? Next);

/// <summary>One page of audit events by cursor (<c>GET /api/admin/audit?after=&amp;limit=</c>).</summary>
/// <param name="Events">Newest first.</param>
/// <param name="Next">The cursor of the following (older) page; null after the last one.</param>
public sealed record AuditEventCursorPage(IReadOnlyList<AuditEvent> Events, string? Next);
