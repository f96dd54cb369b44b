using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Cream.Api.Auth.Dpop;
using Cream.Api.Auth.Tokens;
using Cream.Api.Common;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.IdentityModel.Tokens;

namespace Cream.Benchmarks;

/// <summary>
/// What a DPoP proof costs (RFC 9449): checking one ES256 proof alone, claiming its jti in the
/// in-process replay cache, and the whole authentication of a request with a bound token and a
/// proof beside the same request with a bearer token. The clock is frozen at set-up so one
/// proof stays fresh for the whole run, and the replay cache of the validator rows accepts a
/// jti again (its own cost is its own row): every row still parses the proof, turns its jwk
/// into a key and verifies its signature on every call.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 8)]
public class DpopBenchmarks
{
    private const string Url = "http://localhost/api/auth/me";

    private string _folder = null!;
    private WebApplication _cream = null!;
    private DpopProofValidator _validator = null!;
    private InProcessDpopReplayCache _replays = null!;
    private ECDsa _clientKey = null!;
    private string _bearerToken = null!;
    private string _boundToken = null!;
    private string _proof = null!;
    private string _thumbprint = null!;
    private long _jti;

    [GlobalSetup]
    public void Setup()
    {
        var now = DateTimeOffset.UtcNow;
        _folder = CreamHost.NewFolder();
        _cream = CreamHost.Build(CreamHost.NewSecret(), "Data Source=:memory:", _folder, services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(new FrozenTime(now));
            services.RemoveAll<IDpopReplayCache>();
            services.AddSingleton<IDpopReplayCache, AcceptingReplayCache>();
            services.AddSingleton(provider => new PublicUrls(
                "http://localhost", null, provider.GetRequiredService<IHostEnvironment>(), provider.GetRequiredService<IServer>()));
        });
        var services = _cream.Services;
        _validator = services.GetRequiredService<DpopProofValidator>();
        _replays = new InProcessDpopReplayCache(TimeProvider.System);
        _clientKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var jwk = PublicJwk(_clientKey);
        _thumbprint = DpopProofKey.Read(JsonSerializer.SerializeToElement(jwk), "ES256").Key!.Thumbprint;

        var issuer = services.GetRequiredService<AccessTokenIssuer>();
        var subject = new AccessTokenSubject(Guid.NewGuid(), "ada.lovelace@example.com", ["user"], Guid.NewGuid());
        _bearerToken = issuer.Issue(subject).Token;
        _boundToken = issuer.Issue(subject with { DpopKey = _thumbprint }).Token;
        _proof = Proof(jwk, now, _boundToken);

        CreamHost.Require(ValidateProof().AsTask().GetAwaiter().GetResult(), "the validator accepts the proof");
        CreamHost.Require(BearerAuthenticate().GetAwaiter().GetResult(), "a bearer request authenticates");
        CreamHost.Require(DpopAuthenticate().GetAwaiter().GetResult(), "a DPoP request with its proof authenticates");
        CreamHost.Require(!Authenticate("DPoP " + _boundToken, Proof(PublicJwk(ECDsa.Create(ECCurve.NamedCurves.nistP256)), now, _boundToken)).GetAwaiter().GetResult(),
            "a proof whose jwk did not sign it is refused");
        CreamHost.Require(!Authenticate("Bearer " + _boundToken, null).GetAwaiter().GetResult(), "a bound token sent as Bearer is refused");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _clientKey.Dispose();
        _cream.DisposeAsync().AsTask().GetAwaiter().GetResult();
        CreamHost.DeleteFolder(_folder);
    }

    [Benchmark(Description = "DpopProofValidator: one ES256 proof (parse, jwk, signature, claims, ath)")]
    public async ValueTask<bool> ValidateProof() =>
        (await _validator.ValidateAsync(_proof, new DpopRequest("GET", Url, _boundToken))).Thumbprint is not null;

    [Benchmark(Description = "InProcessDpopReplayCache: claim a new jti")]
    public ValueTask<bool> ClaimJti() => _replays.TryUseAsync(_thumbprint, (++_jti).ToString(System.Globalization.CultureInfo.InvariantCulture), TimeSpan.FromSeconds(120));

    [Benchmark(Baseline = true, Description = "Cream AuthenticateAsync, Bearer, same token")]
    public Task<bool> BearerAuthenticate() => Authenticate("Bearer " + _bearerToken, null);

    [Benchmark(Description = "Cream AuthenticateAsync, DPoP, same token, a proof")]
    public Task<bool> DpopAuthenticate() => Authenticate("DPoP " + _boundToken, _proof);

    private async Task<bool> Authenticate(string authorization, string? proof)
    {
        await using var scope = _cream.Services.CreateAsyncScope();
        var context = new Microsoft.AspNetCore.Http.DefaultHttpContext { RequestServices = scope.ServiceProvider };
        context.Request.Method = "GET";
        context.Request.Path = "/api/auth/me";
        context.Request.Headers.Authorization = authorization;
        if (proof is not null)
        {
            context.Request.Headers["DPoP"] = proof;
        }

        var result = await Microsoft.AspNetCore.Authentication.AuthenticationHttpContextExtensions.AuthenticateAsync(context, "Bearer");
        return result.Succeeded;
    }

    private static Dictionary<string, string> PublicJwk(ECDsa key)
    {
        var parameters = key.ExportParameters(false);
        return new() { ["kty"] = "EC", ["crv"] = "P-256", ["x"] = Base64UrlEncoder.Encode(parameters.Q.X!), ["y"] = Base64UrlEncoder.Encode(parameters.Q.Y!) };
    }

    private string Proof(Dictionary<string, string> jwk, DateTimeOffset now, string accessToken)
    {
        var header = JsonSerializer.Serialize(new Dictionary<string, object> { ["typ"] = "dpop+jwt", ["alg"] = "ES256", ["jwk"] = jwk });
        var payload = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["htm"] = "GET",
            ["htu"] = Url,
            ["iat"] = now.ToUnixTimeSeconds(),
            ["ath"] = DpopProofUrls.AccessTokenHash(accessToken),
        });
        var input = $"{Base64UrlEncoder.Encode(header)}.{Base64UrlEncoder.Encode(payload)}";
        return input + "." + Base64UrlEncoder.Encode(_clientKey.SignData(Encoding.ASCII.GetBytes(input), HashAlgorithmName.SHA256));
    }

    /// <summary>A clock that stays at one instant: one proof stays fresh for the whole run.</summary>
    private sealed class FrozenTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    /// <summary>Accepts every jti, so one proof can be checked again and again (the cache's own cost is <see cref="ClaimJti"/>).</summary>
    private sealed class AcceptingReplayCache : IDpopReplayCache
    {
        public ValueTask<bool> TryUseAsync(string thumbprint, string jti, TimeSpan window) => ValueTask.FromResult(true);
    }
}
