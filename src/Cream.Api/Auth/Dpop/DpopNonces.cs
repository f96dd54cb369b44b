using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using Cream.Api.Auth.Tokens;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;

namespace Cream.Api.Auth.Dpop;

/// <summary>
/// Server nonces (RFC 9449 sections 8 and 9) that keep no state: a nonce is the time it was
/// made, sealed with Data Protection, whose keys every instance shares through the database,
/// so any instance accepts a nonce another one issued. One nonce per half minute is handed out;
/// each stays acceptable for <see cref="Lifetime"/>.
/// </summary>
public sealed class DpopNonces(IDataProtectionProvider protection, IOptions<JwtOptions> jwt, TimeProvider time)
{
    /// <summary>How long a nonce is accepted after it was made.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(5);

    /// <summary>How often a new nonce is made (the one handed out in between is shared).</summary>
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(30);

    /// <summary>Longer than any nonce this service makes; anything longer is not read.</summary>
    private const int MaximumLength = 256;

    private readonly IDataProtector _protector = protection.CreateProtector("Cream.Auth.Dpop.Nonce.v1");
    private readonly TimeSpan _skew = TimeSpan.FromSeconds(jwt.Value.ClockSkewSeconds);
    private (long Period, string Nonce) _current = (-1, "");

    /// <summary>The nonce to hand out now.</summary>
    public string Current()
    {
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var period = now / (long)Period.TotalSeconds;
        var current = _current; // a tuple read can tear; a torn read at worst makes one more nonce
        if (current.Period == period && current.Nonce.Length > 0)
        {
            return current.Nonce;
        }

        Span<byte> made = stackalloc byte[sizeof(long)];
        BinaryPrimitives.WriteInt64BigEndian(made, now);
        var nonce = Base64Url.EncodeToString(_protector.Protect(made.ToArray()));
        _current = (period, nonce);
        return nonce;
    }

    /// <summary>True when this service made the nonce within <see cref="Lifetime"/> (and not in the future beyond the clock skew).</summary>
    public bool IsFresh(string? nonce)
    {
        if (nonce is not { Length: > 0 and <= MaximumLength } || nonce.AsSpan().ContainsAnyExcept(DpopProofValidator.Base64UrlCharacters))
        {
            return false;
        }

        byte[] made;
        try
        {
            made = _protector.Unprotect(Base64Url.DecodeFromChars(nonce));
        }
        catch (Exception exception) when (exception is CryptographicException or FormatException)
        {
            return false;
        }

        if (made.Length != sizeof(long))
        {
            return false;
        }

        var age = time.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(BinaryPrimitives.ReadInt64BigEndian(made));
        return age >= -_skew && age <= Lifetime;
    }
}
