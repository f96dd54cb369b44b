using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace Cream.Api.Auth.Dpop;

/// <summary>
/// The <c>jwk</c> header of a proof, accepted only as a public EC (P-256, P-384) or RSA
/// (2048 to 4096 bits, a small odd exponent) key that fits the proof's <c>alg</c>. The key is
/// built from the members checked here and nothing else: the client's JSON never reaches the
/// library's <see cref="JsonWebKey"/>, which would also read <c>x5c</c> certificates and
/// members spelled in another case.
/// </summary>
public static class DpopProofKey
{
    /// <summary>The algorithms a proof may be signed with, as discovery lists them.</summary>
    public static readonly string[] Algorithms = ["ES256", "ES384", "RS256", "PS256"];

    /// <summary>The <c>algs</c> parameter of a DPoP challenge.</summary>
    public const string AlgorithmList = "ES256 ES384 RS256 PS256";

    private const int MinimumRsaBytes = 2048 / 8;

    /// <summary>Larger keys only make each refused proof cost more to check.</summary>
    private const int MaximumRsaBytes = 4096 / 8;

    // What only a private key has (RFC 7518 §6.2.2, §6.3.2, §6.4), and certificates (RFC 7517 §4.6-4.9),
    // compared without case: the library reads member names case-insensitively.
    private static readonly string[] RefusedMembers = ["d", "p", "q", "dp", "dq", "qi", "oth", "k", "x5c", "x5t", "x5t#S256", "x5u"];

    /// <summary>
    /// A key's checked public members and its RFC 7638 thumbprint, not yet imported: importing
    /// (which validates the point or modulus) costs far more than verifying a signature, so it
    /// happens once per key (<see cref="DpopKeyCache"/>), and only for a key worth verifying with.
    /// </summary>
    public sealed class Checked
    {
        private readonly ECParameters? _ec;
        private readonly RSAParameters? _rsa;

        internal Checked(ECParameters ec, string thumbprint) => (_ec, Thumbprint) = (ec, thumbprint);

        internal Checked(RSAParameters rsa, string thumbprint) => (_rsa, Thumbprint) = (rsa, thumbprint);

        /// <summary>RFC 7638, base64url: the <c>jkt</c> a bound token names.</summary>
        public string Thumbprint { get; }

        /// <summary>The key as the library's type, or null when the platform refuses it (a point off its curve).</summary>
        public AsymmetricSecurityKey? Import()
        {
            try
            {
                return _ec is { } ec ? new ECDsaSecurityKey(ECDsa.Create(ec)) : new RsaSecurityKey(RSA.Create(_rsa!.Value));
            }
            catch (CryptographicException)
            {
                return null;
            }
        }
    }

    /// <summary>The key, or why it is refused.</summary>
    public static (Checked? Key, string? Refusal) Read(JsonElement jwk, string algorithm)
    {
        if (jwk.ValueKind != JsonValueKind.Object)
        {
            return (null, "The jwk header must be a JSON object.");
        }

        foreach (var member in jwk.EnumerateObject())
        {
            if (RefusedMembers.Contains(member.Name, StringComparer.OrdinalIgnoreCase))
            {
                return (null, "The jwk header must hold a public key only, without certificates.");
            }
        }

        var keyType = Text(jwk, "kty");
        return (keyType, algorithm) switch
        {
            ("EC", "ES256") => ReadEc(jwk, "P-256", ECCurve.NamedCurves.nistP256, 32),
            ("EC", "ES384") => ReadEc(jwk, "P-384", ECCurve.NamedCurves.nistP384, 48),
            ("RSA", "RS256" or "PS256") => ReadRsa(jwk),
            ("EC" or "RSA", _) => (null, $"A {keyType} key cannot verify {algorithm}."),
            _ => (null, "The jwk header must be an EC or RSA public key."),
        };
    }

    private static (Checked?, string?) ReadEc(JsonElement jwk, string curveName, ECCurve curve, int coordinateBytes)
    {
        if (Text(jwk, "crv") != curveName)
        {
            return (null, $"The jwk header's crv must be {curveName} for this alg.");
        }

        var x = Decode(Text(jwk, "x"));
        var y = Decode(Text(jwk, "y"));
        if (x?.Length != coordinateBytes || y?.Length != coordinateBytes)
        {
            return (null, "The jwk header's x and y must be base64url coordinates of the curve's size.");
        }

        var thumbprint = ThumbprintOf($"{{\"crv\":\"{curveName}\",\"kty\":\"EC\",\"x\":\"{Base64UrlEncoder.Encode(x)}\",\"y\":\"{Base64UrlEncoder.Encode(y)}\"}}");
        return (new Checked(new ECParameters { Curve = curve, Q = new ECPoint { X = x, Y = y } }, thumbprint), null);
    }

    private static (Checked?, string?) ReadRsa(JsonElement jwk)
    {
        var modulus = Decode(Text(jwk, "n"));
        var exponent = Decode(Text(jwk, "e"));
        if (modulus is null || exponent is null)
        {
            return (null, "The jwk header's n and e must be base64url numbers.");
        }

        // RFC 7518 §6.3.1: no leading zero octets, so the length is the key's size.
        if (modulus.Length is < MinimumRsaBytes or > MaximumRsaBytes || modulus[0] == 0)
        {
            return (null, "RSA keys must have 2048 to 4096 bits.");
        }

        if (exponent.Length is < 1 or > 4 || exponent[0] == 0 || (exponent[^1] & 1) == 0 || exponent is [1])
        {
            return (null, "The RSA exponent must be a small odd number such as 65537.");
        }

        var thumbprint = ThumbprintOf($"{{\"e\":\"{Base64UrlEncoder.Encode(exponent)}\",\"kty\":\"RSA\",\"n\":\"{Base64UrlEncoder.Encode(modulus)}\"}}");
        return (new Checked(new RSAParameters { Modulus = modulus, Exponent = exponent }, thumbprint), null);
    }

    /// <summary>RFC 7638 §3: SHA-256 of the required members, in order, without whitespace.</summary>
    private static string ThumbprintOf(string canonicalJson) => Base64UrlEncoder.Encode(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalJson)));

    private static string? Text(JsonElement jwk, string member) =>
        jwk.TryGetProperty(member, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>The bytes of unpadded base64url text, or null when it is not that.</summary>
    private static byte[]? Decode(string? text) =>
        text is { Length: > 0 } && !text.AsSpan().ContainsAnyExcept(DpopProofValidator.Base64UrlCharacters) && Base64Url.IsValid(text)
            ? Base64Url.DecodeFromChars(text)
            : null;
}
