using System.Text.Json.Nodes;
using Microsoft.IdentityModel.Tokens;

namespace Cream.Api.Tests.Adversarial;

/// <summary>Genuine tokens with a damaged signature, or genuine signatures over other content.</summary>
internal static class Tampering
{
    public static string FlipByte(string token, Func<int, int> index)
    {
        var signature = Jws.Signature(token);
        signature[index(signature.Length)] ^= 0x01;
        return Jws.WithSignature(token, Base64UrlEncoder.Encode(signature));
    }

    public static string ResizeSignature(string token, int length)
    {
        var signature = Jws.Signature(token);
        Array.Resize(ref signature, length);
        return Jws.WithSignature(token, Base64UrlEncoder.Encode(signature));
    }

    /// <summary>Our own signature over the same claims with another <c>jti</c>: genuine, but for another token.</summary>
    public static string SignatureOfAnotherToken(AdversarialService s)
    {
        var claims = s.Claims();
        claims["jti"] = Guid.NewGuid().ToString("N");
        return Jws.Parts(s.SignWithOurKey(s.Header(), claims))[2];
    }

    /// <summary>The genuine signature under claims that now say admin.</summary>
    public static string ClaimsChangedUnderTheSignature(AdversarialService s)
    {
        var claims = s.Claims();
        claims["roles"] = new JsonArray("admin");
        return Jws.SigningInput(s.Header(), claims) + "." + Jws.Parts(s.User.AccessToken)[2];
    }

    /// <summary>The genuine signature under the same header written with its members in reverse order.</summary>
    public static string HeaderReorderedUnderTheSignature(AdversarialService s)
    {
        var reordered = new JsonObject();
        foreach (var (name, value) in s.Header().Reverse())
        {
            reordered[name] = value?.DeepClone();
        }

        var parts = Jws.Parts(s.User.AccessToken);
        return Jws.Segment(reordered) + "." + parts[1] + "." + parts[2];
    }
}

/// <summary>Signature tampering and truncation against HS256.</summary>
public sealed class HmacSignatureTamperingTests(Hs256Service service) : IClassFixture<Hs256Service>
{
    private static readonly Dictionary<string, Func<Hs256Service, string>> Tampered = new(StringComparer.Ordinal)
    {
        ["a bit flipped in the first byte"] = s => Tampering.FlipByte(s.User.AccessToken, _ => 0),
        ["a bit flipped in the middle byte"] = s => Tampering.FlipByte(s.User.AccessToken, n => n / 2),
        ["a bit flipped in the last byte"] = s => Tampering.FlipByte(s.User.AccessToken, n => n - 1),
        ["the last character dropped"] = s => s.User.AccessToken[..^1],
        ["the last two characters dropped"] = s => s.User.AccessToken[..^2],
        ["cut to 16 bytes"] = s => Tampering.ResizeSignature(s.User.AccessToken, 16),
        ["one zero byte appended"] = s => Tampering.ResizeSignature(s.User.AccessToken, 33),
        ["the signature written twice"] = s => s.User.AccessToken + Jws.Parts(s.User.AccessToken)[2],
        ["an empty signature"] = s => Jws.WithSignature(s.User.AccessToken, string.Empty),
        ["32 zero bytes"] = s => Jws.WithSignature(s.User.AccessToken, Jws.Segment(new byte[32])),
        ["the signature of another token"] = s => Jws.WithSignature(s.User.AccessToken, Tampering.SignatureOfAnotherToken(s)),
        ["claims changed to admin under the genuine signature"] = Tampering.ClaimsChangedUnderTheSignature,
        ["the header reordered under the genuine signature"] = Tampering.HeaderReorderedUnderTheSignature,
    };

    public static TheoryData<string> Names => Cases.Names(Tampered);

    [Theory]
    [MemberData(nameof(Names))]
    public Task A_tampered_or_truncated_HMAC_signature_is_refused(string name) => service.AssertRefusedAsync(Tampered[name](service));
}

/// <summary>Signature tampering and truncation against RS256.</summary>
public sealed class RsaSignatureTamperingTests(Rs256Service service) : IClassFixture<Rs256Service>
{
    private static readonly Dictionary<string, Func<Rs256Service, string>> Tampered = new(StringComparer.Ordinal)
    {
        ["a bit flipped in the first byte"] = s => Tampering.FlipByte(s.User.AccessToken, _ => 0),
        ["a bit flipped in the last byte"] = s => Tampering.FlipByte(s.User.AccessToken, n => n - 1),
        ["the last character dropped"] = s => s.User.AccessToken[..^1],
        ["cut to 255 bytes"] = s => Tampering.ResizeSignature(s.User.AccessToken, 255),
        ["an empty signature"] = s => Jws.WithSignature(s.User.AccessToken, string.Empty),
        ["256 zero bytes"] = s => Jws.WithSignature(s.User.AccessToken, Jws.Segment(new byte[256])),
        ["the signature of another token"] = s => Jws.WithSignature(s.User.AccessToken, Tampering.SignatureOfAnotherToken(s)),
        ["claims changed to admin under the genuine signature"] = Tampering.ClaimsChangedUnderTheSignature,
    };

    public static TheoryData<string> Names => Cases.Names(Tampered);

    [Theory]
    [MemberData(nameof(Names))]
    public Task A_tampered_or_truncated_RSA_signature_is_refused(string name) => service.AssertRefusedAsync(Tampered[name](service));
}
