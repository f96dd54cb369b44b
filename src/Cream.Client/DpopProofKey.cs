using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Cream.Client;

/// <summary>
/// The client's DPoP key (RFC 9449): an ES256 (P-256) key made with <see cref="ECDsa"/>, and the
/// proofs it signs. The private key travels only as <see cref="PrivateKeyText"/>, into the
/// <see cref="ITokenStore"/>; a proof carries the public key alone.
/// </summary>
internal sealed class DpopProofKey : IDisposable
{
    private readonly ECDsa _key;
    private readonly string _encodedHeader;
    private readonly Lock _signing = new(); // one signature at a time: ECDsa does not promise more

    private DpopProofKey(ECDsa key)
    {
        _key = key;
        PrivateKeyText = Convert.ToBase64String(key.ExportPkcs8PrivateKey());
        _encodedHeader = Base64Url.EncodeToString(HeaderJson(key.ExportParameters(includePrivateParameters: false)));
    }

    /// <summary>The private key as base64 PKCS#8: what a token store keeps so a restart keeps the binding.</summary>
    public string PrivateKeyText { get; }

    /// <summary>A new P-256 key.</summary>
    public static DpopProofKey Generate() => new(ECDsa.Create(ECCurve.NamedCurves.nistP256));

    /// <summary>The key <see cref="PrivateKeyText"/> wrote; only a P-256 key is taken.</summary>
    public static DpopProofKey Import(string privateKeyText)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportPkcs8PrivateKey(Convert.FromBase64String(privateKeyText), out _);
            if (key.KeySize != 256)
            {
                throw new CryptographicException("The stored DPoP key is not a P-256 key.");
            }

            return new DpopProofKey(key);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A fresh proof for one request: <c>htu</c> is <paramref name="url"/> without query or
    /// fragment; <c>ath</c> is added for <paramref name="accessToken"/>, <c>nonce</c> when given.
    /// </summary>
    public string Proof(HttpMethod method, Uri url, DateTimeOffset now, string? accessToken, string? nonce)
    {
        var payload = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(payload))
        {
            json.WriteStartObject();
            json.WriteString("jti", Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16)));
            json.WriteString("htm", method.Method);
            json.WriteString("htu", url.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped));
            json.WriteNumber("iat", now.ToUnixTimeSeconds());
            if (accessToken is not null)
            {
                json.WriteString("ath", AccessTokenHash(accessToken));
            }

            if (nonce is not null)
            {
                json.WriteString("nonce", nonce);
            }

            json.WriteEndObject();
        }

        var signingInput = $"{_encodedHeader}.{Base64Url.EncodeToString(payload.WrittenSpan)}";
        byte[] signature;
        lock (_signing)
        {
            // IEEE P1363 (r || s), the form RFC 7518 §3.4 wants.
            signature = _key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256);
        }

        return $"{signingInput}.{Base64Url.EncodeToString(signature)}";
    }

    /// <summary>The <c>ath</c> claim: base64url SHA-256 of the access token.</summary>
    public static string AccessTokenHash(string accessToken) =>
        Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(accessToken)));

    public void Dispose() => _key.Dispose();

    private static byte[] HeaderJson(ECParameters publicKey)
    {
        var header = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(header))
        {
            json.WriteStartObject();
            json.WriteString("typ", "dpop+jwt");
            json.WriteString("alg", "ES256");
            json.WriteStartObject("jwk");
            json.WriteString("kty", "EC");
            json.WriteString("crv", "P-256");
            json.WriteString("x", Base64Url.EncodeToString(publicKey.Q.X));
            json.WriteString("y", Base64Url.EncodeToString(publicKey.Q.Y));
            json.WriteEndObject();
            json.WriteEndObject();
        }

        return header.WrittenSpan.ToArray();
    }
}
