using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace Cream.Benchmarks;

/// <summary>
/// Proofs for the load script (<c>bench/load/run.sh</c>): signs in to a running service with a
/// new ES256 key, then writes the bound access token and <c>count</c> fresh proofs for
/// <c>GET /api/auth/me</c> (one per request: the service refuses a <c>jti</c> twice), one per line.
/// <code>dotnet Cream.Benchmarks.dll dpop-proofs BASE_URL EMAIL PASSWORD COUNT FILE</code>
/// Proofs expire with <c>Dpop__ProofLifetimeSeconds</c>: make them right before the run.
/// </summary>
public static class DpopLoadProofs
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length != 6)
        {
            Console.Error.WriteLine("usage: dpop-proofs BASE_URL EMAIL PASSWORD COUNT FILE");
            return 2;
        }

        var (baseUrl, email, password, count, file) = (args[1].TrimEnd('/'), args[2], args[3], int.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture), args[5]);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var parameters = key.ExportParameters(false);
        var header = Base64UrlEncoder.Encode(JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["typ"] = "dpop+jwt",
            ["alg"] = "ES256",
            ["jwk"] = new Dictionary<string, string>
            {
                ["kty"] = "EC", ["crv"] = "P-256", ["x"] = Base64UrlEncoder.Encode(parameters.Q.X!), ["y"] = Base64UrlEncoder.Encode(parameters.Q.Y!),
            },
        }));

        using var http = new HttpClient();
        using var login = new HttpRequestMessage(HttpMethod.Post, baseUrl + "/api/auth/login")
        {
            Content = new FormUrlEncodedContent([new("username", email), new("password", password)]),
        };
        login.Headers.Add("DPoP", Sign(key, header, Claims("POST", baseUrl + "/api/auth/login", null)));
        using var response = await http.SendAsync(login);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        if (!response.IsSuccessStatusCode || body.GetProperty("token_type").GetString() != "DPoP")
        {
            Console.Error.WriteLine($"dpop-proofs: login answered {(int)response.StatusCode}: {body}");
            return 1;
        }

        var token = body.GetProperty("access_token").GetString()!;
        var ath = Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(token)));
        await using var output = new StreamWriter(file);
        await output.WriteLineAsync(token);
        for (var i = 0; i < count; i++)
        {
            await output.WriteLineAsync(Sign(key, header, Claims("GET", baseUrl + "/api/auth/me", ath)));
        }

        return 0;
    }

    private static string Claims(string method, string url, string? ath)
    {
        var claims = new Dictionary<string, object>
        {
            ["jti"] = Guid.NewGuid().ToString("N"), ["htm"] = method, ["htu"] = url, ["iat"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
        };
        if (ath is not null)
        {
            claims["ath"] = ath;
        }

        return Base64UrlEncoder.Encode(JsonSerializer.Serialize(claims));
    }

    private static string Sign(ECDsa key, string header, string payload)
    {
        var input = header + "." + payload;
        return input + "." + Base64UrlEncoder.Encode(key.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256));
    }
}
