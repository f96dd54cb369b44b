namespace Cream.Api.Audit;

/// <summary>
/// One security-relevant event: who, what, from where, and how it ended. Never a password,
/// token, refresh token, secret, or the email someone typed.
/// </summary>
public sealed class AuthEvent
{
    public long Id { get; set; }
    public DateTime OccurredAt { get; set; }
    public required string Type { get; set; }
    public required string Outcome { get; set; }

    /// <summary>The user the event is about, when known.</summary>
    public Guid? UserId { get; set; }
    public Guid? SessionId { get; set; }

    /// <summary>The admin who acted on <see cref="UserId"/>, for admin actions.</summary>
    public Guid? ActorId { get; set; }
    public string? ClientIp { get; set; }
    public string? UserAgent { get; set; }

    /// <summary>The request's id, also in its logs and its <c>X-Request-Id</c> response header.</summary>
    public string? RequestId { get; set; }

    /// <summary>A short machine-readable reason from a closed set (wrong_password, logout, role_removed...).</summary>
    public string? Reason { get; set; }
}

/// <summary>The event types written to the audit trail; <c>GET /api/admin/audit?type=</c> takes these.</summary>
public static class AuthEventTypes
{
    public const string Signup = "signup";
    public const string Login = "login";
    public const string Refresh = "refresh";
    public const string RefreshReuse = "refresh_reuse";
    public const string Logout = "logout";
    public const string LogoutAll = "logout_all";
    public const string SessionEnded = "session_ended";
    public const string TokenRevoked = "token_revoked";
    public const string PasswordChange = "password_change";
    public const string Lockout = "lockout";
    public const string AdminAccessDenied = "admin_access_denied";
    public const string RolesChanged = "roles_changed";
    public const string UserDisabled = "user_disabled";
    public const string UserEnabled = "user_enabled";
    public const string UserTokensRevoked = "user_tokens_revoked";
    public const string LastAdminRefused = "last_admin_refused";
    public const string VerificationSent = "verification_sent";
    public const string EmailVerified = "email_verified";
    public const string PasswordResetRequested = "password_reset_requested";
    public const string PasswordReset = "password_reset";

    /// <summary>A user deleted their own account (or was refused: wrong password).</summary>
    public const string AccountDeleted = "account_deleted";

    /// <summary>An admin deleted a user; the admin is the actor.</summary>
    public const string UserDeleted = "user_deleted";

    public const string TwoFactorSetup = "two_factor_setup";
    public const string TwoFactorEnabled = "two_factor_enabled";

    /// <summary>The password step of a login passed; an <c>mfa_token</c> waits for a code.</summary>
    public const string TwoFactorChallenge = "two_factor_challenge";
    public const string TwoFactorVerified = "two_factor_verified";
    public const string TwoFactorFailed = "two_factor_failed";
    public const string RecoveryCodeUsed = "recovery_code_used";
    public const string RecoveryCodesRenewed = "recovery_codes_renewed";
    public const string TwoFactorDisabled = "two_factor_disabled";

    /// <summary>An admin turned a user's two-factor off; the admin is the actor.</summary>
    public const string TwoFactorAdminReset = "two_factor_admin_reset";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal)
    {
        Signup, Login, Refresh, RefreshReuse, Logout, LogoutAll, SessionEnded, TokenRevoked, PasswordChange,
        Lockout, AdminAccessDenied, RolesChanged, UserDisabled, UserEnabled, UserTokensRevoked, LastAdminRefused,
        AccountDeleted, UserDeleted, TwoFactorSetup, TwoFactorEnabled, TwoFactorChallenge, TwoFactorVerified, TwoFactorFailed,
        RecoveryCodeUsed, RecoveryCodesRenewed, TwoFactorDisabled, TwoFactorAdminReset,
    };
}

public static class AuthEventOutcomes
{
    public const string Success = "success";
    public const string Failure = "failure";
}
