using System.Net;
using Cream.Api.Auth.Dpop;
using Cream.Api.Tests.Infrastructure;
using Cream.Client;

namespace Cream.Api.Tests.Client;

/// <summary>
/// The client against a service with <c>Dpop__RequireNonce</c>: one retry with the nonce the
/// service asked for (400 at the token endpoint, a 401 challenge at resources), and the latest
/// nonce reused so later requests need no retry.
/// </summary>
public sealed class CreamClientDpopNonceTests : IAsyncLifetime
{
    private const string Me = "/api/auth/me";
    private readonly SqliteApiFactory _factory = new() { Settings = new Dictionary<string, string?> { ["Dpop:RequireNonce"] = "true" } };

    public Task InitializeAsync() => ((IAsyncLifetime)_factory).InitializeAsync();

    public Task DisposeAsync() => ((IAsyncLifetime)_factory).DisposeAsync();

    [Fact]
    public async Task The_client_retries_once_with_the_nonce_asked_for_and_then_keeps_using_the_latest()
    {
        using var client = new TestClient(_factory, useDpop: true);

        var userId = await client.SignupAsync();

        Assert.Equal(
            [("/api/auth/signup", HttpStatusCode.BadRequest, false), ("/api/auth/signup", HttpStatusCode.Created, true), (Me, HttpStatusCode.OK, true)],
            client.Wire.Records.Select(r => (r.Path, r.Status, HasNonce(r))));
        Assert.True((await client.TokensAsync()).IsDpopBound);

        // The nonce it holds goes stale: the resource asks for a new one, once.
        _factory.Time.Advance(DpopNonces.Lifetime + TimeSpan.FromSeconds(1));
        client.Wire.Reset();
        Assert.Equal(userId, (await client.Api.GetMeAsync()).Id);
        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.OK], client.Wire.To(Me).Select(r => r.Status));
        Assert.Equal(0, client.Wire.Refreshes); // a nonce is not a reason to refresh

        // And again at the token endpoint, for the refresh the handler makes before expiry.
        _factory.Time.Advance(TimeSpan.FromMinutes(24));
        client.Wire.Reset();
        Assert.Equal(userId, (await client.Api.GetMeAsync()).Id);
        Assert.Equal(
            [("/api/auth/refresh", HttpStatusCode.BadRequest), ("/api/auth/refresh", HttpStatusCode.OK), (Me, HttpStatusCode.OK)],
            client.Wire.Records.Select(r => (r.Path, r.Status)));
    }

    [Fact]
    public async Task A_wrong_password_is_not_sent_twice_because_a_nonce_came_with_its_refusal()
    {
        using var client = new TestClient(_factory, useDpop: true);
        var email = ApiHelpers.NewEmail("nonce");
        await client.SignupAsync(email);
        client.Wire.Reset();

        var refused = await ClientTestKit.ThrowsAsync(HttpStatusCode.Unauthorized, null, () => client.Api.LoginAsync(email, "not the password"));

        Assert.Equal("invalid_grant", refused.Error);
        Assert.Equal([("/api/auth/login", HttpStatusCode.Unauthorized)], client.Wire.Records.Select(r => (r.Path, r.Status)));
    }

    private static bool HasNonce(WireRecord record) => DpopWire.ReadVerified(record.Proof!).Claims.ContainsKey("nonce");
}
