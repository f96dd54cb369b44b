namespace Cream.Api.Users;

/// <summary>A person who can sign in. Keeps the first version's <c>app_users</c> columns.</summary>
public sealed class AppUser
{
    public Guid Id { get; set; }

    /// <summary>The email as the user typed it, trimmed and NFC-normalised.</summary>
    public required string Email { get; set; }

    /// <summary>The unique lookup key: <see cref="EmailAddress.Key"/> of the email.</summary>
    public required string NormalizedEmail { get; set; }

    /// <summary>Password hash (the column is called <c>password</c> in the first version).</summary>
    public required string PasswordHash { get; set; }

    public required string FirstName { get; set; }
    public required string LastName { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public bool IsVerified { get; set; }
    public bool IsActive { get; set; }
    public DateTime? LastLogin { get; set; }
    /// <summary>SHA-256 (hex) of the one live password reset link's token; null when there is none.</summary>
    public string? PasswordResetToken { get; set; }

    public DateTime? PasswordResetExpires { get; set; }

    /// <summary>SHA-256 (hex) of the one live verification link's token; null when there is none.</summary>
    public string? EmailVerificationToken { get; set; }

    public DateTime? EmailVerificationExpires { get; set; }

    /// <summary>True once a TOTP secret was confirmed with a code; false while one is only pending.</summary>
    public bool TwoFactorEnabled { get; set; }

    /// <summary>The TOTP secret (pending or confirmed), encrypted with Data Protection; never the secret itself.</summary>
    public string? TwoFactorSecret { get; set; }

    /// <summary>The last TOTP time step accepted: a code of this step or an earlier one is refused (RFC 6238 §5.2).</summary>
    public long? TwoFactorLastStep { get; set; }

    /// <summary>
    /// Access tokens of this user issued at or before this second are refused (logout
    /// everywhere, a removed role, an admin's revoke). Null when nothing was ever revoked.
    /// </summary>
    public DateTime? TokensValidAfter { get; set; }

    /// <summary>
    /// Moves on with every credential change (password, roles, disabling): a sign-in or refresh
    /// that read an older value creates no session and no token (see "Credential changes win
    /// every race" in docs/decisions/0012-credential-races.md).
    /// </summary>
    public long SecurityStamp { get; set; }

    /// <summary>Role names carried in the access token's <c>roles</c> claim.</summary>
    public List<string> Roles { get; set; } = [];
}
