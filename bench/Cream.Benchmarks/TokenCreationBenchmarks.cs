using System.IdentityModel.Tokens.Jwt;
using System.Text;
using BenchmarkDotNet.Attributes;
using Cream.Api.Auth.Tokens;
using JWT;
using JWT.Algorithms;
using JWT.Serializers;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Cream.Benchmarks;

/// <summary>
/// Creating one Cream access token (header alg/kid/typ at+jwt; iss, aud, iat, nbf, exp, sub,
/// email, roles, sid and a new jti), about 500 characters: the floor, the libraries, and
/// Cream's <see cref="AccessTokenIssuer"/>. Setup checks that Cream's own handler accepts
/// what every row creates, so each row produces a real, equivalent token.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 8)]
public class TokenCreationBenchmarks
{
    private const long LifetimeSeconds = 30 * 60;

    private string _folder = null!;
    private WebApplication _cream = null!;
    private AccessTokenIssuer _issuer = null!;
    private AccessTokenKeys _keys = null!;
    private AccessTokenSubject _subject = null!;
    private string[] _roles = null!;
    private FloorJwt _floor = null!;
    private byte[] _key = null!;
    private readonly JsonWebTokenHandler _jsonWebTokenHandler = new() { SetDefaultTimesOnTokenCreation = false };
    private readonly JwtSecurityTokenHandler _jwtSecurityTokenHandler = new() { SetDefaultTimesOnTokenCreation = false };
    private JwtEncoder _jwtNetEncoder = null!;
    private Dictionary<string, object> _joseHeaders = null!;

    [GlobalSetup]
    public void Setup()
    {
        var secret = CreamHost.NewSecret();
        _key = Encoding.UTF8.GetBytes(secret);
        _folder = CreamHost.NewFolder();
        _cream = CreamHost.Build(secret, "Data Source=:memory:", _folder);
        _keys = _cream.Services.GetRequiredService<AccessTokenKeys>();
        _issuer = _cream.Services.GetRequiredService<AccessTokenIssuer>();
        _roles = ["admin", "user"];
        _subject = new AccessTokenSubject(Guid.NewGuid(), "ada.lovelace@example.com", _roles, Guid.NewGuid());
        _floor = new FloorJwt(_key, _keys.SigningKey.KeyId, CreamHost.Issuer, CreamHost.Audience, _keys.ValidationParameters.ClockSkew);
        _jwtNetEncoder = new JwtEncoder(new HMACSHA256Algorithm(), new JsonNetSerializer(), new JwtBase64UrlEncoder());
        _joseHeaders = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["typ"] = AccessTokenKeys.AccessTokenType,
            ["kid"] = _keys.SigningKey.KeyId,
        };

        var handler = _cream.Services.GetRequiredService<AccessTokenHandler>();
        foreach (var (name, create) in new (string, Func<string>)[]
        {
            ("floor", Floor), ("JsonWebTokenHandler", JsonWebTokenHandler), ("JwtSecurityTokenHandler", JwtSecurityTokenHandler),
            ("jose-jwt", JoseJwt), ("Jwt.Net", JwtNet), ("AccessTokenIssuer", CreamIssuer),
        })
        {
            var token = create();
            var result = handler.ValidateTokenAsync(token, _keys.ValidationParameters).GetAwaiter().GetResult();
            CreamHost.Require(result.IsValid, $"Cream accepts the token {name} creates ({result.Exception?.Message})");
            CreamHost.Require(token.Length is > 400 and < 600, $"{name} creates a token of about 500 characters, not {token.Length}");
            CreamHost.Require(_floor.Validate(token), $"the floor accepts the token {name} creates");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _cream.DisposeAsync().AsTask().GetAwaiter().GetResult();
        CreamHost.DeleteFolder(_folder);
    }

    [Benchmark(Baseline = true, Description = "floor: Utf8JsonWriter + base64url + reused HMAC")]
    public string Floor() =>
        _floor.Create(_subject.UserId, _subject.Email, _roles, _subject.SessionId, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), LifetimeSeconds);

    [Benchmark(Description = "JsonWebTokenHandler.CreateToken(SecurityTokenDescriptor)")]
    public string JsonWebTokenHandler() => _jsonWebTokenHandler.CreateToken(Descriptor());

    [Benchmark(Description = "JwtSecurityTokenHandler.CreateEncodedJwt(SecurityTokenDescriptor)")]
    public string JwtSecurityTokenHandler() => _jwtSecurityTokenHandler.CreateEncodedJwt(Descriptor());

    [Benchmark(Description = "jose-jwt JWT.Encode")]
    public string JoseJwt() => Jose.JWT.Encode(Payload(), _key, Jose.JwsAlgorithm.HS256, _joseHeaders);

    [Benchmark(Description = "Jwt.Net JwtEncoder.Encode")]
    public string JwtNet() => _jwtNetEncoder.Encode(_joseHeaders, Payload(), _key);

    [Benchmark(Description = "Cream AccessTokenIssuer.Issue")]
    public string CreamIssuer() => _issuer.Issue(_subject).Token;

    /// <summary>What <see cref="AccessTokenIssuer"/> builds per token.</summary>
    private SecurityTokenDescriptor Descriptor()
    {
        var now = DateTime.UtcNow;
        return new SecurityTokenDescriptor
        {
            Issuer = CreamHost.Issuer,
            Audience = CreamHost.Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddSeconds(LifetimeSeconds),
            TokenType = AccessTokenKeys.AccessTokenType,
            SigningCredentials = _keys.SigningCredentials,
            Claims = new Dictionary<string, object>(5, StringComparer.Ordinal)
            {
                [AccessTokenClaims.Subject] = _subject.UserId.ToString(),
                [AccessTokenClaims.Email] = _subject.Email,
                [AccessTokenClaims.Roles] = _roles,
                [AccessTokenClaims.SessionId] = _subject.SessionId.ToString(),
                [AccessTokenClaims.TokenId] = Guid.NewGuid().ToString("N"),
            },
        };
    }

    /// <summary>The same claims as a plain dictionary, for the libraries that take one.</summary>
    private Dictionary<string, object> Payload()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return new Dictionary<string, object>(10, StringComparer.Ordinal)
        {
            [AccessTokenClaims.Subject] = _subject.UserId.ToString(),
            [AccessTokenClaims.Email] = _subject.Email,
            [AccessTokenClaims.Roles] = _roles,
            [AccessTokenClaims.SessionId] = _subject.SessionId.ToString(),
            [AccessTokenClaims.TokenId] = Guid.NewGuid().ToString("N"),
            ["iss"] = CreamHost.Issuer,
            ["aud"] = CreamHost.Audience,
            ["iat"] = now,
            ["nbf"] = now,
            ["exp"] = now + LifetimeSeconds,
        };
    }
}
