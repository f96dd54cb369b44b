using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Cream.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Cream.Api.Tests.Sessions;

/// <summary>
/// Refresh tokens over HTTP: issued with every sign-in, stored only as hashes, rotated on every
/// refresh, reuse ending the session, a grace window for concurrent refreshes, and refusals
/// that store nothing. Time moves here only by seconds; longer trips are in <see cref="SessionExpiryTests"/>.
/// </summary>
public abstract partial class RefreshTokenTests(CreamApiFactory factory)
{
    private readonly HttpClient _client = factory.CreateClient();

    [GeneratedRegex("^[A-Za-z0-9_-]{43,}$")]
    private static partial Regex Base64UrlOf256BitsOrMore();

    [Fact]
    public async Task Signup_and_login_return_a_refresh_token_and_expires_in_and_forbid_caching()
    {
        var email = ApiHelpers.NewEmail();

        using var signup = await _client.PostSignupAsync(email);
        using var login = await _client.PostLoginFormAsync(email, ApiHelpers.DefaultPassword);

        foreach (var response in new[] { signup, login })
        {
            Assert.True(response.IsSuccessStatusCode, response.StatusCode.ToString());
            Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
            var body = await response.JsonAsync();
            Assert.Equal("bearer", body.GetProperty("token_type").GetString());
            Assert.Equal(1800, body.GetProperty("expires_in").GetInt32());
            Assert.False(string.IsNullOrEmpty(body.GetProperty("access_token").GetString()));
            Assert.Matches(Base64UrlOf256BitsOrMore(), body.GetProperty("refresh_token").GetString());
        }

        var first = (await signup.JsonAsync()).GetProperty("refresh_token").GetString();
        var second = (await login.JsonAsync()).GetProperty("refresh_token").GetString();
        Assert.NotEqual(first, second);
    }

    [Fact]
    public async Task Refresh_tokens_are_stored_only_as_their_sha256_hash()
    {
        var user = await _client.SignupAsync();
        var successor = await _client.RefreshAsync(user.RefreshToken);
        var sid = SessionApi.SessionIdOf(user.AccessToken);

        var hashes = await factory.WithDbAsync(db => db.RefreshTokens.Where(t => t.SessionId == sid)
            .OrderBy(t => t.CreatedAt).ThenBy(t => t.ConsumedAt == null).Select(t => t.TokenHash).ToListAsync());
        var whereOld = await factory.WhereStoredAsync(user.RefreshToken);
        var whereNew = await factory.WhereStoredAsync(successor.RefreshToken);
        var whereEmail = await factory.WhereStoredAsync(user.Email);

        Assert.Equal([SessionApi.Sha256(user.RefreshToken), SessionApi.Sha256(successor.RefreshToken)], hashes);
        Assert.Empty(whereOld);
        Assert.Empty(whereNew);
        Assert.Contains("app_users.email", whereEmail); // the scan does read every row and column
    }

    [Fact]
    public async Task Refresh_rotates_the_token_consumes_the_old_row_and_moves_the_sessions_last_activity()
    {
        var user = await _client.SignupAsync();
        var sid = SessionApi.SessionIdOf(user.AccessToken);
        var before = await factory.WithDbAsync(db => db.Sessions.AsNoTracking().SingleAsync(s => s.Id == sid));
        factory.Time.Advance(TimeSpan.FromSeconds(5));
        var now = factory.Time.GetUtcNow().UtcDateTime;

        using var response = await _client.PostRefreshAsync(user.RefreshToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        var tokens = (await response.Content.ReadFromJsonAsync<TokenBody>())!;
        Assert.Equal("bearer", tokens.TokenType);
        Assert.Equal(1800, tokens.ExpiresIn);
        Assert.NotEqual(user.AccessToken, tokens.AccessToken);
        Assert.NotEqual(user.RefreshToken, tokens.RefreshToken);
        Assert.Matches(Base64UrlOf256BitsOrMore(), tokens.RefreshToken);
        Assert.Equal(sid, SessionApi.SessionIdOf(tokens.AccessToken));

        var oldHash = SessionApi.Sha256(user.RefreshToken);
        var newHash = SessionApi.Sha256(tokens.RefreshToken);
        var old = await factory.WithDbAsync(db => db.RefreshTokens.AsNoTracking().SingleAsync(t => t.TokenHash == oldHash));
        var successor = await factory.WithDbAsync(db => db.RefreshTokens.AsNoTracking().SingleAsync(t => t.TokenHash == newHash));
        Assert.NotNull(old.ConsumedAt);
        Assert.Equal(successor.Id, old.SuccessorId);
        Assert.Null(successor.ConsumedAt);
        Assert.Equal(sid, successor.SessionId);

        var after = await factory.WithDbAsync(db => db.Sessions.AsNoTracking().SingleAsync(s => s.Id == sid));
        Assert.True(after.LastActivity > before.LastActivity);
        Assert.Equal(now, after.LastActivity, TimeSpan.FromMilliseconds(1));
        Assert.True(after.IsValid);
        await factory.AssertAcceptedAsync(tokens.AccessToken);
    }

    [Fact]
    public async Task The_token_endpoints_refresh_token_grant_rotates_like_refresh()
    {
        var user = await _client.SignupAsync();
        var sid = SessionApi.SessionIdOf(user.AccessToken);

        using var response = await _client.PostRefreshGrantAsync(user.RefreshToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        var tokens = (await response.Content.ReadFromJsonAsync<TokenBody>())!;
        Assert.NotEqual(user.RefreshToken, tokens.RefreshToken);
        Assert.Equal(sid, SessionApi.SessionIdOf(tokens.AccessToken));
        var oldHash = SessionApi.Sha256(user.RefreshToken);
        Assert.NotNull(await factory.WithDbAsync(db => db.RefreshTokens.Where(t => t.TokenHash == oldHash).Select(t => t.ConsumedAt).SingleAsync()));
        await factory.AssertAcceptedAsync(tokens.AccessToken);
        var next = await _client.RefreshAsync(tokens.RefreshToken); // the successor rotates through /refresh too
        Assert.Equal(sid, SessionApi.SessionIdOf(next.AccessToken));
    }

    [Fact]
    public async Task Reusing_a_rotated_token_after_the_grace_window_revokes_the_whole_session()
    {
        var user = await _client.SignupAsync();
        var sid = SessionApi.SessionIdOf(user.AccessToken);
        var successor = await _client.RefreshAsync(user.RefreshToken);
        await factory.AssertAcceptedAsync(successor.AccessToken);
        factory.Time.Advance(TimeSpan.FromSeconds(3)); // past the 2 s grace window
        var before = await factory.RowCountsAsync();

        using var reuse = await _client.PostRefreshAsync(user.RefreshToken);

        await SessionApi.AssertInvalidGrantAsync(reuse);
        Assert.Equal(before, await factory.RowCountsAsync());
        await factory.AssertRefusedAsync(successor.AccessToken);
        await factory.AssertRefusedAsync(user.AccessToken);
        await factory.AssertRefreshRefusedAsync(successor.RefreshToken);
        var session = await factory.WithDbAsync(db => db.Sessions.AsNoTracking().SingleAsync(s => s.Id == sid));
        Assert.False(session.IsValid);
        Assert.NotNull(session.RevokedAt);
        Assert.Contains(factory.Logs.GetSnapshot(), record => record.Id.Name == "RefreshReuseDetected"
            && record.Level == LogLevel.Warning && record.Message.Contains(sid.ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Presenting_the_rotated_token_again_within_the_grace_window_returns_the_same_successor()
    {
        var user = await _client.SignupAsync();
        var sid = SessionApi.SessionIdOf(user.AccessToken);
        var first = await _client.RefreshAsync(user.RefreshToken);

        using var again = await _client.PostRefreshAsync(user.RefreshToken);

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var second = (await again.Content.ReadFromJsonAsync<TokenBody>())!;
        Assert.Equal(first.RefreshToken, second.RefreshToken);
        Assert.Equal(sid, SessionApi.SessionIdOf(second.AccessToken));
        Assert.Equal(2, await factory.WithDbAsync(db => db.RefreshTokens.CountAsync(t => t.SessionId == sid)));
        await factory.AssertAcceptedAsync(first.AccessToken);
        await factory.AssertAcceptedAsync(second.AccessToken);
        Assert.True(await factory.WithDbAsync(db => db.Sessions.Where(s => s.Id == sid).Select(s => s.IsValid).SingleAsync()));
    }

    [Theory]
    [InlineData(1900, true)]
    [InlineData(2100, false)]
    public async Task The_grace_window_for_a_rotated_token_lasts_two_seconds(int millisecondsLater, bool sameSuccessor)
    {
        var user = await _client.SignupAsync();
        var first = await _client.RefreshAsync(user.RefreshToken);
        factory.Time.Advance(TimeSpan.FromMilliseconds(millisecondsLater));

        using var again = await _client.PostRefreshAsync(user.RefreshToken);

        if (sameSuccessor)
        {
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
            Assert.Equal(first.RefreshToken, (await again.Content.ReadFromJsonAsync<TokenBody>())!.RefreshToken);
            await factory.AssertAcceptedAsync(first.AccessToken);
        }
        else
        {
            await SessionApi.AssertInvalidGrantAsync(again);
            await factory.AssertRefusedAsync(first.AccessToken);
        }
    }

    [Fact]
    public async Task A_rotated_token_whose_successor_was_already_used_is_reuse_even_within_the_grace_window()
    {
        var user = await _client.SignupAsync();
        var first = await _client.RefreshAsync(user.RefreshToken);
        var second = await _client.RefreshAsync(first.RefreshToken);

        using var reuse = await _client.PostRefreshAsync(user.RefreshToken);

        await SessionApi.AssertInvalidGrantAsync(reuse);
        await factory.AssertRefusedAsync(second.AccessToken);
        await factory.AssertRefreshRefusedAsync(second.RefreshToken);
    }

    [Fact]
    public async Task Twenty_parallel_refreshes_of_one_token_yield_exactly_one_successor_which_still_works()
    {
        var user = await _client.SignupAsync();
        var sid = SessionApi.SessionIdOf(user.AccessToken);
        var oldHash = SessionApi.Sha256(user.RefreshToken);
        // SQLite calls block their thread; enough threads let the 20 requests really overlap.
        ThreadPool.GetMinThreads(out var workers, out var completionPorts);
        ThreadPool.SetMinThreads(Math.Max(workers, 32), completionPorts);

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => _client.PostRefreshAsync(user.RefreshToken)));

        var statuses = responses.Select(r => r.StatusCode).ToList();
        var successors = new HashSet<string>(StringComparer.Ordinal);
        foreach (var response in responses.Where(r => r.StatusCode == HttpStatusCode.OK))
        {
            successors.Add((await response.Content.ReadFromJsonAsync<TokenBody>())!.RefreshToken);
        }

        foreach (var response in responses)
        {
            response.Dispose();
        }

        Assert.All(statuses, status => Assert.Equal(HttpStatusCode.OK, status));
        var successor = Assert.Single(successors);
        var rows = await factory.WithDbAsync(db => db.RefreshTokens.AsNoTracking().Where(t => t.SessionId == sid).ToListAsync());
        Assert.Equal(2, rows.Count);
        var consumed = Assert.Single(rows, t => t.TokenHash.SequenceEqual(oldHash));
        var live = Assert.Single(rows, t => t.Id == consumed.SuccessorId);
        Assert.Equal(SessionApi.Sha256(successor), live.TokenHash);
        var next = await _client.RefreshAsync(successor);
        Assert.NotEqual(successor, next.RefreshToken);
        await factory.AssertAcceptedAsync(next.AccessToken);
    }

    [Fact]
    public async Task Unknown_refresh_token_is_invalid_grant_and_stores_nothing()
    {
        var before = await factory.RowCountsAsync();

        using var response = await _client.PostRefreshAsync(Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(new byte[32]));

        await SessionApi.AssertInvalidGrantAsync(response);
        Assert.Equal(before, await factory.RowCountsAsync());
    }

    [Fact]
    public async Task Refresh_token_of_a_logged_out_session_is_invalid_grant_and_stores_nothing()
    {
        var user = await _client.SignupAsync();
        using var logout = await factory.CreateClient(user.AccessToken).PostAsync("/api/auth/logout", null);
        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        var before = await factory.RowCountsAsync();

        using var response = await _client.PostRefreshAsync(user.RefreshToken);

        await SessionApi.AssertInvalidGrantAsync(response);
        Assert.Equal(before, await factory.RowCountsAsync());
    }

    [Fact]
    public async Task An_access_token_presented_as_a_refresh_token_is_invalid_grant_and_stores_nothing()
    {
        var user = await _client.SignupAsync();
        var before = await factory.RowCountsAsync();

        using var asJson = await _client.PostRefreshAsync(user.AccessToken);
        using var asGrant = await _client.PostRefreshGrantAsync(user.AccessToken);

        await SessionApi.AssertInvalidGrantAsync(asJson);
        await SessionApi.AssertInvalidGrantAsync(asGrant);
        Assert.Equal(before, await factory.RowCountsAsync());
        await factory.AssertAcceptedAsync(user.AccessToken); // a failed refresh harms nothing
        await _client.RefreshAsync(user.RefreshToken);
    }

    [Fact]
    public async Task A_refused_refresh_is_a_401_that_carries_a_bearer_challenge()
    {
        var unknown = Microsoft.IdentityModel.Tokens.Base64UrlEncoder.Encode(new byte[32]);

        using var refresh = await _client.PostRefreshAsync(unknown);
        using var grant = await _client.PostRefreshGrantAsync(unknown);

        // RFC 9110 §15.5.2: a 401 response MUST carry a WWW-Authenticate challenge, as the
        // password grant's 401 on the same token endpoint does.
        foreach (var response in new[] { refresh, grant })
        {
            await SessionApi.AssertInvalidGrantAsync(response);
            Assert.StartsWith("Bearer", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_refresh_token_presented_as_a_bearer_token_is_refused_as_invalid_token()
    {
        var user = await _client.SignupAsync();

        await factory.AssertRefusedAsync(user.RefreshToken, description: null);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("{\"refresh_token\":\"\"}")]
    [InlineData("{\"refresh_token\":null}")]
    public async Task A_refresh_without_a_refresh_token_is_400_invalid_request(string json)
    {
        var before = await factory.RowCountsAsync();
        using var content = new StringContent(json, System.Text.Encoding.UTF8, "application/json");

        using var response = await _client.PostAsync("/api/auth/refresh", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False(string.IsNullOrWhiteSpace(await response.DetailAsync()));
        Assert.Equal("invalid_request", (await response.JsonAsync()).GetProperty("error").GetString());
        Assert.Equal(before, await factory.RowCountsAsync());
    }

    [Theory]
    [InlineData("application/json", "{\"refresh_token\":123}")]
    [InlineData("application/json", "{\"refresh_token\":[\"a\"]}")]
    [InlineData("application/json", "not json")]
    [InlineData("application/json", "")]
    [InlineData("text/plain", "refresh_token")]
    public async Task A_malformed_refresh_request_is_a_4xx_problem_and_stores_nothing(string mediaType, string body)
    {
        var before = await factory.RowCountsAsync();
        using var content = new StringContent(body, System.Text.Encoding.UTF8, mediaType);

        using var response = await _client.PostAsync("/api/auth/refresh", content);

        Assert.InRange((int)response.StatusCode, 400, 499);
        Assert.False(string.IsNullOrWhiteSpace(await response.DetailAsync()));
        Assert.Equal(before, await factory.RowCountsAsync());
    }

    [Fact]
    public async Task A_huge_refresh_token_is_invalid_grant()
    {
        var before = await factory.RowCountsAsync();

        using var response = await _client.PostRefreshAsync(new string('A', 10_000));

        await SessionApi.AssertInvalidGrantAsync(response);
        Assert.Equal(before, await factory.RowCountsAsync());
    }

    [Fact]
    public async Task The_token_endpoint_accepts_the_refresh_token_grant_as_json_too()
    {
        var user = await _client.SignupAsync();

        using var response = await _client.PostAsJsonAsync("/api/auth/login", new { grant_type = "refresh_token", refresh_token = user.RefreshToken });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var tokens = (await response.Content.ReadFromJsonAsync<TokenBody>())!;
        Assert.NotEqual(user.RefreshToken, tokens.RefreshToken);
        Assert.Equal(SessionApi.SessionIdOf(user.AccessToken), SessionApi.SessionIdOf(tokens.AccessToken));
    }

    [Fact]
    public async Task The_refresh_token_grant_without_a_refresh_token_is_400_invalid_request()
    {
        using var response = await _client.PostFormAsync("/api/auth/login", ("grant_type", "refresh_token"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_request", (await response.JsonAsync()).GetProperty("error").GetString());
    }
}

public sealed class SqliteRefreshTokenTests(SqliteApiFactory factory) : RefreshTokenTests(factory), IClassFixture<SqliteApiFactory>;

public sealed class PostgresRefreshTokenTests(PostgresApiFactory factory) : RefreshTokenTests(factory), IClassFixture<PostgresApiFactory>;
