using System.Net;
using Cream.Api.Auth.Dpop;
using Cream.Api.Auth.Tokens;
using Cream.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Cream.Api.Tests.Dpop;

/// <summary><c>Dpop__RequireNonce</c>: proofs carry a nonce this service made (RFC 9449 sections 8 and 9), fresh, not from the future.</summary>
public sealed class DpopNonceTests : IAsyncLifetime
{
    private readonly SqliteApiFactory _factory = new() { Settings = new Dictionary<string, string?> { ["Dpop:RequireNonce"] = "true" } };
    private readonly DpopKey _key = DpopKey.Es256();
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        await ((IAsyncLifetime)_factory).InitializeAsync();
        _client = _factory.CreateClient();
    }

    public async Task DisposeAsync()
    {
        _key.Dispose();
        await ((IAsyncLifetime)_factory).DisposeAsync();
    }

    private DateTimeOffset Now => _factory.Time.GetUtcNow();

    private string LoginProof(string? nonce) => _key.Proof("POST", DpopApi.Url(DpopApi.Login), Now, nonce: nonce);

    [Fact]
    public async Task The_token_endpoint_asks_for_a_nonce_then_accepts_it()
    {
        var user = await _client.SignupAsync();

        using var first = await _client.LoginAsync(user.Email, user.Password, LoginProof(null));
        Assert.Equal(HttpStatusCode.BadRequest, first.StatusCode);
        Assert.Equal("use_dpop_nonce", (await first.JsonAsync()).GetProperty("error").GetString());
        var nonce = Assert.Single(first.Headers.GetValues("DPoP-Nonce"));

        using var second = await _client.LoginAsync(user.Email, user.Password, LoginProof(nonce));
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal("DPoP", (await second.JsonAsync()).GetProperty("token_type").GetString());
    }

    [Fact]
    public async Task A_resource_request_without_a_nonce_gets_a_use_dpop_nonce_challenge_and_a_nonce()
    {
        var tokens = await BoundLoginAsync();

        using var refused = await _client.GetAsync(DpopApi.Me, tokens.AccessToken, "DPoP", _key.Proof("GET", DpopApi.Url(DpopApi.Me), Now, tokens.AccessToken));
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.StartsWith("DPoP error=\"use_dpop_nonce\"", refused.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        var nonce = Assert.Single(refused.Headers.GetValues("DPoP-Nonce"));

        using var accepted = await _client.GetAsync(DpopApi.Me, tokens.AccessToken, "DPoP", _key.Proof("GET", DpopApi.Url(DpopApi.Me), Now, tokens.AccessToken, nonce));
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
    }

    [Fact]
    public async Task Stale_future_and_forged_nonces_are_refused()
    {
        var user = await _client.SignupAsync();
        using var ask = await _client.LoginAsync(user.Email, user.Password, LoginProof(null));
        var stale = Assert.Single(ask.Headers.GetValues("DPoP-Nonce"));
        var future = NonceMadeAt(Now.AddMinutes(10));
        var forged = stale[..^2] + (stale.EndsWith("AA", StringComparison.Ordinal) ? "BB" : "AA");
        _factory.Time.Advance(DpopNonces.Lifetime + TimeSpan.FromSeconds(1));

        foreach (var nonce in new[] { stale, future, forged, "not-a-nonce", new string('A', 300) })
        {
            using var refused = await _client.LoginAsync(user.Email, user.Password, LoginProof(nonce));
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Equal("use_dpop_nonce", (await refused.JsonAsync()).GetProperty("error").GetString());
        }

        using var fresh = await _client.LoginAsync(user.Email, user.Password, LoginProof(NonceMadeAt(Now)));
        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
    }

    /// <summary>A nonce sealed with the service's own Data Protection keys by a clock set to <paramref name="at"/>.</summary>
    private string NonceMadeAt(DateTimeOffset at) => new DpopNonces(
        _factory.Services.GetRequiredService<IDataProtectionProvider>(),
        _factory.Services.GetRequiredService<IOptions<JwtOptions>>(),
        new FakeTimeProvider(at)).Current();

    private async Task<TokenBody> BoundLoginAsync()
    {
        var user = await _client.SignupAsync();
        using var ask = await _client.LoginAsync(user.Email, user.Password, LoginProof(null));
        using var login = await _client.LoginAsync(user.Email, user.Password, LoginProof(Assert.Single(ask.Headers.GetValues("DPoP-Nonce"))));
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        return (await System.Net.Http.Json.HttpContentJsonExtensions.ReadFromJsonAsync<TokenBody>(login.Content))!;
    }
}
