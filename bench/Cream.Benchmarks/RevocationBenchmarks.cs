using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Cream.Api.Auth.Revocation;
using Cream.Api.Auth.State;
using Cream.Api.Auth.Tokens;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Cream.Benchmarks;

/// <summary>
/// What the revocation check adds to each authenticated request: the lookup alone, and full
/// access-token validation with and without it, over a state holding many revocations.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 8)]
public class RevocationBenchmarks
{
    private const int Revoked = 10_000;
    private readonly RevocationList _state = new();
    private AccessTokenKeys _keys = null!;
    private AccessTokenValidator _handler = null!;
    private JsonWebTokenHandler _libraryOnly = null!;
    private string _token = null!;
    private Guid _userId;
    private Guid _sessionId;
    private Guid _tokenKey;
    private long _issuedAt;

    [GlobalSetup]
    public void Setup()
    {
        var now = DateTimeOffset.UtcNow;
        for (var i = 0; i < Revoked; i++)
        {
            _state.Apply(new StateChange(StateChangeKind.Session, Guid.NewGuid().ToString(), now.AddHours(1).ToUnixTimeSeconds(), false, 1));
            _state.Apply(new StateChange(StateChangeKind.Token, Guid.NewGuid().ToString("N"), now.AddHours(1).ToUnixTimeSeconds(), false, 1));
            _state.Apply(new StateChange(StateChangeKind.User, Guid.NewGuid().ToString(), now.ToUnixTimeSeconds(), true, 1));
        }

        _state.Prune(now.ToUnixTimeSeconds()); // settled, as the resync leaves them

        var options = Options.Create(new JwtOptions { Secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48)) });
        _keys = new AccessTokenKeys(options, TimeProvider.System);
        _handler = new AccessTokenValidator(_state);
        _libraryOnly = new JsonWebTokenHandler { MapInboundClaims = false };
        _userId = Guid.NewGuid();
        _sessionId = Guid.NewGuid();
        var issued = new AccessTokenIssuer(_keys, options, TimeProvider.System)
            .Issue(new AccessTokenSubject(_userId, "ada@example.com", ["admin"], _sessionId));
        _token = issued.Token;
        _tokenKey = RevocationList.TokenKey(issued.TokenId);
        _issuedAt = now.ToUnixTimeSeconds();
    }

    [Benchmark(Description = "revocation lookup (user, session, jti)")]
    public bool RevocationLookup() => _state.IsRevoked(_userId, _sessionId, _tokenKey, _issuedAt);

    [Benchmark(Baseline = true, Description = "JsonWebTokenHandler.ValidateTokenAsync, same parameters")]
    public async Task<bool> LibraryValidation() => (await _libraryOnly.ValidateTokenAsync(_token, _keys.ValidationParameters)).IsValid;

    [Benchmark(Description = "AccessTokenValidator: validation + claims + revocation")]
    public async Task<bool> CreamValidation() => (await _handler.ValidateTokenAsync(_token, _keys.ValidationParameters)).IsValid;
}
