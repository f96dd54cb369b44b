using System.Net;
using System.Text.Json.Nodes;

namespace Cream.Api.Tests.Adversarial;

/// <summary>
/// The controls that make the refusals meaningful: a token the tests assemble by hand from the
/// genuine claims and sign with the service's own key is accepted, in every mode, so each
/// attack that changes one thing is refused for that one thing.
/// </summary>
public sealed class ForgeryControlTests(Hs256Service hs256, Rs256Service rs256, Es256Service es256)
    : IClassFixture<Hs256Service>, IClassFixture<Rs256Service>, IClassFixture<Es256Service>
{
    private AdversarialService Mode(string algorithm) => algorithm switch
    {
        "HS256" => hs256,
        "RS256" => rs256,
        "ES256" => es256,
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm)),
    };

    [Theory]
    [InlineData("HS256")]
    [InlineData("RS256")]
    [InlineData("ES256")]
    public async Task A_hand_assembled_token_signed_with_our_key_is_accepted(string algorithm)
    {
        var service = Mode(algorithm);
        var claims = service.Claims();
        claims["jti"] = Guid.NewGuid().ToString("N");

        using var response = await service.GetMeAsync(service.SignWithOurKey(service.Header(), claims));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_hand_assembled_token_with_the_admin_role_reaches_the_admin_endpoint()
    {
        var claims = hs256.Claims();
        claims["roles"] = new JsonArray("admin");

        using var response = await hs256.SendAsync(HttpMethod.Get, "/api/stock-data/track", hs256.SignWithOurKey(hs256.Header(), claims));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task The_genuine_user_without_the_role_is_forbidden_on_the_admin_endpoint()
    {
        using var response = await hs256.SendAsync(HttpMethod.Get, "/api/stock-data/track", hs256.User.AccessToken);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Refusal.AssertProblem(response, await response.Content.ReadAsStringAsync(), "Admin access required");
    }
}
