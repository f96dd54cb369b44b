using System.Net;
using System.Net.Http.Json;
using Cream.Api.Tests.Infrastructure;
using Cream.Api.Tests.Sessions;
using Cream.Api.Tests.TwoFactor;
using Microsoft.EntityFrameworkCore;

namespace Cream.Api.Tests.Dpop;

/// <summary>
/// The token endpoints with proofs: a bound session and bound tokens, refreshes that need the
/// bound key and change nothing without it, and the lost-reply rule (RFC 9449 §5).
/// </summary>
public abstract class DpopTokenTests(CreamApiFactory factory)
{
    private readonly HttpClient _client = factory.CreateClient();

    private DateTimeOffset Now => factory.Time.GetUtcNow();

    private string LoginProof(DpopKey key) => key.Proof("POST", DpopApi.Url(DpopApi.Login), Now);

    private string MeProof(DpopKey key, string token) => key.Proof("GET", DpopApi.Url(DpopApi.Me), Now, token);

    [Fact]
    public async Task Login_call_refresh_call_with_one_key()
    {
        using var key = DpopKey.Es256();
        var (user, tokens) = await _client.BoundLoginAsync(key, Now);

        Assert.Equal("DPoP", tokens.TokenType);
        Assert.Equal(key.Thumbprint, DpopApi.BoundKeyOf(tokens.AccessToken));
        var sessionId = SessionApi.SessionIdOf(tokens.AccessToken);
        Assert.Equal(key.Thumbprint, await factory.WithDbAsync(db => db.Sessions.Where(s => s.Id == sessionId).Select(s => s.DpopKey).SingleAsync()));
        using (var me = await _client.GetAsync(DpopApi.Me, tokens.AccessToken, "DPoP", MeProof(key, tokens.AccessToken)))
        {
            Assert.Equal(HttpStatusCode.OK, me.StatusCode);
            Assert.Equal(user.Email, (await me.JsonAsync()).GetProperty("email").GetString());
        }

        using var refresh = await _client.RefreshAsync(tokens.RefreshToken, LoginProof(key));
        Assert.Equal(HttpStatusCode.OK, refresh.StatusCode);
        var renewed = (await refresh.Content.ReadFromJsonAsync<TokenBody>())!;
        Assert.Equal("DPoP", renewed.TokenType);
        Assert.Equal(key.Thumbprint, DpopApi.BoundKeyOf(renewed.AccessToken));
        using var again = await _client.GetAsync(DpopApi.Me, renewed.AccessToken, "DPoP", MeProof(key, renewed.AccessToken));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
    }

    [Fact]
    public async Task Signup_and_the_refresh_path_bind_too()
    {
        using var key = DpopKey.Es256();
        var signupRequest = new HttpRequestMessage(HttpMethod.Post, "/api/auth/signup")
        {
            Content = JsonContent.Create(new { email = ApiHelpers.NewEmail(), password = ApiHelpers.DefaultPassword, first_name = "A", last_name = "B" }),
        };
        signupRequest.Headers.Add("DPoP", key.Proof("POST", DpopApi.Url("/api/auth/signup"), Now));
        using var signup = await _client.SendAsync(signupRequest);
        Assert.Equal(HttpStatusCode.Created, signup.StatusCode);
        var tokens = (await signup.Content.ReadFromJsonAsync<TokenBody>())!;
        Assert.Equal("DPoP", tokens.TokenType);

        var refreshRequest = new HttpRequestMessage(HttpMethod.Post, "/api/auth/refresh") { Content = JsonContent.Create(new { refresh_token = tokens.RefreshToken }) };
        refreshRequest.Headers.Add("DPoP", key.Proof("POST", DpopApi.Url("/api/auth/refresh"), Now));
        using var refresh = await _client.SendAsync(refreshRequest);
        Assert.Equal(HttpStatusCode.OK, refresh.StatusCode);
        Assert.Equal(key.Thumbprint, DpopApi.BoundKeyOf((await refresh.Content.ReadFromJsonAsync<TokenBody>())!.AccessToken));
    }

    [Fact]
    public async Task A_bad_proof_at_login_is_400_invalid_dpop_proof_and_opens_no_session()
    {
        using var key = DpopKey.Es256();
        var user = await _client.SignupAsync();
        var before = await factory.RowCountsAsync();

        using var response = await _client.LoginAsync(user.Email, user.Password, key.Proof("POST", DpopApi.Url("/api/auth/refresh"), Now));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_dpop_proof", (await response.JsonAsync()).GetProperty("error").GetString());
        Assert.Equal(before, await factory.RowCountsAsync());
    }

    [Fact]
    public async Task A_bound_refresh_token_without_a_proof_or_with_another_key_is_refused_and_nothing_changes()
    {
        using var key = DpopKey.Es256();
        using var thief = DpopKey.Es256();
        var (_, tokens) = await _client.BoundLoginAsync(key, Now);
        var before = await factory.RowCountsAsync();

        using var withoutProof = await _client.RefreshAsync(tokens.RefreshToken);
        using var otherKey = await _client.RefreshAsync(tokens.RefreshToken, LoginProof(thief));

        foreach (var refused in new[] { withoutProof, otherKey })
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Equal("invalid_dpop_proof", (await refused.JsonAsync()).GetProperty("error").GetString());
        }

        Assert.Equal(before, await factory.RowCountsAsync());
        using var owner = await _client.RefreshAsync(tokens.RefreshToken, LoginProof(key)); // not consumed, not revoked
        Assert.Equal(HttpStatusCode.OK, owner.StatusCode);
    }

    [Fact]
    public async Task A_lost_reply_is_answered_again_with_the_same_successor_long_after_the_grace_window()
    {
        using var key = DpopKey.Es256();
        var (_, tokens) = await _client.BoundLoginAsync(key, Now);
        using var lost = await _client.RefreshAsync(tokens.RefreshToken, LoginProof(key));
        var successor = (await lost.Content.ReadFromJsonAsync<TokenBody>())!;
        factory.Time.Advance(TimeSpan.FromMinutes(5)); // far past the 2 s grace window

        using var retry = await _client.RefreshAsync(tokens.RefreshToken, LoginProof(key));
        using var thief = DpopKey.Es256();
        using var stolen = await _client.RefreshAsync(tokens.RefreshToken, LoginProof(thief));

        Assert.Equal(HttpStatusCode.OK, retry.StatusCode);
        Assert.Equal(successor.RefreshToken, (await retry.Content.ReadFromJsonAsync<TokenBody>())!.RefreshToken);
        Assert.Equal(HttpStatusCode.BadRequest, stolen.StatusCode);
        using var next = await _client.RefreshAsync(successor.RefreshToken, LoginProof(key));
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    [Fact]
    public async Task Two_concurrent_refreshes_of_a_bound_session_get_one_successor_and_keep_the_session()
    {
        for (var trial = 0; trial < 10; trial++)
        {
            using var key = DpopKey.Es256();
            var (_, tokens) = await _client.BoundLoginAsync(key, Now);

            var answers = await Task.WhenAll(
                _client.RefreshAsync(tokens.RefreshToken, LoginProof(key)),
                _client.RefreshAsync(tokens.RefreshToken, LoginProof(key)));

            Assert.All(answers, answer => Assert.Equal(HttpStatusCode.OK, answer.StatusCode));
            var successors = await Task.WhenAll(answers.Select(async a => (await a.Content.ReadFromJsonAsync<TokenBody>())!.RefreshToken));
            Assert.Single(successors.Distinct());
            using var next = await _client.RefreshAsync(successors[0], LoginProof(key));
            Assert.Equal(HttpStatusCode.OK, next.StatusCode);
            foreach (var answer in answers)
            {
                answer.Dispose();
            }
        }
    }

    [Fact]
    public async Task A_rotated_token_presented_after_its_successor_was_used_is_still_reuse()
    {
        using var key = DpopKey.Es256();
        var (_, tokens) = await _client.BoundLoginAsync(key, Now);
        using var first = await _client.RefreshAsync(tokens.RefreshToken, LoginProof(key));
        var successor = (await first.Content.ReadFromJsonAsync<TokenBody>())!;
        using var second = await _client.RefreshAsync(successor.RefreshToken, LoginProof(key));
        factory.Time.Advance(TimeSpan.FromMinutes(1));

        using var reuse = await _client.RefreshAsync(tokens.RefreshToken, LoginProof(key));

        Assert.Equal(HttpStatusCode.Unauthorized, reuse.StatusCode);
        var sessionId = SessionApi.SessionIdOf(tokens.AccessToken);
        Assert.False(await factory.WithDbAsync(db => db.Sessions.Where(s => s.Id == sessionId).Select(s => s.IsValid).SingleAsync()));
    }

    [Fact]
    public async Task Revoking_a_bound_token_needs_a_proof_from_its_key()
    {
        using var key = DpopKey.Es256();
        using var thief = DpopKey.Es256();
        var (_, tokens) = await _client.BoundLoginAsync(key, Now);
        var sessionId = SessionApi.SessionIdOf(tokens.AccessToken);

        foreach (var withThiefsProof in new[] { false, true })
        {
            foreach (var token in new[] { tokens.RefreshToken, tokens.AccessToken })
            {
                using var attempt = await Revoke(token, withThiefsProof ? [thief.Proof("POST", DpopApi.Url("/api/auth/revoke"), Now)] : []);
                Assert.Equal(HttpStatusCode.OK, attempt.StatusCode); // RFC 7009: the same answer, nothing done
            }
        }

        Assert.True(await factory.WithDbAsync(db => db.Sessions.Where(s => s.Id == sessionId).Select(s => s.IsValid).SingleAsync()));
        using (var me = await _client.GetAsync(DpopApi.Me, tokens.AccessToken, "DPoP", MeProof(key, tokens.AccessToken)))
        {
            Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        }

        using var owner = await Revoke(tokens.RefreshToken, [key.Proof("POST", DpopApi.Url("/api/auth/revoke"), Now)]);
        Assert.Equal(HttpStatusCode.OK, owner.StatusCode);
        Assert.False(await factory.WithDbAsync(db => db.Sessions.Where(s => s.Id == sessionId).Select(s => s.IsValid).SingleAsync()));
    }

    private Task<HttpResponseMessage> Revoke(string token, string[] proofs)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/revoke") { Content = new FormUrlEncodedContent([new("token", token)]) };
        foreach (var proof in proofs)
        {
            request.Headers.Add("DPoP", proof);
        }

        return _client.SendAsync(request);
    }

    [Fact]
    public async Task A_thief_refreshing_a_bearer_session_with_their_own_key_cannot_take_it_over()
    {
        using var thief = DpopKey.Es256();
        var owner = await _client.SignupAsync();

        using var stolen = await _client.RefreshAsync(owner.RefreshToken, LoginProof(thief));
        var thiefs = (await stolen.Content.ReadFromJsonAsync<TokenBody>())!;
        factory.Time.Advance(TimeSpan.FromSeconds(3)); // past the grace window
        using var ownersRetry = await _client.RefreshAsync(owner.RefreshToken);
        using var thiefsNext = await _client.RefreshAsync(thiefs.RefreshToken, LoginProof(thief));

        Assert.Equal("DPoP", thiefs.TokenType); // the access token is bound to the proof's key; the session is not
        Assert.Equal(HttpStatusCode.Unauthorized, ownersRetry.StatusCode); // reuse, as without DPoP: the session ends
        Assert.Equal(HttpStatusCode.Unauthorized, thiefsNext.StatusCode);
        var sessionId = SessionApi.SessionIdOf(owner.AccessToken);
        Assert.Null(await factory.WithDbAsync(db => db.Sessions.Where(s => s.Id == sessionId).Select(s => s.DpopKey).SingleAsync()));
    }

    [Fact]
    public async Task The_second_step_of_a_two_factor_login_binds_with_its_own_proof()
    {
        using var key = DpopKey.Es256();
        var user = await factory.CreateTwoFactorUserAsync();
        var mfaToken = await _client.MfaTokenAsync(user.Email, user.Password);
        var verify = new HttpRequestMessage(HttpMethod.Post, "/api/auth/mfa/verify")
        {
            Content = JsonContent.Create(new { mfa_token = mfaToken, code = factory.Code(user.Secret) }),
        };
        verify.Headers.Add("DPoP", key.Proof("POST", DpopApi.Url("/api/auth/mfa/verify"), Now));

        using var response = await _client.SendAsync(verify);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var tokens = (await response.Content.ReadFromJsonAsync<TokenBody>())!;
        Assert.Equal("DPoP", tokens.TokenType);
        Assert.Equal(key.Thumbprint, DpopApi.BoundKeyOf(tokens.AccessToken));
        Assert.Equal(["pwd", "otp"], TwoFactorApi.AmrOf(tokens.AccessToken));
    }

    [Fact]
    public async Task Introspection_returns_cnf_and_discovery_lists_the_proof_algorithms()
    {
        using var key = DpopKey.Es256();
        var (_, tokens) = await _client.BoundLoginAsync(key, Now);
        var admin = await factory.CreateAdminAsync();

        using var introspection = await factory.CreateClient(admin.AccessToken).PostFormAsync("/api/auth/introspect", ("token", tokens.AccessToken));
        using var discovery = await _client.GetAsync("/.well-known/openid-configuration");

        Assert.Equal(key.Thumbprint, (await introspection.JsonAsync()).GetProperty("cnf").GetProperty("jkt").GetString());
        Assert.Equal(["ES256", "ES384", "RS256", "PS256"],
            (await discovery.JsonAsync()).GetProperty("dpop_signing_alg_values_supported").EnumerateArray().Select(a => a.GetString()));
    }
}

public sealed class SqliteDpopTokenTests(SqliteApiFactory factory) : DpopTokenTests(factory), IClassFixture<SqliteApiFactory>;

public sealed class PostgresDpopTokenTests(PostgresApiFactory factory) : DpopTokenTests(factory), IClassFixture<PostgresApiFactory>;

/// <summary><c>Dpop__Required</c>: no token without a proof, at any token endpoint.</summary>
public sealed class DpopRequiredTests : IAsyncLifetime
{
    private readonly SqliteApiFactory _factory = new() { Settings = new Dictionary<string, string?> { ["Dpop:Required"] = "true" } };

    public Task InitializeAsync() => ((IAsyncLifetime)_factory).InitializeAsync();

    public Task DisposeAsync() => ((IAsyncLifetime)_factory).DisposeAsync();

    [Fact]
    public async Task Login_and_signup_without_a_proof_are_400_and_with_one_succeed()
    {
        using var client = _factory.CreateClient();
        using var key = DpopKey.Es256();
        var email = ApiHelpers.NewEmail();

        using var signup = await client.PostSignupAsync(email);
        Assert.Equal(HttpStatusCode.BadRequest, signup.StatusCode);
        Assert.Equal("invalid_dpop_proof", (await signup.JsonAsync()).GetProperty("error").GetString());
        Assert.Equal(0, await _factory.WithDbAsync(db => db.Users.CountAsync()));

        var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/signup")
        {
            Content = JsonContent.Create(new { email, password = ApiHelpers.DefaultPassword, first_name = "A", last_name = "B" }),
        };
        request.Headers.Add("DPoP", key.Proof("POST", DpopApi.Url("/api/auth/signup"), _factory.Time.GetUtcNow()));
        using var bound = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, bound.StatusCode);

        using var login = await client.LoginAsync(email, ApiHelpers.DefaultPassword);
        Assert.Equal(HttpStatusCode.BadRequest, login.StatusCode);
    }
}

/// <summary>A proof costs a signature check, so the per-address limit is counted before it (once per request).</summary>
public sealed class DpopRateLimitTests : IAsyncLifetime
{
    private readonly SqliteApiFactory _factory = new() { Settings = new Dictionary<string, string?> { ["RateLimits:PerIpPerMinute"] = "2" } };

    public Task InitializeAsync() => ((IAsyncLifetime)_factory).InitializeAsync();

    public Task DisposeAsync() => ((IAsyncLifetime)_factory).DisposeAsync();

    [Fact]
    public async Task Past_the_limit_a_request_with_a_proof_is_429_before_its_proof_is_checked()
    {
        using var client = _factory.CreateClient();
        using var key = DpopKey.Es256();
        var user = await client.SignupAsync();
        string Proof() => key.Proof("POST", DpopApi.Url(DpopApi.Login), _factory.Time.GetUtcNow());

        using var first = await client.LoginAsync(user.Email, user.Password, Proof());
        using var second = await client.LoginAsync(user.Email, user.Password, Proof());
        var genuine = Proof();
        using var third = await client.LoginAsync(user.Email, user.Password, genuine[..^4] + "AAAA");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode); // one request counts once, not once per check
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, third.StatusCode); // not 400: the bad signature was never checked
    }
}
