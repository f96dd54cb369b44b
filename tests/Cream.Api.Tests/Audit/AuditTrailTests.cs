using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Cream.Api.Audit;
using Cream.Api.Common;
using Cream.Api.Tests.Infrastructure;
using Cream.Api.Tests.Sessions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using BruteForceApi = Cream.Api.Tests.BruteForce.BruteForceApi;
using ClientAddressFromHeader = Cream.Api.Tests.BruteForce.ClientAddressFromHeader;

namespace Cream.Api.Tests.Audit;

/// <summary>Security events land in <c>auth_events</c> with their context, and admins can read them back.</summary>
public abstract class AuditTrailTests(CreamApiFactory factory)
{
    private const string Agent = "CreamAuditTest/1.0";

    [Fact]
    public void The_audit_finds_its_request_without_an_accessor_that_would_stop_the_host_reusing_contexts()
    {
        // Registering IHttpContextAccessor makes the host allocate a new HttpContext per request.
        Assert.Null(factory.Services.GetService<Microsoft.AspNetCore.Http.IHttpContextAccessor>());
        Assert.Null(CurrentRequest.Context);
    }

    [Fact]
    public async Task A_session_from_signup_to_logout_is_recorded_with_address_agent_and_request_id()
    {
        var address = BruteForceApi.NewAddress();
        using var client = ClientAt(address);
        var user = await client.SignupAsync(password: "audit-secret-password");
        using var failed = await client.PostLoginFormAsync(user.Email, "a-wrong-password-9");
        var login = await client.LoginAsync(user.Email, user.Password);
        using var refreshed = await client.PostRefreshAsync(login.RefreshToken);
        factory.Time.Advance(TimeSpan.FromMinutes(1)); // past the grace window: presenting the old token again is reuse
        using var reused = await client.PostRefreshAsync(login.RefreshToken);
        using var authed = ClientAt(address, user.AccessToken);
        using var logout = await authed.PostAsync("/api/auth/logout", null);

        Assert.Equal(HttpStatusCode.Unauthorized, failed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, reused.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);

        var events = (await AuditAsync($"user_id={user.Id}")).Events;
        Assert.Equal(
            ["logout", "refresh_reuse", "refresh", "login", "login", "signup"],
            events.Select(e => e.Type));
        Assert.Equal(
            ["success", "failure", "success", "success", "failure", "success"],
            events.Select(e => e.Outcome));
        Assert.Equal("wrong_password", events[4].Reason);
        Assert.Equal("reused", events[1].Reason);
        Assert.Equal(SessionApi.SessionIdOf(login.AccessToken), events[2].SessionId);
        Assert.Equal(SessionApi.SessionIdOf(user.AccessToken), events[0].SessionId);
        Assert.All(events, e =>
        {
            Assert.Equal(user.Id, e.UserId);
            Assert.Equal(address, e.ClientIp);
            Assert.Equal(Agent, e.UserAgent);
            Assert.False(string.IsNullOrEmpty(e.RequestId));
        });
        Assert.Equal(RequestIdOf(logout), events[0].RequestId);
        Assert.Equal(RequestIdOf(failed), events[4].RequestId);
    }

    [Fact]
    public async Task Unknown_emails_and_refused_refreshes_are_failures_without_a_user_and_duplicate_signups_are_not_recorded()
    {
        using var client = factory.CreateClient();
        var user = await client.SignupAsync();
        using var unknown = await client.PostLoginFormAsync(ApiHelpers.NewEmail("nobody"), "whatever-password");
        using var duplicate = await client.PostSignupAsync(user.Email);
        using var bogusRefresh = await client.PostRefreshAsync("not-a-refresh-token");

        var events = new List<AuditEventView>();
        foreach (var response in new[] { unknown, bogusRefresh })
        {
            events.Add(Assert.Single((await AuditAsync($"request_id={Uri.EscapeDataString(RequestIdOf(response))}")).Events));
        }

        // Signup has no per-address limit: a row per refused signup would let anyone flood the trail.
        Assert.Equal(HttpStatusCode.BadRequest, duplicate.StatusCode);
        Assert.Empty((await AuditAsync($"request_id={Uri.EscapeDataString(RequestIdOf(duplicate))}")).Events);
        Assert.Equal(["login", "refresh"], events.Select(e => e.Type));
        Assert.Equal(["unknown_email", "unknown"], events.Select(e => e.Reason));
        Assert.All(events, e =>
        {
            Assert.Equal("failure", e.Outcome);
            Assert.Null(e.UserId);
        });
    }

    [Fact]
    public async Task Admin_actions_name_the_admin_as_actor()
    {
        var admin = await factory.CreateAdminAsync();
        var target = await factory.CreateClient().SignupAsync();
        using var adminClient = factory.CreateClient(admin.AccessToken);

        using var roles = await adminClient.PatchAsJsonAsync($"/api/admin/users/{target.Id}", new { roles = new[] { "editor", "analyst" } });
        using var disable = await adminClient.PatchAsJsonAsync($"/api/admin/users/{target.Id}", new { is_active = false });
        using var enable = await adminClient.PatchAsJsonAsync($"/api/admin/users/{target.Id}", new { is_active = true });
        using var revoke = await adminClient.PostAsync($"/api/admin/users/{target.Id}/revoke-tokens", null);
        using var dropRole = await adminClient.PatchAsJsonAsync($"/api/admin/users/{target.Id}", new { roles = Array.Empty<string>() });

        Assert.All(new[] { roles, disable, enable, dropRole }, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        var events = (await AuditAsync($"user_id={target.Id}", admin.AccessToken)).Events
            .Where(e => e.ActorId is not null).ToList();
        // One row per role, so no change is ever cut short.
        Assert.Equal(["roles_changed", "roles_changed", "user_tokens_revoked", "user_enabled", "user_disabled", "roles_changed", "roles_changed"], events.Select(e => e.Type));
        Assert.Equal(["-analyst", "-editor", null, null, null, "+analyst", "+editor"], events.Select(e => e.Reason));
        Assert.All(events, e => Assert.Equal(admin.Id, e.ActorId));

        // The admin's own filter finds what they did, too.
        var byAdmin = (await AuditAsync($"user_id={admin.Id}&type=user_disabled", admin.AccessToken)).Events;
        Assert.Contains(byAdmin, e => e.UserId == target.Id);
    }

    [Fact]
    public async Task Password_changes_session_ends_revocations_and_refused_admin_access_are_recorded()
    {
        using var client = factory.CreateClient();
        var user = await client.SignupAsync();
        var other = await client.LoginAsync(user.Email);
        using var authed = factory.CreateClient(user.AccessToken);

        using var wrong = await authed.PostAsJsonAsync("/api/auth/change-password", new { current_password = "not-it-at-all", new_password = "a-new-password-1" });
        using var changed = await authed.PostAsJsonAsync("/api/auth/change-password", new { current_password = user.Password, new_password = "a-new-password-1" });
        var third = await client.LoginAsync(user.Email, "a-new-password-1");
        using var ended = await authed.DeleteAsync($"/api/auth/sessions/{SessionApi.SessionIdOf(third.AccessToken)}");
        using var revoked = await client.PostAsync("/api/auth/revoke", new FormUrlEncodedContent([new("token", user.AccessToken)]));
        var fourth = await client.LoginAsync(user.Email, "a-new-password-1");
        using var forbidden = await factory.CreateClient(fourth.AccessToken).GetAsync("/api/admin/users");

        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, changed.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, ended.StatusCode);
        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        var events = (await AuditAsync($"user_id={user.Id}")).Events;
        Assert.Equal(
            ["admin_access_denied", "login", "token_revoked", "session_ended", "login", "password_change", "password_change"],
            events.Take(7).Select(e => e.Type));
        Assert.Equal(["missing_admin_role", null, "access_token", "ended_by_user", null, null, "wrong_current_password"], events.Take(7).Select(e => e.Reason));
        Assert.Equal(["failure", "success", "success", "success", "success", "success", "failure"], events.Take(7).Select(e => e.Outcome));
        Assert.Equal(SessionApi.SessionIdOf(fourth.AccessToken), events[0].SessionId);
        Assert.Equal(SessionApi.SessionIdOf(user.AccessToken), events[2].SessionId);
        await factory.AssertRefusedAsync(other.AccessToken, description: null);
    }

    [Fact]
    public async Task Refused_admin_access_is_recorded_once_per_user_and_minute()
    {
        var user = await factory.CreateClient().SignupAsync();
        using var client = factory.CreateClient(user.AccessToken);
        for (var i = 0; i < 3; i++)
        {
            using var refused = await client.GetAsync("/api/admin/users");
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        Assert.Single((await AuditAsync($"user_id={user.Id}&type=admin_access_denied")).Events);
        factory.Time.Advance(TimeSpan.FromMinutes(1));
        using var later = await client.GetAsync("/api/admin/users");
        Assert.Equal(2, (await AuditAsync($"user_id={user.Id}&type=admin_access_denied")).TotalCount);
    }

    [Fact]
    public async Task An_address_over_its_limit_is_recorded_once_per_window()
    {
        var address = BruteForceApi.NewAddress();
        using var client = BruteForceApi.ClientFrom(BruteForceApi.WithLowAddressLimit(factory), address);
        var email = ApiHelpers.NewEmail("flood");
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < BruteForceApi.PerIpPerMinute + 3; i++)
        {
            using var response = await client.PostLoginFormAsync(email, BruteForceApi.WrongPassword);
            statuses.Add(response.StatusCode);
        }

        Assert.Equal(3, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
        var lockouts = (await AuditAsync("type=lockout&page_size=100")).Events.Where(e => e.ClientIp == address).ToList();
        var lockout = Assert.Single(lockouts);
        Assert.Equal("client_limit", lockout.Reason);
        Assert.Equal("failure", lockout.Outcome);
    }

    [Fact]
    public async Task Each_attempt_refused_by_an_email_backoff_is_recorded()
    {
        using var client = factory.CreateClient();
        var email = ApiHelpers.NewEmail("backoff");
        await BruteForceApi.FailLoginsAsync(client, email, 5);
        using var refused = await client.PostLoginFormAsync(email, BruteForceApi.WrongPassword);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        var lockout = Assert.Single((await AuditAsync($"request_id={Uri.EscapeDataString(RequestIdOf(refused))}")).Events);
        Assert.Equal(("lockout", "failure", "email_backoff"), (lockout.Type, lockout.Outcome, lockout.Reason));
        Assert.Null(lockout.UserId);
    }

    [Fact]
    public async Task Filters_by_type_and_time_and_pages_newest_first()
    {
        using var client = factory.CreateClient();
        var user = await client.SignupAsync();
        for (var i = 0; i < 4; i++)
        {
            await client.LoginAsync(user.Email);
        }

        var page1 = await AuditAsync($"user_id={user.Id}&type=login&page_size=3");
        var page2 = await AuditAsync($"user_id={user.Id}&type=login&page_size=3&page=2");
        Assert.Equal(4, page1.TotalCount);
        Assert.Equal(2, page1.TotalPages);
        Assert.Equal(3, page1.Events.Count);
        Assert.Single(page2.Events);
        var ids = page1.Events.Concat(page2.Events).Select(e => e.Id).ToList();
        Assert.Equal(ids.OrderDescending(), ids);
        Assert.All(page1.Events, e => Assert.Equal("login", e.Type));

        var newest = page1.Events[0].OccurredAt;
        var future = new DateTimeOffset(newest, TimeSpan.Zero).AddSeconds(1).ToString("O");
        var none = await AuditAsync($"user_id={user.Id}&from={Uri.EscapeDataString(future)}");
        Assert.Equal(0, none.TotalCount);
        var before = await AuditAsync($"user_id={user.Id}&to={Uri.EscapeDataString(future)}");
        Assert.Equal(5, before.TotalCount); // the signup and four logins
    }

    [Theory]
    [InlineData("type=no_such_type")]
    [InlineData("page=0")]
    [InlineData("page_size=0")]
    [InlineData("page_size=101")]
    [InlineData("page=2147483647&page_size=100")]
    [InlineData("from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z")]
    public async Task Bad_filters_are_422(string query)
    {
        var admin = await factory.CreateAdminAsync();
        using var response = await factory.CreateClient(admin.AccessToken).GetAsync($"/api/admin/audit?{query}");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.False(string.IsNullOrEmpty(await response.DetailAsync()));
    }

    [Theory]
    [InlineData("user_id=not-a-guid")]
    [InlineData("from=yesterday")]
    public async Task Unreadable_filters_are_400(string query)
    {
        var admin = await factory.CreateAdminAsync();
        using var response = await factory.CreateClient(admin.AccessToken).GetAsync($"/api/admin/audit?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False(string.IsNullOrEmpty(await response.DetailAsync()));
    }

    [Fact]
    public async Task Only_admins_read_the_trail()
    {
        var user = await factory.CreateClient().SignupAsync();
        using var anonymous = await factory.CreateClient().GetAsync("/api/admin/audit");
        using var notAdmin = await factory.CreateClient(user.AccessToken).GetAsync("/api/admin/audit");

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, notAdmin.StatusCode);
        Assert.Equal("Admin access required", await notAdmin.DetailAsync());
    }

    [Fact]
    public async Task No_password_or_token_is_ever_stored_in_the_trail()
    {
        using var client = factory.CreateClient();
        var user = await client.SignupAsync(password: "trail-secret-password");
        using var failed = await client.PostLoginFormAsync(user.Email, "typed-secret-password");
        var login = await client.LoginAsync(user.Email, user.Password);
        await client.RefreshAsync(login.RefreshToken);
        using var revoke = await client.PostAsync("/api/auth/revoke", new FormUrlEncodedContent([new("token", login.AccessToken)]));

        var rows = await factory.WithDbAsync(db => db.AuthEvents.AsNoTracking().ToListAsync());
        var stored = JsonSerializer.Serialize(rows);
        foreach (var secret in new[] { user.Password, "typed-secret-password", user.Email, login.AccessToken, login.RefreshToken, user.RefreshToken, factory.JwtSecret })
        {
            Assert.DoesNotContain(secret, stored, StringComparison.Ordinal);
        }

        Assert.Contains(rows, r => r.UserId == user.Id && r.Type == AuthEventTypes.TokenRevoked);
    }

    private HttpClient ClientAt(string address, string? accessToken = null)
    {
        var client = factory.WithWebHostBuilder(builder =>
                builder.ConfigureServices(services => services.AddSingleton<IStartupFilter, ClientAddressFromHeader>()))
            .CreateClient();
        client.DefaultRequestHeaders.Add(ClientAddressFromHeader.Header, address);
        client.DefaultRequestHeaders.UserAgent.ParseAdd(Agent);
        if (accessToken is not null)
        {
            client.DefaultRequestHeaders.Authorization = new("Bearer", accessToken);
        }

        return client;
    }

    private async Task<AuditPage> AuditAsync(string query, string? adminToken = null)
    {
        adminToken ??= (await factory.CreateAdminAsync()).AccessToken;
        using var response = await factory.CreateClient(adminToken).GetAsync($"/api/admin/audit?{query}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<AuditPage>(JsonOptions))!;
    }

    private static string RequestIdOf(HttpResponseMessage response) =>
        Assert.Single(response.Headers.GetValues(HttpHardening.RequestIdHeader));

    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
}

public sealed class SqliteAuditTrailTests(SqliteApiFactory factory) : AuditTrailTests(factory), IClassFixture<SqliteApiFactory>;

public sealed class PostgresAuditTrailTests(PostgresApiFactory factory) : AuditTrailTests(factory), IClassFixture<PostgresApiFactory>;
