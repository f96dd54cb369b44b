using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Cream.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Cream.Api.Tests.Common;

/// <summary>Bad input of every kind gets a 4xx problem detail, never a 500, and stores nothing.</summary>
public abstract class BadInputTests(CreamApiFactory factory)
{
    private readonly HttpClient _client = factory.CreateClient();

    public static TheoryData<string, string, string, HttpStatusCode> Bodies => new()
    {
        { "/api/auth/signup", "application/json", "{\"email\":", HttpStatusCode.BadRequest },
        { "/api/auth/signup", "application/json", "[1,2,3]", HttpStatusCode.BadRequest },
        { "/api/auth/signup", "application/json", "{\"email\": 42, \"password\": true}", HttpStatusCode.BadRequest },
        { "/api/auth/signup", "application/json", "", HttpStatusCode.BadRequest },
        { "/api/auth/signup", "application/json", new string('[', 100) + new string(']', 100), HttpStatusCode.BadRequest },
        { "/api/auth/signup", "text/plain", "email=a@b.com", HttpStatusCode.UnsupportedMediaType },
        { "/api/auth/signup", "application/xml", "<signup/>", HttpStatusCode.UnsupportedMediaType },
        { "/api/auth/login", "application/json", "{\"email\":", HttpStatusCode.BadRequest },
        { "/api/auth/login", "application/json", "\"just a string\"", HttpStatusCode.BadRequest },
        { "/api/auth/login", "text/plain", "username=a&password=b", HttpStatusCode.UnsupportedMediaType },
        { "/api/auth/login", "application/x-www-form-urlencoded", string.Join('&', Enumerable.Range(0, 100).Select(i => $"f{i}=v")), HttpStatusCode.BadRequest },
        { "/api/auth/login", "application/x-www-form-urlencoded", "username=" + new string('a', 20_000) + "&password=x", HttpStatusCode.BadRequest },
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public async Task Malformed_bodies_get_a_4xx_problem_detail_and_store_nothing(string path, string contentType, string body, HttpStatusCode expected)
    {
        var usersBefore = await factory.WithDbAsync(db => db.Users.CountAsync());
        using var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);

        using var response = await _client.PostAsync(path, content);

        Assert.Equal(expected, response.StatusCode);
        Assert.False(string.IsNullOrEmpty(await response.DetailAsync()));
        Assert.Equal(usersBefore, await factory.WithDbAsync(db => db.Users.CountAsync()));
    }

    [Fact]
    public async Task A_huge_body_is_413()
    {
        var huge = "{\"email\":\"" + new string('a', 200_000) + "@example.com\",\"password\":\"password123\"}";
        using var content = new StringContent(huge, Encoding.UTF8, "application/json");

        using var response = await _client.PostAsync("/api/auth/signup", content);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("The request body is too large.", await response.DetailAsync());
    }

    [Fact]
    public async Task A_huge_bearer_token_is_refused_as_invalid()
    {
        using var client = factory.CreateClient("eyJ" + new string('A', 20_000) + ".eyJ" + new string('B', 20_000) + ".sig");

        using var response = await client.GetAsync("/api/auth/me");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Could not validate credentials", await response.DetailAsync());
    }

    [Fact]
    public async Task Unknown_paths_and_methods_get_problem_details()
    {
        using var notFound = await _client.GetAsync("/api/nothing-here");
        using var wrongMethod = await _client.PutAsync("/api/auth/login", null);

        Assert.Equal(HttpStatusCode.NotFound, notFound.StatusCode);
        Assert.Equal("Not found", await notFound.DetailAsync());
        Assert.Equal(HttpStatusCode.MethodNotAllowed, wrongMethod.StatusCode);
        Assert.False(string.IsNullOrEmpty(await wrongMethod.DetailAsync()));
    }
}

public sealed class SqliteBadInputTests(SqliteApiFactory factory) : BadInputTests(factory), IClassFixture<SqliteApiFactory>;

public sealed class PostgresBadInputTests(PostgresApiFactory factory) : BadInputTests(factory), IClassFixture<PostgresApiFactory>;
