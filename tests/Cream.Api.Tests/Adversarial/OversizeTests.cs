using System.Net;
using System.Text.Json.Nodes;
using Cream.Api.Auth.Tokens;

namespace Cream.Api.Tests.Adversarial;

/// <summary>
/// Tokens past the 8 KB cap (<see cref="AccessTokenValidator.MaximumTokenBytes"/>), signed with our
/// key so only the size is wrong; huge bearer values; and JSON nested deep enough to hurt a
/// parser while staying under the cap.
/// </summary>
public sealed class OversizeTests(Hs256Service service) : IClassFixture<Hs256Service>
{
    private static readonly Dictionary<string, Func<Hs256Service, string>> Oversized = new(StringComparer.Ordinal)
    {
        ["one byte over the cap, signed with our secret"] = s => JustOverTheCap(s),
        ["a 9 KB claim, signed with our secret"] = s => s.SignWithOurKey(s.Header(), With(s.Claims(), "pad", new string('p', 9 * 1024))),
        ["a 9 KB header parameter, signed with our secret"] = s => s.SignWithOurKey(With(s.Header(), "pad", new string('p', 9 * 1024)), s.Claims()),
        ["a 64 KB bearer value"] = s => s.User.AccessToken + new string('A', 64 * 1024),
        ["a 1 MB bearer value"] = _ => new string('A', 1024 * 1024),
        ["a payload nested 2,000 arrays deep, under the cap"] = s => s.SignWithOurKey(Jws.Utf8(Jws.Json(s.Header())), Nested(s.Claims(), 2000)),
        ["a header nested 2,000 arrays deep, under the cap"] = s => s.SignWithOurKey(Nested(s.Header(), 2000), Jws.Utf8(Jws.Json(s.Claims()))),
    };

    public static TheoryData<string> Names => Cases.Names(Oversized);

    [Theory]
    [MemberData(nameof(Names))]
    public Task An_oversized_or_overdeep_token_is_refused(string name)
    {
        var token = Oversized[name](service);

        return service.AssertRefusedAsync(token);
    }

    [Fact]
    public async Task A_padded_token_just_under_the_cap_is_still_accepted_so_the_cap_is_what_refuses()
    {
        var token = Padded(service, AccessTokenValidator.MaximumTokenBytes);

        using var response = await service.GetMeAsync(token);

        Assert.Equal(AccessTokenValidator.MaximumTokenBytes, token.Length);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static string JustOverTheCap(Hs256Service s)
    {
        var token = Padded(s, AccessTokenValidator.MaximumTokenBytes + 1);
        Assert.Equal(AccessTokenValidator.MaximumTokenBytes + 1, token.Length);
        return token;
    }

    /// <summary>
    /// A token signed with our key, padded with a claim (and, since a base64url segment is never
    /// 4n+1 characters long, a short header parameter) to exactly <paramref name="length"/> characters.
    /// </summary>
    private static string Padded(Hs256Service s, int length)
    {
        var start = Math.Max(0, (length - s.User.AccessToken.Length) * 3 / 4 - 16);
        for (var headerPad = 0; headerPad < 3; headerPad++)
        {
            for (var pad = start; ; pad++)
            {
                var token = s.SignWithOurKey(With(s.Header(), "x", new string('x', headerPad)), With(s.Claims(), "pad", new string('p', pad)));
                if (token.Length == length)
                {
                    return token;
                }

                if (token.Length > length)
                {
                    break;
                }
            }
        }

        throw new InvalidOperationException($"no padding gives a token of {length} characters");
    }

    private static JsonObject With(JsonObject node, string name, JsonNode? value)
    {
        node[name] = value;
        return node;
    }

    /// <summary>The object's JSON with one more member: an array nested <paramref name="depth"/> deep.</summary>
    private static byte[] Nested(JsonObject node, int depth) =>
        Jws.Utf8(Jws.Json(node)[..^1] + ",\"deep\":" + new string('[', depth) + new string(']', depth) + "}");
}
