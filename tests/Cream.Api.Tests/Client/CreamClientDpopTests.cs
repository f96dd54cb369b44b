using System.Net;
using Cream.Api.Tests.Dpop;
using Cream.Api.Tests.Infrastructure;
using Cream.Api.Tests.Sessions;
using Cream.Api.Tests.TwoFactor;
using Cream.Client;
using Microsoft.EntityFrameworkCore;

namespace Cream.Api.Tests.Client;

/// <summary>
/// The .NET client with <c>useDpop</c> against the real service: bound tokens, a proof on every
/// request (token endpoints included), refreshes with proofs, a key that survives a restart,
/// and bound tokens that are worthless to whoever copies them. Moves the service's clock.
/// </summary>
public abstract class CreamClientDpopTests(CreamApiFactory factory)
{
    private const string Me = "/api/auth/me";
    private const string Refresh = "/api/auth/refresh";
    private static readonly TimeSpan InsideDefaultMargin = TimeSpan.FromMinutes(30) - TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Signup_call_refresh_call_with_DPoP_binds_the_session_to_the_stored_key()
    {
        using var client = new TestClient(factory, useDpop: true);
        var signup = await client.Api.SignupAsync(new SignupRequest(ApiHelpers.NewEmail("dpop"), ApiHelpers.DefaultPassword, "Dee", "Pop"));
        Assert.Equal("DPoP", signup!.TokenType);

        var tokens = await client.TokensAsync();
        Assert.True(tokens.IsDpopBound);
        var thumbprint = DpopWire.ThumbprintOfStoredKey(tokens.DpopKey!);
        Assert.Equal(thumbprint, DpopApi.BoundKeyOf(tokens.AccessToken));
        Assert.Equal(thumbprint, await BoundKeyOfSessionAsync(tokens.AccessToken));
        Assert.DoesNotContain(tokens.DpopKey!, tokens.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(tokens.AccessToken, tokens.ToString(), StringComparison.Ordinal);

        await client.Api.GetMeAsync();
        var call = Assert.Single(client.Wire.To(Me));
        Assert.Equal(("DPoP " + tokens.AccessToken, HttpStatusCode.OK), (call.Authorization, call.Status));
        var (header, claims) = DpopWire.ReadVerified(call.Proof!);
        Assert.Equal(("dpop+jwt", "ES256"), ((string?)header["typ"], (string?)header["alg"]));
        Assert.Equal(["kty", "crv", "x", "y"], header["jwk"]!.AsObject().Select(m => m.Key)); // the public key only
        Assert.Equal(thumbprint, DpopWire.Thumbprint(header["jwk"]!));
        Assert.Equal(("GET", "http://localhost/api/auth/me", DpopWire.Ath(tokens.AccessToken)), ((string?)claims["htm"], (string?)claims["htu"], (string?)claims["ath"]));
        Assert.Equal(factory.Time.GetUtcNow().ToUnixTimeSeconds(), (long)claims["iat"]!);

        factory.Time.Advance(InsideDefaultMargin);
        client.Wire.Reset();
        await client.Api.GetMeAsync();

        var renewed = await client.TokensAsync();
        Assert.NotEqual(tokens.AccessToken, renewed.AccessToken);
        Assert.Equal((tokens.DpopKey, thumbprint), (renewed.DpopKey, DpopApi.BoundKeyOf(renewed.AccessToken)));
        Assert.Equal(
            [(Refresh, (string?)null, HttpStatusCode.OK), (Me, "DPoP " + renewed.AccessToken, HttpStatusCode.OK)],
            client.Wire.Records.Select(r => (r.Path, r.Authorization, r.Status)));
        var refreshClaims = DpopWire.ReadVerified(client.Wire.To(Refresh)[0].Proof!).Claims;
        Assert.Equal(("POST", "http://localhost/api/auth/refresh", false), ((string?)refreshClaims["htm"], (string?)refreshClaims["htu"], refreshClaims.ContainsKey("ath")));
        Assert.Equal(DpopWire.Ath(renewed.AccessToken), (string?)DpopWire.ReadVerified(client.Wire.To(Me)[0].Proof!).Claims["ath"]);
        Assert.Equal(thumbprint, await BoundKeyOfSessionAsync(renewed.AccessToken));
    }

    [Fact]
    public async Task Login_and_mfa_verify_carry_proofs_and_every_proof_is_new()
    {
        var user = await factory.CreateTwoFactorUserAsync();
        using var client = new TestClient(factory, useDpop: true);

        var required = await Assert.ThrowsAsync<CreamMfaRequiredException>(() => client.Api.LoginAsync(user.Email, user.Password));
        var tokens = await client.Api.VerifyMfaAsync(required.MfaToken, user.RecoveryCodes[0]);
        await client.Api.GetMeAsync();
        await client.Api.GetSessionsAsync();

        Assert.Equal("DPoP", tokens.TokenType);
        var stored = await client.TokensAsync();
        Assert.Equal(DpopWire.ThumbprintOfStoredKey(stored.DpopKey!), DpopApi.BoundKeyOf(tokens.AccessToken));
        Assert.Equal(["/api/auth/login", "/api/auth/mfa/verify", Me, "/api/auth/sessions"], client.Wire.Records.Select(r => r.Path));
        var proofs = client.Wire.Records.Select(r => DpopWire.ReadVerified(r.Proof!)).ToList();
        Assert.Equal(4, proofs.Select(p => (string?)p.Claims["jti"]).Distinct().Count());
        Assert.Single(proofs.Select(p => DpopWire.Thumbprint(p.Header["jwk"]!)).Distinct());
        Assert.Equal(["http://localhost/api/auth/login", "http://localhost/api/auth/mfa/verify"], proofs.Take(2).Select(p => (string?)p.Claims["htu"]));
    }

    [Fact]
    public async Task A_new_client_over_the_same_persistent_store_keeps_the_key_and_the_session()
    {
        using var folder = new TempDirectory();
        var store = new FileTokenStore(Path.Combine(folder.Path, "tokens.json"));
        Guid userId;
        using (var first = new TestClient(factory, useDpop: true, store: store))
        {
            userId = await first.SignupAsync();
        }

        var key = (await store.GetAsync())!.DpopKey!;
        using var restarted = new TestClient(factory, useDpop: true, store: new FileTokenStore(Path.Combine(folder.Path, "tokens.json")));
        Assert.Equal(userId, (await restarted.Api.GetMeAsync()).Id);
        factory.Time.Advance(InsideDefaultMargin);
        Assert.Equal(userId, (await restarted.Api.GetMeAsync()).Id);

        Assert.Equal([(Me, HttpStatusCode.OK), (Refresh, HttpStatusCode.OK), (Me, HttpStatusCode.OK)], restarted.Wire.Records.Select(r => (r.Path, r.Status)));
        Assert.All(restarted.Wire.Records, r => Assert.Equal(DpopWire.ThumbprintOfStoredKey(key), DpopWire.Thumbprint(DpopWire.ReadVerified(r.Proof!).Header["jwk"]!)));
        var after = (await store.GetAsync())!;
        Assert.Equal((key, true), (after.DpopKey, after.IsDpopBound));

        // A client built without useDpop still signs for the tokens the store holds with their key.
        using var plain = new TestClient(factory, store: store);
        Assert.Equal(userId, (await plain.Api.GetMeAsync()).Id);
        Assert.StartsWith("DPoP ", Assert.Single(plain.Wire.Records).Authorization, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_copied_bound_token_is_refused_to_a_plain_client_as_Bearer_or_with_another_key()
    {
        using var victim = new TestClient(factory, useDpop: true);
        await victim.SignupAsync();
        var stolen = await victim.TokensAsync();
        using var thief = factory.CreateClient();
        using var thiefKey = DpopKey.Es256();
        var now = factory.Time.GetUtcNow();

        using (var asBearer = await thief.GetAsync(Me, stolen.AccessToken, "Bearer"))
        {
            await AssertDpopRefusalAsync(asBearer);
        }

        using (var otherKey = await thief.GetAsync(Me, stolen.AccessToken, "DPoP", thiefKey.Proof("GET", DpopApi.Url(Me), now, stolen.AccessToken)))
        {
            await AssertDpopRefusalAsync(otherKey);
        }

        using (var refreshWithout = await DpopApi.RefreshAsync(thief, stolen.RefreshToken))
        {
            Assert.Equal(HttpStatusCode.BadRequest, refreshWithout.StatusCode);
        }

        using (var refreshOtherKey = await thief.RefreshAsync(stolen.RefreshToken, thiefKey.Proof("POST", DpopApi.Url(DpopApi.Login), now)))
        {
            Assert.Equal(HttpStatusCode.BadRequest, refreshOtherKey.StatusCode);
        }

        Assert.Equal(stolen, await victim.TokensAsync());
        await victim.Api.GetMeAsync();
        factory.Time.Advance(InsideDefaultMargin);
        await victim.Api.GetMeAsync(); // the victim's refresh token still works: the thief's tries changed nothing
        Assert.NotEqual(stolen.RefreshToken, (await victim.TokensAsync()).RefreshToken);
    }

    [Fact]
    public async Task A_refresh_whose_answer_was_lost_is_asked_again_after_the_grace_window_and_the_session_lives()
    {
        var lose = new LoseFirstRefreshAnswer(factory.Time) { InnerHandler = factory.Server.CreateHandler() };
        var wire = new WireRecorder { InnerHandler = lose };
        using var api = CreamClient.Create(factory.Server.BaseAddress, new InMemoryTokenStore(), factory.Time, wire, useDpop: true);
        await api.SignupAsync(new SignupRequest(ApiHelpers.NewEmail("lost"), ApiHelpers.DefaultPassword, "Lost", "Answer"));
        var userId = (await api.GetMeAsync()).Id;
        factory.Time.Advance(InsideDefaultMargin);
        wire.Reset();

        Assert.Equal(userId, (await api.GetMeAsync()).Id);

        Assert.Equal(1, lose.Lost);
        Assert.Equal([(Refresh, HttpStatusCode.OK), (Me, HttpStatusCode.OK)], wire.Records.Select(r => (r.Path, r.Status)));
        Assert.Equal([true], await factory.WithDbAsync(db => db.Sessions.Where(s => s.UserId == userId).Select(s => s.IsValid).ToListAsync()));
        factory.Time.Advance(InsideDefaultMargin);
        Assert.Equal(userId, (await api.GetMeAsync()).Id); // the successor it kept rotates normally
    }

    [Fact]
    public async Task Requests_to_another_origin_carry_neither_the_token_nor_a_proof()
    {
        var store = new InMemoryTokenStore();
        using (var client = new TestClient(factory, useDpop: true, store: store))
        {
            await client.SignupAsync();
        }

        var seen = new List<(string Host, string? Authorization, bool Proof)>();
        var recorder = new WireRecorder
        {
            InnerHandler = factory.Server.CreateHandler(),
            Intercept = request =>
            {
                seen.Add((request.RequestUri!.Authority, request.Headers.Authorization?.ToString(), request.Headers.Contains("DPoP")));
                return request.RequestUri!.Authority != factory.Server.BaseAddress.Authority ? new HttpResponseMessage(HttpStatusCode.Unauthorized) : null;
            },
        };
        using var http = new HttpClient(new CreamAuthHandler(store, factory.Server.BaseAddress, factory.Time) { InnerHandler = recorder, UseDpop = true });

        using var foreign = await http.GetAsync(new Uri("https://elsewhere.example/api/auth/me"));
        using var foreignLogin = await http.PostAsync(new Uri("http://localhost:8080/api/auth/login"), new StringContent(""));
        using var own = await http.GetAsync(new Uri(factory.Server.BaseAddress, Me));

        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        var tokens = await store.GetAsync();
        Assert.Equal(
            [("elsewhere.example", (string?)null, false), ("localhost:8080", null, false), (factory.Server.BaseAddress.Authority, "DPoP " + tokens!.AccessToken, true)],
            seen);
    }

    private Task<string?> BoundKeyOfSessionAsync(string accessToken)
    {
        var sessionId = SessionApi.SessionIdOf(accessToken);
        return factory.WithDbAsync(db => db.Sessions.Where(s => s.Id == sessionId).Select(s => s.DpopKey).SingleAsync());
    }

    private static async Task AssertDpopRefusalAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.StartsWith("DPoP error=\"invalid_dpop_proof\"", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Equal(ClientTestKit.InvalidCredentials, (await response.JsonAsync()).GetProperty("detail").GetString());
    }

    /// <summary>
    /// Lets the first refresh reach the server, then loses its answer and makes the client come
    /// back 10 s later: past the 2 s grace window in which a bearer client would get its successor.
    /// </summary>
    private sealed class LoseFirstRefreshAnswer(Microsoft.Extensions.Time.Testing.FakeTimeProvider time) : DelegatingHandler
    {
        public int Lost { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (request.RequestUri!.AbsolutePath == Refresh && Lost == 0)
            {
                Lost++;
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                response.Dispose();
                time.Advance(TimeSpan.FromSeconds(10));
                throw new HttpRequestException("The connection was reset.");
            }

            return response;
        }
    }
}

public sealed class SqliteCreamClientDpopTests(SqliteApiFactory factory) : CreamClientDpopTests(factory), IClassFixture<SqliteApiFactory>;

public sealed class PostgresCreamClientDpopTests(PostgresApiFactory factory) : CreamClientDpopTests(factory), IClassFixture<PostgresApiFactory>;
