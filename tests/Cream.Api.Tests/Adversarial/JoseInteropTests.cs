using System.Net;
using System.Text.Json;
using Cream.Api.Tests.Infrastructure;

namespace Cream.Api.Tests.Adversarial;

/// <summary>
/// Interoperability with an independent implementation, panva/jose in Node: a token jose signs
/// with the shared HS256 secret and the right claims is accepted by us, and the RS256 and ES256
/// tokens we issue verify in jose from nothing but our published JWKS.
/// </summary>
[NeedsTestServers(Jose.ModulesVariable)]
public sealed class JoseInteropTests(Hs256Service hs256, Rs256Service rs256, Es256Service es256)
    : IClassFixture<Hs256Service>, IClassFixture<Rs256Service>, IClassFixture<Es256Service>
{
    /// <summary>Signs with jose's SignJWT; also verifies our own HS256 token with jose, for symmetry.</summary>
    private const string SignHs256 = """
        import { readFileSync } from 'node:fs';
        import { SignJWT, jwtVerify } from 'jose';

        const input = JSON.parse(readFileSync(process.argv[2], 'utf8'));
        const key = new TextEncoder().encode(input.secret);
        const token = await new SignJWT({ email: input.email, roles: [], sid: input.sid })
          .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: input.kid })
          .setIssuer('cream-api')
          .setAudience('cream-api')
          .setSubject(input.sub)
          .setJti(input.jti)
          .setIssuedAt(input.now)
          .setNotBefore(input.now)
          .setExpirationTime(input.now + 600)
          .sign(key);
        const ours = await jwtVerify(input.ourToken, key, {
          issuer: 'cream-api', audience: 'cream-api', algorithms: ['HS256'], typ: 'at+jwt',
          currentDate: new Date(input.now * 1000),
        });
        process.stdout.write(JSON.stringify({ token, ourSub: ours.payload.sub }));
        """;

    /// <summary>Verifies with jose's createLocalJWKSet + jwtVerify; a tampered copy must fail there too.</summary>
    private const string VerifyFromJwks = """
        import { readFileSync } from 'node:fs';
        import { createLocalJWKSet, jwtVerify } from 'jose';

        const input = JSON.parse(readFileSync(process.argv[2], 'utf8'));
        const jwks = createLocalJWKSet(input.jwks);
        const options = {
          issuer: 'cream-api', audience: 'cream-api', algorithms: [input.alg], typ: 'at+jwt',
          currentDate: new Date(input.now * 1000),
        };
        const { payload, protectedHeader } = await jwtVerify(input.token, jwks, options);
        let tamperedError = null;
        try {
          await jwtVerify(input.tampered, jwks, options);
        } catch (error) {
          tamperedError = error.code ?? String(error);
        }
        process.stdout.write(JSON.stringify({
          kid: protectedHeader.kid, alg: protectedHeader.alg, sub: payload.sub, tamperedError,
        }));
        """;

    [Fact]
    public async Task A_token_signed_by_jose_with_the_shared_HS256_secret_is_accepted()
    {
        var genuine = hs256.Claims();
        var result = await Jose.RunAsync(SignHs256, new
        {
            secret = hs256.Factory.JwtSecret,
            kid = hs256.KeyId,
            sub = hs256.User.Id.ToString(),
            email = hs256.User.Email,
            sid = genuine["sid"]!.GetValue<string>(),
            jti = Guid.NewGuid().ToString("N"),
            now = hs256.Now,
            ourToken = hs256.User.AccessToken,
        });
        var token = result.GetProperty("token").GetString()!;

        using var response = await hs256.GetMeAsync(token);

        Assert.NotEqual(hs256.User.AccessToken, token);
        var header = Jws.Read(token).Header;
        Assert.Equal("HS256", header["alg"]!.GetValue<string>());
        Assert.Equal(hs256.KeyId, header["kid"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(hs256.User.Id.ToString(), (await response.JsonAsync()).GetProperty("id").GetString());
        Assert.Equal(hs256.User.Id.ToString(), result.GetProperty("ourSub").GetString());
    }

    [Theory]
    [InlineData("RS256")]
    [InlineData("ES256")]
    public async Task Our_asymmetric_tokens_verify_in_jose_from_our_JWKS_alone(string algorithm)
    {
        var service = algorithm == "RS256" ? (AdversarialService)rs256 : es256;
        var jwksText = await service.Client.GetStringAsync("/.well-known/jwks.json");
        using var jwks = JsonDocument.Parse(jwksText);
        var token = service.User.AccessToken;

        var result = await Jose.RunAsync(VerifyFromJwks, new
        {
            jwks = jwks.RootElement,
            alg = algorithm,
            token,
            tampered = Tampering.FlipByte(token, n => n / 2),
            now = service.Now,
        });

        Assert.Equal(service.KeyId, result.GetProperty("kid").GetString());
        Assert.Equal(jwks.RootElement.GetProperty("keys")[0].GetProperty("kid").GetString(), result.GetProperty("kid").GetString());
        Assert.Equal(algorithm, result.GetProperty("alg").GetString());
        Assert.Equal(service.User.Id.ToString(), result.GetProperty("sub").GetString());
        Assert.Equal("ERR_JWS_SIGNATURE_VERIFICATION_FAILED", result.GetProperty("tamperedError").GetString());
    }
}
