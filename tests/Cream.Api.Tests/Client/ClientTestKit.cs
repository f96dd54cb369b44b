using System.Collections.Concurrent;
using System.Net;
using Cream.Api.Tests.Infrastructure;
using Cream.Client;

namespace Cream.Api.Tests.Client;

/// <summary>One request as it left the auth handler, and the status the server answered; <paramref name="Proof"/> is its DPoP header, if any.</summary>
public sealed record WireRecord(HttpMethod Method, string Path, string? Authorization, HttpStatusCode Status, string? Proof = null);

/// <summary>
/// Sits below <see cref="CreamAuthHandler"/>, so it sees every request the handler sends,
/// refreshes included. It can also answer a request itself, to stand in for a failing server.
/// </summary>
public sealed class WireRecorder : DelegatingHandler
{
    private readonly ConcurrentQueue<WireRecord> _records = new();

    /// <summary>Returns a response instead of the server for the requests it chooses (null passes the request on).</summary>
    public Func<HttpRequestMessage, HttpResponseMessage?>? Intercept { get; set; }

    public IReadOnlyList<WireRecord> Records => [.. _records];

    public int CountOf(string path) => _records.Count(r => r.Path == path);

    public int Refreshes => CountOf("/api/auth/refresh");

    public IReadOnlyList<WireRecord> To(string path) => [.. _records.Where(r => r.Path == path)];

    public void Reset() => _records.Clear();

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = Intercept?.Invoke(request) ?? await base.SendAsync(request, cancellationToken);
        _records.Enqueue(new WireRecord(
            request.Method,
            request.RequestUri!.AbsolutePath,
            request.Headers.Authorization?.ToString(),
            response.StatusCode,
            request.Headers.TryGetValues("DPoP", out var proofs) ? string.Join(" | ", proofs) : null));
        return response;
    }
}

/// <summary>A <see cref="CreamClient"/> over the in-process server, with its store and the wire below its auth handler.</summary>
public sealed class TestClient : IDisposable
{
    public TestClient(CreamApiFactory factory, TimeSpan? refreshMargin = null, bool useDpop = false, ITokenStore? store = null)
    {
        Store = store ?? new InMemoryTokenStore();
        Wire = new WireRecorder { InnerHandler = factory.Server.CreateHandler() };
        Api = CreamClient.Create(factory.Server.BaseAddress, Store, factory.Time, Wire, refreshMargin, useDpop);
    }

    public CreamClient Api { get; }

    public ITokenStore Store { get; }

    public WireRecorder Wire { get; }

    public async Task<TokenSet> TokensAsync() => await Store.GetAsync() ?? throw new InvalidOperationException("The client is signed out.");

    public async Task<Guid> SignupAsync(string? email = null, string password = ApiHelpers.DefaultPassword)
    {
        await Api.SignupAsync(new SignupRequest(email ?? ApiHelpers.NewEmail("client"), password, "Client", "Tester"));
        return (await Api.GetMeAsync()).Id;
    }

    public void Dispose() => Api.Dispose();
}

public static class ClientTestKit
{
    public const string NotAuthenticated = "Not authenticated";
    public const string InvalidCredentials = "Could not validate credentials";
    public const string AdminRequired = "Admin access required";

    public static TestClient NewClient(this CreamApiFactory factory, TimeSpan? refreshMargin = null) => new(factory, refreshMargin);

    /// <summary>A client signed in as a new admin.</summary>
    public static async Task<TestClient> NewAdminClientAsync(this CreamApiFactory factory)
    {
        var admin = await factory.CreateAdminAsync();
        var client = factory.NewClient();
        await client.Api.LoginAsync(admin.Email, admin.Password);
        return client;
    }

    /// <summary>A client signed in as an existing user, through a session of its own.</summary>
    public static async Task<TestClient> NewClientForAsync(this CreamApiFactory factory, string email, string password = ApiHelpers.DefaultPassword)
    {
        var client = factory.NewClient();
        await client.Api.LoginAsync(email, password);
        return client;
    }

    /// <summary>Runs a call that must fail and returns the exception, asserting its status and the contract's detail.</summary>
    public static async Task<CreamApiException> ThrowsAsync(HttpStatusCode status, string? detail, Func<Task> call)
    {
        var exception = await Assert.ThrowsAsync<CreamApiException>(call);
        Assert.Equal(status, exception.StatusCode);
        if (detail is not null)
        {
            Assert.Equal(detail, exception.Detail);
        }

        return exception;
    }
}
