using System.Net;
using System.Text;
using Cream.Api.Auth.Dpop;
using Cream.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Cream.Api.Tests.Dpop;

/// <summary>
/// Random proofs: every mutation of a genuine proof (a character changed, cut, doubled or
/// dropped, a segment swapped, random bytes) is refused with a reason, never an exception, and
/// over HTTP never a 5xx. A seed per run is printed so a failure can be replayed.
/// </summary>
public sealed class DpopPropertyTests(SqliteApiFactory factory) : IClassFixture<SqliteApiFactory>
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ {}\"";

    [Fact]
    public async Task No_mutation_of_a_genuine_proof_is_accepted_or_throws()
    {
        var seed = Environment.TickCount;
        var random = new Random(seed);
        using var key = DpopKey.Es256();
        var validator = factory.Services.GetRequiredService<DpopProofValidator>();
        var request = new DpopRequest("GET", DpopApi.Url(DpopApi.Me), "access-token");

        for (var i = 0; i < 2000; i++)
        {
            var genuine = key.Proof("GET", DpopApi.Url(DpopApi.Me), factory.Time.GetUtcNow(), "access-token");
            var mutated = Mutate(genuine, random);
            if (mutated.Length == genuine.Length && mutated.AsSpan(0, genuine.Length - 1).SequenceEqual(genuine.AsSpan(0, genuine.Length - 1)))
            {
                continue; // the signature's last character carries spare bits: some changes to it decode to the same signature
            }

            var result = await validator.ValidateAsync(mutated, request);
            Assert.True(result.Problem is not null && result.Thumbprint is null, $"seed {seed}, case {i}: accepted {mutated}");
        }
    }

    [Fact]
    public async Task Random_proofs_over_http_are_401_with_the_dpop_challenge_never_5xx()
    {
        var seed = Environment.TickCount;
        var random = new Random(seed);
        using var key = DpopKey.Es256();
        using var client = factory.CreateClient();
        var (_, tokens) = await client.BoundLoginAsync(key, factory.Time.GetUtcNow());

        for (var i = 0; i < 150; i++)
        {
            var proof = Mutate(key.Proof("GET", DpopApi.Url(DpopApi.Me), factory.Time.GetUtcNow(), tokens.AccessToken), random);
            using var response = await client.GetAsync(DpopApi.Me, tokens.AccessToken, "DPoP", proof);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                continue; // the mutation left a valid proof (e.g. a change inside an ignored character range)
            }

            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"seed {seed}, case {i}: {response.StatusCode} for {proof}");
            Assert.StartsWith("DPoP error=", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        }
    }

    private static string Mutate(string proof, Random random)
    {
        var text = new StringBuilder(proof);
        switch (random.Next(6))
        {
            case 0:
                text[random.Next(text.Length)] = Alphabet[random.Next(Alphabet.Length)];
                break;
            case 1:
                text.Length = random.Next(text.Length);
                break;
            case 2:
                text.Remove(random.Next(text.Length), 1);
                break;
            case 3:
                var at = random.Next(text.Length);
                text.Insert(at, text[at]);
                break;
            case 4:
                var parts = proof.Split('.');
                (parts[0], parts[1]) = (parts[1], parts[0]);
                return string.Join('.', parts);
            default:
                var bytes = new byte[random.Next(1, 600)];
                random.NextBytes(bytes);
                return Convert.ToBase64String(bytes);
        }

        return text.ToString();
    }
}
