using System.ComponentModel.DataAnnotations;

namespace Cream.Api.Auth.Passwords;

/// <summary>The <c>Passwords</c> configuration section.</summary>
public sealed class PasswordOptions
{
    public const string SectionName = "Passwords";

    /// <summary>OWASP's figure for PBKDF2-HMAC-SHA512 (Password Storage Cheat Sheet, 2023 onwards).</summary>
    public const int RecommendedIterations = 210_000;

    public const int MinimumLength = 8;

    /// <summary>In code points; see <see cref="PasswordPolicy"/>.</summary>
    public const int MaximumLength = 128;

    /// <summary>The most UTF-16 units a password of <see cref="MaximumLength"/> code points can take: a cheap bound before hashing.</summary>
    public const int MaximumUtf16Length = 2 * MaximumLength;

    /// <summary>PBKDF2 iterations for new hashes; stored hashes with fewer are re-hashed at login.</summary>
    [Range(10_000, 10_000_000)]
    public int Iterations { get; set; } = RecommendedIterations;

    /// <summary>
    /// Password hashes computed at once; 0 means one less than the cores (at least one), so a
    /// login storm always leaves a core for validating tokens.
    /// </summary>
    [Range(0, 1024)]
    public int MaxConcurrentHashes { get; set; }

    /// <summary>How long a sign-in waits for a hashing slot before it is answered 503.</summary>
    [Range(0, 60)]
    public int HashQueueSeconds { get; set; } = 5;
}
