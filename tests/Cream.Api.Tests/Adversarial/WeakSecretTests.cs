using System.Text;

namespace Cream.Api.Tests.Adversarial;

/// <summary>
/// HS256 tokens, right in every other way (our kid, our claims), signed with secrets an attacker
/// would try first: blank, famous defaults, and near misses of the real one.
/// </summary>
public sealed class WeakSecretTests(Hs256Service service) : IClassFixture<Hs256Service>
{
    private static readonly Dictionary<string, Func<Hs256Service, byte[]>> Secrets = new(StringComparer.Ordinal)
    {
        ["the empty secret"] = _ => [],
        ["\"secret\""] = _ => Jws.Utf8("secret"),
        ["jwt.io's default \"your-256-bit-secret\""] = _ => Jws.Utf8("your-256-bit-secret"),
        ["\"password\""] = _ => Jws.Utf8("password"),
        ["the issuer name \"cream-api\""] = _ => Jws.Utf8("cream-api"),
        ["32 zero bytes"] = _ => new byte[32],
        ["our kid"] = s => Jws.Utf8(s.KeyId),
        ["our secret base64-decoded instead of taken as UTF-8"] = s => Convert.FromBase64String(s.Factory.JwtSecret),
        ["our secret with a trailing newline"] = s => Jws.Utf8(s.Factory.JwtSecret + "\n"),
        ["our secret without its last character"] = s => Jws.Utf8(s.Factory.JwtSecret[..^1]),
        ["our secret in UTF-16"] = s => Encoding.Unicode.GetBytes(s.Factory.JwtSecret),
    };

    public static TheoryData<string> Names => Cases.Names(Secrets);

    [Theory]
    [MemberData(nameof(Names))]
    public Task A_token_signed_with_a_weak_or_wrong_secret_is_refused(string name) =>
        service.AssertRefusedAsync(Jws.SignHmac(service.Header(), service.Claims(), Secrets[name](service)));
}
