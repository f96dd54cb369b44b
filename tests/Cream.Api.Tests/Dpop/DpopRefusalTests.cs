using System.Net;
using System.Text.Json.Nodes;
using Cream.Api.Tests.Infrastructure;

namespace Cream.Api.Tests.Dpop;

/// <summary>
/// Every way a resource request's proof or scheme can be wrong, each answered 401 with RFC
/// 9449's challenge and the first version's detail, never 5xx; and the same request with a
/// right proof answers 200, so each case fails for its own reason only.
/// </summary>
public abstract class DpopRefusalTests(CreamApiFactory factory) : IClassFixture<DpopRefusalTests.Keys>
{
    public sealed class Keys : IDisposable
    {
        public DpopKey Client { get; } = DpopKey.Es256();
        public DpopKey Other { get; } = DpopKey.Es256();
        public DpopKey WeakRsa { get; } = DpopKey.Rsa(bits: 1024);

        public void Dispose()
        {
            Client.Dispose();
            Other.Dispose();
            WeakRsa.Dispose();
        }
    }

    private readonly HttpClient _client = factory.CreateClient();
    private readonly Keys _keys = new();

    /// <summary>One refusal: the proofs to send (none, one or two) for the bound token, and the scheme.</summary>
    private sealed record Attempt(string[] Proofs, string Scheme = "DPoP");

    private DateTimeOffset Now => factory.Time.GetUtcNow();

    private string Proof(string token, Action<JsonObject>? header = null, Action<JsonObject>? claims = null, DpopKey? key = null,
        string method = "GET", string? url = null, DateTimeOffset? at = null, bool ath = true) =>
        (key ?? _keys.Client).Proof(method, url ?? DpopApi.Url(DpopApi.Me), at ?? Now, ath ? token : null, header: header, claims: claims);

    public static TheoryData<string> Cases =>
    [
        "missing proof", "two DPoP headers", "typ wrong", "typ missing", "alg none", "alg HS256", "alg unknown",
        "jwk with private members", "symmetric jwk", "weak RSA", "signed by another key", "jwk missing", "htm wrong",
        "htu other host", "htu other scheme", "htu other port", "htu other path", "htu with query", "htu with fragment",
        "htu trailing slash", "iat too old", "iat in the future", "iat as a string", "jti missing", "ath missing", "ath wrong",
        "proof of another key than cnf", "bound token sent as Bearer", "huge proof", "not a JWS", "crit header",
        "claim given twice", "jwk with a private member in upper case", "jwk with shadow members in upper case",
        "htu with a backslash", "htu with a space",
    ];

    private Attempt Build(string name, string token) => name switch
    {
        "missing proof" => new([]),
        "two DPoP headers" => new([Proof(token), Proof(token)]),
        "typ wrong" => new([Proof(token, header: h => h["typ"] = "JWT")]),
        "typ missing" => new([Proof(token, header: h => h.Remove("typ"))]),
        "alg none" => new([Unsigned(token, "none")]),
        "alg HS256" => new([Unsigned(token, "HS256")]),
        "alg unknown" => new([Proof(token, header: h => h["alg"] = "ES512")]),
        "jwk with private members" => new([Proof(token, header: h => h["jwk"] = _keys.Client.PrivateJwk())]),
        "symmetric jwk" => new([Proof(token, header: h => h["jwk"] = new JsonObject { ["kty"] = "oct", ["k"] = DpopKey.B64(new byte[32]) })]),
        "weak RSA" => new([Proof(token, key: _keys.WeakRsa)]),
        "signed by another key" => new([Proof(token, header: h => h["jwk"] = _keys.Other.PublicJwk.DeepClone())]),
        "jwk missing" => new([Proof(token, header: h => h.Remove("jwk"))]),
        "htm wrong" => new([Proof(token, method: "POST")]),
        "htu other host" => new([Proof(token, url: "http://evil.example/api/auth/me")]),
        "htu other scheme" => new([Proof(token, url: "https://localhost/api/auth/me")]),
        "htu other port" => new([Proof(token, url: "http://localhost:8080/api/auth/me")]),
        "htu other path" => new([Proof(token, url: "http://localhost/api/auth/sessions")]),
        "htu with query" => new([Proof(token, url: "http://localhost/api/auth/me?x=1")]),
        "htu with fragment" => new([Proof(token, url: "http://localhost/api/auth/me#x")]),
        "htu trailing slash" => new([Proof(token, url: "http://localhost/api/auth/me/")]),
        "iat too old" => new([Proof(token, at: Now.AddSeconds(-(60 + 30 + 1)))]),
        "iat in the future" => new([Proof(token, at: Now.AddSeconds(30 + 5))]),
        "iat as a string" => new([Proof(token, claims: c => c["iat"] = Now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture))]),
        "jti missing" => new([Proof(token, claims: c => c.Remove("jti"))]),
        "ath missing" => new([Proof(token, ath: false)]),
        "ath wrong" => new([Proof(token, claims: c => c["ath"] = DpopKey.Ath(token + "x"))]),
        "proof of another key than cnf" => new([Proof(token, key: _keys.Other)]),
        "bound token sent as Bearer" => new([Proof(token)], "Bearer"),
        "huge proof" => new([Proof(token, claims: c => c["padding"] = new string('a', 9 * 1024))]),
        "not a JWS" => new(["not-a-proof"]),
        "crit header" => new([Proof(token, header: h => h["crit"] = new JsonArray("exp"))]),
        "claim given twice" => new([TwiceHtm(token)]),
        "jwk with a private member in upper case" => new([Proof(token, header: h => h["jwk"]!["D"] = _keys.Client.PrivateJwk()["d"]!.DeepClone())]),
        "jwk with shadow members in upper case" => new([Proof(token, key: _keys.Other, header: h =>
        {
            h["jwk"] = _keys.Client.PublicJwk.DeepClone();
            h["jwk"]!["X"] = _keys.Other.PublicJwk["x"]!.DeepClone();
            h["jwk"]!["Y"] = _keys.Other.PublicJwk["y"]!.DeepClone();
        })]),
        "htu with a backslash" => new([Proof(token, url: "http://localhost/api\\auth/me")]),
        "htu with a space" => new([Proof(token, url: " http://localhost/api/auth/me")]),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, null),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_wrong_proof_or_scheme_is_401_with_the_dpop_challenge(string name)
    {
        var (_, tokens) = await _client.BoundLoginAsync(_keys.Client, Now);
        var attempt = Build(name, tokens.AccessToken);

        using var refused = await _client.GetAsync(DpopApi.Me, tokens.AccessToken, attempt.Scheme, attempt.Proofs);

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        var challenge = refused.Headers.WwwAuthenticate.ToString();
        Assert.StartsWith("DPoP error=\"invalid_dpop_proof\"", challenge, StringComparison.Ordinal);
        Assert.Contains("algs=\"ES256 ES384 RS256 PS256\"", challenge, StringComparison.Ordinal);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Could not validate credentials", await refused.DetailAsync());

        // The control: the same token with a right proof is accepted.
        using var accepted = await _client.GetAsync(DpopApi.Me, tokens.AccessToken, "DPoP", Proof(tokens.AccessToken));
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
    }

    [Fact]
    public async Task A_replayed_proof_is_refused_on_the_same_instance()
    {
        var (_, tokens) = await _client.BoundLoginAsync(_keys.Client, Now);
        var proof = Proof(tokens.AccessToken);

        using var first = await _client.GetAsync(DpopApi.Me, tokens.AccessToken, "DPoP", proof);
        using var replay = await _client.GetAsync(DpopApi.Me, tokens.AccessToken, "DPoP", proof);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, replay.StatusCode);
        Assert.Contains("already used", replay.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unbound_token_sent_as_DPoP_is_refused()
    {
        var user = await _client.SignupAsync();

        using var refused = await _client.GetAsync(DpopApi.Me, user.AccessToken, "DPoP", Proof(user.AccessToken));
        using var asBearer = await _client.GetAsync(DpopApi.Me, user.AccessToken, "Bearer");

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.StartsWith("DPoP error=\"invalid_dpop_proof\"", refused.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, asBearer.StatusCode);
    }

    [Fact]
    public async Task A_bad_token_sent_as_DPoP_is_invalid_token_in_the_dpop_challenge()
    {
        var (_, tokens) = await _client.BoundLoginAsync(_keys.Client, Now);
        var forged = tokens.AccessToken[..^4] + (tokens.AccessToken.EndsWith("AAAA", StringComparison.Ordinal) ? "BBBB" : "AAAA");

        using var refused = await _client.GetAsync(DpopApi.Me, forged, "DPoP", Proof(forged));

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.StartsWith("DPoP error=\"invalid_token\"", refused.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_request_without_a_token_is_challenged_with_Bearer_first_then_DPoP()
    {
        using var response = await _client.GetAsync(DpopApi.Me);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(["Bearer", "DPoP algs=\"ES256 ES384 RS256 PS256\""], response.Headers.GetValues("WWW-Authenticate"));
        Assert.Equal("Not authenticated", await response.DetailAsync());
    }

    [Fact]
    public async Task Every_allowed_algorithm_works_end_to_end()
    {
        foreach (var key in new[] { DpopKey.Es256(), DpopKey.Es384(), DpopKey.Rsa("RS256"), DpopKey.Rsa("PS256") })
        {
            using (key)
            {
                var (_, tokens) = await _client.BoundLoginAsync(key, Now);
                using var me = await _client.GetAsync(DpopApi.Me, tokens.AccessToken, "DPoP", Proof(tokens.AccessToken, key: key));
                Assert.True(me.StatusCode == HttpStatusCode.OK, $"{key.Algorithm}: {me.StatusCode}");
                Assert.Equal(key.Thumbprint, DpopApi.BoundKeyOf(tokens.AccessToken));
            }
        }
    }

    private string Unsigned(string token, string alg)
    {
        var header = new JsonObject { ["typ"] = "dpop+jwt", ["alg"] = alg, ["jwk"] = _keys.Client.PublicJwk.DeepClone() };
        var payload = new JsonObject
        {
            ["jti"] = Guid.NewGuid().ToString("N"), ["htm"] = "GET", ["htu"] = DpopApi.Url(DpopApi.Me),
            ["iat"] = Now.ToUnixTimeSeconds(), ["ath"] = DpopKey.Ath(token),
        };
        var input = $"{DpopKey.B64(System.Text.Encoding.UTF8.GetBytes(header.ToJsonString()))}.{DpopKey.B64(System.Text.Encoding.UTF8.GetBytes(payload.ToJsonString()))}";
        return alg == "none"
            ? input + "."
            : input + "." + DpopKey.B64(System.Security.Cryptography.HMACSHA256.HashData(new byte[32], System.Text.Encoding.ASCII.GetBytes(input)));
    }

    private string TwiceHtm(string token)
    {
        var header = new JsonObject { ["typ"] = "dpop+jwt", ["alg"] = "ES256", ["jwk"] = _keys.Client.PublicJwk.DeepClone() };
        var payload = $"{{\"jti\":\"{Guid.NewGuid():N}\",\"htm\":\"POST\",\"htm\":\"GET\",\"htu\":\"{DpopApi.Url(DpopApi.Me)}\",\"iat\":{Now.ToUnixTimeSeconds()},\"ath\":\"{DpopKey.Ath(token)}\"}}";
        return _keys.Client.Sign(header.ToJsonString(), payload);
    }
}

public sealed class SqliteDpopRefusalTests(SqliteApiFactory factory) : DpopRefusalTests(factory), IClassFixture<SqliteApiFactory>;

public sealed class PostgresDpopRefusalTests(PostgresApiFactory factory) : DpopRefusalTests(factory), IClassFixture<PostgresApiFactory>;
