using System.Diagnostics.Metrics;
using Cream.Api.Audit;

namespace Cream.Api.Auth.TwoFactor;

/// <summary>
/// Two-factor outcomes, each logged (ids 1300-1319), counted (<c>cream.auth.two_factor</c>, tags
/// <c>event</c> and <c>outcome</c>) and audited together. Never a secret, code or <c>mfa_token</c>.
/// </summary>
public sealed class TwoFactorEvents(AuditTrail audit, AuthMetrics metrics, ILogger<TwoFactorEvents> logger)
{
    private readonly Counter<long> _events = metrics.Meter.CreateCounter<long>(
        "cream.auth.two_factor", "{event}", "Two-factor events: setup, enabled, challenged, verified, failed codes, recovery codes used, disabled, admin resets");

    public Task SetupStartedAsync(Guid userId, Guid sessionId)
    {
        Log.SetupStarted(logger, userId);
        Count("setup", success: true);
        return audit.SucceededAsync(AuthEventTypes.TwoFactorSetup, userId, sessionId);
    }

    public Task EnabledAsync(Guid userId, Guid sessionId)
    {
        Log.Enabled(logger, userId);
        Count("enabled", success: true);
        return audit.SucceededAsync(AuthEventTypes.TwoFactorEnabled, userId, sessionId);
    }

    /// <summary>The password was right; the login waits for a code (an <c>mfa_token</c> was issued).</summary>
    public Task ChallengedAsync(Guid userId)
    {
        Log.Challenged(logger, userId);
        Count("challenged", success: true);
        return audit.SucceededAsync(AuthEventTypes.TwoFactorChallenge, userId);
    }

    /// <param name="step"><c>login</c>, <c>confirm</c>, <c>recovery_codes</c>, <c>disable</c> or <c>delete</c>: where the code was asked.</param>
    public Task VerifiedAsync(Guid userId, Guid? sessionId, CodeCheck check, string step)
    {
        Log.Verified(logger, userId, step, check == CodeCheck.RecoveryCode ? "recovery_code" : "totp");
        Count("verified", success: true);
        if (check != CodeCheck.RecoveryCode)
        {
            return audit.SucceededAsync(AuthEventTypes.TwoFactorVerified, userId, sessionId, step);
        }

        Count("recovery_code_used", success: true);
        return audit.SucceededAsync(AuthEventTypes.RecoveryCodeUsed, userId, sessionId, step);
    }

    /// <param name="check"><see cref="CodeCheck.Wrong"/> or <see cref="CodeCheck.Replayed"/>.</param>
    /// <param name="step">Where the code was asked (see <see cref="VerifiedAsync"/>).</param>
    public Task CodeFailedAsync(Guid userId, Guid? sessionId, CodeCheck check, string step, string? clientIp)
    {
        var reason = check == CodeCheck.Replayed ? "replayed_code" : "wrong_code";
        Log.CodeFailed(logger, userId, step, reason, clientIp);
        Count("failed_code", success: false);
        return audit.FailedAsync(AuthEventTypes.TwoFactorFailed, userId, sessionId, $"{step}:{reason}");
    }

    /// <summary>An unknown, expired, used or exhausted <c>mfa_token</c>: counted and logged, not audited (it names no account).</summary>
    public void TokenRefused(string? clientIp)
    {
        Log.TokenRefused(logger, clientIp);
        Count("token_refused", success: false);
    }

    public Task RecoveryCodesRenewedAsync(Guid userId, Guid sessionId)
    {
        Log.RecoveryCodesRenewed(logger, userId);
        Count("recovery_codes_renewed", success: true);
        return audit.SucceededAsync(AuthEventTypes.RecoveryCodesRenewed, userId, sessionId);
    }

    public Task DisabledAsync(Guid userId, Guid sessionId)
    {
        Log.Disabled(logger, userId);
        Count("disabled", success: true);
        return audit.SucceededAsync(AuthEventTypes.TwoFactorDisabled, userId, sessionId);
    }

    /// <summary>A change refused for a wrong password (<c>wrong_password</c>) or a credential change meanwhile (<c>credentials_changed</c>).</summary>
    public Task ChangeRefusedAsync(string type, Guid userId, Guid sessionId, string reason) =>
        audit.FailedAsync(type, userId, sessionId, reason);

    public Task AdminResetAsync(Guid userId, Guid adminId)
    {
        Log.AdminReset(logger, userId, adminId);
        Count("admin_reset", success: true);
        return audit.SucceededAsync(AuthEventTypes.TwoFactorAdminReset, userId, actorId: adminId);
    }

    private void Count(string name, bool success) =>
        _events.Add(1, new KeyValuePair<string, object?>("event", name), new KeyValuePair<string, object?>("outcome", success ? "success" : "failure"));
}
