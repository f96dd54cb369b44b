using System.ComponentModel.DataAnnotations;

namespace Cream.Api.Auth.Tokens;

/// <summary>The <c>Jwt</c> configuration section (environment variables <c>Jwt__*</c>).</summary>
public sealed class JwtOptions
{
    public const string SectionName = "Jwt";

    [Required(AllowEmptyStrings = false)]
    public string Issuer { get; set; } = "cream-api";

    [Required(AllowEmptyStrings = false)]
    public string Audience { get; set; } = "cream-api";

    public string Algorithm { get; set; } = "HS256";

    /// <summary>The HS256 key: at least 32 bytes of UTF-8, never a placeholder.</summary>
    public string? Secret { get; set; }

    /// <summary>RS256/ES256: the PEM private key that signs; without it, keys are kept in the database.</summary>
    public string? PrivateKeyPath { get; set; }

    /// <summary>RS256/ES256 with <see cref="PrivateKeyPath"/>: older keys (PEM, public or private) that still verify during a rotation.</summary>
    public string[]? VerificationKeyPaths { get; set; }

    [Range(1, 24 * 60)]
    public int AccessTokenMinutes { get; set; } = 30;

    [Range(1, 365)]
    public int RefreshTokenDays { get; set; } = 7;

    [Range(0, 300)]
    public int ClockSkewSeconds { get; set; } = 30;

    /// <summary>How long after a rotation a concurrent refresh with the old token still gets the same successor.</summary>
    [Range(0, 2)]
    public int RefreshReuseGraceSeconds { get; set; } = 2;
}
