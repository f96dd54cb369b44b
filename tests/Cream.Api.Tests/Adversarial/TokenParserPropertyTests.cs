using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Cream.Api.Tests.Auth.Tokens;
using CsCheck;
using Microsoft.IdentityModel.Tokens;

namespace Cream.Api.Tests.Adversarial;

/// <summary>
/// Property-based tests (CsCheck) over the token parser and validator, built as the bearer scheme
/// builds it (<see cref="TestTokens"/>): random text, random byte mutations of a genuine token,
/// and random header/claim combinations signed with the right key. It never throws, and it
/// accepts only what it should. A sample of the same inputs goes through HTTP, where none may
/// give a 5xx. Iteration counts keep the whole class to a few seconds; a failure prints the
/// seed that reproduces it.
/// </summary>
public sealed class TokenParserPropertyTests(Hs256Service service) : IClassFixture<Hs256Service>
{
    private static readonly TestTokens Tokens = new();

    private const string Base64UrlAndFriends = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ \"{}:,";

    /// <summary>One edit of a token's bytes (read as Latin-1, so every byte value can appear).</summary>
    public sealed record Mutation(int Kind, int Position, byte Value)
    {
        public override string ToString() => Kind switch
        {
            0 => $"replace@{Position} 0x{Value:X2}",
            1 => $"insert@{Position} 0x{Value:X2}",
            2 => $"delete@{Position}",
            3 => $"truncate@{Position}",
            _ => $"flip-bit{Value % 8}@{Position}",
        };
    }

    private static Gen<Mutation[]> Mutations(Gen<byte> values) =>
        Gen.Select(Gen.Int[0, 4], Gen.Int[0, int.MaxValue], values, (kind, position, value) => new Mutation(kind, position, value)).Array[1, 4];

    private static string Apply(string token, Mutation[] mutations)
    {
        var bytes = Encoding.Latin1.GetBytes(token).ToList();
        foreach (var m in mutations)
        {
            var at = m.Position % (bytes.Count + 1);
            switch (m.Kind)
            {
                case 0 when at < bytes.Count:
                    bytes[at] = m.Value;
                    break;
                case 1:
                    bytes.Insert(at, m.Value);
                    break;
                case 2 when at < bytes.Count:
                    bytes.RemoveAt(at);
                    break;
                case 3:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                case 4 when at < bytes.Count:
                    bytes[at] ^= (byte)(1 << (m.Value % 8));
                    break;
            }
        }

        return Encoding.Latin1.GetString([.. bytes]);
    }

    /// <summary>
    /// The one way a changed string may still validate: the same header and payload text (the
    /// signing input) and a signature segment that decodes to the same bytes. Decoding here is
    /// strict base64url except that trailing '=' padding is tolerated, as RFC 4648 decoders do;
    /// that the service refuses padding is asserted, and reported, by the HTTP suite.
    /// </summary>
    private static bool SameToken(string genuine, string candidate)
    {
        var a = genuine.Split('.');
        var b = candidate.Split('.');
        return b.Length == 3 && a[0] == b[0] && a[1] == b[1]
            && Jws.StrictDecode(b[2].TrimEnd('=')) is { } signature
            && signature.AsSpan().SequenceEqual(Base64UrlEncoder.DecodeBytes(a[2]));
    }

    private static Task<TokenValidationResult> ValidateAsync(string token) => Tokens.ValidateAsync(token);

    [Fact]
    public async Task Random_text_never_throws_and_never_validates()
    {
        var segment = Gen.Char[Base64UrlAndFriends].Array[0, 600].Select(chars => new string(chars));
        var tokenLike = segment.Array[1, 6].Select(segments => string.Join('.', segments));

        await Gen.OneOf<string>(Gen.String, tokenLike).SampleAsync(async text =>
        {
            var result = await ValidateAsync(text);
            Assert.False(result.IsValid, $"random text validated: {text}");
        }, iter: 4000);
    }

    [Fact]
    public async Task Byte_mutations_of_a_genuine_token_never_throw_and_validate_only_as_the_same_token()
    {
        var genuine = Tokens.Issue("user").Token;
        Assert.True((await ValidateAsync(genuine)).IsValid);

        await Mutations(Gen.Byte).SampleAsync(async mutations =>
        {
            var mutated = Apply(genuine, mutations);
            var result = await ValidateAsync(mutated);
            if (mutated == genuine)
            {
                Assert.True(result.IsValid, "an unmodified genuine token was refused");
            }
            else if (result.IsValid)
            {
                Assert.True(SameToken(genuine, mutated), $"a changed token validated: {mutated}");
            }
        }, iter: 4000, print: m => string.Join(", ", m.Select(x => x.ToString())));
    }

    [Fact]
    public async Task Random_header_and_claim_combinations_signed_with_the_right_key_validate_only_when_every_part_is_right()
    {
        var context = new ClaimContext(Tokens.Keys.SigningKey.KeyId, Tokens.Options.Issuer, Tokens.Time.GetUtcNow().ToUnixTimeSeconds(),
            Guid.NewGuid().ToString(), Guid.NewGuid().ToString());
        var expectedValid = 0;

        await Combinations.SampleAsync(async choices =>
        {
            var token = Sign(choices, context, Tokens.SecretBytes);
            var result = await ValidateAsync(token);
            var expected = choices.All(c => c.Valid);
            Assert.True(result.IsValid == expected,
                $"expected {(expected ? "valid" : "refused")}, got {(result.IsValid ? "valid" : result.Exception?.GetType().Name)}");
            if (expected)
            {
                Interlocked.Increment(ref expectedValid);
            }
        }, iter: 4000, print: Describe);

        Assert.True(expectedValid > 0, "the generator never produced an all-valid combination, so acceptance was never checked");
    }

    [Fact]
    public async Task Over_HTTP_a_sample_of_hostile_tokens_never_gives_a_5xx_and_only_the_genuine_token_is_accepted()
    {
        var genuine = service.User.AccessToken;
        var context = new ClaimContext(service.KeyId, "cream-api", service.Now, service.User.Id.ToString(),
            service.Claims()["sid"]!.GetValue<string>());
        var printable = Gen.Byte[0x20, 0x7E];
        var inputs = Gen.OneOf<HttpInput>(
            Mutations(printable).Select(m => new HttpInput("mutation", Apply(genuine, m), Valid: null)),
            Gen.Char[' ', '~'].Array[0, 300].Select(chars => new HttpInput("text", new string(chars), Valid: false)),
            Combinations.Select(choices => new HttpInput("combination", Sign(choices, context, service.Secret), choices.All(c => c.Valid))));

        await inputs.SampleAsync(async input =>
        {
            using var response = await service.GetMeAsync(input.Token);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True((int)response.StatusCode < 500, $"{(int)response.StatusCode} for {input.Kind} {input.Token}: {body}");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                Assert.True(input.Valid ?? SameToken(genuine, input.Token.Trim()), $"accepted {input.Kind}: {input.Token}");
                return;
            }

            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.NotEqual(true, input.Valid);
            Refusal.AssertNoInternals(body);
            Refusal.AssertNoInternals(Refusal.Challenge(response));
        }, iter: 300, threads: 1, print: input => $"{input.Kind}: {input.Token}");

        await service.AssertGenuineStillWorksAsync();
    }

    /// <summary>A token sent over HTTP; <see cref="Valid"/> is null for a mutation, whose validity is judged by <see cref="SameToken"/>.</summary>
    public sealed record HttpInput(string Kind, string Token, bool? Valid);

    /// <summary>What a combination needs to know about the service it is signed for.</summary>
    private sealed record ClaimContext(string Kid, string Issuer, long Now, string Sub, string Sid);

    /// <summary>
    /// A value for one header parameter or claim, or its absence (a null <see cref="Value"/>),
    /// and whether a genuine token could carry it.
    /// </summary>
    private sealed record Choice(string Part, string Name, bool Valid, Func<ClaimContext, JsonNode?>? Value)
    {
        public override string ToString() => $"{Part}={Name}";
    }

    /// <summary>A field's choices, the genuine one first.</summary>
    private static Choice[] Field(string part, string genuineName, Func<ClaimContext, JsonNode?>? genuine, params (string Name, bool Valid, Func<ClaimContext, JsonNode?>? Value)[] others) =>
        [new(part, genuineName, true, genuine), .. others.Select(o => new Choice(part, o.Name, o.Valid, o.Value))];

    private static readonly Choice[][] HeaderFields =
    [
        Field("alg", "HS256", _ => "HS256",
            ("none", false, _ => "none"), ("hs256", false, _ => "hs256"), ("HS512", false, _ => "HS512"),
            ("RS256", false, _ => "RS256"), ("missing", false, null), ("number", false, _ => 5)),
        Field("typ", "at+jwt", _ => "at+jwt",
            ("application/at+jwt", true, _ => "application/at+jwt"), ("JWT", false, _ => "JWT"), ("missing", false, null), ("number", false, _ => 7)),
        Field("kid", "ours", c => c.Kid,
            ("unknown", false, _ => "unknown-kid"), ("missing", false, null), ("number", false, _ => 7), ("empty", false, _ => string.Empty)),
        Field("crit", "absent", null,
            ("[exp]", false, _ => new JsonArray("exp")), ("[]", false, _ => new JsonArray())),
        Field("jku", "absent", null, ("url", false, _ => "http://127.0.0.1:9/jwks.json")),
        Field("jwk", "absent", null, ("oct key", false, _ => new JsonObject { ["kty"] = "oct", ["k"] = "AAAA" })),
        Field("x5u", "absent", null, ("url", false, _ => "http://127.0.0.1:9/cert.pem")),
        Field("x5c", "absent", null, ("[]", false, _ => new JsonArray())),
        Field("x-extra", "absent", null, ("present", true, _ => "harmless")),
    ];

    private static readonly Choice[][] PayloadFields =
    [
        Field("iss", "ours", c => c.Issuer,
            ("other", false, _ => "https://evil.example"), ("missing", false, null), ("number", false, _ => 5)),
        Field("aud", "ours", c => c.Issuer,
            ("[ours, other]", true, c => new JsonArray(c.Issuer, "other")), ("[other]", false, _ => new JsonArray("other")),
            ("other", false, _ => "other"), ("missing", false, null)),
        Field("exp", "in 10 minutes", c => c.Now + 600,
            ("2 minutes ago", false, c => c.Now - 120), ("missing", false, null), ("a word", false, _ => "tomorrow"),
            ("1e20", false, _ => 1e20), ("-1", false, _ => -1)),
        Field("nbf", "now", c => c.Now, ("missing", true, null), ("in 2 minutes", false, c => c.Now + 120)),
        Field("iat", "now", c => c.Now, ("missing", false, null)),
        Field("sub", "a UUID", c => c.Sub, ("admin", false, _ => "admin"), ("missing", false, null), ("number", false, _ => 5)),
        Field("sid", "a UUID", c => c.Sid, ("missing", false, null), ("not a UUID", false, _ => "x")),
        Field("jti", "32 hex", _ => Guid.NewGuid().ToString("N"),
            ("missing", false, null), ("empty", false, _ => string.Empty), ("65 characters", false, _ => new string('j', 65))),
        Field("roles", "[user]", _ => new JsonArray("user"), ("missing", true, null), ("a string", true, _ => "user")),
        Field("email", "an address", _ => "ada@example.com", ("missing", true, null)),
    ];

    /// <summary>One choice per field, the genuine one seven times in ten so that all-genuine combinations occur.</summary>
    private static readonly Gen<Choice[]> Combinations =
        Gen.Int[0, 999].Array[HeaderFields.Length + PayloadFields.Length].Select(rolls =>
            HeaderFields.Concat(PayloadFields).Select((choices, i) =>
                rolls[i] < 700 || choices.Length == 1 ? choices[0] : choices[1 + (rolls[i] % (choices.Length - 1))]).ToArray());

    private static string Sign(Choice[] choices, ClaimContext context, byte[] key)
    {
        var header = new JsonObject();
        var payload = new JsonObject();
        foreach (var choice in choices)
        {
            if (choice.Value is null)
            {
                continue;
            }

            var target = HeaderFields.Any(f => f[0].Part == choice.Part) ? header : payload;
            target[choice.Part] = choice.Value(context);
        }

        return Jws.SignHmac(header, payload, key);
    }

    private static string Describe(Choice[] choices) => string.Join(", ", choices.Select(c => c.ToString()));
}
