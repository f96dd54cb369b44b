using System.Net;
using System.Net.Http.Json;
using Cream.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Cream.Api.Tests.Sessions;

/// <summary>RFC 7009 revocation and RFC 7662 introspection, and revocation keyed on claims rather than on the token string.</summary>
public abstract class TokenRevocationAndIntrospectionTests(CreamApiFactory factory)
{
    private readonly HttpClient _client = factory.CreateClient();

    [Fact]
    public async Task Revoking_an_access_token_refuses_it_on_the_next_request_while_its_session_lives_on()
    {
        var user = await _client.SignupAsync();
        var sameSession = await _client.RefreshAsync(user.RefreshToken);
        await factory.AssertAcceptedAsync(user.AccessToken);
        var jti = SessionApi.TokenIdOf(user.AccessToken);

        using var response = await _client.PostFormAsync("/api/auth/revoke", ("token", user.AccessToken), ("token_type_hint", "access_token"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await factory.AssertRefusedAsync(user.AccessToken);
        await factory.AssertAcceptedAsync(sameSession.AccessToken);
        Assert.True(await factory.WithDbAsync(db => db.RevokedAccessTokens.AnyAsync(t => t.TokenId == jti)));
        var next = await _client.RefreshAsync(sameSession.RefreshToken);
        await factory.AssertAcceptedAsync(next.AccessToken);
    }

    [Fact]
    public async Task A_token_answered_from_memory_is_refused_on_the_request_after_a_logout_as_any_other_is()
    {
        var user = await _client.SignupAsync();
        using var padded = factory.CreateClient(); // the scheme's name in any case, the token with spaces around: JwtBearer's reading
        padded.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", $"bearer   {user.AccessToken}  ");
        for (var i = 0; i < 4; i++)
        {
            await factory.AssertAcceptedAsync(user.AccessToken); // from the third on, the bearer scheme answers from memory
            Assert.Equal(HttpStatusCode.OK, (await padded.GetAsync("/api/auth/me")).StatusCode);
        }

        using var loggedOut = await factory.CreateClient(user.AccessToken).PostAsync("/api/auth/logout", null);

        Assert.Equal(HttpStatusCode.NoContent, loggedOut.StatusCode);
        await factory.AssertRefusedAsync(user.AccessToken);
        Assert.Equal(HttpStatusCode.Unauthorized, (await padded.GetAsync("/api/auth/me")).StatusCode);
    }

    [Fact]
    public async Task Revoking_a_refresh_token_ends_its_session()
    {
        var user = await _client.SignupAsync();
        var other = await _client.LoginAsync(user.Email);
        var sid = SessionApi.SessionIdOf(user.AccessToken);

        using var response = await _client.PostFormAsync("/api/auth/revoke", ("token", user.RefreshToken), ("token_type_hint", "refresh_token"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await factory.AssertRefreshRefusedAsync(user.RefreshToken);
        await factory.AssertRefusedAsync(user.AccessToken);
        Assert.False(await factory.WithDbAsync(db => db.Sessions.Where(s => s.Id == sid).Select(s => s.IsValid).SingleAsync()));
        await factory.AssertAcceptedAsync(other.AccessToken);
    }

    [Fact]
    public async Task The_token_type_hint_is_only_a_hint()
    {
        var user = await _client.SignupAsync();
        var other = await _client.LoginAsync(user.Email);

        using var wrongHintForAccess = await _client.PostFormAsync("/api/auth/revoke", ("token", user.AccessToken), ("token_type_hint", "refresh_token"));
        using var wrongHintForRefresh = await _client.PostFormAsync("/api/auth/revoke", ("token", other.RefreshToken), ("token_type_hint", "access_token"));

        Assert.Equal(HttpStatusCode.OK, wrongHintForAccess.StatusCode);
        Assert.Equal(HttpStatusCode.OK, wrongHintForRefresh.StatusCode);
        await factory.AssertRefusedAsync(user.AccessToken);
        await factory.AssertRefusedAsync(other.AccessToken);
        await factory.AssertRefreshRefusedAsync(other.RefreshToken);
    }

    [Theory]
    [InlineData("dummy_token")]
    [InlineData("a.b.c")]
    [InlineData("eyJhbGciOiJIUzI1NiJ9.e30.AAAA")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public async Task Revoking_an_unknown_or_garbage_token_is_200_and_stores_nothing(string token)
    {
        var user = await _client.SignupAsync();
        var before = await factory.RowCountsAsync();
        var liveBefore = await factory.WithDbAsync(db => db.Sessions.CountAsync(s => s.IsValid));

        using var response = await _client.PostFormAsync("/api/auth/revoke", ("token", token));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(before, await factory.RowCountsAsync());
        Assert.Equal(liveBefore, await factory.WithDbAsync(db => db.Sessions.CountAsync(s => s.IsValid)));
        await factory.AssertAcceptedAsync(user.AccessToken);
    }

    [Fact]
    public async Task Revoking_without_a_token_is_400_invalid_request()
    {
        using var response = await _client.PostFormAsync("/api/auth/revoke", ("token_type_hint", "access_token"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False(string.IsNullOrWhiteSpace(await response.DetailAsync()));
        Assert.Equal("invalid_request", (await response.JsonAsync()).GetProperty("error").GetString());
    }

    [Fact]
    public async Task Introspection_describes_a_live_access_token()
    {
        var admin = await factory.CreateAdminAsync();
        var user = await _client.SignupAsync();
        var jwt = new JsonWebToken(user.AccessToken);

        using var response = await Introspect(admin, user.AccessToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.JsonAsync();
        Assert.True(body.GetProperty("active").GetBoolean());
        Assert.Equal("access_token", body.GetProperty("token_type").GetString());
        Assert.Equal(user.Id.ToString(), body.GetProperty("sub").GetString());
        Assert.Equal(SessionApi.SessionIdOf(user.AccessToken).ToString(), body.GetProperty("sid").GetString());
        Assert.Equal(jwt.Id, body.GetProperty("jti").GetString());
        Assert.Equal(new DateTimeOffset(jwt.ValidTo).ToUnixTimeSeconds(), body.GetProperty("exp").GetInt64());
        Assert.Equal(new DateTimeOffset(jwt.IssuedAt).ToUnixTimeSeconds(), body.GetProperty("iat").GetInt64());
        Assert.Equal(user.Email, body.GetProperty("email").GetString());
    }

    [Fact]
    public async Task Introspection_describes_a_live_refresh_token()
    {
        var admin = await factory.CreateAdminAsync();
        var user = await _client.SignupAsync();
        var sid = SessionApi.SessionIdOf(user.AccessToken);
        var hash = SessionApi.Sha256(user.RefreshToken);
        var expires = await factory.WithDbAsync(db => db.RefreshTokens.Where(t => t.TokenHash == hash).Select(t => t.ExpiresAt).SingleAsync());

        using var response = await Introspect(admin, user.RefreshToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.JsonAsync();
        Assert.True(body.GetProperty("active").GetBoolean());
        Assert.Equal("refresh_token", body.GetProperty("token_type").GetString());
        Assert.Equal(user.Id.ToString(), body.GetProperty("sub").GetString());
        Assert.Equal(sid.ToString(), body.GetProperty("sid").GetString());
        Assert.Equal(new DateTimeOffset(expires, TimeSpan.Zero).ToUnixTimeSeconds(), body.GetProperty("exp").GetInt64());
    }

    [Fact]
    public async Task Introspection_is_for_admins_only()
    {
        var user = await _client.SignupAsync();

        using var forbidden = await factory.CreateClient(user.AccessToken).PostFormAsync("/api/auth/introspect", ("token", user.AccessToken));
        using var anonymous = await _client.PostFormAsync("/api/auth/introspect", ("token", user.AccessToken));

        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal("Admin access required", await forbidden.DetailAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("Not authenticated", await anonymous.DetailAsync());
    }

    [Fact]
    public async Task Introspection_reports_revoked_tokens_as_inactive()
    {
        var admin = await factory.CreateAdminAsync();
        var revokedByJti = await _client.SignupAsync();
        using (var revoke = await _client.PostFormAsync("/api/auth/revoke", ("token", revokedByJti.AccessToken)))
        {
            Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        }

        var loggedOut = await _client.SignupAsync();
        using (var logout = await factory.CreateClient(loggedOut.AccessToken).PostAsync("/api/auth/logout", null))
        {
            Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        }

        var rotated = await _client.SignupAsync();
        var successor = await _client.RefreshAsync(rotated.RefreshToken);

        foreach (var token in new[] { revokedByJti.AccessToken, loggedOut.AccessToken, loggedOut.RefreshToken, rotated.RefreshToken })
        {
            using var response = await Introspect(admin, token);

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var body = await response.JsonAsync();
            Assert.False(body.GetProperty("active").GetBoolean());
            Assert.False(body.TryGetProperty("sub", out _));
        }

        using var live = await Introspect(admin, successor.RefreshToken);
        Assert.True((await live.JsonAsync()).GetProperty("active").GetBoolean());
    }

    [Theory]
    [InlineData("dummy_token")]
    [InlineData("a.b.c")]
    [InlineData("")]
    [InlineData("eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.")]
    public async Task Introspection_reports_malformed_tokens_as_inactive(string token)
    {
        var admin = await factory.CreateAdminAsync();

        using var response = await Introspect(admin, token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.JsonAsync();
        Assert.False(body.GetProperty("active").GetBoolean());
        Assert.Equal(["active"], body.EnumerateObject().Select(p => p.Name));
    }

    [Theory]
    [InlineData("other unused bits")]
    [InlineData("padded")]
    public async Task Another_spelling_of_a_revoked_tokens_signature_is_refused(string spelling)
    {
        var user = await _client.SignupAsync();
        var variant = spelling == "padded" ? user.AccessToken + "=" : SessionApi.ReencodedSignature(user.AccessToken);
        Assert.NotEqual(user.AccessToken, variant);

        using var response = await _client.PostFormAsync("/api/auth/revoke", ("token", user.AccessToken));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await factory.AssertRefusedAsync(user.AccessToken);
        await factory.AssertRefusedAsync(variant, description: null);
    }

    [Fact]
    public async Task Revoking_a_token_also_refuses_another_token_string_with_the_same_claims()
    {
        var user = await _client.SignupAsync();
        var twin = SessionApi.SameClaimsReserialized(user.AccessToken, factory.JwtSecret);
        Assert.NotEqual(user.AccessToken, twin);
        await factory.AssertAcceptedAsync(twin); // a genuine token: same key, same claims

        using var response = await _client.PostFormAsync("/api/auth/revoke", ("token", user.AccessToken));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await factory.AssertRefusedAsync(user.AccessToken);
        await factory.AssertRefusedAsync(twin);
    }

    [Fact]
    public async Task Revoking_a_token_string_with_the_same_claims_revokes_the_original()
    {
        var user = await _client.SignupAsync();
        var twin = SessionApi.SameClaimsReserialized(user.AccessToken, factory.JwtSecret);

        using var response = await _client.PostFormAsync("/api/auth/revoke", ("token", twin));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await factory.AssertRefusedAsync(user.AccessToken);
        await factory.AssertRefusedAsync(twin);
    }

    [Fact]
    public async Task Logging_out_with_a_token_string_with_the_same_claims_ends_the_session_for_both()
    {
        var user = await _client.SignupAsync();
        var twin = SessionApi.SameClaimsReserialized(user.AccessToken, factory.JwtSecret);

        using var response = await factory.CreateClient(twin).PostAsync("/api/auth/logout", null);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        await factory.AssertRefusedAsync(user.AccessToken);
        await factory.AssertRefusedAsync(twin);
        await factory.AssertRefreshRefusedAsync(user.RefreshToken);
    }

    [Fact]
    public async Task Every_kind_of_revocation_is_honoured_by_an_instance_started_afterwards()
    {
        var admin = await factory.CreateAdminAsync();
        var loggedOut = await _client.SignupAsync();
        var revokedByJti = await _client.SignupAsync();
        var everywhere = await _client.SignupAsync();
        var disabled = await _client.SignupAsync();
        var live = await _client.SignupAsync();
        using var adminClient = factory.CreateClient(admin.AccessToken);
        Assert.Equal(HttpStatusCode.NoContent, (await factory.CreateClient(loggedOut.AccessToken).PostAsync("/api/auth/logout", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _client.PostFormAsync("/api/auth/revoke", ("token", revokedByJti.AccessToken))).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await adminClient.PostAsync($"/api/admin/users/{everywhere.Id}/revoke-tokens", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await adminClient.PatchAsJsonAsync($"/api/admin/users/{disabled.Id}", new { is_active = false })).StatusCode);

        await using var restarted = factory.WithWebHostBuilder(_ => { });

        foreach (var refused in new[] { loggedOut, revokedByJti, everywhere, disabled })
        {
            using var client = restarted.CreateClient(refused.AccessToken);
            using var response = await client.GetAsync("/api/auth/me");
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Contains(SessionApi.RevokedDescription, response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        }

        using var liveClient = restarted.CreateClient(live.AccessToken);
        Assert.Equal(HttpStatusCode.OK, (await liveClient.GetAsync("/api/auth/me")).StatusCode);
    }

    private Task<HttpResponseMessage> Introspect(TestUser admin, string token) =>
        factory.CreateClient(admin.AccessToken).PostFormAsync("/api/auth/introspect", ("token", token));
}

public sealed class SqliteTokenRevocationAndIntrospectionTests(SqliteApiFactory factory)
    : TokenRevocationAndIntrospectionTests(factory), IClassFixture<SqliteApiFactory>;

public sealed class PostgresTokenRevocationAndIntrospectionTests(PostgresApiFactory factory)
    : TokenRevocationAndIntrospectionTests(factory), IClassFixture<PostgresApiFactory>;
