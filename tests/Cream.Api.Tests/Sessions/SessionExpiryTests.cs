using System.Net;
using System.Net.Http.Json;
using Cream.Api.Auth.Retention;
using Cream.Api.Auth.Revocation;
using Cream.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Cream.Api.Tests.Sessions;

/// <summary>
/// Expiry of refresh and access tokens, by moving the fake clock by minutes and days. This class
/// has a service of its own, so no other test sees the clock jump; its tests run one after the
/// other and each mints its tokens at the clock's current time.
/// </summary>
public abstract class SessionExpiryTests(CreamApiFactory factory)
{
    private static readonly TimeSpan RefreshLifetime = TimeSpan.FromDays(7);
    private static readonly TimeSpan AccessLifetimeAndSkew = TimeSpan.FromMinutes(30) + TimeSpan.FromSeconds(30);

    private readonly HttpClient _client = factory.CreateClient();

    [Fact]
    public async Task A_refresh_token_older_than_seven_days_is_invalid_grant_and_stores_nothing()
    {
        var user = await _client.SignupAsync();
        factory.Time.Advance(RefreshLifetime + TimeSpan.FromSeconds(1));
        // The jump also wakes the retention pruner: prune now, so its round changes nothing between the counts.
        await factory.Services.GetRequiredService<RetentionPruner>().PruneAsync(CancellationToken.None);
        var before = await factory.RowCountsAsync();

        using var response = await _client.PostRefreshAsync(user.RefreshToken);
        using var grant = await _client.PostRefreshGrantAsync(user.RefreshToken);

        await SessionApi.AssertInvalidGrantAsync(response);
        await SessionApi.AssertInvalidGrantAsync(grant);
        Assert.Equal(before, await factory.RowCountsAsync());
    }

    [Fact]
    public async Task A_refresh_token_just_under_seven_days_old_still_rotates_and_the_session_slides()
    {
        var user = await _client.SignupAsync();
        factory.Time.Advance(RefreshLifetime - TimeSpan.FromMinutes(1));

        var tokens = await _client.RefreshAsync(user.RefreshToken);

        var sid = SessionApi.SessionIdOf(tokens.AccessToken);
        var expires = await factory.WithDbAsync(db => db.Sessions.Where(s => s.Id == sid).Select(s => s.ExpiresAt).SingleAsync());
        Assert.Equal(factory.Time.GetUtcNow().UtcDateTime + RefreshLifetime, expires, TimeSpan.FromMilliseconds(1));
        await factory.AssertAcceptedAsync(tokens.AccessToken);
    }

    [Fact]
    public async Task Expired_sessions_are_no_longer_listed()
    {
        var user = await _client.SignupAsync();
        factory.Time.Advance(RefreshLifetime + TimeSpan.FromSeconds(1));
        var fresh = await _client.LoginAsync(user.Email);

        using var response = await factory.CreateClient(fresh.AccessToken).GetAsync("/api/auth/sessions");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var ids = (await response.JsonAsync()).EnumerateArray().Select(s => s.GetProperty("id").GetGuid()).ToList();
        Assert.Equal([SessionApi.SessionIdOf(fresh.AccessToken)], ids);
    }

    [Fact]
    public async Task An_access_token_is_refused_as_expired_after_thirty_minutes_and_the_clock_skew()
    {
        var user = await _client.SignupAsync();
        factory.Time.Advance(TimeSpan.FromMinutes(30) + TimeSpan.FromSeconds(10));
        await factory.AssertAcceptedAsync(user.AccessToken); // inside the 30 s skew

        factory.Time.Advance(TimeSpan.FromSeconds(21));

        await factory.AssertRefusedAsync(user.AccessToken, "The token has expired");
        var tokens = await _client.RefreshAsync(user.RefreshToken); // the session outlives its access tokens
        await factory.AssertAcceptedAsync(tokens.AccessToken);
    }

    [Fact]
    public async Task An_access_token_revoked_by_jti_stays_refused_through_the_clock_skew_after_its_exp_and_a_resync()
    {
        var user = await _client.SignupAsync();
        using var revoke = await _client.PostFormAsync("/api/auth/revoke", ("token", user.AccessToken));
        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        await factory.AssertRefusedAsync(user.AccessToken);
        // Past exp but inside the 30 s skew, where an unrevoked token is still accepted.
        factory.Time.Advance(TimeSpan.FromMinutes(30) + TimeSpan.FromSeconds(10));
        var sync = factory.Services.GetRequiredService<RevocationSync>();

        await sync.ReloadAsync(CancellationToken.None); // the whole state read again from the revoked rows

        await factory.AssertRefusedAsync(user.AccessToken);
    }

    [Fact]
    public async Task An_access_token_revoked_by_jti_inside_the_clock_skew_after_its_exp_is_refused()
    {
        var user = await _client.SignupAsync();
        factory.Time.Advance(TimeSpan.FromMinutes(30) + TimeSpan.FromSeconds(10));
        await factory.AssertAcceptedAsync(user.AccessToken); // still accepted: inside the 30 s skew

        using var revoke = await _client.PostFormAsync("/api/auth/revoke", ("token", user.AccessToken));

        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        await factory.AssertRefusedAsync(user.AccessToken);
    }

    [Fact]
    public async Task Introspection_reports_an_expired_access_token_as_inactive()
    {
        var admin = await factory.CreateAdminAsync();
        var user = await _client.SignupAsync();
        using var liveResponse = await factory.CreateClient(admin.AccessToken)
            .PostFormAsync("/api/auth/introspect", ("token", user.AccessToken));
        Assert.True((await liveResponse.JsonAsync()).GetProperty("active").GetBoolean());
        factory.Time.Advance(AccessLifetimeAndSkew + TimeSpan.FromSeconds(1));
        var freshAdmin = await _client.LoginAsync(admin.Email, admin.Password);

        using var response = await factory.CreateClient(freshAdmin.AccessToken)
            .PostFormAsync("/api/auth/introspect", ("token", user.AccessToken));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.JsonAsync();
        Assert.False(body.GetProperty("active").GetBoolean());
        Assert.False(body.TryGetProperty("sub", out _));
    }

    [Fact]
    public async Task Introspection_reports_an_expired_refresh_token_as_inactive()
    {
        var admin = await factory.CreateAdminAsync();
        var user = await _client.SignupAsync();
        factory.Time.Advance(RefreshLifetime + TimeSpan.FromSeconds(1));
        var freshAdmin = await _client.LoginAsync(admin.Email, admin.Password);

        using var response = await factory.CreateClient(freshAdmin.AccessToken)
            .PostFormAsync("/api/auth/introspect", ("token", user.RefreshToken));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False((await response.JsonAsync()).GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task A_logged_out_session_stays_refused_after_a_resync_from_the_database()
    {
        var user = await _client.SignupAsync();
        var other = await _client.LoginAsync(user.Email);
        using var logout = await factory.CreateClient(user.AccessToken).PostAsync("/api/auth/logout", null);
        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        factory.Time.Advance(TimeSpan.FromMinutes(1));
        var sync = factory.Services.GetRequiredService<RevocationSync>();

        await sync.ReloadAsync(CancellationToken.None); // the whole state read again from the revoked rows

        await factory.AssertRefusedAsync(user.AccessToken);
        await factory.AssertAcceptedAsync(other.AccessToken);
    }

    [Fact]
    public async Task Logout_all_stays_in_force_after_a_resync_from_the_database()
    {
        var user = await _client.SignupAsync();
        using var logoutAll = await factory.CreateClient(user.AccessToken).PostAsync("/api/auth/logout-all", null);
        Assert.Equal(HttpStatusCode.NoContent, logoutAll.StatusCode);
        var fresh = await _client.LoginAsync(user.Email);
        factory.Time.Advance(TimeSpan.FromMinutes(1));
        var sync = factory.Services.GetRequiredService<RevocationSync>();

        await sync.ReloadAsync(CancellationToken.None); // the whole state read again from the revoked rows

        await factory.AssertRefusedAsync(user.AccessToken);
        await factory.AssertAcceptedAsync(fresh.AccessToken);
    }

    [Fact]
    public async Task A_revoked_access_token_and_a_disabled_account_stay_refused_after_a_resync_from_the_database()
    {
        var admin = await factory.CreateAdminAsync();
        var user = await _client.SignupAsync();
        var sameSession = await _client.RefreshAsync(user.RefreshToken);
        var disabled = await _client.SignupAsync();
        using var revoke = await _client.PostFormAsync("/api/auth/revoke", ("token", user.AccessToken));
        using var disable = await factory.CreateClient(admin.AccessToken)
            .PatchAsJsonAsync($"/api/admin/users/{disabled.Id}", new { is_active = false });
        Assert.Equal(HttpStatusCode.OK, revoke.StatusCode);
        Assert.Equal(HttpStatusCode.OK, disable.StatusCode);
        factory.Time.Advance(TimeSpan.FromMinutes(1));
        var sync = factory.Services.GetRequiredService<RevocationSync>();

        await sync.ReloadAsync(CancellationToken.None); // the whole state read again from the revoked rows

        await factory.AssertRefusedAsync(user.AccessToken);
        await factory.AssertAcceptedAsync(sameSession.AccessToken);
        await factory.AssertRefusedAsync(disabled.AccessToken);
    }
}

public sealed class SqliteSessionExpiryTests(SqliteApiFactory factory) : SessionExpiryTests(factory), IClassFixture<SqliteApiFactory>;

public sealed class PostgresSessionExpiryTests(PostgresApiFactory factory) : SessionExpiryTests(factory), IClassFixture<PostgresApiFactory>;
