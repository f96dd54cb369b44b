using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace Cream.Api.Tests.Adversarial;

/// <summary>
/// The <c>alg</c> header against the HS256 service: <c>none</c> in every spelling, missing,
/// mis-cased, other HMAC sizes with our own secret, and asymmetric algorithms with the
/// attacker's keys. Only HS256 is accepted, whatever else is right.
/// </summary>
public sealed class AlgorithmAttackTests(Hs256Service service) : IClassFixture<Hs256Service>
{
    private static readonly Lazy<RSA> AttackerRsa = new(() => RSA.Create(2048));
    private static readonly Lazy<ECDsa> AttackerEc = new(() => ECDsa.Create(ECCurve.NamedCurves.nistP256));

    /// <summary><c>alg: none</c>: with no signature, and with our own valid HMAC appended to tempt a lax check.</summary>
    private static readonly Dictionary<string, Func<Hs256Service, string>> None = new(StringComparer.Ordinal)
    {
        ["none, empty signature"] = s => Unsigned(s, "none"),
        ["None, empty signature"] = s => Unsigned(s, "None"),
        ["NONE, empty signature"] = s => Unsigned(s, "NONE"),
        ["nOnE, empty signature"] = s => Unsigned(s, "nOnE"),
        ["none, with our own HMAC as signature"] = s => WithOurHmac(s, "none"),
        ["None, with our own HMAC as signature"] = s => WithOurHmac(s, "None"),
        ["NONE, with our own HMAC as signature"] = s => WithOurHmac(s, "NONE"),
        ["nOnE, with our own HMAC as signature"] = s => WithOurHmac(s, "nOnE"),
    };

    private static readonly Dictionary<string, Func<Hs256Service, string>> Others = new(StringComparer.Ordinal)
    {
        ["alg missing, signed with our secret"] = s => WithOurHmac(s, null),
        ["alg empty, signed with our secret"] = s => WithOurHmac(s, string.Empty),
        ["alg null, signed with our secret"] = s => WithOurHmac(s, JsonValue.Create((string?)null)),
        ["alg a number, signed with our secret"] = s => WithOurHmac(s, JsonValue.Create(256)),
        ["alg an array [\"HS256\"], signed with our secret"] = s => WithOurHmac(s, new JsonArray("HS256")),
        ["alg lower-case hs256, signed with our secret"] = s => WithOurHmac(s, "hs256"),
        ["alg 'HS256 ' with a trailing space, signed with our secret"] = s => WithOurHmac(s, "HS256 "),
        ["HS384 signed with our secret"] = s => Hmac(s, "HS384"),
        ["HS512 signed with our secret"] = s => Hmac(s, "HS512"),
        ["RS256 signed with the attacker's RSA key"] = s => Asymmetric(s, "RS256", input => Jws.Rsa(AttackerRsa.Value, input)),
        ["PS256 signed with the attacker's RSA key"] = s => Asymmetric(s, "PS256", input => Jws.Rsa(AttackerRsa.Value, input, padding: RSASignaturePadding.Pss)),
        ["ES256 signed with the attacker's EC key"] = s => Asymmetric(s, "ES256", input => Jws.Ecdsa(AttackerEc.Value, input)),
    };

    public static TheoryData<string> NoneNames => Cases.Names(None);
    public static TheoryData<string> OtherNames => Cases.Names(Others);

    [Theory]
    [MemberData(nameof(NoneNames))]
    public Task Alg_none_is_refused_in_every_spelling(string name) => service.AssertRefusedAsync(None[name](service));

    [Theory]
    [MemberData(nameof(OtherNames))]
    public Task Any_alg_but_HS256_is_refused_even_with_our_secret(string name) => service.AssertRefusedAsync(Others[name](service));

    private static JsonObject HeaderWith(Hs256Service s, JsonNode? alg)
    {
        var header = s.Header();
        if (alg is null)
        {
            header.Remove("alg");
        }
        else
        {
            header["alg"] = alg;
        }

        return header;
    }

    private static string Unsigned(Hs256Service s, string alg) => Jws.SigningInput(HeaderWith(s, alg), s.Claims()) + ".";

    private static string WithOurHmac(Hs256Service s, JsonNode? alg) => s.SignWithOurKey(HeaderWith(s, alg), s.Claims());

    private static string Hmac(Hs256Service s, string alg) => Jws.SignHmac(HeaderWith(s, alg), s.Claims(), s.Secret, alg);

    private static string Asymmetric(Hs256Service s, string alg, Func<string, byte[]> sign) =>
        AdversarialService.Sign(s.Header(alg), s.Claims(), sign);
}
