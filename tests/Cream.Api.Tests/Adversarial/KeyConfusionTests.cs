using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace Cream.Api.Tests.Adversarial;

/// <summary>
/// RS/HS key confusion (RFC 8725 §2.1): an HS256 token under our kid whose HMAC secret is our
/// public key in every form an attacker can get it, from the PEM to the JWKS we publish.
/// </summary>
public sealed class RsaKeyConfusionTests(Rs256Service service) : IClassFixture<Rs256Service>
{
    private static readonly Dictionary<string, Func<RSA, string, byte[]>> PublicKeyForms = new(StringComparer.Ordinal)
    {
        ["SubjectPublicKeyInfo PEM with a trailing newline"] = (key, _) => Jws.Utf8(key.ExportSubjectPublicKeyInfoPem() + "\n"),
        ["SubjectPublicKeyInfo PEM without a trailing newline"] = (key, _) => Jws.Utf8(key.ExportSubjectPublicKeyInfoPem()),
        ["SubjectPublicKeyInfo PEM with CRLF line ends"] = (key, _) => Jws.Utf8(key.ExportSubjectPublicKeyInfoPem().ReplaceLineEndings("\r\n") + "\r\n"),
        ["PKCS#1 RSA PUBLIC KEY PEM with a trailing newline"] = (key, _) => Jws.Utf8(key.ExportRSAPublicKeyPem() + "\n"),
        ["PKCS#1 RSA PUBLIC KEY PEM without a trailing newline"] = (key, _) => Jws.Utf8(key.ExportRSAPublicKeyPem()),
        ["SubjectPublicKeyInfo DER bytes"] = (key, _) => key.ExportSubjectPublicKeyInfo(),
        ["PKCS#1 DER bytes"] = (key, _) => key.ExportRSAPublicKey(),
        ["the JWK JSON as published"] = (_, jwks) => Jws.Utf8(Jws.FirstJwk(jwks)),
        ["the whole JWKS document as published"] = (_, jwks) => Jws.Utf8(jwks),
        ["the n value as published (base64url text)"] = (key, _) => Jws.Utf8(Base64UrlEncoder.Encode(key.ExportParameters(false).Modulus)),
        ["the modulus bytes"] = (key, _) => key.ExportParameters(false).Modulus!,
    };

    private static readonly Dictionary<string, Func<Rs256Service, string>> Downgrades = new(StringComparer.Ordinal)
    {
        ["none, empty signature"] = s => Jws.SigningInput(s.Header("none"), s.Claims()) + ".",
        ["none, with our own RS256 signature"] = s => AdversarialService.Sign(s.Header("none"), s.Claims(), input => s.SignWithOurKey(input)),
        ["RS384 with our key"] = s => AdversarialService.Sign(s.Header("RS384"), s.Claims(), input => Jws.Rsa(s.Key, input, HashAlgorithmName.SHA384)),
        ["RS512 with our key"] = s => AdversarialService.Sign(s.Header("RS512"), s.Claims(), input => Jws.Rsa(s.Key, input, HashAlgorithmName.SHA512)),
        ["PS256 with our key"] = s => AdversarialService.Sign(s.Header("PS256"), s.Claims(), input => Jws.Rsa(s.Key, input, padding: RSASignaturePadding.Pss)),
        ["rs256 lower-case with our key"] = s => AdversarialService.Sign(s.Header("rs256"), s.Claims(), input => s.SignWithOurKey(input)),
    };

    public static TheoryData<string> PublicKeyFormNames => Cases.Names(PublicKeyForms);
    public static TheoryData<string> DowngradeNames => Cases.Names(Downgrades);

    [Theory]
    [MemberData(nameof(PublicKeyFormNames))]
    public async Task An_HS256_token_keyed_with_our_RSA_public_key_is_refused(string form)
    {
        var jwks = await service.Client.GetStringAsync("/.well-known/jwks.json");
        var secret = PublicKeyForms[form](service.Key, jwks);

        await service.AssertRefusedAsync(Jws.SignHmac(service.Header("HS256"), service.Claims(), secret));
    }

    [Theory]
    [MemberData(nameof(DowngradeNames))]
    public Task Any_alg_but_RS256_is_refused_even_with_our_key(string name) => service.AssertRefusedAsync(Downgrades[name](service));
}

/// <summary>The same confusion against ES256: the P-256 public key as an HMAC secret.</summary>
public sealed class EcKeyConfusionTests(Es256Service service) : IClassFixture<Es256Service>
{
    private static readonly Dictionary<string, Func<ECDsa, string, byte[]>> PublicKeyForms = new(StringComparer.Ordinal)
    {
        ["SubjectPublicKeyInfo PEM with a trailing newline"] = (key, _) => Jws.Utf8(key.ExportSubjectPublicKeyInfoPem() + "\n"),
        ["SubjectPublicKeyInfo PEM without a trailing newline"] = (key, _) => Jws.Utf8(key.ExportSubjectPublicKeyInfoPem()),
        ["SubjectPublicKeyInfo PEM with CRLF line ends"] = (key, _) => Jws.Utf8(key.ExportSubjectPublicKeyInfoPem().ReplaceLineEndings("\r\n") + "\r\n"),
        ["SubjectPublicKeyInfo DER bytes"] = (key, _) => key.ExportSubjectPublicKeyInfo(),
        ["the JWK JSON as published"] = (_, jwks) => Jws.Utf8(Jws.FirstJwk(jwks)),
        ["the whole JWKS document as published"] = (_, jwks) => Jws.Utf8(jwks),
        ["the x value as published (base64url text)"] = (key, _) => Jws.Utf8(Base64UrlEncoder.Encode(key.ExportParameters(false).Q.X)),
        ["the uncompressed point bytes (04 || x || y)"] = (key, _) => [0x04, .. key.ExportParameters(false).Q.X!, .. key.ExportParameters(false).Q.Y!],
    };

    private static readonly Dictionary<string, Func<Es256Service, string>> Downgrades = new(StringComparer.Ordinal)
    {
        ["none, empty signature"] = s => Jws.SigningInput(s.Header("none"), s.Claims()) + ".",
        ["none, with our own ES256 signature"] = s => AdversarialService.Sign(s.Header("none"), s.Claims(), input => s.SignWithOurKey(input)),
        ["ES384 with our key"] = s => AdversarialService.Sign(s.Header("ES384"), s.Claims(), input => s.Key.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA384)),
        ["ES512 with our key"] = s => AdversarialService.Sign(s.Header("ES512"), s.Claims(), input => s.Key.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA512)),
        ["es256 lower-case with our key"] = s => AdversarialService.Sign(s.Header("es256"), s.Claims(), input => s.SignWithOurKey(input)),
    };

    public static TheoryData<string> PublicKeyFormNames => Cases.Names(PublicKeyForms);
    public static TheoryData<string> DowngradeNames => Cases.Names(Downgrades);

    [Theory]
    [MemberData(nameof(PublicKeyFormNames))]
    public async Task An_HS256_token_keyed_with_our_EC_public_key_is_refused(string form)
    {
        var jwks = await service.Client.GetStringAsync("/.well-known/jwks.json");
        var secret = PublicKeyForms[form](service.Key, jwks);

        await service.AssertRefusedAsync(Jws.SignHmac(service.Header("HS256"), service.Claims(), secret));
    }

    [Theory]
    [MemberData(nameof(DowngradeNames))]
    public Task Any_alg_but_ES256_is_refused_even_with_our_key(string name) => service.AssertRefusedAsync(Downgrades[name](service));
}
