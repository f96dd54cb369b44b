using System.Net;
using System.Net.Http.Json;
using Cream.Api.Tests.Infrastructure;
using Npgsql;

namespace Cream.Api.Tests.Common;

/// <summary>With the database unreachable, tokens still authenticate from memory and login answers 503.</summary>
[NeedsTestServers(TestServers.PostgresVariable)]
public sealed class DatabaseOutageTests : IAsyncLifetime
{
    private TcpProxy _proxy = null!;
    private PostgresApiFactory _service = null!;

    public async Task InitializeAsync()
    {
        var server = new NpgsqlConnectionStringBuilder(TestServers.PostgresAdminConnectionString);
        var address = (await Dns.GetHostAddressesAsync(server.Host!))[0];
        _proxy = new TcpProxy(new IPEndPoint(address, server.Port));
        _service = new PostgresApiFactory { ProxyPort = _proxy.Port };
        await _service.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await _proxy.DisposeAsync();
        await ((IAsyncLifetime)_service).DisposeAsync();
    }

    [Fact]
    public async Task When_the_database_is_unreachable_tokens_still_authenticate_the_profile_is_served_and_login_answers_503()
    {
        var user = await _service.CreateClient().SignupAsync();
        using var client = _service.CreateClient(user.AccessToken);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/auth/me")).StatusCode); // caches the profile

        _proxy.Cut();
        NpgsqlConnection.ClearAllPools();

        using var login = await _service.CreateClient().PostLoginFormAsync(user.Email, user.Password);
        using var refresh = await _service.CreateClient().PostAsJsonAsync("/api/auth/refresh", new { refresh_token = user.RefreshToken });
        using var forged = await _service.CreateClient(user.AccessToken + "x").GetAsync("/api/auth/sessions");
        using var genuine = await client.GetAsync("/api/auth/sessions");
        using var me = await client.GetAsync("/api/auth/me");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, login.StatusCode);
        Assert.Equal("The database is unavailable: try again shortly.", await login.DetailAsync());
        Assert.NotNull(login.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refresh.StatusCode);
        // Authentication needs no database: a forged token is still refused, a genuine one still accepted.
        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        Assert.NotEqual(HttpStatusCode.Unauthorized, genuine.StatusCode);
        // The profile is served from memory, without the database.
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        Assert.Equal(user.Email, (await me.JsonAsync()).GetProperty("email").GetString());
    }
}
