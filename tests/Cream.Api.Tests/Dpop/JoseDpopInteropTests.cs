using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Cream.Api.Tests.Adversarial;
using Cream.Api.Tests.Infrastructure;

namespace Cream.Api.Tests.Dpop;

/// <summary>
/// DPoP with an independent implementation, panva/jose in Node: proofs jose makes (its own key
/// pair, its own JWK export, SignJWT) are accepted at the token endpoint and at a resource, and
/// refused when replayed; the bound tokens we issue verify in jose from our JWKS alone, with a
/// <c>cnf.jkt</c> equal to jose's own RFC 7638 thumbprint of its key.
/// </summary>
[NeedsTestServers(Jose.ModulesVariable)]
public sealed class JoseDpopInteropTests(Rs256Service rs256, Es256Service es256) : IClassFixture<Rs256Service>, IClassFixture<Es256Service>
{
    /// <summary>A new key pair, and proofs for the login and the refresh made with it.</summary>
    private const string MakeKeyAndTokenProofs = """
        import { readFileSync } from 'node:fs';
        import { randomUUID } from 'node:crypto';
        import { SignJWT, exportJWK, generateKeyPair, calculateJwkThumbprint } from 'jose';

        const input = JSON.parse(readFileSync(process.argv[2], 'utf8'));
        const { publicKey, privateKey } = await generateKeyPair(input.alg, { extractable: true });
        const jwk = await exportJWK(publicKey);
        const proof = (htm, htu) => new SignJWT({ htm, htu })
          .setProtectedHeader({ alg: input.alg, typ: 'dpop+jwt', jwk })
          .setJti(randomUUID())
          .setIssuedAt(input.now)
          .sign(privateKey);
        process.stdout.write(JSON.stringify({
          jwk,
          privateJwk: await exportJWK(privateKey),
          thumbprint: await calculateJwkThumbprint(jwk),
          loginProof: await proof('POST', input.loginUrl),
          refreshProof: await proof('POST', input.refreshUrl),
        }));
        """;

    /// <summary>A proof for a resource request with the token (ath), and the token verified with our JWKS.</summary>
    private const string MakeResourceProofAndVerify = """
        import { readFileSync } from 'node:fs';
        import { createHash, randomUUID } from 'node:crypto';
        import { SignJWT, importJWK, createLocalJWKSet, jwtVerify } from 'jose';

        const input = JSON.parse(readFileSync(process.argv[2], 'utf8'));
        const privateKey = await importJWK(input.privateJwk, input.alg);
        const ath = createHash('sha256').update(input.token, 'ascii').digest('base64url');
        const proof = await new SignJWT({ htm: 'GET', htu: input.meUrl, ath })
          .setProtectedHeader({ alg: input.alg, typ: 'dpop+jwt', jwk: input.jwk })
          .setJti(randomUUID())
          .setIssuedAt(input.now)
          .sign(privateKey);
        const { payload } = await jwtVerify(input.token, createLocalJWKSet(input.jwks), {
          issuer: 'cream-api', audience: 'cream-api', algorithms: [input.tokenAlg], typ: 'at+jwt',
          currentDate: new Date(input.now * 1000),
        });
        process.stdout.write(JSON.stringify({ proof, cnf: payload.cnf, sub: payload.sub }));
        """;

    [Theory]
    [InlineData("ES256", "ES256")]
    [InlineData("RS256", "PS256")]
    [InlineData("RS256", "RS256")]
    public async Task Jose_proofs_are_accepted_once_and_our_bound_tokens_verify_in_jose_with_its_thumbprint(string tokenAlgorithm, string proofAlgorithm)
    {
        var service = tokenAlgorithm == "RS256" ? (AdversarialService)rs256 : es256;
        var client = service.Client;
        var made = await Jose.RunAsync(MakeKeyAndTokenProofs, new
        {
            alg = proofAlgorithm,
            now = service.Now,
            loginUrl = DpopApi.Url(DpopApi.Login),
            refreshUrl = DpopApi.Url("/api/auth/refresh"),
        });
        var thumbprint = made.GetProperty("thumbprint").GetString()!;
        var loginProof = made.GetProperty("loginProof").GetString()!;

        using var login = await client.LoginAsync(service.User.Email, service.User.Password, loginProof);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var loggedIn = (await login.Content.ReadFromJsonAsync<TokenBody>())!;
        Assert.Equal(("DPoP", thumbprint), (loggedIn.TokenType, DpopApi.BoundKeyOf(loggedIn.AccessToken)));

        using (var replayed = await client.LoginAsync(service.User.Email, service.User.Password, loginProof))
        {
            Assert.Equal(HttpStatusCode.BadRequest, replayed.StatusCode);
            Assert.Equal("invalid_dpop_proof", (await replayed.JsonAsync()).GetProperty("error").GetString());
        }

        var refreshRequest = new HttpRequestMessage(HttpMethod.Post, "/api/auth/refresh") { Content = JsonContent.Create(new { refresh_token = loggedIn.RefreshToken }) };
        refreshRequest.Headers.Add("DPoP", made.GetProperty("refreshProof").GetString());
        using var refresh = await client.SendAsync(refreshRequest);
        Assert.Equal(HttpStatusCode.OK, refresh.StatusCode);
        var tokens = (await refresh.Content.ReadFromJsonAsync<TokenBody>())!;
        Assert.Equal(("DPoP", thumbprint), (tokens.TokenType, DpopApi.BoundKeyOf(tokens.AccessToken)));

        using var jwks = JsonDocument.Parse(await client.GetStringAsync("/.well-known/jwks.json"));
        var resource = await Jose.RunAsync(MakeResourceProofAndVerify, new
        {
            alg = proofAlgorithm,
            tokenAlg = tokenAlgorithm,
            jwk = made.GetProperty("jwk"),
            privateJwk = made.GetProperty("privateJwk"),
            token = tokens.AccessToken,
            jwks = jwks.RootElement,
            meUrl = DpopApi.Url(DpopApi.Me),
            now = service.Now,
        });
        Assert.Equal(thumbprint, resource.GetProperty("cnf").GetProperty("jkt").GetString());
        Assert.Equal(service.User.Id.ToString(), resource.GetProperty("sub").GetString());

        var meProof = resource.GetProperty("proof").GetString()!;
        using (var me = await client.GetAsync(DpopApi.Me, tokens.AccessToken, "DPoP", meProof))
        {
            Assert.Equal(HttpStatusCode.OK, me.StatusCode);
            Assert.Equal(service.User.Email, (await me.JsonAsync()).GetProperty("email").GetString());
        }

        using var replayedAtResource = await client.GetAsync(DpopApi.Me, tokens.AccessToken, "DPoP", meProof);
        Assert.Equal(HttpStatusCode.Unauthorized, replayedAtResource.StatusCode);
        Assert.StartsWith("DPoP error=\"invalid_dpop_proof\"", replayedAtResource.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
    }
}
