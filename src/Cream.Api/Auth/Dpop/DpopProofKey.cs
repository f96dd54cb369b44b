using System.Buffers.Text;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace Cream.Api.Auth.Dpop;

/// <summary>
/// The <c>jwk</c> header of a proof, accepted only as a public EC (P-256, P-384) or RSA
/// (2048 to 8192 bits) key that fits the proof's <c>alg</c>: never a symmetric key, never one
/// carrying private members, never a key whose type the algorithm does not name.
/// </summary>
public static class DpopProofKey
{
    /// <summary>The algorithms a proof may be signed with, as discovery lists them.</summary>
    public static readonly string[] Algorithms = ["ES256", "ES384", "RS256", "PS256"];

    /// <summary>The <c>algs</c> parameter of a DPoP challenge.</summary>
    public const string AlgorithmList = "ES256 ES384 RS256 PS256";

    private const int MinimumRsaBits = 2048;
    private const int MaximumRsaBits = 8192;

    // RFC 7518 §6.2.2 and §6.3.2: what only a private key has.
    private static readonly string[] PrivateMembers = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

    /// <summary>The key as the library's type, or why it is refused.</summary>
    public static (JsonWebKey? Key, string? Refusal) Read(JsonElement jwk, string algorithm)
    {
        if (jwk.ValueKind != JsonValueKind.Object)
        {
            return (null, "The jwk header must be a JSON object.");
        }

        foreach (var member in PrivateMembers)
        {
            if (jwk.TryGetProperty(member, out _))
            {
                return (null, "The jwk header must hold a public key only.");
            }
        }

        var keyType = Text(jwk, "kty");
        var refusal = (keyType, algorithm) switch
        {
            ("EC", "ES256") => CheckCurve(jwk, "P-256", 32),
            ("EC", "ES384") => CheckCurve(jwk, "P-384", 48),
            ("RSA", "RS256" or "PS256") => CheckRsa(jwk),
            ("EC" or "RSA", _) => $"A {keyType} key cannot verify {algorithm}.",
            _ => "The jwk header must be an EC or RSA public key.",
        };
        return refusal is null ? (new JsonWebKey(jwk.GetRawText()), null) : (null, refusal);
    }

    /// <summary>RFC 7638 thumbprint, base64url: the <c>jkt</c> a bound token names.</summary>
    public static string Thumbprint(JsonWebKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Base64UrlEncoder.Encode(key.ComputeJwkThumbprint());
    }

    private static string? CheckCurve(JsonElement jwk, string curve, int coordinateBytes)
    {
        if (Text(jwk, "crv") != curve)
        {
            return $"The jwk header's crv must be {curve} for this alg.";
        }

        return DecodedLength(Text(jwk, "x")) == coordinateBytes && DecodedLength(Text(jwk, "y")) == coordinateBytes
            ? null
            : "The jwk header's x and y must be base64url coordinates of the curve's size.";
    }

    private static string? CheckRsa(JsonElement jwk)
    {
        var exponentBytes = DecodedLength(Text(jwk, "e"));
        var modulusBytes = DecodedLength(Text(jwk, "n"));
        if (exponentBytes is < 1 or > 8 || modulusBytes < 0)
        {
            return "The jwk header's n and e must be base64url numbers.";
        }

        var bits = modulusBytes * 8; // RFC 7518 §6.3.1.1: n has no leading zero octets
        return bits is < MinimumRsaBits or > MaximumRsaBits ? $"RSA keys must have {MinimumRsaBits} to {MaximumRsaBits} bits." : null;
    }

    private static string? Text(JsonElement jwk, string member) =>
        jwk.TryGetProperty(member, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>The decoded byte count of unpadded base64url text, or -1 when it is not that.</summary>
    private static int DecodedLength(string? text) =>
        text is { Length: > 0 } && !text.AsSpan().ContainsAnyExcept(DpopProofValidator.Base64UrlCharacters) && Base64Url.IsValid(text, out var length)
            ? length
            : -1;
}
