using System.Net;
using Cream.Api.Tests.Infrastructure;

namespace Cream.Api.Tests.Common;

/// <summary>Security headers on every answer; CORS closed unless origins are configured.</summary>
public sealed class HttpHardeningTests(SqliteApiFactory factory) : IClassFixture<SqliteApiFactory>
{
    [Theory]
    [InlineData("/")]
    [InlineData("/api/auth/me")]
    [InlineData("/api/nothing-here")]
    public async Task Every_answer_carries_the_security_headers(string path)
    {
        using var response = await factory.CreateClient().GetAsync(path);

        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        Assert.Equal("default-src 'none'; frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.True(response.Headers.CacheControl?.NoStore);
    }

    [Fact]
    public async Task Responses_carrying_tokens_are_never_cached()
    {
        using var response = await factory.CreateClient().PostSignupAsync(ApiHelpers.NewEmail());

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.True(response.Headers.CacheControl?.NoStore);
    }

    [Fact]
    public async Task Cors_is_closed_by_default()
    {
        using var response = await factory.CreateClient().SendAsync(Preflight("https://app.example.com"));

        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Cors_opens_only_to_the_configured_origins()
    {
        await using var service = new SqliteApiFactory { Settings = new Dictionary<string, string?> { ["Cors:AllowedOrigins:0"] = "https://app.example.com" } };
        await service.InitializeAsync();
        var client = service.CreateClient();

        using var allowed = await client.SendAsync(Preflight("https://app.example.com"));
        using var other = await client.SendAsync(Preflight("https://evil.example.com"));

        Assert.Equal("https://app.example.com", allowed.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("Authorization", allowed.Headers.GetValues("Access-Control-Allow-Headers").Single(), StringComparison.OrdinalIgnoreCase);
        Assert.False(other.Headers.Contains("Access-Control-Allow-Origin"));
    }

    private static HttpRequestMessage Preflight(string origin) => new(HttpMethod.Options, "/api/auth/me")
    {
        Headers =
        {
            { "Origin", origin },
            { "Access-Control-Request-Method", "GET" },
            { "Access-Control-Request-Headers", "authorization" },
        },
    };
}
