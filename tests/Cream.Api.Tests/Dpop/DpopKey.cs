using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.Tokens;

namespace Cream.Api.Tests.Dpop;

/// <summary>
/// A client's DPoP key and the proofs it signs, written by hand (not with the service's code),
/// so a test can also make every wrong proof: a header or claim left out, changed or doubled.
/// </summary>
public sealed class DpopKey : IDisposable
{
    private readonly ECDsa? _ec;
    private readonly RSA? _rsa;

    private DpopKey(string algorithm, ECDsa? ec, RSA? rsa)
    {
        Algorithm = algorithm;
        _ec = ec;
        _rsa = rsa;
        PublicJwk = ec is not null ? EcJwk(ec) : RsaJwk(rsa!);
        Thumbprint = ComputeThumbprint(PublicJwk);
    }

    public string Algorithm { get; }

    /// <summary>The public key as the <c>jwk</c> header carries it.</summary>
    public JsonObject PublicJwk { get; }

    /// <summary>RFC 7638, computed here from the canonical members.</summary>
    public string Thumbprint { get; }

    public static DpopKey Es256() => new("ES256", ECDsa.Create(ECCurve.NamedCurves.nistP256), null);

    public static DpopKey Es384() => new("ES384", ECDsa.Create(ECCurve.NamedCurves.nistP384), null);

    public static DpopKey Rsa(string algorithm = "RS256", int bits = 2048) => new(algorithm, null, RSA.Create(bits));

    /// <summary>
    /// A proof for <paramref name="method"/> on <paramref name="url"/>; <paramref name="accessToken"/>
    /// adds <c>ath</c>. The two callbacks change the header and the claims before signing.
    /// </summary>
    public string Proof(
        string method, string url, DateTimeOffset issuedAt, string? accessToken = null, string? nonce = null,
        Action<JsonObject>? header = null, Action<JsonObject>? claims = null)
    {
        var headerJson = new JsonObject { ["typ"] = "dpop+jwt", ["alg"] = Algorithm, ["jwk"] = PublicJwk.DeepClone() };
        var payload = new JsonObject
        {
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["htm"] = method,
            ["htu"] = url,
            ["iat"] = issuedAt.ToUnixTimeSeconds(),
        };
        if (accessToken is not null)
        {
            payload["ath"] = Ath(accessToken);
        }

        if (nonce is not null)
        {
            payload["nonce"] = nonce;
        }

        header?.Invoke(headerJson);
        claims?.Invoke(payload);
        return Sign(headerJson.ToJsonString(), payload.ToJsonString());
    }

    /// <summary>Signs raw header and payload text (for duplicated members and other shapes a JSON object cannot hold).</summary>
    public string Sign(string headerJson, string payloadJson)
    {
        var input = $"{B64(Encoding.UTF8.GetBytes(headerJson))}.{B64(Encoding.UTF8.GetBytes(payloadJson))}";
        var data = Encoding.ASCII.GetBytes(input);
        var signature = Algorithm switch
        {
            "ES256" => _ec!.SignData(data, HashAlgorithmName.SHA256),
            "ES384" => _ec!.SignData(data, HashAlgorithmName.SHA384),
            "PS256" => _rsa!.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pss),
            _ => _rsa!.SignData(data, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1),
        };
        return $"{input}.{B64(signature)}";
    }

    public static string Ath(string accessToken) => B64(SHA256.HashData(Encoding.ASCII.GetBytes(accessToken)));

    public static string B64(byte[] bytes) => Base64UrlEncoder.Encode(bytes);

    /// <summary>The private key as a JWK (what a proof must never carry).</summary>
    public JsonObject PrivateJwk()
    {
        var jwk = (JsonObject)PublicJwk.DeepClone();
        if (_ec is not null)
        {
            jwk["d"] = B64(_ec.ExportParameters(true).D!);
        }
        else
        {
            var parameters = _rsa!.ExportParameters(true);
            jwk["d"] = B64(parameters.D!);
            jwk["p"] = B64(parameters.P!);
            jwk["q"] = B64(parameters.Q!);
        }

        return jwk;
    }

    private static JsonObject EcJwk(ECDsa ec)
    {
        var parameters = ec.ExportParameters(false);
        var curve = parameters.Q.X!.Length == 48 ? "P-384" : "P-256";
        return new JsonObject { ["kty"] = "EC", ["crv"] = curve, ["x"] = B64(parameters.Q.X!), ["y"] = B64(parameters.Q.Y!) };
    }

    private static JsonObject RsaJwk(RSA rsa)
    {
        var parameters = rsa.ExportParameters(false);
        return new JsonObject { ["kty"] = "RSA", ["n"] = B64(parameters.Modulus!), ["e"] = B64(parameters.Exponent!) };
    }

    private static string ComputeThumbprint(JsonObject jwk)
    {
        var members = (string)jwk["kty"]! == "EC" ? new[] { "crv", "kty", "x", "y" } : ["e", "kty", "n"];
        var canonical = "{" + string.Join(",", members.Select(m => $"\"{m}\":{JsonSerializer.Serialize((string)jwk[m]!)}")) + "}";
        return B64(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    public void Dispose()
    {
        _ec?.Dispose();
        _rsa?.Dispose();
    }
}
