using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Cream.Api.Users;
using Microsoft.EntityFrameworkCore;

namespace Cream.Api.Tests.Infrastructure;

public sealed record TokenBody(
    [property: JsonPropertyName("access_token")] string AccessToken,
    [property: JsonPropertyName("token_type")] string TokenType,
    [property: JsonPropertyName("expires_in")] int ExpiresIn,
    [property: JsonPropertyName("refresh_token")] string RefreshToken);

/// <summary>A user the test signed up, with the password it chose.</summary>
public sealed record TestUser(string Email, string Password, TokenBody Tokens)
{
    public string AccessToken => Tokens.AccessToken;

    public string RefreshToken => Tokens.RefreshToken;

    public Guid Id => Guid.Parse(new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(AccessToken).Subject);
}

public static class ApiHelpers
{
    public const string DefaultPassword = "correct horse battery";

    public static string NewEmail(string prefix = "user") => $"{prefix}-{Guid.NewGuid():N}@example.com";

    public static Task<HttpResponseMessage> PostSignupAsync(this HttpClient client, string email, string password = DefaultPassword) =>
        client.PostAsJsonAsync("/api/auth/signup", new { email, password, first_name = "Test", last_name = "User" });

    public static async Task<TestUser> SignupAsync(this HttpClient client, string? email = null, string password = DefaultPassword)
    {
        email ??= NewEmail();
        using var response = await client.PostSignupAsync(email, password);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return new TestUser(email, password, (await response.Content.ReadFromJsonAsync<TokenBody>())!);
    }

    public static Task<HttpResponseMessage> PostLoginFormAsync(this HttpClient client, string username, string password) =>
        client.PostAsync("/api/auth/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["username"] = username,
            ["password"] = password,
        }));

    public static async Task<TokenBody> LoginAsync(this HttpClient client, string email, string password = DefaultPassword)
    {
        using var response = await client.PostLoginFormAsync(email, password);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<TokenBody>())!;
    }

    /// <summary>Signs up a user, gives it roles in the database, and logs in so the token carries them.</summary>
    public static async Task<TestUser> CreateUserAsync(this CreamApiFactory factory, params string[] roles)
    {
        var client = factory.CreateClient();
        var user = await client.SignupAsync();
        if (roles.Length == 0)
        {
            return user;
        }

        var normalized = EmailAddress.Key(user.Email);
        await factory.WithDbAsync(db => db.Users.Where(u => u.NormalizedEmail == normalized)
            .ExecuteUpdateAsync(set => set.SetProperty(u => u.Roles, roles.ToList())));
        return user with { Tokens = await client.LoginAsync(user.Email, user.Password) };
    }

    public static Task<TestUser> CreateAdminAsync(this CreamApiFactory factory) => factory.CreateUserAsync("admin");

    public static HttpClient CreateClient(this Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> factory, string accessToken)
    {
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return client;
    }

    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response)
    {
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }

    public static async Task<string> DetailAsync(this HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return (await response.JsonAsync()).GetProperty("detail").GetString()!;
    }
}
