using System.Security.Cryptography;
using System.Text;

namespace Cream.Api.Tests.Adversarial;

/// <summary>
/// ES256 signatures that are zero, out of range, of the wrong length or in the wrong encoding
/// (ASN.1 DER instead of the raw 64-byte r||s of RFC 7518 §3.4), on otherwise genuine tokens.
/// The "psychic signature" bug (CVE-2022-21449) accepted r = s = 0.
/// </summary>
public sealed class EcdsaSignatureTests(Es256Service service) : IClassFixture<Es256Service>
{
    /// <summary>The order n of P-256: r and s must lie in [1, n-1].</summary>
    private static readonly byte[] Order = Convert.FromHexString("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551");

    private static readonly Dictionary<string, Func<Es256Service, string>> Signatures = new(StringComparer.Ordinal)
    {
        ["r = s = 0 (64 zero bytes)"] = s => WithSignature(s, new byte[64]),
        ["r = 0, s genuine"] = s => WithSignature(s, [.. new byte[32], .. Genuine(s)[32..]]),
        ["r genuine, s = 0"] = s => WithSignature(s, [.. Genuine(s)[..32], .. new byte[32]]),
        ["r = s = n (the group order)"] = s => WithSignature(s, [.. Order, .. Order]),
        ["r = s = 2^256 - 1"] = s => WithSignature(s, Enumerable.Repeat((byte)0xFF, 64).ToArray()),
        ["r and s swapped"] = s => WithSignature(s, [.. Genuine(s)[32..], .. Genuine(s)[..32]]),
        ["cut to 63 bytes"] = s => WithSignature(s, Genuine(s)[..63]),
        ["padded to 65 bytes"] = s => WithSignature(s, [.. Genuine(s), 0]),
        ["r alone (32 bytes)"] = s => WithSignature(s, Genuine(s)[..32]),
        ["an empty signature"] = s => WithSignature(s, []),
        ["a valid signature, DER-encoded instead of raw r||s"] = s =>
            WithSignature(s, s.Key.SignData(Encoding.ASCII.GetBytes(Input(s)), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence)),
        ["the genuine signature, re-encoded as DER"] = s => WithSignature(s, ToDer(Genuine(s))),
        ["the signature of another token"] = s => Jws.WithSignature(s.User.AccessToken, Tampering.SignatureOfAnotherToken(s)),
    };

    public static TheoryData<string> Names => Cases.Names(Signatures);

    [Theory]
    [MemberData(nameof(Names))]
    public Task A_zero_or_malformed_ECDSA_signature_is_refused(string name) => service.AssertRefusedAsync(Signatures[name](service));

    private static string Input(Es256Service s) => s.User.AccessToken[..s.User.AccessToken.LastIndexOf('.')];

    private static byte[] Genuine(Es256Service s) => Jws.Signature(s.User.AccessToken);

    private static string WithSignature(Es256Service s, byte[] signature) => Jws.Token(Input(s), signature);

    /// <summary>ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER } from the raw r||s.</summary>
    private static byte[] ToDer(byte[] raw)
    {
        var writer = new System.Formats.Asn1.AsnWriter(System.Formats.Asn1.AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteIntegerUnsigned(raw.AsSpan(0, 32).TrimStart((byte)0));
            writer.WriteIntegerUnsigned(raw.AsSpan(32, 32).TrimStart((byte)0));
        }

        return writer.Encode();
    }
}
