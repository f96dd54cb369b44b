using System.Security.Cryptography;

namespace Cream.Api.Tests.Keys;

/// <summary>Writes PEM keys in each format an operator might hand us.</summary>
internal static class PemKeys
{
    public static string Write(string folder, string format, int rsaBits = 2048, ECCurve? curve = null)
    {
        var path = Path.Combine(folder, $"{format}-{Guid.NewGuid():N}.pem");
        File.WriteAllText(path, Create(format, rsaBits, curve));
        return path;
    }

    public static string Create(string format, int rsaBits = 2048, ECCurve? curve = null)
    {
        switch (format)
        {
            case "rsa-pkcs8":
            {
                using var rsa = RSA.Create(rsaBits);
                return rsa.ExportPkcs8PrivateKeyPem();
            }

            case "rsa-pkcs1":
            {
                using var rsa = RSA.Create(rsaBits);
                return rsa.ExportRSAPrivateKeyPem();
            }

            case "ec-pkcs8":
            {
                using var ec = ECDsa.Create(curve ?? ECCurve.NamedCurves.nistP256);
                return ec.ExportPkcs8PrivateKeyPem();
            }

            case "ec-sec1":
            {
                using var ec = ECDsa.Create(curve ?? ECCurve.NamedCurves.nistP256);
                return ec.ExportECPrivateKeyPem();
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(format), format, null);
        }
    }

    public static string AlgorithmOf(string format) => format.StartsWith("rsa", StringComparison.Ordinal) ? "RS256" : "ES256";
}
