using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Cream.Api.Tests.Infrastructure;
using Cream.Api.Tests.Keys;

namespace Cream.Api.Tests.Adversarial;

/// <summary>
/// One running service in one signing mode, a genuine user of it, and what an attacker test
/// needs: the genuine token's header and claims to start from, our own key to sign with when
/// the point is that something other than the key is wrong, and the requests themselves.
/// </summary>
public abstract class AdversarialService : IAsyncLifetime
{
    private readonly TempDirectory _folder = new();
    private HttpClient? _client;
    private TestUser? _user;

    protected AdversarialService(string algorithm, string? pemFormat)
    {
        Algorithm = algorithm;
        var settings = new Dictionary<string, string?> { ["Jwt:Algorithm"] = algorithm };
        if (pemFormat is not null)
        {
            PrivateKeyPath = PemKeys.Write(_folder.Path, pemFormat);
            settings["Jwt:PrivateKeyPath"] = PrivateKeyPath;
        }

        Factory = new SqliteApiFactory { Settings = settings };
    }

    public string Algorithm { get; }

    public SqliteApiFactory Factory { get; }

    /// <summary>The PEM private key the service signs with (RS256 and ES256).</summary>
    public string? PrivateKeyPath { get; }

    /// <summary>A user who signed up through the API; their token must keep working after every attack.</summary>
    public TestUser User => _user ?? throw new InvalidOperationException("The service has not started.");

    public HttpClient Client => _client ?? throw new InvalidOperationException("The service has not started.");

    /// <summary>The <c>kid</c> our service puts on its tokens.</summary>
    public string KeyId => Header()["kid"]!.GetValue<string>();

    /// <summary>The service's clock, in NumericDate seconds.</summary>
    public long Now => Factory.Time.GetUtcNow().ToUnixTimeSeconds();

    public async Task InitializeAsync()
    {
        await Factory.InitializeAsync();
        _client = Factory.CreateClient();
        _user = await _client.SignupAsync();
    }

    public async Task DisposeAsync()
    {
        _client?.Dispose();
        await ((IAsyncLifetime)Factory).DisposeAsync();
        DisposeKeys();
        _folder.Dispose();
    }

    protected virtual void DisposeKeys()
    {
    }

    /// <summary>A fresh copy of the genuine token's header.</summary>
    public JsonObject Header() => Jws.Read(User.AccessToken).Header;

    /// <summary>A fresh copy of the genuine token's claims (same user, session and times).</summary>
    public JsonObject Claims() => Jws.Read(User.AccessToken).Payload;

    /// <summary>The genuine header with another <c>alg</c>.</summary>
    public JsonObject Header(string alg)
    {
        var header = Header();
        header["alg"] = alg;
        return header;
    }

    /// <summary>The genuine claims under the genuine header with another <c>alg</c>, signed by <paramref name="sign"/>.</summary>
    public static string Sign(JsonNode? header, JsonNode? payload, Func<string, byte[]> sign)
    {
        ArgumentNullException.ThrowIfNull(sign);
        var input = Jws.SigningInput(header, payload);
        return Jws.Token(input, sign(input));
    }

    /// <summary>Signs the exact bytes given with the service's own key, in its own algorithm.</summary>
    public abstract byte[] SignWithOurKey(string signingInput);

    public string SignWithOurKey(JsonNode? header, JsonNode? payload) => Sign(header, payload, SignWithOurKey);

    /// <summary>Signs header and payload given as raw bytes (not necessarily JSON, nor UTF-8) with our key.</summary>
    public string SignWithOurKey(byte[] header, byte[] payload)
    {
        var input = Jws.Segment(header) + "." + Jws.Segment(payload);
        return Jws.Token(input, SignWithOurKey(input));
    }

    /// <summary>Sends the token exactly as given, unvalidated by the client, as <c>Authorization: Bearer ...</c>.</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string token, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        Assert.True(request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + token), "the test client refused the header");
        return await Client.SendAsync(request);
    }

    public Task<HttpResponseMessage> GetMeAsync(string token) => SendAsync(HttpMethod.Get, "/api/auth/me", token);

    /// <summary>The genuine token still answers 200 on <c>/api/auth/me</c>: no attack broke or revoked it.</summary>
    public async Task AssertGenuineStillWorksAsync()
    {
        using var response = await GetMeAsync(User.AccessToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>Sends a forged token to <c>/api/auth/me</c> and asserts the RFC 6750 refusal, then that the genuine token still works.</summary>
    public async Task AssertRefusedAsync(string token)
    {
        using (var response = await GetMeAsync(token))
        {
            await Refusal.AssertInvalidTokenAsync(response);
        }

        await AssertGenuineStillWorksAsync();
    }
}

/// <summary>The default deployment: HS256 with <c>Jwt:Secret</c>.</summary>
public sealed class Hs256Service() : AdversarialService("HS256", null)
{
    public byte[] Secret => Encoding.UTF8.GetBytes(Factory.JwtSecret);

    public override byte[] SignWithOurKey(string signingInput) => Jws.Hmac("HS256", Secret, signingInput);
}

/// <summary>RS256 with a PKCS#8 PEM key named by <c>Jwt:PrivateKeyPath</c>.</summary>
public sealed class Rs256Service : AdversarialService
{
    public Rs256Service()
        : base("RS256", "rsa-pkcs8")
    {
        Key.ImportFromPem(File.ReadAllText(PrivateKeyPath!));
    }

    public RSA Key { get; } = RSA.Create();

    public override byte[] SignWithOurKey(string signingInput) => Jws.Rsa(Key, signingInput);

    protected override void DisposeKeys() => Key.Dispose();
}

/// <summary>ES256 with a PKCS#8 PEM P-256 key named by <c>Jwt:PrivateKeyPath</c>.</summary>
public sealed class Es256Service : AdversarialService
{
    public Es256Service()
        : base("ES256", "ec-pkcs8")
    {
        Key.ImportFromPem(File.ReadAllText(PrivateKeyPath!));
    }

    public ECDsa Key { get; } = ECDsa.Create();

    public override byte[] SignWithOurKey(string signingInput) => Jws.Ecdsa(Key, signingInput);

    protected override void DisposeKeys() => Key.Dispose();
}
