using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cream.Api.Tests.Adversarial;
using Cream.Client;
using Microsoft.IdentityModel.Tokens;

namespace Cream.Api.Tests.Client;

/// <summary>A token store in a JSON file, as an app that keeps its user signed in across restarts has.</summary>
public sealed class FileTokenStore(string path) : ITokenStore
{
    public async ValueTask<TokenSet?> GetAsync(CancellationToken cancellationToken = default) =>
        File.Exists(path) ? JsonSerializer.Deserialize<TokenSet>(await File.ReadAllTextAsync(path, cancellationToken)) : null;

    public async ValueTask SetAsync(TokenSet tokens, CancellationToken cancellationToken = default) =>
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(tokens), cancellationToken);

    public ValueTask ClearAsync(CancellationToken cancellationToken = default)
    {
        File.Delete(path);
        return ValueTask.CompletedTask;
    }
}

/// <summary>Reads what the client put on the wire: its proofs and keys, computed here independently of the client's code.</summary>
public static class DpopWire
{
    /// <summary>The RFC 7638 thumbprint of the public half of a stored key (base64 PKCS#8).</summary>
    public static string ThumbprintOfStoredKey(string pkcs8)
    {
        using var key = ECDsa.Create();
        key.ImportPkcs8PrivateKey(Convert.FromBase64String(pkcs8), out _);
        var point = key.ExportParameters(false).Q;
        return Thumbprint(new JsonObject { ["kty"] = "EC", ["crv"] = "P-256", ["x"] = B64(point.X!), ["y"] = B64(point.Y!) });
    }

    /// <summary>The RFC 7638 thumbprint of an EC JWK.</summary>
    public static string Thumbprint(JsonNode jwk)
    {
        var canonical = "{" + string.Join(",", new[] { "crv", "kty", "x", "y" }.Select(m => $"\"{m}\":{JsonSerializer.Serialize((string)jwk[m]!)}")) + "}";
        return B64(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    /// <summary>The header and claims of a proof, after checking its ES256 signature with the key in its own header.</summary>
    public static (JsonObject Header, JsonObject Claims) ReadVerified(string proof)
    {
        var (header, claims) = Jws.Read(proof);
        var jwk = header["jwk"]!;
        using var key = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = Base64UrlEncoder.DecodeBytes((string)jwk["x"]!), Y = Base64UrlEncoder.DecodeBytes((string)jwk["y"]!) },
        });
        var lastDot = proof.LastIndexOf('.');
        Assert.True(
            key.VerifyData(Encoding.ASCII.GetBytes(proof[..lastDot]), Base64UrlEncoder.DecodeBytes(proof[(lastDot + 1)..]), HashAlgorithmName.SHA256),
            "the proof's signature does not verify with its jwk");
        return (header, claims);
    }

    public static string Ath(string accessToken) => B64(SHA256.HashData(Encoding.ASCII.GetBytes(accessToken)));

    private static string B64(byte[] bytes) => Base64UrlEncoder.Encode(bytes);
}
