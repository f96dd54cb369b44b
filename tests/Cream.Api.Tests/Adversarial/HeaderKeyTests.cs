using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Cream.Api.Auth.Keys;
using Microsoft.IdentityModel.Tokens;

namespace Cream.Api.Tests.Adversarial;

/// <summary>
/// A loopback listener that a hostile <c>jku</c>, <c>x5u</c> or <c>x5c</c> points at: if the
/// service ever fetched a key from a token header, it would connect here. Nobody else knows the port.
/// </summary>
public sealed class OutboundTrap : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private int _connections;

    public OutboundTrap()
    {
        _listener.Start();
        Url = $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/.well-known/jwks.json";
        _ = AcceptAsync();
    }

    public string Url { get; }

    /// <summary>Connections accepted, plus any still waiting to be.</summary>
    public int Connections => Volatile.Read(ref _connections) + (_listener.Pending() ? 1 : 0);

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                using var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                Interlocked.Increment(ref _connections); // and hang up at once: nothing to serve
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // stopped
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        _stop.Dispose();
    }
}

/// <summary>
/// Keys and key locations in the token header (<c>jwk</c>, <c>jku</c>, <c>x5u</c>, <c>x5c</c>) and
/// <c>crit</c>, against HS256. Most are signed with our real secret, so the header alone must
/// cause the refusal; and no request ever leaves the service.
/// </summary>
public sealed class HmacHeaderKeyTests(Hs256Service service) : IClassFixture<Hs256Service>, IDisposable
{
    private static readonly byte[] AttackerSecret = RandomNumberGenerator.GetBytes(32);

    private readonly OutboundTrap _trap = new();

    private static readonly Dictionary<string, Func<Hs256Service, string, string>> Forgeries = new(StringComparer.Ordinal)
    {
        ["jwk: the attacker's oct key under our kid, signed with it"] = (s, _) =>
            Jws.SignHmac(With(s.Header(), "jwk", new JsonObject { ["kty"] = "oct", ["k"] = Base64UrlEncoder.Encode(AttackerSecret), ["kid"] = s.KeyId }), s.Claims(), AttackerSecret),
        ["jwk: an oct key, signed with our secret"] = (s, _) =>
            s.SignWithOurKey(With(s.Header(), "jwk", new JsonObject { ["kty"] = "oct", ["k"] = Base64UrlEncoder.Encode(AttackerSecret) }), s.Claims()),
        ["jku at the trap, signed with our secret"] = (s, url) => s.SignWithOurKey(With(s.Header(), "jku", url), s.Claims()),
        ["jku at the trap, unknown kid, signed with the attacker's secret"] = (s, url) =>
            Jws.SignHmac(With(With(s.Header(), "jku", url), "kid", "attacker"), s.Claims(), AttackerSecret),
        ["x5u at the trap, signed with our secret"] = (s, url) => s.SignWithOurKey(With(s.Header(), "x5u", url), s.Claims()),
        ["x5c holding the trap's URL, signed with our secret"] = (s, url) => s.SignWithOurKey(With(s.Header(), "x5c", new JsonArray(url)), s.Claims()),
        ["crit naming exp, signed with our secret"] = (s, _) => s.SignWithOurKey(With(s.Header(), "crit", new JsonArray("exp")), s.Claims()),
        ["crit naming an extension that is present, signed with our secret"] = (s, _) =>
            s.SignWithOurKey(With(With(s.Header(), "crit", new JsonArray("x-cream")), "x-cream", true), s.Claims()),
        ["crit empty, signed with our secret"] = (s, _) => s.SignWithOurKey(With(s.Header(), "crit", new JsonArray()), s.Claims()),
        ["crit naming b64 with b64 false (RFC 7797), signed with our secret"] = (s, _) =>
            s.SignWithOurKey(With(With(s.Header(), "b64", false), "crit", new JsonArray("b64")), s.Claims()),
    };

    public static TheoryData<string> Names => Cases.Names(Forgeries);

    [Theory]
    [MemberData(nameof(Names))]
    public async Task A_key_or_key_location_or_crit_in_the_header_is_refused_and_nothing_is_fetched(string name)
    {
        await service.AssertRefusedAsync(Forgeries[name](service, _trap.Url));

        Assert.Equal(0, _trap.Connections);
    }

    internal static JsonObject With(JsonObject header, string name, JsonNode? value)
    {
        header[name] = value;
        return header;
    }

    public void Dispose() => _trap.Dispose();
}

/// <summary>The same against RS256, with the attacker's own RSA key and certificate.</summary>
public sealed class RsaHeaderKeyTests(Rs256Service service) : IClassFixture<Rs256Service>, IDisposable
{
    private static readonly Lazy<RSA> Attacker = new(() => RSA.Create(2048));

    private readonly OutboundTrap _trap = new();

    private static string AttackerKid => KeyMaterial.Thumbprint(new RsaSecurityKey(Attacker.Value));

    private static JsonObject AttackerJwk(string kid)
    {
        var p = Attacker.Value.ExportParameters(false);
        return new JsonObject
        {
            ["kty"] = "RSA", ["use"] = "sig", ["alg"] = "RS256", ["kid"] = kid,
            ["n"] = Base64UrlEncoder.Encode(p.Modulus), ["e"] = Base64UrlEncoder.Encode(p.Exponent),
        };
    }

    private static JsonArray AttackerChain()
    {
        var request = new CertificateRequest("CN=cream-api", Attacker.Value, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return new JsonArray(Convert.ToBase64String(certificate.RawData));
    }

    private static string SignedByAttacker(JsonObject header, JsonObject claims) =>
        AdversarialService.Sign(header, claims, input => Jws.Rsa(Attacker.Value, input));

    private static readonly Dictionary<string, Func<Rs256Service, string, string>> Forgeries = new(StringComparer.Ordinal)
    {
        ["jwk: the attacker's key under its own kid, signed with it"] = (s, _) =>
            SignedByAttacker(HmacHeaderKeyTests.With(HmacHeaderKeyTests.With(s.Header(), "kid", AttackerKid), "jwk", AttackerJwk(AttackerKid)), s.Claims()),
        ["jwk: the attacker's key under our kid, signed with it"] = (s, _) =>
            SignedByAttacker(HmacHeaderKeyTests.With(s.Header(), "jwk", AttackerJwk(s.KeyId)), s.Claims()),
        ["jwk: the attacker's key, signed with our key"] = (s, _) =>
            s.SignWithOurKey(HmacHeaderKeyTests.With(s.Header(), "jwk", AttackerJwk(s.KeyId)), s.Claims()),
        ["jku at the trap, the attacker's kid, signed by the attacker"] = (s, url) =>
            SignedByAttacker(HmacHeaderKeyTests.With(HmacHeaderKeyTests.With(s.Header(), "kid", AttackerKid), "jku", url), s.Claims()),
        ["jku at the trap, signed with our key"] = (s, url) => s.SignWithOurKey(HmacHeaderKeyTests.With(s.Header(), "jku", url), s.Claims()),
        ["x5u at the trap, the attacker's kid, signed by the attacker"] = (s, url) =>
            SignedByAttacker(HmacHeaderKeyTests.With(HmacHeaderKeyTests.With(s.Header(), "kid", AttackerKid), "x5u", url), s.Claims()),
        ["x5c: the attacker's self-signed certificate, signed by the attacker"] = (s, _) =>
            SignedByAttacker(HmacHeaderKeyTests.With(HmacHeaderKeyTests.With(s.Header(), "kid", AttackerKid), "x5c", AttackerChain()), s.Claims()),
        ["x5c: the attacker's certificate under our kid, signed by the attacker"] = (s, _) =>
            SignedByAttacker(HmacHeaderKeyTests.With(s.Header(), "x5c", AttackerChain()), s.Claims()),
    };

    public static TheoryData<string> Names => Cases.Names(Forgeries);

    [Theory]
    [MemberData(nameof(Names))]
    public async Task A_key_or_key_location_in_the_header_is_refused_and_nothing_is_fetched(string name)
    {
        await service.AssertRefusedAsync(Forgeries[name](service, _trap.Url));

        Assert.Equal(0, _trap.Connections);
    }

    public void Dispose() => _trap.Dispose();
}
