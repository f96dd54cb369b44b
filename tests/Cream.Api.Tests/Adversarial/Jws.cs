using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.IdentityModel.Tokens;

namespace Cream.Api.Tests.Adversarial;

/// <summary>
/// Compact JWS (RFC 7515) assembled byte by byte, so a test can put anything in any segment
/// and sign it with any key: nothing here goes through the library under test.
/// </summary>
internal static class Jws
{
    /// <summary>Writes <c>+</c> and non-ASCII as themselves rather than <c>\u002B</c>, as other libraries do.</summary>
    private static readonly JsonSerializerOptions Plain = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Json(JsonNode? node) => node?.ToJsonString(Plain) ?? "null";

    public static string Segment(byte[] bytes) => Base64UrlEncoder.Encode(bytes);

    public static string Segment(string text) => Segment(Encoding.UTF8.GetBytes(text));

    public static string Segment(JsonNode? node) => Segment(Json(node));

    public static string SigningInput(JsonNode? header, JsonNode? payload) => Segment(header) + "." + Segment(payload);

    public static string Token(string signingInput, byte[] signature) => signingInput + "." + Segment(signature);

    /// <summary>An HMAC-SHA2 signature of the ASCII signing input, as RFC 7518 §3.2 defines it.</summary>
    public static byte[] Hmac(string algorithm, byte[] key, string signingInput)
    {
        var data = Encoding.ASCII.GetBytes(signingInput);
        return algorithm switch
        {
            "HS256" => HMACSHA256.HashData(key, data),
            "HS384" => HMACSHA384.HashData(key, data),
            "HS512" => HMACSHA512.HashData(key, data),
            _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, null),
        };
    }

    public static string SignHmac(JsonNode? header, JsonNode? payload, byte[] key, string algorithm = "HS256")
    {
        var input = SigningInput(header, payload);
        return Token(input, Hmac(algorithm, key, input));
    }

    public static byte[] Rsa(RSA key, string signingInput, HashAlgorithmName? hash = null, RSASignaturePadding? padding = null) =>
        key.SignData(Encoding.ASCII.GetBytes(signingInput), hash ?? HashAlgorithmName.SHA256, padding ?? RSASignaturePadding.Pkcs1);

    /// <summary>ES256 as JWS wants it: the raw 64-byte r||s (IEEE P1363), unless told otherwise.</summary>
    public static byte[] Ecdsa(ECDsa key, string signingInput, DSASignatureFormat format = DSASignatureFormat.IeeeP1363FixedFieldConcatenation) =>
        key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, format);

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>The first key of a JWKS, exactly as served.</summary>
    public static string FirstJwk(string jwks)
    {
        using var document = JsonDocument.Parse(jwks);
        return document.RootElement.GetProperty("keys")[0].GetRawText();
    }

    public static string[] Parts(string token) => token.Split('.');

    public static JsonObject Decode(string segment) => JsonNode.Parse(Base64UrlEncoder.DecodeBytes(segment))!.AsObject();

    /// <summary>The header and payload of a token, as objects a test may change.</summary>
    public static (JsonObject Header, JsonObject Payload) Read(string token)
    {
        var parts = Parts(token);
        return (Decode(parts[0]), Decode(parts[1]));
    }

    public static byte[] Signature(string token) => Base64UrlEncoder.DecodeBytes(Parts(token)[2]);

    /// <summary>The same token with another signature.</summary>
    public static string WithSignature(string token, string signatureSegment) =>
        token[..(token.LastIndexOf('.') + 1)] + signatureSegment;

    /// <summary>
    /// Strict RFC 4648 §5 decoding: the URL-safe alphabet only, no padding, no whitespace, no
    /// impossible length. Bits below the last whole byte are ignored, since they carry no data.
    /// Null when the text is not base64url at all.
    /// </summary>
    public static byte[]? StrictDecode(string text)
    {
        if (text.Length % 4 == 1)
        {
            return null;
        }

        var output = new List<byte>(text.Length * 3 / 4);
        int buffer = 0, bits = 0;
        foreach (var c in text)
        {
            var value = c switch
            {
                >= 'A' and <= 'Z' => c - 'A',
                >= 'a' and <= 'z' => c - 'a' + 26,
                >= '0' and <= '9' => c - '0' + 52,
                '-' => 62,
                '_' => 63,
                _ => -1,
            };
            if (value < 0)
            {
                return null;
            }

            buffer = (buffer << 6) | value;
            bits += 6;
            if (bits >= 8)
            {
                bits -= 8;
                output.Add((byte)(buffer >> bits));
                buffer &= (1 << bits) - 1;
            }
        }

        return [.. output];
    }
}
