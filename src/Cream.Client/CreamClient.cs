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
/// <see cref="CreamAuthHandler"/> in the HTTP pipeline (which <see cref="Create(Uri, ITokenStore?, TimeProvider?, HttpMessageHandler?, TimeSpan?, bool)"/> sets up),
/// every other call is signed and its token kept fresh. Errors are thrown as
/// <see cref="CreamApiException"/>.
/// </summary>
public sealed partial class CreamClient : IDisposable
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
    /// <param name="useDpop">True: sign in for DPoP-bound tokens (RFC 9449) and send a proof with every request; see <see cref="CreamAuthHandler.UseDpop"/>.</param>
    public static CreamClient Create(
        Uri baseAddress,
        ITokenStore? tokenStore = null,
        TimeProvider? timeProvider = null,
        HttpMessageHandler? innerHandler = null,
        TimeSpan? refreshMargin = null,
        bool useDpop = false)
    {
        ArgumentNullException.ThrowIfNull(baseAddress);
        tokenStore ??= new InMemoryTokenStore();
        var root = AsRoot(baseAddress);
        var handler = new CreamAuthHandler(tokenStore, root, timeProvider)
        {
            InnerHandler = innerHandler ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) },
            RefreshMargin = refreshMargin ?? CreamAuthHandler.DefaultRefreshMargin,
            UseDpop = useDpop,
        };

        var http = new HttpClient(handler, disposeHandler: true) { BaseAddress = root };
        http.DefaultRequestHeaders.UserAgent.Add(UserAgent);
        return new CreamClient(http, tokenStore, timeProvider, ownsHttpClient: true);
    }

    /// <summary>The first version's signature, kept so code built against it still runs.</summary>
    [System.ComponentModel.EditorBrowsable(System.ComponentModel.EditorBrowsableState.Never)]
    public static CreamClient Create(Uri baseAddress, ITokenStore? tokenStore, TimeProvider? timeProvider, HttpMessageHandler? innerHandler, TimeSpan? refreshMargin) =>
        Create(baseAddress, tokenStore, timeProvider, innerHandler, refreshMargin, useDpop: false);

    /// <summary>The store this client keeps its tokens in.</summary>
    public ITokenStore TokenStore => _store;

    private static ProductInfoHeaderValue UserAgent { get; } =
        new("Cream.Client", typeof(CreamClient).Assembly.GetName().Version?.ToString(3) ?? "1.0.0");

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

    /// <summary>Disposes the HTTP client if <see cref="Create(Uri, ITokenStore?, TimeProvider?, HttpMessageHandler?, TimeSpan?, bool)"/> made it.</summary>
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

    /// <summary>Stores the tokens <paramref name="request"/> obtained, with the DPoP key its proof was signed with, if any.</summary>
    private async Task StoreAsync(TokenResponse tokens, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var key = request.Options.TryGetValue(CreamAuthHandler.DpopKeyUsed, out var used) ? used : null;
        await _store.SetAsync(TokenSet.From(tokens, _timeProvider.GetUtcNow(), key), cancellationToken).ConfigureAwait(false);
    }

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
