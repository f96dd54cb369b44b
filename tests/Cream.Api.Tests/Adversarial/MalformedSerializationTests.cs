using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Cream.Api.Tests.Adversarial;

/// <summary>
/// Tokens that are not a well-formed compact JWS: wrong number of segments, empty segments,
/// characters outside base64url, a header or payload that is not a JSON object, invalid UTF-8,
/// and text that is not base64url at all. Where a signature is needed it is our own, so only
/// the shape is wrong.
/// </summary>
public sealed class MalformedSerializationTests(Hs256Service service) : IClassFixture<Hs256Service>
{
    private static string Part(AdversarialService s, int index) => Jws.Parts(s.User.AccessToken)[index];

    private static readonly Dictionary<string, Func<Hs256Service, string>> SegmentCounts = new(StringComparer.Ordinal)
    {
        ["1 segment: a bare word"] = _ => "token",
        ["1 segment: the genuine header alone"] = s => Part(s, 0),
        ["2 segments: header.payload"] = s => Part(s, 0) + "." + Part(s, 1),
        ["2 segments: payload.signature"] = s => Part(s, 1) + "." + Part(s, 2),
        ["4 segments: the genuine token and its signature again"] = s => s.User.AccessToken + "." + Part(s, 2),
        ["4 segments: the genuine token and a trailing dot"] = s => s.User.AccessToken + ".",
        ["5 segments: the genuine token and two more"] = s => s.User.AccessToken + "." + Part(s, 1) + "." + Part(s, 2),
        ["5 segments: a JWE with alg dir under our kid"] = s =>
            Jws.Segment(new JsonObject { ["alg"] = "dir", ["enc"] = "A256GCM", ["typ"] = "at+jwt", ["kid"] = s.KeyId })
            + ".." + Jws.Segment(RandomNumberGenerator.GetBytes(12)) + "." + Part(s, 1) + "." + Jws.Segment(RandomNumberGenerator.GetBytes(16)),
    };

    private static readonly Dictionary<string, Func<Hs256Service, string>> EmptySegments = new(StringComparer.Ordinal)
    {
        ["only the dots"] = _ => "..",
        ["empty header"] = s => "." + Part(s, 1) + "." + Part(s, 2),
        ["empty payload"] = s => Part(s, 0) + ".." + Part(s, 2),
        ["empty payload signed with our key"] = s => SignSegments(s, Part(s, 0), string.Empty),
        ["empty signature"] = s => Part(s, 0) + "." + Part(s, 1) + ".",
        ["empty header and payload"] = s => ".." + Part(s, 2),
    };

    private static readonly Dictionary<string, Func<Hs256Service, string>> IllegalCharacters = new(StringComparer.Ordinal)
    {
        ["'+' inside the header"] = s => Insert(s.User.AccessToken, 0, "+"),
        ["'/' inside the payload"] = s => Insert(s.User.AccessToken, 1, "/"),
        ["the signature in the standard alphabet ('+' for '-', '/' for '_')"] = s => StandardAlphabetSignature(s),
        ["'=' padding on the signature"] = s => s.User.AccessToken + "=",
        ["'==' padding on the payload"] = s => Part(s, 0) + "." + Part(s, 1) + "==." + Part(s, 2),
        ["a space inside the signature"] = s => Insert(s.User.AccessToken, 2, " "),
        ["a space between the segments"] = s => Part(s, 0) + ". " + Part(s, 1) + "." + Part(s, 2),
        ["a tab inside the payload"] = s => Insert(s.User.AccessToken, 1, "\t"),
        ["a non-ASCII letter inside the signature"] = s => Insert(s.User.AccessToken, 2, "é"),
        ["a zero-width space after the signature"] = s => s.User.AccessToken + "\u200B",
        ["an emoji inside the payload"] = s => Insert(s.User.AccessToken, 1, "\U0001F600"),
        ["fullwidth full stops for the dots"] = s => s.User.AccessToken.Replace('.', '\uFF0E'),
        ["percent-encoded dots"] = s => s.User.AccessToken.Replace(".", "%2E", StringComparison.Ordinal),
        ["the whole token percent-encoded"] = s => Uri.EscapeDataString(s.User.AccessToken + "+/="),
    };

    private static readonly Dictionary<string, Func<Hs256Service, string>> NotObjects = new(StringComparer.Ordinal)
    {
        ["header: an empty array"] = s => s.SignWithOurKey(new JsonArray(), s.Claims()),
        ["header: an array holding the genuine header"] = s => s.SignWithOurKey(new JsonArray(s.Header()), s.Claims()),
        ["header: a string"] = s => s.SignWithOurKey(JsonValue.Create("HS256"), s.Claims()),
        ["header: a number"] = s => s.SignWithOurKey(JsonValue.Create(256), s.Claims()),
        ["header: null"] = s => s.SignWithOurKey(null, s.Claims()),
        ["header: true"] = s => s.SignWithOurKey(JsonValue.Create(true), s.Claims()),
        ["payload: an empty array"] = s => s.SignWithOurKey(s.Header(), new JsonArray()),
        ["payload: an array holding the genuine claims"] = s => s.SignWithOurKey(s.Header(), new JsonArray(s.Claims())),
        ["payload: a string"] = s => s.SignWithOurKey(s.Header(), JsonValue.Create(s.User.Id.ToString())),
        ["payload: a number"] = s => s.SignWithOurKey(s.Header(), JsonValue.Create(1)),
        ["payload: null"] = s => s.SignWithOurKey(s.Header(), null),
        ["payload: text that is not JSON"] = s => SignRaw(s, Jws.Json(s.Header()), "sub=" + s.User.Id),
        ["payload: JSON cut short"] = s => SignRaw(s, Jws.Json(s.Header()), Jws.Json(s.Claims())[..^1]),
    };

    private static readonly Dictionary<string, Func<Hs256Service, string>> InvalidUtf8 = new(StringComparer.Ordinal)
    {
        ["header: a 0xFF byte inside the kid"] = s => s.SignWithOurKey(Utf8WithRawBytesBefore(Jws.Json(s.Header()), "\",\"typ\"", [0xFF]), Jws.Utf8(Jws.Json(s.Claims()))),
        ["payload: a broken two-byte sequence in the email"] = s => s.SignWithOurKey(Jws.Utf8(Jws.Json(s.Header())), Utf8WithRawBytesBefore(Jws.Json(s.Claims()), "@", [0xC3, 0x28])),
        ["payload: an overlong encoding of the quote"] = s => s.SignWithOurKey(Jws.Utf8(Jws.Json(s.Header())), Utf8WithRawBytesBefore(Jws.Json(s.Claims()), "@", [0xC0, 0xA2])),
        ["payload: a UTF-8 encoded lone surrogate"] = s => s.SignWithOurKey(Jws.Utf8(Jws.Json(s.Header())), Utf8WithRawBytesBefore(Jws.Json(s.Claims()), "@", [0xED, 0xA0, 0x80])),
        ["payload: a UTF-16 encoding of the claims"] = s => s.SignWithOurKey(Jws.Utf8(Jws.Json(s.Header())), Encoding.Unicode.GetBytes(Jws.Json(s.Claims()))),
    };

    private static readonly Dictionary<string, Func<Hs256Service, string>> InvalidBase64Url = new(StringComparer.Ordinal)
    {
        ["header: an impossible length (4n+1 characters)"] = s => Part(s, 0) + "A." + Part(s, 1) + "." + Part(s, 2),
        ["header: punctuation only"] = s => "!!!!." + Part(s, 1) + "." + Part(s, 2),
        ["header: padding only"] = s => "====." + Part(s, 1) + "." + Part(s, 2),
        ["payload: an asterisk inside"] = s => Insert(s.User.AccessToken, 1, "*"),
        ["signature: percent signs"] = s => Jws.WithSignature(s.User.AccessToken, "%%%%"),
        ["signature: an impossible length (4n+1 characters)"] = s => s.User.AccessToken + "A",
    };

    public static TheoryData<string> SegmentCountNames => Cases.Names(SegmentCounts);
    public static TheoryData<string> EmptySegmentNames => Cases.Names(EmptySegments);
    public static TheoryData<string> IllegalCharacterNames => Cases.Names(IllegalCharacters);
    public static TheoryData<string> NotObjectNames => Cases.Names(NotObjects);
    public static TheoryData<string> InvalidUtf8Names => Cases.Names(InvalidUtf8);
    public static TheoryData<string> InvalidBase64UrlNames => Cases.Names(InvalidBase64Url);

    [Theory]
    [MemberData(nameof(SegmentCountNames))]
    public Task A_token_without_exactly_three_segments_is_refused(string name) => service.AssertRefusedAsync(SegmentCounts[name](service));

    [Theory]
    [MemberData(nameof(EmptySegmentNames))]
    public Task A_token_with_an_empty_segment_is_refused(string name) => service.AssertRefusedAsync(EmptySegments[name](service));

    [Theory]
    [MemberData(nameof(IllegalCharacterNames))]
    public Task A_token_with_characters_outside_base64url_is_refused(string name) => service.AssertRefusedAsync(IllegalCharacters[name](service));

    [Theory]
    [MemberData(nameof(NotObjectNames))]
    public Task A_header_or_payload_that_is_not_a_JSON_object_is_refused_even_when_signed_with_our_key(string name) =>
        service.AssertRefusedAsync(NotObjects[name](service));

    [Theory]
    [MemberData(nameof(InvalidUtf8Names))]
    public Task A_header_or_payload_that_is_not_valid_UTF8_is_refused_even_when_signed_with_our_key(string name) =>
        service.AssertRefusedAsync(InvalidUtf8[name](service));

    [Theory]
    [MemberData(nameof(InvalidBase64UrlNames))]
    public Task A_segment_that_is_not_base64url_is_refused(string name) => service.AssertRefusedAsync(InvalidBase64Url[name](service));

    /// <summary>Puts text in the middle of one segment.</summary>
    private static string Insert(string token, int segment, string text)
    {
        var parts = Jws.Parts(token);
        parts[segment] = parts[segment].Insert(parts[segment].Length / 2, text);
        return string.Join('.', parts);
    }

    private static string SignRaw(Hs256Service s, string headerJson, string payloadJson) =>
        s.SignWithOurKey(Jws.Utf8(headerJson), Jws.Utf8(payloadJson));

    private static string SignSegments(Hs256Service s, string header, string payload)
    {
        var input = header + "." + payload;
        return Jws.Token(input, s.SignWithOurKey(input));
    }

    /// <summary>The UTF-8 of <paramref name="json"/> with raw bytes spliced in just before <paramref name="marker"/>.</summary>
    private static byte[] Utf8WithRawBytesBefore(string json, string marker, byte[] raw)
    {
        var at = json.IndexOf(marker, StringComparison.Ordinal);
        Assert.True(at > 0, $"'{marker}' not found in {json}");
        return [.. Jws.Utf8(json[..at]), .. raw, .. Jws.Utf8(json[at..])];
    }

    /// <summary>
    /// A token signed with our key whose signature segment has a '-' or '_' (a fresh jti until it
    /// does), written in the standard base64 alphabet: the same bytes under another spelling.
    /// </summary>
    private static string StandardAlphabetSignature(Hs256Service s)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var claims = s.Claims();
            claims["jti"] = Guid.NewGuid().ToString("N");
            var token = s.SignWithOurKey(s.Header(), claims);
            var signature = Jws.Parts(token)[2];
            if (signature.AsSpan().IndexOfAny('-', '_') >= 0)
            {
                return Jws.WithSignature(token, signature.Replace('-', '+').Replace('_', '/'));
            }
        }

        throw new InvalidOperationException("no signature with '-' or '_' in 100 tries"); // about 0.25^100
    }
}
