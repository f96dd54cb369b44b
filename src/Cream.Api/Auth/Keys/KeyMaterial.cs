using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace Cream.Api.Auth.Keys;

/// <summary>The algorithms Cream signs access tokens with.</summary>
public static class SigningAlgorithms
{
    public const string HS256 = SecurityAlgorithms.HmacSha256;
    public const string RS256 = SecurityAlgorithms.RsaSha256;
    public const string ES256 = SecurityAlgorithms.EcdsaSha256;

    public static readonly string[] All = [HS256, RS256, ES256];

    public static bool IsAsymmetric(string algorithm) => algorithm is RS256 or ES256;
}

/// <summary>Loading, generating and naming asymmetric keys, and refusing weak ones.</summary>
public static class KeyMaterial
{
    public const int MinimumRsaBits = 2048;

    /// <summary>
    /// Reads a PEM private (or, for verification only, public) key: PKCS#8, PKCS#1 RSA, SEC1 EC or
    /// SubjectPublicKeyInfo. Throws <see cref="InvalidOperationException"/> with a one-line reason.
    /// </summary>
    public static AsymmetricSecurityKey LoadPem(string algorithm, string path)
    {
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"Jwt__PrivateKeyPath: no file at {path}.");
        }

        return FromPem(algorithm, File.ReadAllText(path), path);
    }

    public static AsymmetricSecurityKey FromPem(string algorithm, string pem, string source)
    {
        ArgumentNullException.ThrowIfNull(pem);
        try
        {
            if (algorithm == SigningAlgorithms.RS256)
            {
                var rsa = RSA.Create();
                rsa.ImportFromPem(pem);
                return Named(new RsaSecurityKey(rsa));
            }

            var ecdsa = ECDsa.Create();
            ecdsa.ImportFromPem(pem);
            return Named(new ECDsaSecurityKey(ecdsa));
        }
        catch (Exception exception) when (exception is ArgumentException or CryptographicException)
        {
            throw new InvalidOperationException($"{source} does not hold a PEM {(algorithm == SigningAlgorithms.RS256 ? "RSA" : "EC")} key usable for {algorithm}.", exception);
        }
    }

    /// <summary>Refuses keys weaker than RFC 7518 and NIST allow: RSA under 2048 bits, EC off P-256.</summary>
    public static string? DescribeWeakness(AsymmetricSecurityKey key) => key switch
    {
        RsaSecurityKey rsa when rsa.Rsa.KeySize < MinimumRsaBits =>
            $"the RSA key has {rsa.Rsa.KeySize} bits; RS256 needs at least {MinimumRsaBits}.",
        ECDsaSecurityKey ec when ec.ECDsa.ExportParameters(false).Curve.Oid.FriendlyName is not ("nistP256" or "ECDSA_P256") =>
            $"the EC key is on curve {ec.ECDsa.ExportParameters(false).Curve.Oid.FriendlyName}; ES256 needs P-256.",
        _ => null,
    };

    public static AsymmetricSecurityKey Generate(string algorithm) => algorithm == SigningAlgorithms.RS256
        ? Named(new RsaSecurityKey(RSA.Create(MinimumRsaBits)))
        : Named(new ECDsaSecurityKey(ECDsa.Create(ECCurve.NamedCurves.nistP256)));

    /// <summary>The private key as PKCS#8 DER, for storage (encrypted) in the database.</summary>
    public static byte[] ExportPrivate(AsymmetricSecurityKey key) => key switch
    {
        RsaSecurityKey rsa => rsa.Rsa.ExportPkcs8PrivateKey(),
        ECDsaSecurityKey ec => ec.ECDsa.ExportPkcs8PrivateKey(),
        _ => throw new NotSupportedException(key.GetType().Name),
    };

    public static AsymmetricSecurityKey ImportPrivate(string algorithm, byte[] pkcs8)
    {
        if (algorithm == SigningAlgorithms.RS256)
        {
            var rsa = RSA.Create();
            rsa.ImportPkcs8PrivateKey(pkcs8, out _);
            return Named(new RsaSecurityKey(rsa));
        }

        var ecdsa = ECDsa.Create();
        ecdsa.ImportPkcs8PrivateKey(pkcs8, out _);
        return Named(new ECDsaSecurityKey(ecdsa));
    }

    /// <summary>The public half as a JWK with only public members.</summary>
    public static PublicJwk ToPublicJwk(AsymmetricSecurityKey key, string algorithm) => key switch
    {
        RsaSecurityKey rsa => PublicJwk.Rsa(key.KeyId, algorithm, rsa.Rsa.ExportParameters(false)),
        ECDsaSecurityKey ec => PublicJwk.Ec(key.KeyId, algorithm, ec.ECDsa.ExportParameters(false)),
        _ => throw new NotSupportedException(key.GetType().Name),
    };

    /// <summary>Sets the key id to the RFC 7638 thumbprint of the public key.</summary>
    private static AsymmetricSecurityKey Named(AsymmetricSecurityKey key)
    {
        key.KeyId = Thumbprint(key);
        return key;
    }

    /// <summary>RFC 7638: SHA-256 over the required public members in lexicographic order, base64url.</summary>
    public static string Thumbprint(AsymmetricSecurityKey key)
    {
        var canonical = key switch
        {
            RsaSecurityKey rsa => RsaCanonical(rsa.Rsa.ExportParameters(false)),
            ECDsaSecurityKey ec => EcCanonical(ec.ECDsa.ExportParameters(false)),
            _ => throw new NotSupportedException(key.GetType().Name),
        };
        return Base64UrlEncoder.Encode(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    private static string RsaCanonical(RSAParameters p) =>
        $"{{\"e\":\"{Base64UrlEncoder.Encode(p.Exponent)}\",\"kty\":\"RSA\",\"n\":\"{Base64UrlEncoder.Encode(p.Modulus)}\"}}";

    private static string EcCanonical(ECParameters p) =>
        $"{{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"{Base64UrlEncoder.Encode(p.Q.X)}\",\"y\":\"{Base64UrlEncoder.Encode(p.Q.Y)}\"}}";
}

/// <summary>A public JSON Web Key (RFC 7517) as published in the JWKS: never a private member.</summary>
public sealed record PublicJwk(string Kty, string Use, string Alg, string Kid, string? N, string? E, string? Crv, string? X, string? Y)
{
    public static PublicJwk Rsa(string kid, string alg, RSAParameters p) =>
        new("RSA", "sig", alg, kid, Base64UrlEncoder.Encode(p.Modulus), Base64UrlEncoder.Encode(p.Exponent), null, null, null);

    public static PublicJwk Ec(string kid, string alg, ECParameters p) =>
        new("EC", "sig", alg, kid, null, null, "P-256", Base64UrlEncoder.Encode(p.Q.X), Base64UrlEncoder.Encode(p.Q.Y));
}
