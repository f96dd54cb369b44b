using System.Net;
using BenchmarkDotNet.Attributes;
using Cream.Client;

namespace Cream.Benchmarks;

/// <summary>
/// What DPoP costs the .NET client per request: <see cref="CreamAuthHandler"/> sending one
/// <c>GET /api/auth/me</c> with a bearer token, and with a bound token and a fresh ES256 proof
/// (JSON, SHA-256 of the token for <c>ath</c>, one ECDSA P-256 signature). The network is left
/// out: the inner handler answers 200 at once, so the difference is the proof alone.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 8)]
public class ClientDpopBenchmarks
{
    private static readonly Uri Root = new("https://cream.example/");
    private static readonly Uri Me = new(Root, "api/auth/me");
    private HttpMessageInvoker _bearer = null!;
    private HttpMessageInvoker _dpop = null!;

    [GlobalSetup]
    public async Task Setup()
    {
        var accessToken = new string('a', 640); // about the length of a Cream access token
        var expiresAt = DateTimeOffset.UtcNow.AddDays(1);
        _bearer = await InvokerAsync(new TokenSet(accessToken, "refresh", expiresAt) { TokenType = "bearer" }, useDpop: false);
        _dpop = await InvokerAsync(new TokenSet(accessToken, "refresh", expiresAt) { TokenType = "DPoP" }, useDpop: true);
        using var check = new HttpRequestMessage(HttpMethod.Get, Me);
        using var answer = await _dpop.SendAsync(check, CancellationToken.None);
        if (check.Headers.Authorization?.Scheme != "DPoP" || !check.Headers.Contains("DPoP"))
        {
            throw new InvalidOperationException("The DPoP row sent no proof.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _bearer.Dispose();
        _dpop.Dispose();
    }

    [Benchmark(Baseline = true)]
    public async Task<HttpStatusCode> Bearer() => await SendAsync(_bearer);

    [Benchmark]
    public async Task<HttpStatusCode> DPoP() => await SendAsync(_dpop);

    private static async Task<HttpStatusCode> SendAsync(HttpMessageInvoker invoker)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Me);
        using var response = await invoker.SendAsync(request, CancellationToken.None);
        return response.StatusCode;
    }

    private static async Task<HttpMessageInvoker> InvokerAsync(TokenSet tokens, bool useDpop)
    {
        var store = new InMemoryTokenStore();
        await store.SetAsync(tokens);
        return new HttpMessageInvoker(new CreamAuthHandler(store, Root) { InnerHandler = new Answer200(), UseDpop = useDpop });
    }

    private sealed class Answer200 : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK));
    }
}
