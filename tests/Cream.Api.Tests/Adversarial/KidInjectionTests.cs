using System.Text.Json.Nodes;

namespace Cream.Api.Tests.Adversarial;

/// <summary>
/// Hostile <c>kid</c> values. Each token is signed with our real secret, so the only thing wrong
/// is the kid: a key is found by exact id in our own ring or not at all, never from a file,
/// a query or the token.
/// </summary>
public sealed class KidInjectionTests(Hs256Service service) : IClassFixture<Hs256Service>
{
    private static readonly Dictionary<string, Func<Hs256Service, JsonNode?>> Kids = new(StringComparer.Ordinal)
    {
        ["path traversal ../../etc/passwd"] = _ => "../../etc/passwd",
        ["path traversal with our kid as the file name"] = s => "../../../" + s.KeyId,
        ["SQL ' OR 1=1 --"] = _ => "' OR 1=1 --",
        ["SQL UNION SELECT on the key table"] = _ => "x' UNION SELECT kid FROM signing_keys --",
        ["a 10 KB kid"] = _ => new string('k', 10 * 1024),
        ["an unknown kid"] = _ => Guid.NewGuid().ToString("N"),
        ["our kid upper-cased"] = s => s.KeyId.ToUpperInvariant(),
        ["our kid with a trailing space"] = s => s.KeyId + " ",
        ["our kid with a NUL and more after it"] = s => s.KeyId + "\u0000../../x",
        ["a number"] = _ => 1,
        ["an object holding our kid"] = s => new JsonObject { ["kid"] = s.KeyId },
        ["an array holding our kid"] = s => new JsonArray(s.KeyId),
        ["null"] = _ => JsonValue.Create((string?)null),
        ["empty"] = _ => string.Empty,
    };

    public static TheoryData<string> Names => Cases.Names(Kids);

    [Theory]
    [MemberData(nameof(Names))]
    public Task A_hostile_kid_finds_no_key_even_with_our_secret(string name)
    {
        var header = service.Header();
        header["kid"] = Kids[name](service);

        return service.AssertRefusedAsync(service.SignWithOurKey(header, service.Claims()));
    }

    [Fact]
    public Task A_token_without_a_kid_is_refused_even_with_our_secret()
    {
        var header = service.Header();
        header.Remove("kid");

        return service.AssertRefusedAsync(service.SignWithOurKey(header, service.Claims()));
    }

    [Fact]
    public Task A_kid_pointing_at_dev_null_with_the_empty_key_is_refused()
    {
        var header = service.Header();
        header["kid"] = "../../../../../../dev/null";

        return service.AssertRefusedAsync(Jws.SignHmac(header, service.Claims(), []));
    }
}
