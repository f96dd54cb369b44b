using System.IdentityModel.Tokens.Jwt;
using System.Text;
using BenchmarkDotNet.Attributes;
using Cream.Api.Auth.Tokens;
using JWT;
using JWT.Algorithms;
using JWT.Exceptions;
using JWT.Serializers;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Cream.Benchmarks;

/// <summary>
/// Validating one HS256 access token of about 500 characters, issued by Cream's own
/// <see cref="AccessTokenIssuer"/>: the floor, the libraries with equivalent checks, Cream's
/// handler, and the whole bearer authentication in process (a request scope, an
/// <see cref="HttpContext"/>, <c>AuthenticateAsync("Bearer")</c>). Every row checks signature
/// (HS256 only), typ, exp, nbf, iss and aud; Cream's rows also the claims and revocation.
/// Every row repeats one token, as one client does over many requests;
/// <see cref="NewTokenValidationBenchmarks"/> measures tokens never seen before.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 8)]
public class TokenValidationBenchmarks
{
    private string _folder = null!;
    private WebApplication _cream = null!;
    private WebApplication _plain = null!;
    private AccessTokenIssuer _issuer = null!;
    private AccessTokenHandler _creamHandler = null!;
    private TokenValidationParameters _creamParameters = null!;
    private AccessTokenSubject _subject = null!;
    private string _token = null!;
    private string _authorization = null!;

    private FloorJwt _floor = null!;
    private JsonWebTokenHandler _jsonWebTokenHandler = null!;
    private JwtSecurityTokenHandler _jwtSecurityTokenHandler = null!;
    private TokenValidationParameters _equivalent = null!;
    private byte[] _key = null!;
    private long _skewSeconds;
    private JwtDecoder _jwtNetDecoder = null!;

    [GlobalSetup]
    public void Setup()
    {
        var secret = CreamHost.NewSecret();
        _key = Encoding.UTF8.GetBytes(secret);
        _folder = CreamHost.NewFolder();
        _cream = CreamHost.Build(secret, "Data Source=:memory:", _folder);
        var services = _cream.Services;
        var keys = services.GetRequiredService<AccessTokenKeys>();
        _issuer = services.GetRequiredService<AccessTokenIssuer>();
        _creamHandler = services.GetRequiredService<AccessTokenHandler>();
        _creamParameters = keys.ValidationParameters;
        _skewSeconds = (long)_creamParameters.ClockSkew.TotalSeconds;

        _subject = new AccessTokenSubject(Guid.NewGuid(), "ada.lovelace@example.com", ["admin", "user"], Guid.NewGuid());
        _token = _issuer.Issue(_subject).Token;
        _authorization = "Bearer " + _token;

        _floor = new FloorJwt(_key, keys.SigningKey.KeyId, CreamHost.Issuer, CreamHost.Audience, _creamParameters.ClockSkew);
        _equivalent = CreamHost.EquivalentParameters(keys.SigningKey, _creamParameters.ClockSkew);
        _jsonWebTokenHandler = new JsonWebTokenHandler { MapInboundClaims = false };
        _jwtSecurityTokenHandler = new JwtSecurityTokenHandler { MapInboundClaims = false };
        var serializer = new JsonNetSerializer();
        _jwtNetDecoder = new JwtDecoder(
            serializer,
            new JwtValidator(serializer, new UtcDateTimeProvider(), (int)_skewSeconds),
            new JwtBase64UrlEncoder(),
            new DelegateAlgorithmFactory(new HMACSHA256Algorithm()));

        // Plain JwtBearer: the framework's defaults (JsonWebTokenHandler, inbound claim
        // mapping on), the same key, issuer and audience.
        var plain = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [], EnvironmentName = "Benchmark", ContentRootPath = AppContext.BaseDirectory });
        plain.Configuration["Logging:LogLevel:Default"] = "Warning";
        plain.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer(options =>
            options.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuer = CreamHost.Issuer,
                ValidAudience = CreamHost.Audience,
                IssuerSigningKey = keys.SigningKey,
            });
        _plain = plain.Build();

        CreamHost.Require(_token.Length is > 400 and < 600, $"the token is {_token.Length} characters, not about 500");
        CreamHost.Require(Floor(), "the floor accepts the token");
        CreamHost.Require(!_floor.Validate(Tampered(_token)), "the floor refuses a tampered signature");
        CreamHost.Require(!_floor.Validate(_token, DateTimeOffset.UtcNow.AddHours(2).ToUnixTimeSeconds()), "the floor refuses an expired token");
        CreamHost.Require(!new FloorJwt(_key, keys.SigningKey.KeyId, "someone-else", CreamHost.Audience, _creamParameters.ClockSkew).Validate(_token), "the floor checks iss");
        CreamHost.Require(!new FloorJwt(_key, keys.SigningKey.KeyId, CreamHost.Issuer, "someone-else", _creamParameters.ClockSkew).Validate(_token), "the floor checks aud");
        CreamHost.Require(!new FloorJwt(_key, "other-kid", CreamHost.Issuer, CreamHost.Audience, _creamParameters.ClockSkew).Validate(_token), "the floor checks kid");
        CreamHost.Require(JsonWebTokenHandlerEquivalent().GetAwaiter().GetResult(), "JsonWebTokenHandler accepts the token");
        CreamHost.Require(JsonWebTokenHandlerCreamParameters().GetAwaiter().GetResult(), "JsonWebTokenHandler with Cream's parameters accepts the token");
        CreamHost.Require(JwtSecurityTokenHandler(), "JwtSecurityTokenHandler accepts the token");
        CreamHost.Require(JoseJwt(), "jose-jwt accepts the token");
        CreamHost.Require(!JoseJwtCheck(Tampered(_token)), "jose-jwt refuses a tampered signature");
        CreamHost.Require(JwtNet(), "Jwt.Net accepts the token");
        CreamHost.Require(!JwtNetCheck(Tampered(_token)), "Jwt.Net refuses a tampered signature");
        CreamHost.Require(CreamHandler().GetAwaiter().GetResult(), "AccessTokenHandler accepts the token");
        CreamHost.Require(CreamAuthenticate().GetAwaiter().GetResult(), "Cream's bearer scheme authenticates the request");
        CreamHost.Require(!CreamAuthenticateNoHeader().GetAwaiter().GetResult(), "no header authenticates nobody");
        CreamHost.Require(PlainJwtBearerAuthenticate().GetAwaiter().GetResult(), "plain JwtBearer authenticates the request");
        CreamHost.Require(!AuthenticateAsync(_cream.Services, "Bearer " + Tampered(_token)).GetAwaiter().GetResult(), "Cream's scheme refuses a tampered token");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _plain.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _cream.DisposeAsync().AsTask().GetAwaiter().GetResult();
        CreamHost.DeleteFolder(_folder);
    }

    [Benchmark(Baseline = true, Description = "floor: reused HMAC + base64url + Utf8JsonReader")]
    public bool Floor() => _floor.Validate(_token);

    [Benchmark(Description = "JsonWebTokenHandler.ValidateTokenAsync, equivalent parameters")]
    public async Task<bool> JsonWebTokenHandlerEquivalent() =>
        (await _jsonWebTokenHandler.ValidateTokenAsync(_token, _equivalent)).IsValid;

    [Benchmark(Description = "JsonWebTokenHandler.ValidateTokenAsync, Cream's parameters")]
    public async Task<bool> JsonWebTokenHandlerCreamParameters() =>
        (await _jsonWebTokenHandler.ValidateTokenAsync(_token, _creamParameters)).IsValid;

    [Benchmark(Description = "JwtSecurityTokenHandler.ValidateToken")]
    public bool JwtSecurityTokenHandler() =>
        _jwtSecurityTokenHandler.ValidateToken(_token, _equivalent, out _).Identity?.IsAuthenticated == true;

    [Benchmark(Description = "jose-jwt: Headers + Decode + exp/nbf/iss/aud")]
    public bool JoseJwt() => JoseJwtCheck(_token);

    [Benchmark(Description = "Jwt.Net: JwtDecoder (verify, exp/nbf) + typ/iss/aud")]
    public bool JwtNet() => JwtNetCheck(_token);

    [Benchmark(Description = "Cream AccessTokenHandler (sig, claims, revocation), same token")]
    public async Task<bool> CreamHandler() =>
        (await _creamHandler.ValidateTokenAsync(_token, _creamParameters)).IsValid;

    [Benchmark(Description = "Cream AuthenticateAsync(\"Bearer\") in process, same token")]
    public Task<bool> CreamAuthenticate() => AuthenticateAsync(_cream.Services, _authorization);

    [Benchmark(Description = "Cream AuthenticateAsync, no Authorization header (what anonymous pays)")]
    public Task<bool> CreamAuthenticateNoHeader() => AuthenticateAsync(_cream.Services, null);

    [Benchmark(Description = "plain JwtBearer AuthenticateAsync in process (defaults, same key)")]
    public Task<bool> PlainJwtBearerAuthenticate() => AuthenticateAsync(_plain.Services, _authorization);

    /// <summary>What the authentication middleware does for one request: a scope, a context, the default scheme.</summary>
    internal static async Task<bool> AuthenticateAsync(IServiceProvider services, string? authorization)
    {
        await using var scope = services.CreateAsyncScope();
        var context = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        if (authorization is not null)
        {
            context.Request.Headers.Authorization = authorization;
        }

        var result = await context.AuthenticateAsync(JwtBearerDefaults.AuthenticationScheme);
        return result.Succeeded && result.Principal.Identity?.IsAuthenticated == true;
    }

    private bool JoseJwtCheck(string token)
    {
        try
        {
            var header = Jose.JWT.Headers(token);
            var payload = Jose.JWT.Decode<Dictionary<string, object>>(token, _key, Jose.JwsAlgorithm.HS256);
            return PeerClaimChecks.TypeIsAccessToken(header)
                && PeerClaimChecks.ClaimsAreOurs(payload, CreamHost.Issuer, CreamHost.Audience, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), _skewSeconds, checkLifetime: true);
        }
        catch (Jose.JoseException)
        {
            return false;
        }
    }

    private bool JwtNetCheck(string token)
    {
        try
        {
            var parts = new JwtParts(token);
            var header = _jwtNetDecoder.DecodeHeader<Dictionary<string, object>>(parts);
            var payload = _jwtNetDecoder.DecodeToObject<Dictionary<string, object>>(parts, _key, verify: true);
            return PeerClaimChecks.TypeIsAccessToken(header)
                && PeerClaimChecks.ClaimsAreOurs(payload, CreamHost.Issuer, CreamHost.Audience, 0, _skewSeconds, checkLifetime: false);
        }
        catch (Exception exception) when (exception is SignatureVerificationException or ArgumentException or FormatException)
        {
            return false;
        }
    }

    /// <summary>The token with one signature character changed.</summary>
    internal static string Tampered(string token)
    {
        var chars = token.ToCharArray();
        var index = token.Length - 5;
        chars[index] = chars[index] == 'A' ? 'B' : 'A';
        return new string(chars);
    }
}
