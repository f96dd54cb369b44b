using System.Net;
using System.Net.Http.Headers;
using Cream.Api.Auth;
using Cream.Api.Auth.Grants;
using Cream.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

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
    public async Task An_authenticated_answer_carries_the_security_headers_and_its_request_id()
    {
        var user = await factory.CreateClient().SignupAsync();

        using var response = await factory.CreateClient(user.Tokens.AccessToken).GetAsync("/api/auth/me");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        AssertSecurityHeaders(response);
        Assert.False(string.IsNullOrEmpty(response.Headers.GetValues("X-Request-Id").Single()));
    }

    [Fact]
    public async Task A_declared_oversize_body_is_refused_with_the_security_headers()
    {
        using var body = new ByteArrayContent(new byte[70 * 1024]);
        body.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        using var response = await factory.CreateClient().PostAsync("/api/auth/signup", body);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        AssertSecurityHeaders(response);
    }

    [Fact]
    public async Task An_unexpected_failure_answers_500_with_the_security_headers_and_its_request_id()
    {
        await using var service = WithGrants(factory);

        using var response = await service.CreateClient().PostAsync("/api/auth/login", Grant(FailingGrant.Type));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        AssertSecurityHeaders(response);
        var requestId = response.Headers.GetValues("X-Request-Id").Single();
        Assert.Contains(requestId, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_answer_that_starts_before_its_endpoint_returns_carries_the_security_headers()
    {
        await using var service = WithGrants(factory);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/login") { Content = Grant(EarlyStartGrant.Type) };

        // The headers arrive when the answer starts, before the endpoint has finished.
        using var response = await service.CreateClient().SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        AssertSecurityHeaders(response);
        Assert.Single(response.Headers.GetValues("X-Request-Id"));
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

    private static void AssertSecurityHeaders(HttpResponseMessage response)
    {
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        Assert.Equal("default-src 'none'; frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.True(response.Headers.CacheControl?.NoStore);
        Assert.Single(response.Headers.GetValues("X-Request-Id"));
    }

    /// <summary>The service with two extra grants on the token endpoint: one that fails, one that starts its answer early.</summary>
    private static Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> WithGrants(SqliteApiFactory factory) =>
        factory.WithWebHostBuilder(builder => builder.ConfigureTestServices(services =>
        {
            services.AddScoped<ITokenGrant, FailingGrant>();
            services.AddScoped<ITokenGrant, EarlyStartGrant>();
        }));

    private static FormUrlEncodedContent Grant(string type) => new(new Dictionary<string, string> { ["grant_type"] = type });

    private sealed class FailingGrant : ITokenGrant
    {
        public const string Type = "test-failing";

        public string GrantType => Type;

        public Task<Results<Ok<TokenResponse>, ProblemHttpResult>> IssueAsync(TokenRequest request, HttpContext context, CancellationToken cancellationToken)
        {
            // Something an endpoint sets before it fails; the 500 must not keep it.
            context.Response.Headers.CacheControl = "public, max-age=60";
            throw new InvalidOperationException("a bug");
        }
    }

    private sealed class EarlyStartGrant : ITokenGrant
    {
        public const string Type = "test-early-start";

        public string GrantType => Type;

        public async Task<Results<Ok<TokenResponse>, ProblemHttpResult>> IssueAsync(TokenRequest request, HttpContext context, CancellationToken cancellationToken)
        {
            context.Response.StatusCode = StatusCodes.Status202Accepted;
            await context.Response.StartAsync(cancellationToken);
            await context.Response.WriteAsync("started", cancellationToken);
            await context.Response.Body.FlushAsync(cancellationToken);
            // An answer that has started cannot become a result any more: it ends here, cut short.
            throw new OperationCanceledException("the answer was streamed");
        }
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
