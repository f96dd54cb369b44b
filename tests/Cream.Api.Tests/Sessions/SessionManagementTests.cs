using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Cream.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Cream.Api.Tests.Sessions;

/// <summary>A user's own sessions: logout, logout everywhere, listing and ending devices, changing the password.</summary>
public abstract class SessionManagementTests(CreamApiFactory factory)
{
    private const string PhoneAgent = "CreamPhone/2.1 (test)";

    private readonly HttpClient _client = factory.CreateClient();

    [Fact]
    public async Task Logout_ends_the_current_session_and_no_other()
    {
        var user = await _client.SignupAsync();
        var other = await _client.LoginAsync(user.Email);
        var sid = SessionApi.SessionIdOf(user.AccessToken);

        using var response = await factory.CreateClient(user.AccessToken).PostAsync("/api/auth/logout", null);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        await factory.AssertRefusedAsync(user.AccessToken);
        await factory.AssertRefreshRefusedAsync(user.RefreshToken);
        await factory.AssertAcceptedAsync(other.AccessToken);
        var next = await _client.RefreshAsync(other.RefreshToken);
        await factory.AssertAcceptedAsync(next.AccessToken);
        var session = await factory.WithDbAsync(db => db.Sessions.AsNoTracking().SingleAsync(s => s.Id == sid));
        Assert.False(session.IsValid);
        Assert.NotNull(session.RevokedAt);
    }

    [Fact]
    public async Task Logout_without_a_token_is_401_not_authenticated()
    {
        using var response = await _client.PostAsync("/api/auth/logout", null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Not authenticated", await response.DetailAsync());
        Assert.Equal(["Bearer", "DPoP algs=\"ES256 ES384 RS256 PS256\""], response.Headers.GetValues("WWW-Authenticate")); // the first version's challenge first
    }

    [Fact]
    public async Task Logout_all_refuses_every_token_of_the_user_and_a_new_login_right_after_works()
    {
        var user = await _client.SignupAsync();
        var second = await _client.LoginAsync(user.Email);
        var third = await _client.LoginAsync(user.Email);
        var bystander = await _client.SignupAsync();

        using var response = await factory.CreateClient(second.AccessToken).PostAsync("/api/auth/logout-all", null);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        foreach (var tokens in new[] { user.Tokens, second, third })
        {
            await factory.AssertRefusedAsync(tokens.AccessToken);
            await factory.AssertRefreshRefusedAsync(tokens.RefreshToken);
        }

        Assert.Equal(0, await factory.WithDbAsync(db => db.Sessions.CountAsync(s => s.UserId == user.Id && s.IsValid)));
        await factory.AssertAcceptedAsync(bystander.AccessToken);
        var fresh = await _client.LoginAsync(user.Email);
        await factory.AssertAcceptedAsync(fresh.AccessToken);
        var rotated = await _client.RefreshAsync(fresh.RefreshToken);
        await factory.AssertAcceptedAsync(rotated.AccessToken);
    }

    [Fact]
    public async Task Sessions_lists_the_users_live_sessions_and_marks_the_current_one()
    {
        var user = await _client.SignupAsync();
        var phone = await LoginWithAgentAsync(user, PhoneAgent);
        var ended = await _client.LoginAsync(user.Email);
        using (var logout = await factory.CreateClient(ended.AccessToken).PostAsync("/api/auth/logout", null))
        {
            Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        }

        await _client.SignupAsync(); // another user's sessions never show

        using var response = await factory.CreateClient(phone.AccessToken).GetAsync("/api/auth/sessions");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var sessions = (await response.JsonAsync()).EnumerateArray().ToList();
        var phoneSid = SessionApi.SessionIdOf(phone.AccessToken);
        Assert.Equal(
            new[] { SessionApi.SessionIdOf(user.AccessToken), phoneSid }.Order(),
            sessions.Select(s => s.GetProperty("id").GetGuid()).Order());
        var current = Assert.Single(sessions, s => s.GetProperty("current").GetBoolean());
        Assert.Equal(phoneSid, current.GetProperty("id").GetGuid());
        Assert.Equal(PhoneAgent, current.GetProperty("user_agent").GetString());
        foreach (var session in sessions)
        {
            var created = session.GetProperty("created_at").GetDateTime();
            Assert.Equal(created.AddDays(7), session.GetProperty("expires_at").GetDateTime(), TimeSpan.FromMilliseconds(1));
            Assert.True(session.GetProperty("last_activity").GetDateTime() >= created);
            Assert.True(session.TryGetProperty("ip_address", out var ip) && ip.ValueKind is JsonValueKind.String or JsonValueKind.Null);
            Assert.True(session.TryGetProperty("user_agent", out _));
        }
    }

    [Fact]
    public async Task Ending_another_of_ones_own_sessions_refuses_its_tokens_and_keeps_the_current_one()
    {
        var user = await _client.SignupAsync();
        var other = await _client.LoginAsync(user.Email);
        var otherSid = SessionApi.SessionIdOf(other.AccessToken);
        using var client = factory.CreateClient(user.AccessToken);

        using var response = await client.DeleteAsync($"/api/auth/sessions/{otherSid}");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        await factory.AssertRefusedAsync(other.AccessToken);
        await factory.AssertRefreshRefusedAsync(other.RefreshToken);
        await factory.AssertAcceptedAsync(user.AccessToken);
        using var list = await client.GetAsync("/api/auth/sessions");
        var ids = (await list.JsonAsync()).EnumerateArray().Select(s => s.GetProperty("id").GetGuid()).ToList();
        Assert.Equal([SessionApi.SessionIdOf(user.AccessToken)], ids);
    }

    [Fact]
    public async Task Ending_another_users_session_is_404_and_that_session_keeps_working()
    {
        var attacker = await _client.SignupAsync();
        var victim = await _client.SignupAsync();
        var victimSid = SessionApi.SessionIdOf(victim.AccessToken);

        using var response = await factory.CreateClient(attacker.AccessToken).DeleteAsync($"/api/auth/sessions/{victimSid}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.False(string.IsNullOrWhiteSpace(await response.DetailAsync()));
        await factory.AssertAcceptedAsync(victim.AccessToken);
        Assert.True(await factory.WithDbAsync(db => db.Sessions.Where(s => s.Id == victimSid).Select(s => s.IsValid).SingleAsync()));
        await _client.RefreshAsync(victim.RefreshToken);
    }

    [Fact]
    public async Task Ending_an_unknown_session_is_404()
    {
        var user = await _client.SignupAsync();

        using var response = await factory.CreateClient(user.AccessToken).DeleteAsync($"/api/auth/sessions/{Guid.NewGuid()}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.False(string.IsNullOrWhiteSpace(await response.DetailAsync()));
        await factory.AssertAcceptedAsync(user.AccessToken);
    }

    [Fact]
    public async Task Ending_an_already_ended_session_is_404()
    {
        var user = await _client.SignupAsync();
        var other = await _client.LoginAsync(user.Email);
        var otherSid = SessionApi.SessionIdOf(other.AccessToken);
        using var client = factory.CreateClient(user.AccessToken);
        using (var first = await client.DeleteAsync($"/api/auth/sessions/{otherSid}"))
        {
            Assert.Equal(HttpStatusCode.NoContent, first.StatusCode);
        }

        using var second = await client.DeleteAsync($"/api/auth/sessions/{otherSid}");

        Assert.Equal(HttpStatusCode.NotFound, second.StatusCode);
        await factory.AssertAcceptedAsync(user.AccessToken);
    }

    [Fact]
    public async Task Ending_the_current_session_by_id_works_like_logout()
    {
        var user = await _client.SignupAsync();
        var sid = SessionApi.SessionIdOf(user.AccessToken);

        using var response = await factory.CreateClient(user.AccessToken).DeleteAsync($"/api/auth/sessions/{sid}");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        await factory.AssertRefusedAsync(user.AccessToken);
        await factory.AssertRefreshRefusedAsync(user.RefreshToken);
    }

    [Fact]
    public async Task Change_password_with_a_wrong_current_password_is_400_and_changes_nothing()
    {
        var user = await _client.SignupAsync();
        var other = await _client.LoginAsync(user.Email);

        using var response = await factory.CreateClient(user.AccessToken).PostAsJsonAsync("/api/auth/change-password",
            new { current_password = "not the password", new_password = "a brand new password" });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False(string.IsNullOrWhiteSpace(await response.DetailAsync()));
        await factory.AssertAcceptedAsync(other.AccessToken);
        await _client.LoginAsync(user.Email, user.Password);
        using var newPassword = await _client.PostLoginFormAsync(user.Email, "a brand new password");
        Assert.Equal(HttpStatusCode.Unauthorized, newPassword.StatusCode);
    }

    [Theory]
    [InlineData("short7!")]
    [InlineData("")]
    public async Task Change_password_to_a_too_short_password_is_422_and_changes_nothing(string newPassword)
    {
        var user = await _client.SignupAsync();

        using var response = await factory.CreateClient(user.AccessToken).PostAsJsonAsync("/api/auth/change-password",
            new { current_password = user.Password, new_password = newPassword });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.False(string.IsNullOrWhiteSpace(await response.DetailAsync()));
        Assert.True((await response.JsonAsync()).GetProperty("errors").TryGetProperty("new_password", out _));
        await _client.LoginAsync(user.Email, user.Password);
    }

    [Fact]
    public async Task Change_password_ends_the_other_sessions_keeps_this_one_and_switches_the_password()
    {
        var user = await _client.SignupAsync();
        var other = await _client.LoginAsync(user.Email);
        var third = await _client.LoginAsync(user.Email);
        const string NewPassword = "a brand new password";

        using var response = await factory.CreateClient(user.AccessToken).PostAsJsonAsync("/api/auth/change-password",
            new { current_password = user.Password, new_password = NewPassword });

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        foreach (var ended in new[] { other, third })
        {
            await factory.AssertRefusedAsync(ended.AccessToken);
            await factory.AssertRefreshRefusedAsync(ended.RefreshToken);
        }

        await factory.AssertAcceptedAsync(user.AccessToken);
        var rotated = await _client.RefreshAsync(user.RefreshToken);
        await factory.AssertAcceptedAsync(rotated.AccessToken);
        using var oldPassword = await _client.PostLoginFormAsync(user.Email, user.Password);
        Assert.Equal(HttpStatusCode.Unauthorized, oldPassword.StatusCode);
        Assert.Equal("Incorrect email or password", await oldPassword.DetailAsync());
        var fresh = await _client.LoginAsync(user.Email, NewPassword);
        await factory.AssertAcceptedAsync(fresh.AccessToken);
    }

    private async Task<TokenBody> LoginWithAgentAsync(TestUser user, string userAgent)
    {
        using var client = factory.CreateClient();
        client.DefaultRequestHeaders.UserAgent.ParseAdd(userAgent);
        return await client.LoginAsync(user.Email, user.Password);
    }
}

public sealed class SqliteSessionManagementTests(SqliteApiFactory factory) : SessionManagementTests(factory), IClassFixture<SqliteApiFactory>;

public sealed class PostgresSessionManagementTests(PostgresApiFactory factory) : SessionManagementTests(factory), IClassFixture<PostgresApiFactory>;
