using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Cream.Api.Auth.Revocation;
using Cream.Api.Auth.State;
using Cream.Api.Auth;
using Cream.Api.Auth.Tokens;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Cream.Api.Tests.Auth.Tokens;

/// <summary>
/// The token service built by hand over a <see cref="FakeTimeProvider"/>, with what a test needs
/// to issue genuine tokens and to forge hostile ones.
/// </summary>
internal sealed class TestTokens
{
    /// <summary>A fixed instant with a fractional second, years away from the wall clock.</summary>
    public static readonly DateTimeOffset Start = new DateTimeOffset(2024, 2, 29, 12, 0, 0, TimeSpan.Zero).AddTicks(2_500_000);

    public TestTokens(JwtOptions? options = null, DateTimeOffset? start = null)
    {
        Options = options ?? new JwtOptions { Secret = NewSecret() };
        Time = new FakeTimeProvider(start ?? Start);
        Keys = new AccessTokenKeys(Microsoft.Extensions.Options.Options.Create(Options), Time);
        Issuer = new AccessTokenIssuer(Keys, Microsoft.Extensions.Options.Options.Create(Options), Time);
        Validator = new AccessTokenValidator(Revocations);
        var meters = new Microsoft.Extensions.DependencyInjection.ServiceCollection().AddMetrics().BuildServiceProvider()
            .GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        Handler = new AccessTokenHandler(Validator, new ValidatedTokenCache(), Keys, Time, new AuthMetrics(meters));
    }

    public RevocationList Revocations { get; } = new();

    /// <summary>The strict rules alone, with nothing remembered.</summary>
    public AccessTokenValidator Validator { get; }

    /// <summary>The production composition: the validator behind the validated-token cache.</summary>
    public AccessTokenHandler Handler { get; }

    public JwtOptions Options { get; }

    public FakeTimeProvider Time { get; }

    public AccessTokenKeys Keys { get; }

    public AccessTokenIssuer Issuer { get; }

    public byte[] SecretBytes => Encoding.UTF8.GetBytes(Options.Secret!);

    public static string NewSecret() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));

    public static AccessTokenSubject Subject(params string[] roles) =>
        new(Guid.NewGuid(), "ada@example.com", roles, Guid.NewGuid());

    public IssuedAccessToken Issue(params string[] roles) => Issuer.Issue(Subject(roles));

    /// <summary>
    /// Validates as the bearer scheme does (its handler, a clone of our parameters), three times:
    /// in full, in full again (now remembered if valid), and from the cache. Every answer must
    /// agree, so each rule is checked on both paths; the last is returned.
    /// </summary>
    public async Task<TokenValidationResult> ValidateAsync(string token)
    {
        var answers = new List<TokenValidationResult>();
        for (var i = 0; i < 3; i++)
        {
            answers.Add(await Handler.ValidateTokenAsync(token, Keys.ValidationParameters.Clone()));
        }

        Assert.All(answers, answer => Assert.Equal(answers[0].IsValid, answer.IsValid));
        Assert.All(answers, answer => Assert.Equal(answers[0].Exception?.GetType(), answer.Exception?.GetType()));
        return answers[^1];
    }

    public Dictionary<string, object> ValidHeader() => new(StringComparer.Ordinal)
    {
        ["alg"] = "HS256",
        ["typ"] = AccessTokenKeys.AccessTokenType,
        ["kid"] = Keys.SigningKey.KeyId,
    };

    /// <summary>The claims of a genuine token issued at the current fake time.</summary>
    public Dictionary<string, object> ValidPayload()
    {
        var now = Time.GetUtcNow().ToUnixTimeSeconds();
        return new(StringComparer.Ordinal)
        {
            ["iss"] = Options.Issuer,
            ["aud"] = Options.Audience,
            ["sub"] = Guid.NewGuid().ToString(),
            ["email"] = "ada@example.com",
            ["roles"] = new[] { "user" },
            ["sid"] = Guid.NewGuid().ToString(),
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["iat"] = now,
            ["nbf"] = now,
            ["exp"] = now + (Options.AccessTokenMinutes * 60L),
        };
    }

    /// <summary>A compact JWS assembled by hand and signed with HMAC-SHA256 under this service's key.</summary>
    public string Sign(IDictionary<string, object> header, IDictionary<string, object> payload) =>
        Sign(header, payload, SecretBytes);

    /// <summary>A compact JWS assembled by hand and signed with HMAC-SHA256 under <paramref name="key"/>.</summary>
    public static string Sign(IDictionary<string, object> header, IDictionary<string, object> payload, byte[] key)
    {
        var signingInput = Encode(header) + "." + Encode(payload);
        var signature = HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(signingInput));
        return signingInput + "." + Base64UrlEncoder.Encode(signature);
    }

    public static string Encode(object value) => Base64UrlEncoder.Encode(JsonSerializer.Serialize(value));

    /// <summary>A token written by the library from a descriptor that is genuine until <paramref name="change"/> edits it.</summary>
    public string Create(Action<SecurityTokenDescriptor>? change = null)
    {
        var now = Time.GetUtcNow().UtcDateTime;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = Options.Issuer,
            Audience = Options.Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddMinutes(Options.AccessTokenMinutes),
            TokenType = AccessTokenKeys.AccessTokenType,
            SigningCredentials = Keys.SigningCredentials,
            Claims = new Dictionary<string, object>(StringComparer.Ordinal)
            {
                ["sub"] = Guid.NewGuid().ToString(),
                ["email"] = "ada@example.com",
                ["roles"] = new[] { "user" },
                ["sid"] = Guid.NewGuid().ToString(),
                ["jti"] = Guid.NewGuid().ToString("N"),
            },
        };
        change?.Invoke(descriptor);
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
    }

    public static JsonElement Header(string token) => Segment(token, 0);

    public static JsonElement Payload(string token) => Segment(token, 1);

    private static JsonElement Segment(string token, int index)
    {
        using var document = JsonDocument.Parse(Base64UrlEncoder.Decode(token.Split('.')[index]));
        return document.RootElement.Clone();
    }
}
