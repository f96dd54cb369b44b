using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Cream.Api.Tests.Adversarial;

/// <summary>
/// A token of one kind where another is expected: the refresh token as a bearer token, the
/// access token as a refresh token, and JWTs of other types (RFC 8725 §3.11) signed with our key.
/// </summary>
public sealed class TypeConfusionTests(Hs256Service service) : IClassFixture<Hs256Service>
{
    private static readonly Dictionary<string, Action<JsonObject>> Types = new(StringComparer.Ordinal)
    {
        ["typ JWT (an ID-token-like JWT)"] = h => h["typ"] = "JWT",
        ["typ missing"] = h => h.Remove("typ"),
        ["typ refresh+jwt"] = h => h["typ"] = "refresh+jwt",
        ["typ application/jwt"] = h => h["typ"] = "application/jwt",
        ["typ at+jwt with a parameter"] = h => h["typ"] = "at+jwt; charset=utf-8",
        ["typ a number"] = h => h["typ"] = 1,
    };

    public static TheoryData<string> TypeNames => Cases.Names(Types);

    [Fact]
    public Task The_refresh_token_as_a_bearer_token_is_refused() => service.AssertRefusedAsync(service.User.RefreshToken);

    [Theory]
    [MemberData(nameof(TypeNames))]
    public Task A_JWT_of_another_type_is_refused_even_with_our_secret(string name)
    {
        var header = service.Header();
        Types[name](header);

        return service.AssertRefusedAsync(service.SignWithOurKey(header, service.Claims()));
    }

    [Fact]
    public async Task The_access_token_as_a_refresh_token_is_an_invalid_grant()
    {
        using var response = await service.Client.PostAsJsonAsync("/api/auth/refresh", new { refresh_token = service.User.AccessToken });

        await AssertInvalidGrantAsync(response);
        await service.AssertGenuineStillWorksAsync();
    }

    [Fact]
    public async Task The_access_token_in_the_refresh_token_grant_is_an_invalid_grant()
    {
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["refresh_token"] = service.User.AccessToken,
        });
        using var response = await service.Client.PostAsync("/api/auth/login", form);

        await AssertInvalidGrantAsync(response);
        await service.AssertGenuineStillWorksAsync();
    }

    private static async Task AssertInvalidGrantAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"expected 401, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Refusal.AssertNoInternals(body);
        using var problem = JsonDocument.Parse(body);
        Assert.Equal("invalid_grant", problem.RootElement.GetProperty("error").GetString());
        Assert.False(string.IsNullOrEmpty(problem.RootElement.GetProperty("detail").GetString()));
    }
}
