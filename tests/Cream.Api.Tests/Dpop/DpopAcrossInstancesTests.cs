using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using Cream.Api.Tests.Infrastructure;

namespace Cream.Api.Tests.Dpop;

/// <summary>
/// Two instances on one PostgreSQL database and one Redis: a proof used on one is refused on
/// the other, a nonce one made is accepted by the other, a token bound on one works on both.
/// </summary>
[NeedsTestServers]
[Collection(ScaleOut.RedisOutageGroup.Name)] // other tests stop the shared Redis
public sealed class DpopAcrossInstancesTests : IAsyncLifetime
{
    private readonly string _database = $"cream_dpop_{Guid.NewGuid():N}";
    private readonly DpopKey _key = DpopKey.Es256();
    private PostgresApiFactory _a = null!;
    private PostgresApiFactory _b = null!;

    public async Task InitializeAsync()
    {
        if (TestServers.SkippedHere(this))
        {
            return;
        }

        var settings = new Dictionary<string, string?> { ["Dpop:RequireNonce"] = "true" };
        _a = new PostgresApiFactory { DatabaseName = _database, RedisConfiguration = TestServers.RedisConfiguration, Settings = settings };
        _b = new PostgresApiFactory
        {
            DatabaseName = _database, RedisConfiguration = TestServers.RedisConfiguration, Settings = settings, OwnsDatabase = false, JwtSecret = _a.JwtSecret,
        };
        await _a.InitializeAsync();
        await _b.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        _key.Dispose();
        if (TestServers.SkippedHere(this))
        {
            return;
        }

        await ((IAsyncLifetime)_b).DisposeAsync();
        await ((IAsyncLifetime)_a).DisposeAsync();
    }

    [Fact]
    public async Task A_proof_replayed_on_the_other_instance_is_refused_and_nonces_work_on_both()
    {
        var a = _a.CreateClient();
        var b = _b.CreateClient();
        var user = await a.SignupAsync();
        var now = _a.Time.GetUtcNow();

        // A nonce from A, used at B's token endpoint.
        using var ask = await a.LoginAsync(user.Email, user.Password, _key.Proof("POST", DpopApi.Url(DpopApi.Login), now));
        var nonceFromA = Assert.Single(ask.Headers.GetValues("DPoP-Nonce"));
        using var login = await b.LoginAsync(user.Email, user.Password, _key.Proof("POST", DpopApi.Url(DpopApi.Login), now, nonce: nonceFromA));
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var tokens = (await login.Content.ReadFromJsonAsync<TokenBody>())!;

        var proof = _key.Proof("GET", DpopApi.Url(DpopApi.Me), now, tokens.AccessToken, nonceFromA);
        using var onA = await a.GetAsync(DpopApi.Me, tokens.AccessToken, "DPoP", proof);
        using var replayedOnB = await b.GetAsync(DpopApi.Me, tokens.AccessToken, "DPoP", proof);
        using var freshOnB = await b.GetAsync(DpopApi.Me, tokens.AccessToken, "DPoP", _key.Proof("GET", DpopApi.Url(DpopApi.Me), now, tokens.AccessToken, nonceFromA));

        Assert.Equal(HttpStatusCode.OK, onA.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, replayedOnB.StatusCode);
        Assert.Contains("already used", replayedOnB.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, freshOnB.StatusCode);
    }
}

/// <summary>While Redis cannot answer, this instance alone decides replays: its own replays are still refused.</summary>
public sealed class DpopWithoutRedisTests
{
    [Fact]
    public async Task Proofs_work_and_a_replay_to_the_same_instance_is_refused_while_redis_is_unreachable()
    {
        await using var service = new SqliteApiFactory { RedisConfiguration = $"127.0.0.1:{ClosedPort()},connectTimeout=500" };
        await service.InitializeAsync();
        var client = service.CreateClient();
        using var key = DpopKey.Es256();
        var (_, tokens) = await client.BoundLoginAsync(key, service.Time.GetUtcNow());
        var proof = key.Proof("GET", DpopApi.Url(DpopApi.Me), service.Time.GetUtcNow(), tokens.AccessToken);

        using var first = await client.GetAsync(DpopApi.Me, tokens.AccessToken, "DPoP", proof);
        using var replay = await client.GetAsync(DpopApi.Me, tokens.AccessToken, "DPoP", proof);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, replay.StatusCode);
        Assert.Contains(service.Logs.GetSnapshot(), log => log.Id.Name == "DpopReplayCacheUnavailable");
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
