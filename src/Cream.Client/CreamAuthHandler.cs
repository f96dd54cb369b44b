using System.Net;
using System.Net.Http.Json;

namespace Cream.Client;

/// <summary>
/// Signs requests with the stored access token and keeps it fresh:
/// <list type="bullet">
/// <item>refreshes shortly before the access token expires (<see cref="RefreshMargin"/>);</item>
/// <item>on a 401, refreshes once and sends the request once more (its body is buffered first, so it can be sent again);</item>
/// <item>concurrent requests share one refresh, so a rotated refresh token is not presented twice
/// (which the server would treat as theft and answer by ending the session); a refresh whose
/// answer was lost on the way is asked again at once, inside the server's grace window, where
/// it gets the same successor;</item>
/// <item>when the server refuses the refresh token (400/401), clears the store and lets the 401 through;</item>
/// <item>with <see cref="UseDpop"/>, signs a DPoP proof for every request to the service (RFC 9449; see <c>CreamAuthHandler.Dpop.cs</c>).</item>
/// </list>
/// The token endpoints (signup, login, refresh, revoke) and requests marked with <see cref="AnonymousRequest"/>
/// go without a token; requests to any other origin than the service's are sent as they are:
/// neither token nor proof ever leaves for another host. Use one handler per <see cref="ITokenStore"/>.
/// </summary>
public sealed partial class CreamAuthHandler : DelegatingHandler
{
    /// <summary>Set to true on a request to send it without a token and never refresh for it.</summary>
    public static readonly HttpRequestOptionsKey<bool> AnonymousRequest = new("Cream.Client.Anonymous");

    private static readonly string[] AnonymousPaths = ["api/auth/signup", "api/auth/login", "api/auth/refresh", "api/auth/revoke"];

    private readonly ITokenStore _store;
    private readonly TimeProvider _timeProvider;
    private readonly Uri _serviceRoot;
    private readonly Uri _refreshEndpoint;
    private readonly Lock _gate = new();
    private InflightRefresh? _lastRefresh;

    /// <summary>Creates the handler; set <see cref="DelegatingHandler.InnerHandler"/> unless an HTTP client factory does.</summary>
    /// <param name="store">Where the tokens are read from and written to.</param>
    /// <param name="baseAddress">The service's root, e.g. <c>https://cream.example.com/</c>.</param>
    /// <param name="timeProvider">The clock access token expiry is judged by; the system clock by default.</param>
    public CreamAuthHandler(ITokenStore store, Uri baseAddress, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(baseAddress);
        _store = store;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _serviceRoot = CreamClient.AsRoot(baseAddress);
        _refreshEndpoint = new Uri(_serviceRoot, "api/auth/refresh");
    }

    /// <summary>The default <see cref="RefreshMargin"/>: 60 seconds.</summary>
    public static TimeSpan DefaultRefreshMargin { get; } = TimeSpan.FromSeconds(60);

    /// <summary>How long before its expiry an access token is replaced; <see cref="DefaultRefreshMargin"/> unless set.</summary>
    public TimeSpan RefreshMargin { get; init; } = DefaultRefreshMargin;

    /// <summary>How long one refresh may take before the requests waiting for it fail. 30 seconds by default.</summary>
    public TimeSpan RefreshTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <inheritdoc />
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (IsOtherOrigin(request))
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false); // never our token or proof
        }

        var stored = await _store.GetAsync(cancellationToken).ConfigureAwait(false);
        var tokens = IsAnonymous(request) ? null : stored;
        var key = KeyFor(stored);
        if (request.Content is not null && (tokens is not null || key is not null))
        {
            await request.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false); // it may be sent again
        }

        if (tokens is null)
        {
            return await SendSignedAsync(request, null, key, cancellationToken).ConfigureAwait(false);
        }

        if (_timeProvider.GetUtcNow() >= tokens.AccessTokenExpiresAt - RefreshMargin)
        {
            tokens = await RefreshBeforeExpiryAsync(tokens, cancellationToken).ConfigureAwait(false);
        }

        var response = await SendSignedAsync(request, tokens, KeyFor(tokens), cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Unauthorized || tokens is null)
        {
            return response;
        }

        TokenSet? refreshed;
        try
        {
            refreshed = await RefreshAsync(tokens, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            response.Dispose();
            throw;
        }

        if (refreshed is null)
        {
            return response; // the session is over: the caller sees the server's 401
        }

        response.Dispose();
        return await SendSignedAsync(request, refreshed, KeyFor(refreshed), cancellationToken).ConfigureAwait(false);
    }

    private bool IsOtherOrigin(HttpRequestMessage request) =>
        request.RequestUri is { IsAbsoluteUri: true } target
        && Uri.Compare(target, _serviceRoot, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) != 0;

    private static bool IsAnonymous(HttpRequestMessage request)
    {
        if (request.Options.TryGetValue(AnonymousRequest, out var anonymous) && anonymous)
        {
            return true;
        }

        var path = request.RequestUri is { IsAbsoluteUri: true } uri ? uri.AbsolutePath : request.RequestUri?.OriginalString ?? "";
        return AnonymousPaths.Any(p => path.EndsWith(p, StringComparison.Ordinal));
    }

    /// <summary>
    /// A failed early refresh is not yet a failed request: while the access token has not expired
    /// on this clock it is still sent, and a 401 gets its own refresh.
    /// </summary>
    private async Task<TokenSet?> RefreshBeforeExpiryAsync(TokenSet tokens, CancellationToken cancellationToken)
    {
        try
        {
            return await RefreshAsync(tokens, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when ((exception is CreamApiException or HttpRequestException or OperationCanceledException)
            && !cancellationToken.IsCancellationRequested
            && _timeProvider.GetUtcNow() < tokens.AccessTokenExpiresAt)
        {
            return tokens;
        }
    }

    /// <summary>
    /// Replaces <paramref name="seen"/>, the tokens a request was (or was about to be) sent with.
    /// Returns newer tokens when another request has already replaced them, joins a refresh in
    /// flight for the same refresh token, or starts one. Null when the store is empty or the
    /// server refused the refresh token.
    /// </summary>
    private async Task<TokenSet?> RefreshAsync(TokenSet seen, CancellationToken cancellationToken)
    {
        var current = await _store.GetAsync(cancellationToken).ConfigureAwait(false);
        if (current is null || !string.Equals(current.AccessToken, seen.AccessToken, StringComparison.Ordinal))
        {
            return current;
        }

        Task<TokenSet?> refresh;
        lock (_gate)
        {
            // A refresh token is presented once: a finished refresh of it is joined too, and only
            // one that failed without an answer from the server may be tried again.
            if (_lastRefresh is { } last && string.Equals(last.RefreshToken, current.RefreshToken, StringComparison.Ordinal)
                && !last.Task.IsFaulted && !last.Task.IsCanceled)
            {
                refresh = last.Task;
            }
            else
            {
                refresh = Task.Run(() => RefreshCoreAsync(current), CancellationToken.None);
                _lastRefresh = new InflightRefresh(current.RefreshToken, refresh);
            }
        }

        // Whoever stops waiting does not cancel the refresh: the others still need its result.
        return await refresh.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<TokenSet?> RefreshCoreAsync(TokenSet current)
    {
        try
        {
            return await RefreshOnceAsync(current).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is HttpRequestException or OperationCanceledException)
        {
            // The server may have rotated the token before its answer was lost. Asked again at
            // once, within its grace window, it answers with the same successor; later, the old
            // token would count as reuse and end the session.
            return await RefreshOnceAsync(current).ConfigureAwait(false);
        }
    }

    private async Task<TokenSet?> RefreshOnceAsync(TokenSet current)
    {
        using var timeout = new CancellationTokenSource(RefreshTimeout, _timeProvider);
        using var request = new HttpRequestMessage(HttpMethod.Post, _refreshEndpoint)
        {
            Content = JsonContent.Create(new RefreshRequest(current.RefreshToken), CreamJsonContext.Default.RefreshRequest),
        };
        await request.Content.LoadIntoBufferAsync(timeout.Token).ConfigureAwait(false);
        var key = KeyFor(current);
        using var response = await SendSignedAsync(request, null, key, timeout.Token).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadFromJsonAsync(CreamJsonContext.Default.TokenResponse, timeout.Token).ConfigureAwait(false)
                ?? throw new CreamApiException("The refresh response had no body.");
            var next = TokenSet.From(body, _timeProvider.GetUtcNow(), key?.PrivateKeyText);
            return await ReplaceIfUnchangedAsync(current, next).ConfigureAwait(false);
        }

        if (response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized)
        {
            return await ReplaceIfUnchangedAsync(current, null).ConfigureAwait(false);
        }

        throw await CreamApiException.FromResponseAsync(response, _timeProvider, timeout.Token).ConfigureAwait(false);
    }

    /// <summary>Writes the outcome unless the user signed out or in again meanwhile, which then wins.</summary>
    private async Task<TokenSet?> ReplaceIfUnchangedAsync(TokenSet current, TokenSet? next)
    {
        var stored = await _store.GetAsync(CancellationToken.None).ConfigureAwait(false);
        if (stored is null || !string.Equals(stored.RefreshToken, current.RefreshToken, StringComparison.Ordinal))
        {
            return stored; // signed out or in again meanwhile
        }

        if (next is null)
        {
            await _store.ClearAsync(CancellationToken.None).ConfigureAwait(false);
        }
        else
        {
            await _store.SetAsync(next, CancellationToken.None).ConfigureAwait(false);
        }

        return next;
    }

    /// <summary>The last refresh started, and the refresh token it presents.</summary>
    private sealed class InflightRefresh(string refreshToken, Task<TokenSet?> task)
    {
        public string RefreshToken { get; } = refreshToken;

        public Task<TokenSet?> Task { get; } = task;
    }
}
