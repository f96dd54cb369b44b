using System.Net.Http.Json;
using System.Text.Json;
using Cream.Api.Tests.Infrastructure;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Cream.Api.Tests.Dpop;

/// <summary>Requests that carry DPoP proofs, as a client that follows RFC 9449 sends them.</summary>
public static class DpopApi
{
    /// <summary>The test service's public base URL (<c>Accounts__PublicBaseUrl</c> in the factories).</summary>
    public const string BaseUrl = "http://localhost";

    public const string Me = "/api/auth/me";
    public const string Login = "/api/auth/login";

    public static string Url(string path) => BaseUrl + path;

    public static Task<HttpResponseMessage> LoginAsync(this HttpClient client, string email, string password, params string[] proofs)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, Login)
        {
            Content = new FormUrlEncodedContent([new("username", email), new("password", password)]),
        };
        AddProofs(request, proofs);
        return client.SendAsync(request);
    }

    public static Task<HttpResponseMessage> RefreshAsync(this HttpClient client, string refreshToken, params string[] proofs)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, Login)
        {
            Content = new FormUrlEncodedContent([new("grant_type", "refresh_token"), new("refresh_token", refreshToken)]),
        };
        AddProofs(request, proofs);
        return client.SendAsync(request);
    }

    /// <summary>A resource request with <c>Authorization: {scheme} {token}</c> and the given DPoP headers.</summary>
    public static Task<HttpResponseMessage> GetAsync(this HttpClient client, string path, string accessToken, string scheme, params string[] proofs)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.TryAddWithoutValidation("Authorization", $"{scheme} {accessToken}");
        AddProofs(request, proofs);
        return client.SendAsync(request);
    }

    /// <summary>Signs up, then logs in with a proof from <paramref name="key"/>: the bound token response.</summary>
    public static async Task<(TestUser User, TokenBody Tokens)> BoundLoginAsync(this HttpClient client, DpopKey key, DateTimeOffset now)
    {
        var user = await client.SignupAsync();
        using var login = await client.LoginAsync(user.Email, user.Password, key.Proof("POST", Url(Login), now));
        Assert.True(login.IsSuccessStatusCode, $"{login.StatusCode}: {await login.Content.ReadAsStringAsync()}");
        return (user, (await login.Content.ReadFromJsonAsync<TokenBody>())!);
    }

    /// <summary>The <c>cnf.jkt</c> of an access token, or null.</summary>
    public static string? BoundKeyOf(string accessToken) =>
        new JsonWebToken(accessToken).TryGetPayloadValue<JsonElement>("cnf", out var cnf) ? cnf.GetProperty("jkt").GetString() : null;

    private static void AddProofs(HttpRequestMessage request, string[] proofs)
    {
        foreach (var proof in proofs)
        {
            request.Headers.TryAddWithoutValidation("DPoP", proof);
        }
    }
}
