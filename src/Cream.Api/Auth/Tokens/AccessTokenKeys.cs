using System.Security.Cryptography;
using System.Text;
using Cream.Api.Auth.Keys;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Cream.Api.Auth.Tokens;

/// <summary>
/// The signing key, its credentials and the validation parameters, built once from
/// <see cref="JwtOptions"/> so that no request pays for them.
/// </summary>
public sealed class AccessTokenKeys
{
    public const string AccessTokenType = "at+jwt";

    /// <summary>RFC 9068 §4 allows the media-type spelling too.</summary>
    private static readonly string[] AcceptedTokenTypes = [AccessTokenType, "application/at+jwt"];

    /// <summary>
    /// Header parameters that would make us take a key, or an extension we do not
    /// understand, from the token itself (RFC 8725 §3.10, RFC 7515 §4.1.11).
    /// </summary>
    private static readonly string[] ForbiddenHeaderParameters = ["crit", "jku", "jwk", "x5u", "x5c"];

    private readonly TimeProvider _time;

    /// <param name="ring">The keys in force; without one, the HS256 key from <c>Jwt:Secret</c>.</param>
    public AccessTokenKeys(IOptions<JwtOptions> options, TimeProvider time, KeyRing? ring = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _time = time;
        var jwt = options.Value;
        Ring = ring ?? SymmetricRing(jwt);
        AccessTokenLifetime = TimeSpan.FromMinutes(jwt.AccessTokenMinutes);
        ValidationParameters = new TokenValidationParameters
        {
            ValidIssuer = jwt.Issuer,
            ValidAudience = jwt.Audience,
            ValidAlgorithms = [Ring.Algorithm],
            // Only the key named by the token's kid is tried, from our own ring: a token without
            // a kid, or naming an unknown or retired key, finds none and fails.
            IssuerSigningKeyResolver = ResolveKey,
            TryAllIssuerSigningKeys = false,
            ValidateIssuer = true,
            ValidateAudience = true,
            ValidateLifetime = true,
            ValidateIssuerSigningKey = true,
            RequireAudience = true,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ClockSkew = TimeSpan.FromSeconds(jwt.ClockSkewSeconds),
            NameClaimType = AccessTokenClaims.Subject,
            RoleClaimType = AccessTokenClaims.Roles,
            TypeValidator = ValidateTypeAndHeader,
            // The library reads the wall clock; ours reads the injected TimeProvider.
            LifetimeValidator = ValidateLifetime,
        };
    }

    public KeyRing Ring { get; }
    public SecurityKey SigningKey => Ring.Signing.Key;
    public SigningCredentials SigningCredentials => Ring.Signing;
    public TimeSpan AccessTokenLifetime { get; }
    public TokenValidationParameters ValidationParameters { get; }

    /// <summary>The HS256 ring: one secret key, published nowhere.</summary>
    public static KeyRing SymmetricRing(JwtOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var secret = Encoding.UTF8.GetBytes(options.Secret ?? throw new InvalidOperationException("Jwt:Secret is not set."));
        return new KeyRing(SecurityAlgorithms.HmacSha256, new SymmetricSecurityKey(secret) { KeyId = KeyIdFor(secret) });
    }

    private SecurityKey[] ResolveKey(string token, SecurityToken securityToken, string kid, TokenValidationParameters parameters) =>
        Ring.Find(kid) is { } key ? [key] : [];

    /// <summary>A stable key id that reveals nothing usable about the key.</summary>
    internal static string KeyIdFor(byte[] secret)
    {
        var digest = SHA256.HashData([.. "cream-kid:"u8, .. secret]);
        return Base64UrlEncoder.Encode(digest)[..16];
    }

    /// <summary>The library's lifetime rules (RFC 7519 §4.1.4-5) against <see cref="TimeProvider"/>.</summary>
    private bool ValidateLifetime(DateTime? notBefore, DateTime? expires, SecurityToken securityToken, TokenValidationParameters parameters)
    {
        if (expires is null)
        {
            throw new SecurityTokenNoExpirationException("The token has no expiration time.");
        }

        if (notBefore > expires)
        {
            throw new SecurityTokenInvalidLifetimeException("The token's nbf is after its exp.") { NotBefore = notBefore, Expires = expires };
        }

        var now = _time.GetUtcNow().UtcDateTime;
        if (notBefore is { } nbf && nbf > now + parameters.ClockSkew)
        {
            throw new SecurityTokenNotYetValidException("The token is not valid yet.") { NotBefore = nbf };
        }

        if (expires.Value < now - parameters.ClockSkew)
        {
            throw new SecurityTokenExpiredException("The token has expired.") { Expires = expires.Value };
        }

        return true;
    }

    /// <summary>
    /// Requires <c>typ</c> <c>at+jwt</c> (RFC 8725 §3.11) and refuses header parameters that
    /// point at keys or demand extensions. It runs as the type check, so every path that
    /// validates with <see cref="ValidationParameters"/> gets it.
    /// </summary>
    private static string ValidateTypeAndHeader(string type, SecurityToken securityToken, TokenValidationParameters parameters)
    {
        if (string.IsNullOrEmpty(type) || !AcceptedTokenTypes.Contains(type, StringComparer.OrdinalIgnoreCase))
        {
            throw new SecurityTokenInvalidTypeException("The token type is not at+jwt.") { InvalidType = type };
        }

        // Fail closed: a token whose header we cannot inspect is not accepted at all.
        if (securityToken is not Microsoft.IdentityModel.JsonWebTokens.JsonWebToken jwt)
        {
            throw new SecurityTokenInvalidTypeException("Only compact JWS access tokens are accepted.");
        }

        foreach (var parameter in ForbiddenHeaderParameters)
        {
            if (jwt.TryGetHeaderValue<object>(parameter, out _))
            {
                throw new SecurityTokenInvalidTypeException($"The token header carries '{parameter}', which is not accepted.");
            }
        }

        return type;
    }
}
