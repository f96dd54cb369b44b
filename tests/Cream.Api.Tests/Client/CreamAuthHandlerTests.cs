using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Cream.Api.Tests.Infrastructure;
using Cream.Client;
using Microsoft.EntityFrameworkCore;

namespace Cream.Api.Tests.Client;

/// <summary>
/// What <see cref="CreamAuthHandler"/> does with tokens: signing, refreshing before expiry and
/// after a 401, sharing one refresh among concurrent requests, and giving up on an ended session.
/// This class moves the service's fake clock, so it has a service of its own; each test mints its
/// tokens at the clock's current time.
/// </summary>
public abstract class CreamAuthHandlerTests(CreamApiFactory factory)
{
    private const string Me = "/api/auth/me";
    private static readonly TimeSpan AccessLifetime = TimeSpan.FromMinutes(30);
    private static readonly TimeSpan InsideDefaultMargin = AccessLifetime - TimeSpan.FromSeconds(30);

    [Fact]
    public async Task The_handler_signs_requests_with_the_stored_access_token_but_not_the_token_endpoints()
    {
        using var client = factory.NewClient();
        var email = ApiHelpers.NewEmail("handler");
        await client.SignupAsync(email);
        await client.Api.LoginAsync(email, ApiHelpers.DefaultPassword);
        var tokens = await client.TokensAsync();
        await client.Api.RefreshAsync(tokens.RefreshToken);
        await client.Api.RevokeAsync("never-issued");
        var current = await client.TokensAsync();

        await client.Api.GetMeAsync();

        foreach (var path in new[] { "/api/auth/signup", "/api/auth/login", "/api/auth/refresh", "/api/auth/revoke" })
        {
            Assert.Null(Assert.Single(client.Wire.To(path)).Authorization);
        }

        Assert.Equal("Bearer " + current.AccessToken, client.Wire.To(Me)[^1].Authorization);
    }

    [Fact]
    public async Task An_access_token_inside_the_refresh_margin_is_refreshed_before_the_request_is_sent()
    {
        using var client = factory.NewClient();
        await client.SignupAsync();
        var before = await client.TokensAsync();
        factory.Time.Advance(InsideDefaultMargin);
        client.Wire.Reset();

        await client.Api.GetMeAsync();

        var after = await client.TokensAsync();
        Assert.NotEqual(before.AccessToken, after.AccessToken);
        Assert.Equal(factory.Time.GetUtcNow() + AccessLifetime, after.AccessTokenExpiresAt);
        Assert.Equal(["/api/auth/refresh", Me], client.Wire.Records.Select(r => r.Path));
        Assert.Equal(("Bearer " + after.AccessToken, HttpStatusCode.OK), (client.Wire.To(Me)[0].Authorization, client.Wire.To(Me)[0].Status));
    }

    [Fact]
    public async Task An_access_token_outside_the_refresh_margin_is_sent_as_it_is()
    {
        using var client = factory.NewClient();
        await client.SignupAsync();
        var before = await client.TokensAsync();
        factory.Time.Advance(AccessLifetime - TimeSpan.FromMinutes(2));
        client.Wire.Reset();

        await client.Api.GetMeAsync();

        Assert.Equal(0, client.Wire.Refreshes);
        Assert.Equal(before, await client.TokensAsync());
        Assert.Equal("Bearer " + before.AccessToken, Assert.Single(client.Wire.To(Me)).Authorization);
    }

    [Fact]
    public async Task A_wider_refresh_margin_refreshes_earlier()
    {
        using var wide = factory.NewClient(refreshMargin: TimeSpan.FromMinutes(5));
        using var standard = factory.NewClient();
        await wide.SignupAsync();
        await standard.SignupAsync();
        factory.Time.Advance(AccessLifetime - TimeSpan.FromMinutes(4));
        wide.Wire.Reset();
        standard.Wire.Reset();

        await wide.Api.GetMeAsync();
        await standard.Api.GetMeAsync();

        Assert.Equal(1, wide.Wire.Refreshes);
        Assert.Equal(0, standard.Wire.Refreshes);
    }

    [Fact]
    public async Task A_401_from_a_revoked_access_token_triggers_one_refresh_and_one_retry()
    {
        using var client = factory.NewClient();
        var userId = await client.SignupAsync();
        var revoked = await client.TokensAsync();
        await client.Api.RevokeAsync(revoked.AccessToken, "access_token");
        client.Wire.Reset();

        var me = await client.Api.GetMeAsync();

        Assert.Equal(userId, me.Id);
        var current = await client.TokensAsync();
        Assert.Equal(
            [
                new WireRecord(HttpMethod.Get, Me, "Bearer " + revoked.AccessToken, HttpStatusCode.Unauthorized),
                new WireRecord(HttpMethod.Post, "/api/auth/refresh", null, HttpStatusCode.OK),
                new WireRecord(HttpMethod.Get, Me, "Bearer " + current.AccessToken, HttpStatusCode.OK),
            ],
            client.Wire.Records);
    }

    [Fact]
    public async Task A_post_body_is_sent_again_unchanged_on_the_retry()
    {
        using var client = factory.NewClient();
        var email = ApiHelpers.NewEmail("handler");
        await client.SignupAsync(email);
        await client.Api.RevokeAsync((await client.TokensAsync()).AccessToken);
        client.Wire.Reset();

        var tracked = await client.Api.TrackStockAsync(" msft ");

        Assert.Equal("MSFT", tracked.Symbol);
        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.OK], client.Wire.To("/api/stock-data/track").Select(r => r.Status));

        await client.Api.RevokeAsync((await client.TokensAsync()).AccessToken);
        await client.Api.ChangePasswordAsync(ApiHelpers.DefaultPassword, "the password after the retry");

        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.NoContent], client.Wire.To("/api/auth/change-password").Select(r => r.Status));
        using var fresh = factory.NewClient();
        await fresh.Api.LoginAsync(email, "the password after the retry");
    }

    [Fact]
    public async Task Twenty_five_concurrent_requests_with_an_expiring_token_share_one_refresh_and_keep_the_session()
    {
        using var client = factory.NewClient();
        var userId = await client.SignupAsync();
        factory.Time.Advance(InsideDefaultMargin);
        client.Wire.Reset();
        factory.Logs.Clear();

        var profiles = await Task.WhenAll(Enumerable.Range(0, 25).Select(_ => Task.Run(() => client.Api.GetMeAsync())));

        Assert.All(profiles, p => Assert.Equal(userId, p.Id));
        Assert.Equal(1, client.Wire.Refreshes);
        var current = await client.TokensAsync();
        Assert.All(client.Wire.To(Me), r => Assert.Equal(("Bearer " + current.AccessToken, HttpStatusCode.OK), (r.Authorization, r.Status)));
        Assert.Equal(["RefreshRotated"], RefreshEventsOf(userId));
        Assert.Equal([true], await SessionValidityAsync(userId));

        factory.Time.Advance(InsideDefaultMargin);
        Assert.Single(await client.Api.GetSessionsAsync());
        Assert.Equal(2, client.Wire.Refreshes);
    }

    [Fact]
    public async Task Concurrent_requests_refused_with_401_share_one_refresh()
    {
        using var client = factory.NewClient();
        var userId = await client.SignupAsync();
        await client.Api.RevokeAsync((await client.TokensAsync()).AccessToken);
        client.Wire.Reset();
        factory.Logs.Clear();

        var sessions = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => client.Api.GetSessionsAsync())));

        Assert.All(sessions, s => Assert.Single(s));
        Assert.Equal(1, client.Wire.Refreshes);
        Assert.Equal(["RefreshRotated"], RefreshEventsOf(userId));
        Assert.Equal([true], await SessionValidityAsync(userId));
    }

    [Fact]
    public async Task A_session_ended_elsewhere_clears_the_store_and_surfaces_the_401_without_retrying()
    {
        using var phone = factory.NewClient();
        var email = ApiHelpers.NewEmail("handler");
        await phone.SignupAsync(email);
        using var laptop = await factory.NewClientForAsync(email);
        await laptop.Api.LogoutAllAsync();
        phone.Wire.Reset();

        await ClientTestKit.ThrowsAsync(HttpStatusCode.Unauthorized, ClientTestKit.InvalidCredentials, () => phone.Api.GetMeAsync());

        Assert.Null(await phone.Store.GetAsync());
        Assert.Equal(
            [(Me, HttpStatusCode.Unauthorized), ("/api/auth/refresh", HttpStatusCode.Unauthorized)],
            phone.Wire.Records.Select(r => (r.Path, r.Status)));

        await ClientTestKit.ThrowsAsync(HttpStatusCode.Unauthorized, ClientTestKit.NotAuthenticated, () => phone.Api.GetMeAsync());

        Assert.Equal(1, phone.Wire.Refreshes);
        Assert.Null(phone.Wire.Records[^1].Authorization);
    }

    [Fact]
    public async Task A_refused_refresh_before_expiry_clears_the_store_and_the_request_goes_out_without_a_token()
    {
        using var phone = factory.NewClient();
        var email = ApiHelpers.NewEmail("handler");
        await phone.SignupAsync(email);
        using var laptop = await factory.NewClientForAsync(email);
        await laptop.Api.LogoutAllAsync();
        factory.Time.Advance(InsideDefaultMargin);
        phone.Wire.Reset();

        await ClientTestKit.ThrowsAsync(HttpStatusCode.Unauthorized, ClientTestKit.NotAuthenticated, () => phone.Api.GetMeAsync());

        Assert.Null(await phone.Store.GetAsync());
        Assert.Equal(
            [("/api/auth/refresh", null, HttpStatusCode.Unauthorized), (Me, null, HttpStatusCode.Unauthorized)],
            phone.Wire.Records.Select(r => (r.Path, r.Authorization, r.Status)));
    }

    [Fact]
    public async Task A_failing_refresh_before_expiry_falls_back_to_the_still_valid_access_token()
    {
        using var client = factory.NewClient();
        await client.SignupAsync();
        var before = await client.TokensAsync();
        client.Wire.Intercept = request => request.RequestUri!.AbsolutePath == "/api/auth/refresh" ? Unavailable() : null;
        factory.Time.Advance(InsideDefaultMargin);
        client.Wire.Reset();

        await client.Api.GetMeAsync();

        Assert.Equal(before, await client.TokensAsync());
        Assert.Equal(
            [("/api/auth/refresh", HttpStatusCode.ServiceUnavailable), (Me, HttpStatusCode.OK)],
            client.Wire.Records.Select(r => (r.Path, r.Status)));
    }

    [Fact]
    public async Task A_failing_refresh_after_a_401_surfaces_its_error_with_retry_after_and_keeps_the_tokens()
    {
        using var client = factory.NewClient();
        var userId = await client.SignupAsync();
        var revoked = await client.TokensAsync();
        await client.Api.RevokeAsync(revoked.AccessToken);
        client.Wire.Intercept = request => request.RequestUri!.AbsolutePath == "/api/auth/refresh" ? Unavailable() : null;

        var exception = await ClientTestKit.ThrowsAsync(HttpStatusCode.ServiceUnavailable, "The database is unavailable: try again shortly.",
            () => client.Api.GetMeAsync());

        Assert.Equal(TimeSpan.FromSeconds(7), exception.RetryAfter);
        Assert.Equal(revoked, await client.TokensAsync());
        client.Wire.Intercept = null;
        Assert.Equal(userId, (await client.Api.GetMeAsync()).Id);
        Assert.Equal(2, client.Wire.Refreshes);
    }

    [Fact]
    public async Task A_refresh_whose_answer_was_lost_is_asked_again_at_once_and_gets_the_same_successor()
    {
        var lose = new LoseFirstRefreshAnswer();
        var store = new InMemoryTokenStore();
        var wire = new WireRecorder { InnerHandler = factory.Server.CreateHandler() };
        lose.InnerHandler = wire;
        using var api = CreamClient.Create(factory.Server.BaseAddress, store, factory.Time, lose);
        await api.SignupAsync(new SignupRequest(ApiHelpers.NewEmail("lost"), ApiHelpers.DefaultPassword, "Lost", "Answer"));
        var userId = (await api.GetMeAsync()).Id;
        factory.Time.Advance(InsideDefaultMargin);
        factory.Logs.Clear();

        var me = await api.GetMeAsync();

        Assert.Equal(userId, me.Id);
        Assert.Equal(1, lose.Lost);
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK], wire.To("/api/auth/refresh").Select(r => r.Status));
        Assert.Equal(["RefreshRotated", "RefreshGraceReplay"], RefreshEventsOf(userId));
        Assert.Equal([true], await SessionValidityAsync(userId));
        factory.Time.Advance(InsideDefaultMargin);
        Assert.Equal(userId, (await api.GetMeAsync()).Id); // the successor it kept rotates normally
        Assert.Equal([true], await SessionValidityAsync(userId));
    }

    [Fact]
    public async Task Requests_to_another_origin_never_carry_the_token()
    {
        var store = new InMemoryTokenStore();
        var seen = new List<(string Host, string? Authorization)>();
        var recorder = new WireRecorder
        {
            InnerHandler = factory.Server.CreateHandler(),
            Intercept = request =>
            {
                seen.Add((request.RequestUri!.Authority, request.Headers.Authorization?.ToString()));
                return request.RequestUri!.Host == "elsewhere.example" ? new HttpResponseMessage(HttpStatusCode.Unauthorized) : null;
            },
        };
        using var api = CreamClient.Create(factory.Server.BaseAddress, store, factory.Time, recorder);
        await api.SignupAsync(new SignupRequest(ApiHelpers.NewEmail("origin"), ApiHelpers.DefaultPassword, "Origin", "Check"));
        using var http = new HttpClient(new CreamAuthHandler(store, factory.Server.BaseAddress, factory.Time) { InnerHandler = recorder });
        seen.Clear();

        using var foreign = await http.GetAsync(new Uri("https://elsewhere.example/api/auth/me"));
        using var own = await http.GetAsync(new Uri(factory.Server.BaseAddress, "/api/auth/me"));

        Assert.Equal(HttpStatusCode.Unauthorized, foreign.StatusCode); // passed through: no refresh for a foreign 401
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        var tokens = await store.GetAsync();
        Assert.Equal([("elsewhere.example", (string?)null), (factory.Server.BaseAddress.Authority, "Bearer " + tokens!.AccessToken)], seen);
    }

    /// <summary>Lets the first refresh reach the server, then loses its answer, as a dropped connection would.</summary>
    private sealed class LoseFirstRefreshAnswer : DelegatingHandler
    {
        public int Lost { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (request.RequestUri!.AbsolutePath == "/api/auth/refresh" && Lost == 0)
            {
                Lost++;
                response.Dispose();
                throw new HttpRequestException("The connection was reset.");
            }

            return response;
        }
    }

    private static HttpResponseMessage Unavailable()
    {
        var response = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable)
        {
            Content = JsonContent.Create(
                new Dictionary<string, object> { ["status"] = 503, ["detail"] = "The database is unavailable: try again shortly." },
                new MediaTypeHeaderValue("application/problem+json")),
        };
        response.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(7));
        return response;
    }

    /// <summary>The service's refresh events for one user, by event name, in order.</summary>
    private List<string> RefreshEventsOf(Guid userId) =>
        [.. factory.Logs.GetSnapshot()
            .Where(r => r.Id.Name is "RefreshRotated" or "RefreshGraceReplay" or "RefreshReuseDetected")
            .Where(r => r.StructuredState?.Any(p => p.Key == "UserId" && p.Value == userId.ToString()) ?? false)
            .Select(r => r.Id.Name!)];

    private Task<List<bool>> SessionValidityAsync(Guid userId) =>
        factory.WithDbAsync(db => db.Sessions.Where(s => s.UserId == userId).Select(s => s.IsValid).ToListAsync());
}

public sealed class SqliteCreamAuthHandlerTests(SqliteApiFactory factory) : CreamAuthHandlerTests(factory), IClassFixture<SqliteApiFactory>;

public sealed class PostgresCreamAuthHandlerTests(PostgresApiFactory factory) : CreamAuthHandlerTests(factory), IClassFixture<PostgresApiFactory>;
