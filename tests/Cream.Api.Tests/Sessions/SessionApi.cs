using System.Data.Common;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Cream.Api.Data;
using Cream.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Cream.Api.Tests.Sessions;

/// <summary>Short calls and checks the session, refresh and revocation tests share.</summary>
public static class SessionApi
{
    public const string InvalidCredentials = "Could not validate credentials";
    public const string RevokedDescription = "The token has been revoked";

    public static Task<HttpResponseMessage> PostRefreshAsync(this HttpClient client, string? refreshToken) =>
        client.PostAsJsonAsync("/api/auth/refresh", new { refresh_token = refreshToken });

    /// <summary>Rotates a refresh token through <c>/api/auth/refresh</c>, asserting it succeeds.</summary>
    public static async Task<TokenBody> RefreshAsync(this HttpClient client, string refreshToken)
    {
        using var response = await client.PostRefreshAsync(refreshToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<TokenBody>())!;
    }

    public static Task<HttpResponseMessage> PostFormAsync(this HttpClient client, string path, params (string Name, string Value)[] fields) =>
        client.PostAsync(path, new FormUrlEncodedContent(fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value))));

    /// <summary>The token endpoint's <c>refresh_token</c> grant (RFC 6749 §6).</summary>
    public static Task<HttpResponseMessage> PostRefreshGrantAsync(this HttpClient client, string refreshToken) =>
        client.PostFormAsync("/api/auth/login", ("grant_type", "refresh_token"), ("refresh_token", refreshToken));

    public static Guid SessionIdOf(string accessToken) => Guid.Parse(new JsonWebToken(accessToken).GetClaim("sid").Value);

    public static string TokenIdOf(string accessToken) => new JsonWebToken(accessToken).Id;

    public static byte[] Sha256(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    public static async Task<HttpStatusCode> MeStatusAsync(this CreamApiFactory factory, string accessToken)
    {
        using var client = factory.CreateClient(accessToken);
        using var response = await client.GetAsync("/api/auth/me");
        return response.StatusCode;
    }

    public static async Task AssertAcceptedAsync(this CreamApiFactory factory, string accessToken) =>
        Assert.Equal(HttpStatusCode.OK, await factory.MeStatusAsync(accessToken));

    /// <summary>
    /// The access token is refused on the next request as RFC 6750 and the first version say: 401,
    /// "Could not validate credentials", <c>Bearer error="invalid_token"</c>.
    /// </summary>
    public static async Task AssertRefusedAsync(this CreamApiFactory factory, string accessToken, string? description = RevokedDescription)
    {
        using var client = factory.CreateClient(accessToken);
        using var response = await client.GetAsync("/api/auth/me");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(InvalidCredentials, await response.DetailAsync());
        var challenge = response.Headers.WwwAuthenticate.ToString();
        Assert.StartsWith("Bearer error=\"invalid_token\"", challenge, StringComparison.Ordinal);
        if (description is not null)
        {
            Assert.Contains($"error_description=\"{description}\"", challenge, StringComparison.Ordinal);
        }
    }

    /// <summary>An RFC 6749 <c>invalid_grant</c> refusal: 401, a problem detail with <c>error</c> and a description.</summary>
    public static async Task<string> AssertInvalidGrantAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var detail = await response.DetailAsync();
        var body = await response.JsonAsync();
        Assert.Equal("invalid_grant", body.GetProperty("error").GetString());
        Assert.False(string.IsNullOrWhiteSpace(detail));
        Assert.Equal(detail, body.GetProperty("error_description").GetString());
        return detail;
    }

    /// <summary>The refresh token no longer rotates: 401 <c>invalid_grant</c>.</summary>
    public static async Task AssertRefreshRefusedAsync(this CreamApiFactory factory, string refreshToken)
    {
        using var response = await factory.CreateClient().PostRefreshAsync(refreshToken);
        await AssertInvalidGrantAsync(response);
    }

    public static Task<(int RefreshTokens, int Sessions, int RevokedAccessTokens)> RowCountsAsync(this CreamApiFactory factory) =>
        factory.WithDbAsync(async db => (
            await db.RefreshTokens.CountAsync(),
            await db.Sessions.CountAsync(),
            await db.RevokedAccessTokens.CountAsync()));

    /// <summary>
    /// Every table and column of the service's database in which the needle appears: as text,
    /// as its UTF-8 bytes, and (when it is base64url) as the bytes it encodes, in hex or base64.
    /// </summary>
    public static Task<List<string>> WhereStoredAsync(this CreamApiFactory factory, string needle) =>
        factory.WithDbAsync(async db =>
        {
            var textForms = new List<string> { needle };
            var byteForms = new List<byte[]> { Encoding.UTF8.GetBytes(needle) };
            if (TryDecodeBase64Url(needle) is { } raw)
            {
                byteForms.Add(raw);
                textForms.Add(Convert.ToHexString(raw));
                textForms.Add(Convert.ToBase64String(raw));
            }

            var hits = new List<string>();
            var connection = db.Database.GetDbConnection();
            await db.Database.OpenConnectionAsync();
            try
            {
                foreach (var table in await TablesAsync(connection, factory.Provider))
                {
                    await using var select = connection.CreateCommand();
#pragma warning disable CA2100 // table names come from the database catalogue, not from input
                    select.CommandText = $"SELECT * FROM \"{table}\"";
#pragma warning restore CA2100
                    await using var reader = await select.ExecuteReaderAsync();
                    while (await reader.ReadAsync())
                    {
                        for (var column = 0; column < reader.FieldCount; column++)
                        {
                            if (!reader.IsDBNull(column) && Holds(reader.GetValue(column), textForms, byteForms))
                            {
                                hits.Add($"{table}.{reader.GetName(column)}");
                            }
                        }
                    }
                }
            }
            finally
            {
                await db.Database.CloseConnectionAsync();
            }

            return hits;
        });

    private static async Task<List<string>> TablesAsync(DbConnection connection, DatabaseProvider provider)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = provider == DatabaseProvider.Sqlite
            ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            : "SELECT tablename FROM pg_tables WHERE schemaname = 'public'";
        await using var reader = await command.ExecuteReaderAsync();
        var tables = new List<string>();
        while (await reader.ReadAsync())
        {
            tables.Add(reader.GetString(0));
        }

        return tables;
    }

    private static bool Holds(object value, List<string> textForms, List<byte[]> byteForms) => value switch
    {
        byte[] bytes => byteForms.Any(form => bytes.AsSpan().IndexOf(form) >= 0)
            || textForms.Any(form => Encoding.UTF8.GetString(bytes).Contains(form, StringComparison.OrdinalIgnoreCase)),
        string text => textForms.Any(form => text.Contains(form, StringComparison.OrdinalIgnoreCase)),
        IEnumerable<string> texts => texts.Any(text => textForms.Any(form => text.Contains(form, StringComparison.OrdinalIgnoreCase))),
        _ => textForms.Any(form => (Convert.ToString(value, CultureInfo.InvariantCulture) ?? "").Contains(form, StringComparison.OrdinalIgnoreCase)),
    };

    private static byte[]? TryDecodeBase64Url(string value)
    {
        try
        {
            return value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_') ? Base64UrlEncoder.DecodeBytes(value) : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>
    /// The same compact JWS with its signature written differently: an HS256 signature is 32 bytes,
    /// 43 base64url characters whose last one carries 2 unused bits. Flipping one of them gives
    /// another string that a lenient base64url decoder reads as the very same signature.
    /// </summary>
    public static string ReencodedSignature(string jwt)
    {
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        var index = Alphabet.IndexOf(jwt[^1], StringComparison.Ordinal);
        Assert.True(index >= 0 && jwt.Split('.')[2].Length == 43, "expected a 43-character HS256 signature");
        return jwt[..^1] + Alphabet[index ^ 1];
    }

    /// <summary>
    /// Another token carrying exactly the same claims (same <c>jti</c>, <c>sid</c>, <c>sub</c>,
    /// <c>iat</c>, <c>exp</c>) and header, its JSON members in reverse order, signed with the
    /// deployment's HS256 key: a genuine token whose string differs from the original.
    /// </summary>
    public static string SameClaimsReserialized(string jwt, string secret)
    {
        var parts = jwt.Split('.');
        var claims = JsonNode.Parse(Base64UrlEncoder.Decode(parts[1]))!.AsObject();
        var reversed = new JsonObject();
        foreach (var (name, value) in claims.Reverse().ToList())
        {
            reversed[name] = value?.DeepClone();
        }

        var signingInput = $"{parts[0]}.{Base64UrlEncoder.Encode(reversed.ToJsonString())}";
        var signature = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.ASCII.GetBytes(signingInput));
        return $"{signingInput}.{Base64UrlEncoder.Encode(signature)}";
    }
}
