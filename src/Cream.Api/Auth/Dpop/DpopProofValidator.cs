using System.Buffers;
using System.Text.Json;
using Cream.Api.Auth.Tokens;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Cream.Api.Auth.Dpop;

/// <summary>What a proof must match: the request it came with, and the access token it is for (resource requests).</summary>
/// <param name="Url">This service's URL for the request's path (from <c>Accounts__PublicBaseUrl</c>); null when it is not configured.</param>
/// <param name="BoundKey">The thumbprint the access token is bound to (<c>cnf.jkt</c>), on resource requests.</param>
public readonly record struct DpopRequest(string Method, string? Url, string? AccessToken, string? BoundKey = null);

/// <summary>A checked proof: the thumbprint of its key, or why it was refused.</summary>
public readonly record struct DpopResult(string? Thumbprint, DpopProblem? Problem)
{
    public static DpopResult Refused(string reason, string description) => new(null, DpopProblem.Invalid(reason, description));
}

/// <summary>
/// Checks one DPoP proof (RFC 9449 §4.3) against its request: one header, at most 8 KB, a
/// compact JWS with <c>typ</c> <c>dpop+jwt</c>, an allowed asymmetric <c>alg</c>, a public
/// <c>jwk</c> that verifies the signature (Microsoft.IdentityModel), <c>htm</c> and <c>htu</c>
/// of this request, a fresh <c>iat</c>, <c>ath</c> of the access token on resource requests,
/// a server nonce when required, and a <c>jti</c> not seen before for that key.
/// </summary>
public sealed class DpopProofValidator
{
    public const string HeaderName = "DPoP";
    public const string ProofType = "dpop+jwt";
    public const int MaximumProofBytes = 8 * 1024;
    private const int MaximumJtiLength = 256;

    internal static readonly SearchValues<char> Base64UrlCharacters =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");

    private static readonly SearchValues<char> CompactJwsCharacters =
        SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.");

    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false, MaximumTokenSizeInBytes = MaximumProofBytes };
    private readonly IDpopReplayCache _replays;
    private readonly DpopKeyCache _keys;
    private readonly DpopNonces _nonces;
    private readonly TimeProvider _time;
    private readonly DpopOptions _options;
    private readonly TimeSpan _skew;
    private readonly TimeSpan _lifetime;

    public DpopProofValidator(
        IDpopReplayCache replays, DpopKeyCache keys, DpopNonces nonces, IOptions<DpopOptions> options, IOptions<JwtOptions> jwt, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(jwt);
        _replays = replays;
        _keys = keys;
        _nonces = nonces;
        _time = time;
        _options = options.Value;
        _skew = TimeSpan.FromSeconds(jwt.Value.ClockSkewSeconds);
        _lifetime = TimeSpan.FromSeconds(_options.ProofLifetimeSeconds);
    }

    /// <summary>How long a used <c>jti</c> must be remembered: past it, the proof's <c>iat</c> is too old anyway.</summary>
    public TimeSpan ReplayWindow => _lifetime + _skew + _skew;

    /// <summary>The thumbprint of the proof's key, or the problem with the proof.</summary>
    public async ValueTask<DpopResult> ValidateAsync(StringValues headers, DpopRequest request)
    {
        if (headers.Count == 0 || string.IsNullOrEmpty(headers[0]))
        {
            return DpopResult.Refused("missing", "A DPoP proof is required: send one in the DPoP header.");
        }

        if (headers.Count > 1)
        {
            return DpopResult.Refused("several", "Send exactly one DPoP header.");
        }

        var proof = headers[0]!;
        if (proof.Length > MaximumProofBytes)
        {
            return DpopResult.Refused("too_large", $"A DPoP proof may be at most {MaximumProofBytes} bytes.");
        }

        if (proof.AsSpan().ContainsAnyExcept(CompactJwsCharacters) || proof.AsSpan().Count('.') != 2)
        {
            return DpopResult.Refused("malformed", "The DPoP proof must be a compact JWS.");
        }

        JsonWebToken jwt;
        try
        {
            jwt = new JsonWebToken(proof);
        }
        catch (Exception exception) when (IsMalformed(exception))
        {
            return DpopResult.Refused("malformed", "The DPoP proof must be a compact JWS.");
        }

        try
        {
            return await ValidateAsync(jwt, proof, request).ConfigureAwait(false);
        }
        catch (Exception exception) when (IsMalformed(exception))
        {
            // A header member the library parsed lazily, or a jwk string, that is not what it claims to be.
            return DpopResult.Refused("malformed", "The DPoP proof's header cannot be read.");
        }
    }

    private async ValueTask<DpopResult> ValidateAsync(JsonWebToken jwt, string proof, DpopRequest request)
    {
        if (!string.Equals(jwt.Typ, ProofType, StringComparison.Ordinal))
        {
            return DpopResult.Refused("typ", "The DPoP proof's typ must be dpop+jwt.");
        }

        if (Array.IndexOf(DpopProofKey.Algorithms, jwt.Alg) < 0)
        {
            return DpopResult.Refused("alg", $"The DPoP proof's alg must be one of {DpopProofKey.AlgorithmList}.");
        }

        if (jwt.TryGetHeaderValue<object>("crit", out _))
        {
            return DpopResult.Refused("crit", "The DPoP proof's header names extensions this service does not know (crit).");
        }

        if (!jwt.TryGetHeaderValue<JsonElement>("jwk", out var jwk))
        {
            return DpopResult.Refused("jwk", "The DPoP proof's header must hold the public key (jwk).");
        }

        var (key, keyRefusal) = DpopProofKey.Read(jwk, jwt.Alg);
        if (key is null)
        {
            return DpopResult.Refused("jwk", keyRefusal!);
        }

        if (request.BoundKey is { } bound && !string.Equals(bound, key.Thumbprint, StringComparison.Ordinal))
        {
            // Known before any key is imported or signature checked: this proof cannot be the token's.
            return DpopResult.Refused("key_mismatch", "The DPoP proof is signed by another key than the one this token is bound to.");
        }

        var secondDot = proof.LastIndexOf('.');
        var firstDot = proof.IndexOf('.', StringComparison.Ordinal);
        var (claims, claimsRefusal) = DpopProofClaims.Read(proof.AsSpan(firstDot + 1, secondDot - firstDot - 1));
        if (claims is null)
        {
            return DpopResult.Refused("claims", claimsRefusal!);
        }

        if (CheckClaims(claims, request) is { } claimProblem)
        {
            return new(null, claimProblem);
        }

        var securityKey = _keys.GetOrImport(key);
        var verified = securityKey is null ? null : await _handler.ValidateTokenAsync(jwt, SignatureParameters(securityKey, jwt.Alg)).ConfigureAwait(false);
        if (verified is not { IsValid: true })
        {
            return DpopResult.Refused("signature", "The DPoP proof's signature does not verify with its jwk.");
        }

        // Only a proof that is genuine in every other way may claim its jti.
        if (_options.RequireNonce && !_nonces.IsFresh(claims.Nonce))
        {
            return new(null, new DpopProblem(DpopProblem.UseNonce, claims.Nonce is null ? "nonce_missing" : "nonce_stale",
                "Send a DPoP proof with the nonce from the DPoP-Nonce response header."));
        }

        return await _replays.TryUseAsync(key.Thumbprint, claims.Jti!, ReplayWindow).ConfigureAwait(false)
            ? new(key.Thumbprint, null)
            : DpopResult.Refused("replayed", "This DPoP proof was already used: make a new one for every request.");
    }

    private DpopProblem? CheckClaims(DpopProofClaims claims, DpopRequest request)
    {
        if (claims.Jti is not { Length: > 0 and <= MaximumJtiLength })
        {
            return DpopProblem.Invalid("jti", $"The DPoP proof needs a jti of 1 to {MaximumJtiLength} characters.");
        }

        if (!string.Equals(claims.Htm, request.Method, StringComparison.Ordinal))
        {
            return DpopProblem.Invalid("htm", "The DPoP proof's htm must be this request's method.");
        }

        if (request.Url is null)
        {
            return DpopProblem.Invalid("htu_unconfigured",
                "This service cannot check htu: Accounts__PublicBaseUrl is not configured.");
        }

        if (!DpopProofUrls.SameUrl(claims.Htu, request.Url))
        {
            return DpopProblem.Invalid("htu", "The DPoP proof's htu must be this request's URL, without query or fragment.");
        }

        if (claims.Iat is not { } iat)
        {
            return DpopProblem.Invalid("iat", "The DPoP proof needs an iat.");
        }

        var age = _time.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(iat, -62_135_596_800L, 253_402_300_799L));
        if (age > _lifetime + _skew)
        {
            return DpopProblem.Invalid("iat_old", "The DPoP proof is too old: make a new one for every request.");
        }

        if (age < -_skew)
        {
            return DpopProblem.Invalid("iat_future", "The DPoP proof's iat is in the future.");
        }

        if (request.AccessToken is { } accessToken && !string.Equals(claims.Ath, DpopProofUrls.AccessTokenHash(accessToken), StringComparison.Ordinal))
        {
            return DpopProblem.Invalid("ath", "The DPoP proof's ath must be the base64url SHA-256 of the access token.");
        }

        return null;
    }

    /// <summary>What reading attacker-made JSON and base64url can throw: refusals, never a 500.</summary>
    private static bool IsMalformed(Exception exception) =>
        exception is ArgumentException or FormatException or JsonException or InvalidOperationException or SecurityTokenMalformedException;

    /// <summary>
    /// The library checks only the signature, <c>alg</c> and <c>typ</c> here: a proof names no
    /// issuer or audience and carries no <c>exp</c> (RFC 9449 §4.2), and what stands in for them
    /// (<c>htm</c>, <c>htu</c>, <c>iat</c>, <c>jti</c>, <c>ath</c>) was checked above; the key is the
    /// proof's own, checked by <see cref="DpopProofKey"/>.
    /// </summary>
    private static TokenValidationParameters SignatureParameters(SecurityKey key, string algorithm) => new()
    {
        IssuerSigningKey = key,
        ValidAlgorithms = [algorithm],
        ValidTypes = [ProofType],
        ValidateIssuer = false,
        ValidateAudience = false,
        ValidateLifetime = false, // a proof has no exp: its iat is checked above
        RequireExpirationTime = false,
        RequireSignedTokens = true,
        ValidateIssuerSigningKey = false,
        TryAllIssuerSigningKeys = true, // the one key given: a proof has no kid to select it by
    };
}
