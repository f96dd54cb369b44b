using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Cream.Api.Auth.Keys;
using Cream.Api.Auth.Tokens;
using Cream.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Cream.Api.Tests.Keys;

/// <summary>RS256 and ES256 keys from PEM files, JWKS, discovery, and rotation of database-kept keys.</summary>
public sealed class SigningKeyTests : IDisposable
{
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Theory]
    [InlineData("/.well-known/oauth-authorization-server")]
    [InlineData("/.well-known/openid-configuration")]
    public async Task With_hs256_the_jwks_is_empty_and_discovery_names_the_endpoints_and_nothing_untrue(string path)
    {
        await using var service = await StartAsync([]);
        var client = service.CreateClient();

        var jwks = await (await client.GetAsync("/.well-known/jwks.json")).JsonAsync();
        var discovery = await (await client.GetAsync(path)).JsonAsync();

        Assert.Equal(0, jwks.GetProperty("keys").GetArrayLength());
        Assert.Equal("cream-api", discovery.GetProperty("issuer").GetString());
        Assert.EndsWith("/.well-known/jwks.json", discovery.GetProperty("jwks_uri").GetString(), StringComparison.Ordinal);
        Assert.EndsWith("/api/auth/login", discovery.GetProperty("token_endpoint").GetString(), StringComparison.Ordinal);
        Assert.EndsWith("/api/auth/revoke", discovery.GetProperty("revocation_endpoint").GetString(), StringComparison.Ordinal);
        Assert.EndsWith("/api/auth/introspect", discovery.GetProperty("introspection_endpoint").GetString(), StringComparison.Ordinal);
        Assert.Equal(["password", "refresh_token", "urn:cream:params:oauth:grant-type:mfa-otp"], discovery.GetProperty("grant_types_supported").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["HS256"], discovery.GetProperty("access_token_signing_alg_values_supported").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["none"], discovery.GetProperty("token_endpoint_auth_methods_supported").EnumerateArray().Select(e => e.GetString()));
        // No ID tokens and no authorization endpoint: nothing may claim otherwise (RFC 8414 section 2).
        Assert.False(discovery.TryGetProperty("id_token_signing_alg_values_supported", out _));
        Assert.False(discovery.TryGetProperty("authorization_endpoint", out _));
        Assert.Equal(0, discovery.GetProperty("response_types_supported").GetArrayLength());
        Assert.EndsWith("/scalar", discovery.GetProperty("service_documentation").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("rsa-pkcs8")]
    [InlineData("rsa-pkcs1")]
    [InlineData("ec-pkcs8")]
    [InlineData("ec-sec1")]
    public async Task A_pem_key_signs_tokens_that_verify_from_the_published_jwks_alone(string format)
    {
        var algorithm = PemKeys.AlgorithmOf(format);
        var path = PemKeys.Write(_folder.Path, format);
        await using var service = await StartAsync(new() { ["Jwt:Algorithm"] = algorithm, ["Jwt:PrivateKeyPath"] = path });
        var client = service.CreateClient();

        var user = await client.SignupAsync();
        var jwksText = await client.GetStringAsync("/.well-known/jwks.json");
        using var me = await service.CreateClient(user.AccessToken).GetAsync("/api/auth/me");

        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        var token = new JsonWebToken(user.AccessToken);
        Assert.Equal(algorithm, token.Alg);
        Assert.Equal(KeyMaterial.LoadPem(algorithm, path).KeyId, token.Kid); // RFC 7638 thumbprint
        var published = Assert.Single(new JsonWebKeySet(jwksText).Keys);
        Assert.Equal(token.Kid, published.Kid);
        Assert.Equal(algorithm, published.Alg);
        Assert.Equal("sig", published.Use);
        foreach (var privateMember in new[] { "\"d\"", "\"p\"", "\"q\"", "\"dp\"", "\"dq\"", "\"qi\"", "\"k\"" })
        {
            Assert.DoesNotContain(privateMember, jwksText, StringComparison.Ordinal);
        }

        // A resource server that knows nothing but the JWKS can verify the token.
        var verified = await new JsonWebTokenHandler().ValidateTokenAsync(user.AccessToken, new TokenValidationParameters
        {
            ValidIssuer = "cream-api",
            ValidAudience = "cream-api",
            IssuerSigningKeys = [published],
            ValidAlgorithms = [algorithm],
        });
        Assert.True(verified.IsValid, verified.Exception?.Message);
    }

    [Theory]
    [InlineData("rsa-pkcs8", 1024, "the RSA key has 1024 bits; RS256 needs at least 2048.")]
    [InlineData("ec-pkcs8", 0, "the EC key is on curve")]
    public void Weak_asymmetric_keys_are_refused_at_start(string format, int rsaBits, string expected)
    {
        var path = PemKeys.Write(_folder.Path, format, rsaBits == 0 ? 2048 : rsaBits, ECCurve.NamedCurves.nistP384);

        var problem = JwtOptionsValidator.DescribeKeyFileProblem(PemKeys.AlgorithmOf(format), path);

        Assert.NotNull(problem);
        Assert.StartsWith("Jwt__PrivateKeyPath: " + expected, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_or_wrong_kind_of_key_file_is_refused_with_one_line()
    {
        var ecPath = PemKeys.Write(_folder.Path, "ec-pkcs8");

        Assert.StartsWith("Jwt__PrivateKeyPath: no file at", JwtOptionsValidator.DescribeKeyFileProblem("RS256", Path.Combine(_folder.Path, "none.pem")), StringComparison.Ordinal);
        Assert.Contains("does not hold a PEM RSA key", JwtOptionsValidator.DescribeKeyFileProblem("RS256", ecPath), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_token_signed_with_another_key_under_our_kid_is_refused()
    {
        var path = PemKeys.Write(_folder.Path, "rsa-pkcs8");
        await using var service = await StartAsync(new() { ["Jwt:Algorithm"] = "RS256", ["Jwt:PrivateKeyPath"] = path });
        var user = await service.CreateClient().SignupAsync();
        var genuine = new JsonWebToken(user.AccessToken);
        using var impostor = RSA.Create(2048);
        var forged = new JsonWebTokenHandler().CreateToken(
            JsonSerializer.Serialize(genuine.Claims.GroupBy(c => c.Type).ToDictionary(g => g.Key, g => g.Count() > 1 ? (object)g.Select(c => c.Value).ToArray() : g.First().Value)),
            new SigningCredentials(new RsaSecurityKey(impostor) { KeyId = genuine.Kid }, "RS256"),
            new Dictionary<string, object> { ["typ"] = "at+jwt" });

        using var response = await service.CreateClient(forged).GetAsync("/api/auth/me");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Database_keys_rotate_without_logging_anyone_out_and_a_removed_key_stops_verifying()
    {
        await using var service = await StartAsync(new() { ["Jwt:Algorithm"] = "ES256" });
        var client = service.CreateClient();
        var before = await client.SignupAsync();
        var firstKid = new JsonWebToken(before.AccessToken).Kid;
        var sync = service.Services.GetRequiredService<SigningKeySync>();

        await using (var scope = service.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<SigningKeyStore>().RotateAsync(CancellationToken.None);
        }

        await sync.ReloadAsync(CancellationToken.None);
        var announced = await (await client.GetAsync("/.well-known/jwks.json")).JsonAsync();
        var duringActivation = await client.LoginAsync(before.Email, before.Password);
        service.Time.Advance(TimeSpan.FromSeconds(31));
        await sync.ReloadAsync(CancellationToken.None);
        var after = await client.LoginAsync(before.Email, before.Password);

        Assert.Equal(2, announced.GetProperty("keys").GetArrayLength()); // published before it signs
        Assert.Equal(firstKid, new JsonWebToken(duringActivation.AccessToken).Kid);
        var secondKid = new JsonWebToken(after.AccessToken).Kid;
        Assert.NotEqual(firstKid, secondKid);
        Assert.Equal(HttpStatusCode.OK, (await service.CreateClient(before.AccessToken).GetAsync("/api/auth/me")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await service.CreateClient(after.AccessToken).GetAsync("/api/auth/me")).StatusCode);

        var now = service.Time.GetUtcNow().UtcDateTime;
        await service.WithDbAsync(db => db.SigningKeys.Where(k => k.KeyId == firstKid)
            .ExecuteUpdateAsync(set => set.SetProperty(k => k.RetiresAt, now)));
        await sync.ReloadAsync(CancellationToken.None);

        Assert.Equal(HttpStatusCode.Unauthorized, (await service.CreateClient(before.AccessToken).GetAsync("/api/auth/me")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await service.CreateClient(after.AccessToken).GetAsync("/api/auth/me")).StatusCode);
        Assert.Single((await (await client.GetAsync("/.well-known/jwks.json")).JsonAsync()).GetProperty("keys").EnumerateArray());
        var stored = await service.WithDbAsync(db => db.SigningKeys.Select(k => k.ProtectedPrivateKey).ToListAsync());
        Assert.All(stored, value => Assert.DoesNotContain("PRIVATE KEY", value, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Rotate_key_runs_as_a_command_and_refuses_hs256()
    {
        var database = Path.Combine(_folder.Path, "keys.db");
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["DataDirectory"] = _folder.Path,
            ["ConnectionStrings__Cream"] = $"Data Source={database}",
            ["Jwt__Algorithm"] = "RS256",
        };
        Assert.Equal(0, (await ServiceProcess.RunAsync(_folder.Path, environment, "migrate")).ExitCode);

        var rotated = await ServiceProcess.RunAsync(_folder.Path, environment, "rotate-key");
        environment["Jwt__Algorithm"] = "HS256";
        environment["Jwt__Secret"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));
        var refused = await ServiceProcess.RunAsync(_folder.Path, environment, "rotate-key");

        Assert.Equal(0, rotated.ExitCode);
        Assert.Contains("Added signing key ", rotated.StandardOutput, StringComparison.Ordinal);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.StartsWith("rotate-key: Jwt__Algorithm is HS256", refused.StandardError, StringComparison.Ordinal);
    }

    private static async Task<SqliteApiFactory> StartAsync(Dictionary<string, string?> settings)
    {
        var service = new SqliteApiFactory { Settings = settings };
        await service.InitializeAsync();
        return service;
    }
}
