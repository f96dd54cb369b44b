using System.Globalization;
using System.Net.Http.Json;

namespace Cream.Client;

/// <summary>The administration and stock-data endpoints of <see cref="CreamClient"/>.</summary>
public sealed partial class CreamClient
{
    // --- Administration -------------------------------------------------------------------

    /// <summary><c>GET /api/admin/users</c> (admin): one numbered page of users, with the total, optionally those whose email starts with <paramref name="email"/>.</summary>
    /// <param name="page">The page number, from 1.</param>
    /// <param name="pageSize">Users per page, 1 to 100.</param>
    /// <param name="email">The start of an email address to filter by (any case).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="CreamApiException">403 <c>Admin access required</c>; 422 bad paging.</exception>
    public Task<UserPage> GetUsersAsync(int page = 1, int pageSize = 50, string? email = null, CancellationToken cancellationToken = default)
    {
        var path = Path($"api/admin/users?page={page}&page_size={pageSize}")
            + (string.IsNullOrEmpty(email) ? "" : "&email=" + Uri.EscapeDataString(email));
        return SendAsync(Request(HttpMethod.Get, path), CreamJsonContext.Default.UserPage, cancellationToken);
    }

    /// <summary>
    /// <c>GET /api/admin/users?after=&amp;limit=</c> (admin): the page of users after
    /// <paramref name="after"/> (null for the first), in email order; pass its
    /// <see cref="UserCursorPage.Next"/> for the one after. It stays fast however many users there are.
    /// </summary>
    /// <param name="after">The <see cref="UserCursorPage.Next"/> of the page before, or null.</param>
    /// <param name="limit">Users per page, 1 to 100.</param>
    /// <param name="email">The start of an email address to filter by (any case).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="CreamApiException">400 a cursor that is not one; 422 a limit out of range.</exception>
    public Task<UserCursorPage> GetUsersAfterAsync(string? after = null, int limit = 50, string? email = null, CancellationToken cancellationToken = default)
    {
        var path = Path($"api/admin/users?limit={limit}")
            + (after is null ? "" : "&after=" + Uri.EscapeDataString(after))
            + (string.IsNullOrEmpty(email) ? "" : "&email=" + Uri.EscapeDataString(email));
        return SendAsync(Request(HttpMethod.Get, path), CreamJsonContext.Default.UserCursorPage, cancellationToken);
    }

    /// <summary><c>PATCH /api/admin/users/{id}</c> (admin): changes a user's roles or active flag.</summary>
    /// <exception cref="CreamApiException">404 <c>User not found</c>; 422 invalid roles.</exception>
    public Task<UserProfile> UpdateUserAsync(Guid userId, UpdateUserRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return SendAsync(
            Request(HttpMethod.Patch, Path($"api/admin/users/{userId}"), content: JsonContent.Create(request, CreamJsonContext.Default.UpdateUserRequest)),
            CreamJsonContext.Default.UserProfile, cancellationToken);
    }

    /// <summary><c>POST /api/admin/users/{id}/revoke-tokens</c> (admin): ends every session and access token of a user.</summary>
    /// <exception cref="CreamApiException">404 <c>User not found</c>.</exception>
    public Task RevokeUserTokensAsync(Guid userId, CancellationToken cancellationToken = default) =>
        SendAsync(Request(HttpMethod.Post, Path($"api/admin/users/{userId}/revoke-tokens")), cancellationToken);

    /// <summary><c>DELETE /api/admin/users/{id}</c> (admin): deletes a user; every session and token of it ends.</summary>
    /// <exception cref="CreamApiException">404 <c>User not found</c>; 409 <c>The last administrator cannot be removed</c>.</exception>
    public Task DeleteUserAsync(Guid userId, CancellationToken cancellationToken = default) =>
        SendAsync(Request(HttpMethod.Delete, Path($"api/admin/users/{userId}")), cancellationToken);

    /// <summary><c>GET /api/admin/audit</c> (admin): recorded authentication and administration events, newest first.</summary>
    /// <exception cref="CreamApiException">403 <c>Admin access required</c>; 422 bad filters or paging.</exception>
    public Task<AuditEventPage> GetAuditEventsAsync(AuditQuery? query = null, CancellationToken cancellationToken = default)
    {
        query ??= new AuditQuery();
        var path = AuditFilters(new System.Text.StringBuilder(Path($"api/admin/audit?page={query.Page}&page_size={query.PageSize}")), query);
        return SendAsync(Request(HttpMethod.Get, path), CreamJsonContext.Default.AuditEventPage, cancellationToken);
    }

    /// <summary>
    /// <c>GET /api/admin/audit?after=&amp;limit=</c> (admin): the page of events (filtered by
    /// <paramref name="query"/>; its page numbers are not used) after <paramref name="after"/>, newest first.
    /// </summary>
    /// <param name="query">The filters.</param>
    /// <param name="after">The <see cref="AuditEventCursorPage.Next"/> of the page before, or null for the newest.</param>
    /// <param name="limit">Events per page, 1 to 100.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="CreamApiException">400 a cursor that is not one; 422 bad filters or limit.</exception>
    public Task<AuditEventCursorPage> GetAuditEventsAfterAsync(AuditQuery? query = null, string? after = null, int limit = 50, CancellationToken cancellationToken = default)
    {
        var path = new System.Text.StringBuilder(Path($"api/admin/audit?limit={limit}"));
        if (after is not null)
        {
            path.Append("&after=").Append(Uri.EscapeDataString(after));
        }

        return SendAsync(Request(HttpMethod.Get, AuditFilters(path, query ?? new AuditQuery())), CreamJsonContext.Default.AuditEventCursorPage, cancellationToken);
    }

    private static string AuditFilters(System.Text.StringBuilder path, AuditQuery query)
    {
        if (query.UserId is { } userId)
        {
            path.Append("&user_id=").Append(userId.ToString());
        }

        if (!string.IsNullOrEmpty(query.Type))
        {
            path.Append("&type=").Append(Uri.EscapeDataString(query.Type));
        }

        if (!string.IsNullOrEmpty(query.RequestId))
        {
            path.Append("&request_id=").Append(Uri.EscapeDataString(query.RequestId));
        }

        if (query.From is { } from)
        {
            path.Append("&from=").Append(Uri.EscapeDataString(from.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture)));
        }

        if (query.To is { } to)
        {
            path.Append("&to=").Append(Uri.EscapeDataString(to.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture)));
        }

        return path.ToString();
    }

    // --- Stock data -----------------------------------------------------------------------

    /// <summary><c>POST /api/stock-data/track</c>: asks the service to track a symbol.</summary>
    /// <exception cref="CreamApiException">422 invalid symbol.</exception>
    public Task<StockStatusResponse> TrackStockAsync(string symbol, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(symbol);
        return SendAsync(
            Request(HttpMethod.Post, "api/stock-data/track", content: JsonContent.Create(new TrackRequest(symbol), CreamJsonContext.Default.TrackRequest)),
            CreamJsonContext.Default.StockStatusResponse, cancellationToken);
    }

    /// <summary><c>GET /api/stock-data/track</c> (admin): one page of tracked symbols.</summary>
    /// <param name="page">The page number, from 1.</param>
    /// <param name="pageSize">Symbols per page, 1 to 100.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="CreamApiException">403 <c>Admin access required</c>; 422 bad paging.</exception>
    public Task<TrackedStockPage> GetTrackedStocksAsync(int page = 1, int pageSize = 50, CancellationToken cancellationToken = default) =>
        SendAsync(
            Request(HttpMethod.Get, Path($"api/stock-data/track?page={page}&page_size={pageSize}")),
            CreamJsonContext.Default.TrackedStockPage, cancellationToken);

    /// <summary><c>DELETE /api/stock-data/tracked/{symbol}</c> (admin): stops tracking a symbol.</summary>
    /// <exception cref="CreamApiException">404 <c>Stock AAPL is not being tracked</c>.</exception>
    public Task<StockStatusResponse> DeactivateStockAsync(string symbol, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(symbol);
        return SendAsync(
            Request(HttpMethod.Delete, "api/stock-data/tracked/" + Uri.EscapeDataString(symbol)),
            CreamJsonContext.Default.StockStatusResponse, cancellationToken);
    }
}
