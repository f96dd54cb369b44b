using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cream.Api.Auth.Dpop;
using Cream.Api.Tests.Infrastructure;

namespace Cream.Api.Tests.Dpop;

/// <summary>
/// Keys in a proof's <c>jwk</c> that must not verify anything: a victim's public key with the
/// attacker's certificate beside it (which the library's <c>JsonWebKey</c> would verify with),
/// oversized RSA, unusual exponents, leading zeros, points off the curve.
/// </summary>
public sealed class DpopKeyAttackTests(SqliteApiFactory factory) : IClassFixture<SqliteApiFactory>
{
    [Fact]
    public async Task A_victims_rsa_jwk_with_the_attackers_certificate_verifies_nothing_and_poisons_nothing()
    {
        using var client = factory.CreateClient();
        using var victim = DpopKey.Rsa("PS256");
        using var attacker = DpopKey.Rsa("PS256");
        var (_, tokens) = await client.BoundLoginAsync(victim, factory.Time.GetUtcNow());
        using var attackerRsa = RSA.Create(2048);
        var certificate = new CertificateRequest("CN=attacker", attackerRsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));

        foreach (var member in new[] { "x5c", "X5C" })
        {
            var forged = attacker.Proof("GET", DpopApi.Url(DpopApi.Me), factory.Time.GetUtcNow(), tokens.AccessToken, header: h =>
            {
                h["jwk"] = victim.PublicJwk.DeepClone();
                h["jwk"]![member] = new JsonArray(Convert.ToBase64String(certificate.RawData));
            });
            using var refused = await client.GetAsync(DpopApi.Me, tokens.AccessToken, "DPoP", forged);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        using var genuine = await client.GetAsync(DpopApi.Me, tokens.AccessToken, "DPoP",
            victim.Proof("GET", DpopApi.Url(DpopApi.Me), factory.Time.GetUtcNow(), tokens.AccessToken));
        Assert.Equal(HttpStatusCode.OK, genuine.StatusCode);
    }

    public static TheoryData<string, string> RefusedKeys()
    {
        using var rsa8192 = RSA.Create(8192);
        using var rsa2048 = RSA.Create(2048);
        var big = rsa8192.ExportParameters(false);
        var normal = rsa2048.ExportParameters(false);
        return new()
        {
            { "RS256", Rsa(big.Modulus!, big.Exponent!) },
            { "RS256", Rsa(normal.Modulus!, [1, 0, 0, 0, 0, 0, 0, 1]) },
            { "RS256", Rsa(normal.Modulus!, [1, 0, 0]) }, // even
            { "RS256", Rsa([0, .. normal.Modulus!], normal.Exponent!) }, // a leading zero octet
            { "ES256", """{"kty":"EC","crv":"P-256","x":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA","y":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}""" },
            { "ES256", """{"kty":"EC","crv":"P-256","x":"AAAA","y":"AAAA"}""" },
            { "RS256", """{"kty":"RSA","n":"AQAB","e":"AQAB","P":"AQAB"}""" },
        };
    }

    [Theory]
    [MemberData(nameof(RefusedKeys))]
    public void A_key_outside_the_rules_is_refused_before_it_verifies_anything(string algorithm, string jwk)
    {
        var (key, refusal) = DpopProofKey.Read(JsonDocument.Parse(jwk).RootElement, algorithm);

        // Refused by its members, or (a point off the curve) when the platform imports it.
        Assert.True(key is null ? !string.IsNullOrEmpty(refusal) : key.Import() is null);
    }

    [Fact]
    public void The_thumbprint_is_rfc_7638s()
    {
        // RFC 7638 §3.1's example key and thumbprint.
        const string Jwk = """{"kty":"RSA","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAB","alg":"RS256","kid":"2011-04-29"}""";

        var key = DpopProofKey.Read(JsonDocument.Parse(Jwk).RootElement, "RS256").Key!;

        Assert.Equal("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs", key.Thumbprint);
    }

    private static string Rsa(byte[] modulus, byte[] exponent) =>
        $$"""{"kty":"RSA","n":"{{DpopKey.B64(modulus)}}","e":"{{DpopKey.B64(exponent)}}"}""";
}
