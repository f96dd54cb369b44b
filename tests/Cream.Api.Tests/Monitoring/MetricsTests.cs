using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Cream.Api.Tests.Infrastructure;
using Cream.Api.Tests.Sessions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using ClientAddressFromHeader = Cream.Api.Tests.BruteForce.ClientAddressFromHeader;

namespace Cream.Api.Tests.Monitoring;

/// <summary><c>/metrics</c>: the Cream.Auth counters and histograms in Prometheus text, for allowed networks or admins.</summary>
public abstract partial class MetricsTests(CreamApiFactory factory)
{
    [Fact]
    public async Task A_scripted_session_is_counted_by_event_outcome_and_reason()
    {
        var host = HostWithAddresses(); // a host of its own: its counters start at zero
        using var client = ClientOf(host, "127.0.0.1");
        var user = await client.SignupAsync();
        using var duplicate = await client.PostSignupAsync(user.Email);
        using var wrongPassword = await client.PostLoginFormAsync(user.Email, "not-the-password-1");
        using var unknownEmail = await client.PostLoginFormAsync(ApiHelpers.NewEmail(), "not-the-password-1");
        var login = await client.LoginAsync(user.Email);
        await client.RefreshAsync(login.RefreshToken);
        factory.Time.Advance(TimeSpan.FromSeconds(10)); // past the grace window
        using var reused = await client.PostRefreshAsync(login.RefreshToken);
        using var garbage = await ClientOf(host, "127.0.0.1", "not-a-token").GetAsync("/api/auth/me");
        using var me = await ClientOf(host, "127.0.0.1", user.AccessToken).GetAsync("/api/auth/me");
        using var forbidden = await ClientOf(host, "127.0.0.1", user.AccessToken).GetAsync("/api/admin/users");
        using var logout = await ClientOf(host, "127.0.0.1", user.AccessToken).PostAsync("/api/auth/logout", null);
        using var revoked = await ClientOf(host, "127.0.0.1", user.AccessToken).GetAsync("/api/auth/me");

        Assert.Equal(HttpStatusCode.Unauthorized, reused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, revoked.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        var samples = await ScrapeAsync(client);

        Assert.Equal(1, samples["cream_auth_signups_total{outcome=\"success\"}"]);
        Assert.Equal(1, samples["cream_auth_signups_total{outcome=\"failure\"}"]);
        Assert.Equal(1, samples["cream_auth_logins_total{outcome=\"failure\",reason=\"wrong_password\"}"]);
        Assert.Equal(1, samples["cream_auth_logins_total{outcome=\"failure\",reason=\"unknown_email\"}"]);
        Assert.Equal(1, samples["cream_auth_logins_total{outcome=\"success\",reason=\"none\"}"]);
        Assert.Equal(1, samples["cream_auth_refreshes_total{outcome=\"success\",reason=\"rotated\"}"]);
        Assert.Equal(1, samples["cream_auth_refreshes_total{outcome=\"failure\",reason=\"reused\"}"]);
        Assert.Equal(1, samples["cream_auth_refresh_reuse_detections_total"]);
        Assert.Equal(1, samples["cream_auth_revocations_total{kind=\"session\",reason=\"refresh_token_reuse\"}"]);
        Assert.Equal(1, samples["cream_auth_revocations_total{kind=\"session\",reason=\"logout\"}"]);
        Assert.Equal(1, samples["cream_auth_invalid_tokens_total{reason=\"malformed\"}"]);
        Assert.Equal(1, samples["cream_auth_invalid_tokens_total{reason=\"revoked\"}"]);
        Assert.Equal(1, samples["cream_auth_access_denied_total"]);
        Assert.Equal(3, samples["cream_auth_login_duration_seconds_count{outcome=\"failure\"}"] + samples["cream_auth_login_duration_seconds_count{outcome=\"success\"}"]);
        Assert.True(samples["cream_auth_login_duration_seconds_sum{outcome=\"success\"}"] > 0);
        Assert.True(samples["cream_auth_token_validation_duration_seconds_count{outcome=\"success\"}"] >= 2);
        Assert.Equal(2, samples["cream_auth_token_validation_duration_seconds_count{outcome=\"failure\"}"]);
    }

    [Fact]
    public async Task Lockouts_are_counted_by_scope()
    {
        var host = HostWithAddresses(("RateLimits:PerIpPerMinute", "3"));
        using var client = ClientOf(host, "127.0.0.1");
        for (var i = 0; i < 5; i++)
        {
            using var _ = await client.PostLoginFormAsync(ApiHelpers.NewEmail(), "not-the-password-1");
        }

        var samples = await ScrapeAsync(ClientOf(host, "127.0.0.2"));
        Assert.Equal(2, samples["cream_auth_lockouts_total{scope=\"client\"}"]);
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    [InlineData("::ffff:127.0.0.1")]
    public async Task Loopback_may_scrape_without_a_token_by_default(string address)
    {
        var host = HostWithAddresses();
        using var invalid = await ClientOf(host, address, "not-a-token").GetAsync("/api/auth/me");
        using var response = await ClientOf(host, address).GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        Assert.Contains("# TYPE cream_auth_", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Elsewhere_only_an_admin_token_may_scrape()
    {
        var host = HostWithAddresses();
        var user = await factory.CreateClient().SignupAsync();
        var admin = await factory.CreateAdminAsync();

        using var anonymous = await ClientOf(host, "203.0.113.7").GetAsync("/metrics");
        using var member = await ClientOf(host, "203.0.113.7", user.AccessToken).GetAsync("/metrics");
        using var byAdmin = await ClientOf(host, "203.0.113.7", admin.AccessToken).GetAsync("/metrics");
        using var noAddress = await factory.CreateClient().GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("Not authenticated", await anonymous.DetailAsync());
        Assert.Equal(HttpStatusCode.Forbidden, member.StatusCode);
        Assert.Equal("Admin access required", await member.DetailAsync());
        Assert.Equal(HttpStatusCode.OK, byAdmin.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, noAddress.StatusCode);
    }

    [Theory]
    [InlineData("X-Forwarded-For", "203.0.113.7")]
    [InlineData("Forwarded", "for=203.0.113.7")]
    [InlineData("X-Real-IP", "203.0.113.7")]
    public async Task A_request_forwarded_by_a_proxy_on_an_allowed_network_still_needs_an_admin_token(string header, string value)
    {
        var host = HostWithAddresses();
        var admin = await factory.CreateAdminAsync();
        using var viaProxy = ClientOf(host, "127.0.0.1");
        viaProxy.DefaultRequestHeaders.Add(header, value);
        using var adminViaProxy = ClientOf(host, "127.0.0.1", admin.AccessToken);
        adminViaProxy.DefaultRequestHeaders.Add(header, value);

        using var anonymous = await viaProxy.GetAsync("/metrics");
        using var byAdmin = await adminViaProxy.GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.OK, byAdmin.StatusCode);
    }

    [Fact]
    public async Task Configured_networks_replace_loopback()
    {
        var host = HostWithAddresses(("Metrics:AllowedNetworks", "10.0.0.0/8, 2001:db8::/32"));

        using var inside = await ClientOf(host, "10.20.30.40").GetAsync("/metrics");
        using var insideV6 = await ClientOf(host, "2001:db8::5").GetAsync("/metrics");
        using var loopback = await ClientOf(host, "127.0.0.1").GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.OK, inside.StatusCode);
        Assert.Equal(HttpStatusCode.OK, insideV6.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, loopback.StatusCode);
    }

    [Fact]
    public async Task A_network_that_is_not_one_stops_the_service_at_start_with_one_line()
    {
        using var folder = new TempDirectory();
        var result = await ServiceProcess.RunAsync(folder.Path, new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["DataDirectory"] = folder.Path,
            ["Jwt__Secret"] = factory.JwtSecret,
            ["Metrics__AllowedNetworks"] = "10.0.0.0/8,not-a-network",
        });

        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("Metrics__AllowedNetworks must be comma-separated networks", line, StringComparison.Ordinal);
    }

    private WebApplicationFactory<Program> HostWithAddresses(params (string Key, string Value)[] settings) =>
        factory.WithWebHostBuilder(builder =>
        {
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }

            builder.ConfigureServices(services => services.AddSingleton<IStartupFilter, ClientAddressFromHeader>());
        });

    private static HttpClient ClientOf(WebApplicationFactory<Program> host, string address, string? accessToken = null)
    {
        var client = accessToken is null ? host.CreateClient() : host.CreateClient(accessToken);
        client.DefaultRequestHeaders.Add(ClientAddressFromHeader.Header, address);
        return client;
    }

    /// <summary>Each sample line as "name{labels}" to value, without the scope label every sample carries.</summary>
    private static async Task<Dictionary<string, double>> ScrapeAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var samples = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var line in (await response.Content.ReadAsStringAsync()).Split('\n'))
        {
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var separator = line.LastIndexOf(' ');
            var key = ScopeLabel().Replace(line[..separator], string.Empty).Replace("{}", string.Empty, StringComparison.Ordinal);
            samples[key] = double.Parse(line[(separator + 1)..], CultureInfo.InvariantCulture);
        }

        return samples;
    }

    [GeneratedRegex("otel_scope_name=\"[^\"]*\",?")]
    private static partial Regex ScopeLabel();
}

public sealed class SqliteMetricsTests(SqliteApiFactory factory) : MetricsTests(factory), IClassFixture<SqliteApiFactory>;

public sealed class PostgresMetricsTests(PostgresApiFactory factory) : MetricsTests(factory), IClassFixture<PostgresApiFactory>;
