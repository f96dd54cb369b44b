using System.Net;
using Cream.Api.Tests.Infrastructure;

namespace Cream.Api.Tests.Common;

/// <summary>The root, health endpoints and API documentation.</summary>
public abstract class ServiceSurfaceTests(CreamApiFactory factory)
{
    private readonly HttpClient _client = factory.CreateClient();

    [Fact]
    public async Task Root_answers_like_the_first_version()
    {
        using var response = await _client.GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("{\"app\":\"root\"}", await response.Content.ReadAsStringAsync());
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        // Serialized once, written with its length rather than in chunks.
        Assert.Equal(14, response.Content.Headers.ContentLength);
    }

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task Health_endpoints_report_healthy(string path)
    {
        using var response = await _client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task OpenApi_document_describes_the_bearer_scheme_and_the_contract_paths()
    {
        using var response = await _client.GetAsync("/openapi/v1.json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var document = await response.JsonAsync();
        var bearer = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer");
        Assert.Equal("http", bearer.GetProperty("type").GetString());
        Assert.Equal("bearer", bearer.GetProperty("scheme").GetString());
        Assert.Equal("JWT", bearer.GetProperty("bearerFormat").GetString());
        var dpop = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("DPoP");
        Assert.Equal("http", dpop.GetProperty("type").GetString());
        Assert.Equal("dpop", dpop.GetProperty("scheme").GetString());
        var paths = document.GetProperty("paths");
        foreach (var path in new[] { "/api/auth/signup", "/api/auth/login", "/api/auth/me", "/api/stock-data/track", "/api/stock-data/tracked/{symbol}" })
        {
            Assert.True(paths.TryGetProperty(path, out _), path);
        }

        foreach (var tokenEndpoint in new[] { "/api/auth/login", "/api/auth/refresh" })
        {
            var responses = paths.GetProperty(tokenEndpoint).GetProperty("post").GetProperty("responses");
            foreach (var status in new[] { "200", "400", "401", "429", "503" })
            {
                Assert.True(responses.TryGetProperty(status, out _), $"{tokenEndpoint} documents {status}");
            }
        }
    }

    [Fact]
    public async Task The_interactive_api_page_is_served()
    {
        using var response = await _client.GetAsync("/scalar");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("openapi/v1.json", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}

public sealed class SqliteServiceSurfaceTests(SqliteApiFactory factory) : ServiceSurfaceTests(factory), IClassFixture<SqliteApiFactory>;

public sealed class PostgresServiceSurfaceTests(PostgresApiFactory factory) : ServiceSurfaceTests(factory), IClassFixture<PostgresApiFactory>;
