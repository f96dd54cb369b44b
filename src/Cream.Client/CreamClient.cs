using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Cream.Client;

/// <summary>
/// A typed client of the Cream API: one method per endpoint. Signup, login and refresh store the
/// tokens they receive in the <see cref="ITokenStore"/>; logout clears it. Together with a
/// <see cref="CreamAuthHandler"/> in the HTTP pipeline (which <see cref="Create"/> sets up),
/// every other call is signed and its token kept fresh. Errors are thrown as
/// <see cref="CreamApiException"/>.
/// </summary>
public sealed class CreamClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly Uri _root;
    private readonly ITokenStore _store;
    private readonly TimeProvider _timeProvider;
    private readonly bool _ownsHttpClient;

    /// <summary>
    /// Wraps an <see cref="HttpClient"/> whose <see cref="HttpClient.BaseAddress"/> is the service's
    /// root and whose pipeline holds a <see cref="CreamAuthHandler"/> over the same <paramref name="tokenStore"/>.
    /// </summary>
    /// <param name="httpClient">The HTTP client; not disposed by this client.</param>
    /// <param name="tokenStore">The store the auth handler reads.</param>
    /// <param name="timeProvider">The clock token expiry is computed with; the system clock by default.</param>
    public CreamClient(HttpClient httpClient, ITokenStore tokenStore, TimeProvider? timeProvider = null)
        : this(httpClient, tokenStore, timeProvider, ownsHttpClient: false)
    {
    }

    private CreamClient(HttpClient httpClient, ITokenStore tokenStore, TimeProvider? timeProvider, bool ownsHttpClient)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        ArgumentNullException.ThrowIfNull(tokenStore);
        if (httpClient.BaseAddress is null)
        {
            throw new ArgumentException("The HTTP client needs a BaseAddress: the service's root.", nameof(httpClient));
        }

        _root = AsRoot(httpClient.BaseAddress);
        _http = httpClient;
        _store = tokenStore;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _ownsHttpClient = ownsHttpClient;
    }

    /// <summary>
    /// Builds a client with its handler chain: <see cref="CreamAuthHandler"/> over
    /// <paramref name="innerHandler"/> (a <see cref="SocketsHttpHandler"/> by default).
    /// </summary>
    /// <param name="baseAddress">The service's root, e.g. <c>http://localhost:5000</c>.</param>
    /// <param name="tokenStore">Where tokens are kept; in memory by default.</param>
    /// <param name="timeProvider">The clock token expiry is judged by; the system clock by default.</param>
    /// <param name="innerHandler">The handler that sends requests; disposed with the client.</param>
    /// <param name="refreshMargin">How long before expiry the access token is replaced; 60 seconds by default.</param>
    public static CreamClient Create(
        Uri baseAddress,
        ITokenStore? tokenStore = null,
        TimeProvider? timeProvider = null,
        HttpMessageHandler? innerHandler = null,
        TimeSpan? refreshMargin = null)
    {
        ArgumentNullException.ThrowIfNull(baseAddress);
        tokenStore ??= new InMemoryTokenStore();
        var root = AsRoot(baseAddress);
        var handler = new CreamAuthHandler(tokenStore, root, timeProvider)
        {
            InnerHandler = innerHandler ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) },
            RefreshMargin = refreshMargin ?? CreamAuthHandler.DefaultRefreshMargin,
        };

        var http = new HttpClient(handler, disposeHandler: true) { BaseAddress = root };
        http.DefaultRequestHeaders.UserAgent.Add(UserAgent);
        return new CreamClient(http, tokenStore, timeProvider, ownsHttpClient: true);
    }

    /// <summary>The store this client keeps its tokens in.</summary>
    public ITokenStore TokenStore => _store;

    private static ProductInfoHeaderValue UserAgent { get; } =
        new("Cream.Client", typeof(CreamClient).Assembly.GetName().Version?.ToString(3) ?? "1.0.0");

    // --- Sign-in and tokens ---------------------------------------------------------------

    /// <summary><c>POST /api/auth/signup</c>: creates the account and signs this client in as it.</summary>
    /// <exception cref="CreamApiException">400 <c>Email already registered</c>; 422 invalid input.</exception>
    public async Task<TokenResponse> SignupAsync(SignupRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var tokens = await SendAsync(
            Request(HttpMethod.Post, "api/auth/signup", anonymous: true, content: JsonContent.Create(request, CreamJsonContext.Default.SignupRequest)),
            CreamJsonContext.Default.TokenResponse, cancellationToken).ConfigureAwait(false);
        await StoreAsync(tokens, cancellationToken).ConfigureAwait(false);
        return tokens;
    }

    /// <summary><c>POST /api/auth/login</c> with the OAuth 2.0 password grant (a form): signs this client in.</summary>
    /// <exception cref="CreamApiException">401 <c>Incorrect email or password</c> (<c>invalid_grant</c>); 429 with <see cref="CreamApiException.RetryAfter"/>.</exception>
    public async Task<TokenResponse> LoginAsync(string username, string password, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(username);
        ArgumentNullException.ThrowIfNull(password);
        var form = new FormUrlEncodedContent(
        [
            new("grant_type", "password"),
            new("username", username),
            new("password", password),
        ]);
        var tokens = await SendAsync(Request(HttpMethod.Post, "api/auth/login", anonymous: true, content: form), CreamJsonContext.Default.TokenResponse, cancellationToken)
            .ConfigureAwait(false);
        await StoreAsync(tokens, cancellationToken).ConfigureAwait(false);
        return tokens;
    }

    /// <summary>
    /// <c>POST /api/auth/refresh</c>: exchanges a refresh token for a new pair, which this client then
    /// uses. The auth handler refreshes on its own; call this only for a refresh token obtained elsewhere.
    /// </summary>
    /// <exception cref="CreamApiException">401 <c>invalid_grant</c> for an unknown, expired, rotated or revoked refresh token.</exception>
    public async Task<TokenResponse> RefreshAsync(string refreshToken, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(refreshToken);
        var tokens = await SendAsync(
            Request(HttpMethod.Post, "api/auth/refresh", anonymous: true, content: JsonContent.Create(new RefreshRequest(refreshToken), CreamJsonContext.Default.RefreshRequest)),
            CreamJsonContext.Default.TokenResponse, cancellationToken).ConfigureAwait(false);
        await StoreAsync(tokens, cancellationToken).ConfigureAwait(false);
        return tokens;
    }

    /// <summary><c>POST /api/auth/logout</c>: ends this session on the server and forgets its tokens here, whatever the answer.</summary>
    public async Task LogoutAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await SendAsync(Request(HttpMethod.Post, "api/auth/logout"), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await _store.ClearAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary><c>POST /api/auth/logout-all</c>: ends every session of the user and forgets this client's tokens, whatever the answer.</summary>
    public async Task LogoutAllAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await SendAsync(Request(HttpMethod.Post, "api/auth/logout-all"), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await _store.ClearAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// <c>POST /api/auth/revoke</c> (RFC 7009): revokes an access token, or a refresh token and with it
    /// its whole session. Succeeds for unknown tokens too. Revoking this client's own refresh token signs it out.
    /// </summary>
    /// <param name="token">The token to revoke.</param>
    /// <param name="tokenTypeHint"><c>access_token</c> or <c>refresh_token</c>; only a hint.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task RevokeAsync(string token, string? tokenTypeHint = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(token);
        await SendAsync(Request(HttpMethod.Post, "api/auth/revoke", anonymous: true, content: TokenForm(token, tokenTypeHint)), cancellationToken).ConfigureAwait(false);
        if (await _store.GetAsync(cancellationToken).ConfigureAwait(false) is { } stored
            && string.Equals(stored.RefreshToken, token, StringComparison.Ordinal))
        {
            await _store.ClearAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary><c>POST /api/auth/introspect</c> (RFC 7662, admin): whether a token is active, and for whom.</summary>
    /// <param name="token">The token to look at.</param>
    /// <param name="tokenTypeHint"><c>access_token</c> or <c>refresh_token</c>; only a hint.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="CreamApiException">403 <c>Admin access required</c>.</exception>
    public Task<IntrospectionResponse> IntrospectAsync(string token, string? tokenTypeHint = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(token);
        return SendAsync(
            Request(HttpMethod.Post, "api/auth/introspect", content: TokenForm(token, tokenTypeHint)),
            CreamJsonContext.Default.IntrospectionResponse, cancellationToken);
    }

    // --- The signed-in user ---------------------------------------------------------------

    /// <summary><c>GET /api/auth/me</c>: the signed-in user's profile.</summary>
    /// <exception cref="CreamApiException">401 <c>Not authenticated</c> when signed out.</exception>
    public Task<UserProfile> GetMeAsync(CancellationToken cancellationToken = default) =>
        SendAsync(Request(HttpMethod.Get, "api/auth/me"), CreamJsonContext.Default.UserProfile, cancellationToken);

    /// <summary><c>GET /api/auth/sessions</c>: the user's live sessions, most recently active first.</summary>
    public async Task<IReadOnlyList<SessionInfo>> GetSessionsAsync(CancellationToken cancellationToken = default) =>
        await SendAsync(Request(HttpMethod.Get, "api/auth/sessions"), CreamJsonContext.Default.ListSessionInfo, cancellationToken)
            .ConfigureAwait(false);

    /// <summary><c>DELETE /api/auth/sessions/{id}</c>: ends one of the user's sessions.</summary>
    /// <exception cref="CreamApiException">404 <c>Session not found</c>.</exception>
    public Task EndSessionAsync(Guid sessionId, CancellationToken cancellationToken = default) =>
        SendAsync(Request(HttpMethod.Delete, Path($"api/auth/sessions/{sessionId}")), cancellationToken);

    /// <summary><c>POST /api/auth/change-password</c>: every other session of the user ends; this one stays signed in.</summary>
    /// <exception cref="CreamApiException">400 <c>Current password is incorrect</c>; 422 invalid new password.</exception>
    public Task ChangePasswordAsync(string currentPassword, string newPassword, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(currentPassword);
        ArgumentNullException.ThrowIfNull(newPassword);
        return SendAsync(
            Request(HttpMethod.Post, "api/auth/change-password", content: JsonContent.Create(new ChangePasswordRequest(currentPassword, newPassword), CreamJsonContext.Default.ChangePasswordRequest)),
            cancellationToken);
    }

    // --- Administration -------------------------------------------------------------------

    /// <summary><c>GET /api/admin/users</c> (admin): one page of users, optionally those whose email contains <paramref name="email"/>.</summary>
    /// <param name="page">The page number, from 1.</param>
    /// <param name="pageSize">Users per page, 1 to 100.</param>
    /// <param name="email">Part of an email address to filter by.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="CreamApiException">403 <c>Admin access required</c>; 422 bad paging.</exception>
    public Task<UserPage> GetUsersAsync(int page = 1, int pageSize = 50, string? email = null, CancellationToken cancellationToken = default)
    {
        var path = Path($"api/admin/users?page={page}&page_size={pageSize}")
            + (string.IsNullOrEmpty(email) ? "" : "&email=" + Uri.EscapeDataString(email));
        return SendAsync(Request(HttpMethod.Get, path), CreamJsonContext.Default.UserPage, cancellationToken);
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

    /// <summary><c>GET /api/admin/audit</c> (admin): recorded authentication and administration events, newest first.</summary>
    /// <exception cref="CreamApiException">403 <c>Admin access required</c>; 422 bad filters or paging.</exception>
    public Task<AuditEventPage> GetAuditEventsAsync(AuditQuery? query = null, CancellationToken cancellationToken = default)
    {
        query ??= new AuditQuery();
        var path = new System.Text.StringBuilder(Path($"api/admin/audit?page={query.Page}&page_size={query.PageSize}"));
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

        return SendAsync(Request(HttpMethod.Get, path.ToString()), CreamJsonContext.Default.AuditEventPage, cancellationToken);
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

    // --- Discovery and health -------------------------------------------------------------

    /// <summary><c>GET /.well-known/openid-configuration</c>: the server's endpoints and algorithms.</summary>
    public Task<DiscoveryDocument> GetDiscoveryDocumentAsync(CancellationToken cancellationToken = default) =>
        SendAsync(Request(HttpMethod.Get, ".well-known/openid-configuration", anonymous: true), CreamJsonContext.Default.DiscoveryDocument, cancellationToken);

    /// <summary><c>GET /.well-known/jwks.json</c>: the public keys that verify access tokens.</summary>
    public Task<JsonWebKeySet> GetJsonWebKeySetAsync(CancellationToken cancellationToken = default) =>
        SendAsync(Request(HttpMethod.Get, ".well-known/jwks.json", anonymous: true), CreamJsonContext.Default.JsonWebKeySet, cancellationToken);

    /// <summary><c>GET /health/live</c>: whether the process answers.</summary>
    public Task<HealthReport> GetLivenessAsync(CancellationToken cancellationToken = default) =>
        GetHealthAsync("health/live", cancellationToken);

    /// <summary><c>GET /health/ready</c>: whether the service and its database answer; not healthy is a result, not an exception.</summary>
    public Task<HealthReport> GetReadinessAsync(CancellationToken cancellationToken = default) =>
        GetHealthAsync("health/ready", cancellationToken);

    /// <summary>Disposes the HTTP client if <see cref="Create"/> made it.</summary>
    public void Dispose()
    {
        if (_ownsHttpClient)
        {
            _http.Dispose();
        }
    }

    /// <summary>The base address with a trailing slash, so relative paths land below it.</summary>
    internal static Uri AsRoot(Uri baseAddress) =>
        baseAddress.AbsoluteUri.EndsWith('/') ? baseAddress : new Uri(baseAddress.AbsoluteUri + "/");

    private async Task<HealthReport> GetHealthAsync(string path, CancellationToken cancellationToken)
    {
        using var request = Request(HttpMethod.Get, path, anonymous: true);
        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode is not (HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable))
        {
            throw await CreamApiException.FromResponseAsync(response, _timeProvider, cancellationToken).ConfigureAwait(false);
        }

        // "Healthy", or "Unhealthy: why" when something is wrong.
        var text = (await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)).Trim();
        var colon = text.IndexOf(':', StringComparison.Ordinal);
        return colon < 0
            ? new HealthReport(response.StatusCode == HttpStatusCode.OK, text)
            : new HealthReport(response.StatusCode == HttpStatusCode.OK, text[..colon], text[(colon + 1)..].Trim());
    }

    private async Task StoreAsync(TokenResponse tokens, CancellationToken cancellationToken) =>
        await _store.SetAsync(TokenSet.From(tokens, _timeProvider.GetUtcNow()), cancellationToken).ConfigureAwait(false);

    private async Task<T> SendAsync<T>(HttpRequestMessage request, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        using (request)
        {
            using var response = await SendCheckedAsync(request, cancellationToken).ConfigureAwait(false);
            return await response.Content.ReadFromJsonAsync(type, cancellationToken).ConfigureAwait(false)
                ?? throw new JsonException($"The response to {request.Method} {request.RequestUri} had an empty body.");
        }
    }

    private async Task SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using (request)
        {
            using var response = await SendCheckedAsync(request, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<HttpResponseMessage> SendCheckedAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            throw await CreamApiException.FromResponseAsync(response, _timeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    private HttpRequestMessage Request(HttpMethod method, string path, HttpContent? content = null, bool anonymous = false)
    {
        var request = new HttpRequestMessage(method, new Uri(_root, path)) { Content = content };
        if (anonymous)
        {
            request.Options.Set(CreamAuthHandler.AnonymousRequest, true);
        }

        return request;
    }

    private static FormUrlEncodedContent TokenForm(string token, string? tokenTypeHint) =>
        new(tokenTypeHint is null
            ? [new("token", token)]
            : [new("token", token), new("token_type_hint", tokenTypeHint)]);

    private static string Path(FormattableString path) => path.ToString(CultureInfo.InvariantCulture);
}
