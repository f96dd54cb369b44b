using Cream.Api.Audit;
using Cream.Api.Auth.Accounts;
using Cream.Api.Auth.BruteForce;
using Cream.Api.Auth.Revocation;
using Cream.Api.Auth.State;
using Cream.Api.Common;
using Cream.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace Cream.Api.Auth.TwoFactor;

public enum TwoFactorOutcome
{
    Done,
    WrongPassword,
    WrongCode,
    BackingOff,
    AlreadyOn,
    NotOn,

    /// <summary>Confirm without a pending secret: setup was never started (or was reset).</summary>
    NoPendingSetup,
    NotFound,
}

/// <param name="Secret">With a started setup: the pending secret and its URI.</param>
/// <param name="RecoveryCodes">With a confirmed setup or renewed codes: shown once, never stored.</param>
public sealed record TwoFactorResult(
    TwoFactorOutcome Outcome, long RetryAfterSeconds = 0, NewTotpSecret? Secret = null, IReadOnlyList<string>? RecoveryCodes = null);

/// <summary>
/// A user's two-factor settings once it is on: new recovery codes (for a code), turning it off
/// (for the password and a code), and an admin turning it off. Every password and code is
/// checked under the login backoff; turning it off is a credential change that ends the other
/// sessions (ADR 19).
/// </summary>
internal sealed class TwoFactorSettings(
    CreamDbContext db,
    PasswordReentry reentry,
    SecondFactor secondFactor,
    BruteForceGuard guard,
    Revoker revoker,
    StateBus bus,
    TwoFactorEvents events,
    TimeProvider time)
{
    /// <summary>New recovery codes for a code (TOTP or recovery); the old ones stop working.</summary>
    public async Task<TwoFactorResult> RenewRecoveryCodesAsync(Guid userId, Guid sessionId, string? code, ClientInfo client, CancellationToken cancellationToken)
    {
        var user = await db.Users.AsNoTracking().Where(u => u.Id == userId && u.TwoFactorEnabled && u.TwoFactorSecret != null)
            .Select(u => new { u.Email, Secret = u.TwoFactorSecret! }).FirstOrDefaultAsync(cancellationToken);
        if (user is null)
        {
            return new(TwoFactorOutcome.NotOn);
        }

        if (await guard.ClaimPasswordCheckAsync(user.Email, client) is { } retryAfter)
        {
            return new(TwoFactorOutcome.BackingOff, retryAfter);
        }

        var check = await secondFactor.CheckAsync(userId, user.Secret, code, cancellationToken);
        if (!SecondFactor.IsAccepted(check))
        {
            await events.CodeFailedAsync(userId, sessionId, check, "recovery_codes", client.IpAddress);
            return new(TwoFactorOutcome.WrongCode);
        }

        var codes = TotpCodes.NewRecoveryCodes();
        await revoker.InTransactionAsync(token => ReplaceRecoveryCodesAsync(db, userId, codes, time.GetUtcNow().UtcDateTime, token), cancellationToken);
        await guard.LoginSucceededAsync(user.Email);
        await events.VerifiedAsync(userId, sessionId, check, "recovery_codes");
        await events.RecoveryCodesRenewedAsync(userId, sessionId);
        return new(TwoFactorOutcome.Done, RecoveryCodes: codes);
    }

    /// <summary>Turns two-factor off for the password and a code; every other session of the user ends.</summary>
    public async Task<TwoFactorResult> DisableAsync(Guid userId, Guid sessionId, string? password, string? code, ClientInfo client, CancellationToken cancellationToken)
    {
        var check = await reentry.CheckWithCodeAsync(userId, password, code, client, cancellationToken);
        if (Refusal(check) is { } refused)
        {
            await ReportRefusalAsync(userId, sessionId, check, "disable", client);
            return refused;
        }

        if (check.Code is not { } used)
        {
            return new(TwoFactorOutcome.NotOn); // nothing asked for a code: two-factor is off already
        }

        var changed = false;
        await revoker.InTransactionAsync(async token =>
        {
            changed = await TurnOffAsync(userId, check.SecurityStamp, token);
            if (changed)
            {
                await revoker.RevokeSessionsAsync(userId, keepSessionId: sessionId, "two_factor_disabled", token);
            }
        }, cancellationToken);
        if (!changed)
        {
            await events.ChangeRefusedAsync(AuthEventTypes.TwoFactorDisabled, userId, sessionId, "credentials_changed");
            return new(TwoFactorOutcome.WrongPassword); // the password (or two-factor) changed after it was checked
        }

        await bus.PublishAsync(StateChange.ProfileChanged(userId, time.GetUtcNow()));
        await events.VerifiedAsync(userId, sessionId, used, "disable");
        await events.DisabledAsync(userId, sessionId);
        return new(TwoFactorOutcome.Done);
    }

    /// <summary>An admin turns a user's two-factor off (the locked-out user), ending every session of it.</summary>
    public async Task<TwoFactorOutcome> ResetAsync(Guid userId, Guid adminId, CancellationToken cancellationToken)
    {
        if (!await db.Users.AnyAsync(u => u.Id == userId, cancellationToken))
        {
            return TwoFactorOutcome.NotFound;
        }

        var changed = false;
        await revoker.InTransactionAsync(async token =>
        {
            changed = await TurnOffAsync(userId, securityStamp: null, token);
            if (changed)
            {
                await revoker.EndEverySessionAsync(userId, active: null, "two_factor_reset", token);
            }
        }, cancellationToken);
        if (!changed)
        {
            return TwoFactorOutcome.NotOn;
        }

        await bus.PublishAsync(StateChange.ProfileChanged(userId, time.GetUtcNow()));
        await events.AdminResetAsync(userId, adminId);
        return TwoFactorOutcome.Done;
    }

    /// <summary>Off, secret and recovery codes gone, waiting logins voided, the stamp moved; false when there was nothing to turn off.</summary>
    private async Task<bool> TurnOffAsync(Guid userId, long? securityStamp, CancellationToken token)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var changed = await db.Users
            .Where(u => u.Id == userId && (u.TwoFactorEnabled || u.TwoFactorSecret != null) && (securityStamp == null || u.SecurityStamp == securityStamp))
            .ExecuteUpdateAsync(set => set
                .SetProperty(u => u.TwoFactorEnabled, false)
                .SetProperty(u => u.TwoFactorSecret, (string?)null)
                .SetProperty(u => u.TwoFactorLastStep, (long?)null)
                .SetProperty(u => u.SecurityStamp, u => u.SecurityStamp + 1)
                .SetProperty(u => u.UpdatedAt, now), token) == 1;
        if (changed)
        {
            await db.RecoveryCodes.Where(c => c.UserId == userId).ExecuteDeleteAsync(token);
            await db.MfaChallenges.Where(c => c.UserId == userId).ExecuteDeleteAsync(token);
        }

        return changed;
    }

    /// <summary>The user's recovery codes replaced by <paramref name="codes"/> (hashed), in the caller's transaction.</summary>
    internal static async Task ReplaceRecoveryCodesAsync(CreamDbContext db, Guid userId, IEnumerable<string> codes, DateTime now, CancellationToken token)
    {
        await db.RecoveryCodes.Where(c => c.UserId == userId).ExecuteDeleteAsync(token);
        db.RecoveryCodes.AddRange(TotpCodes.RecoveryRows(userId, codes, now));
        await db.SaveChangesAsync(token);
        db.ChangeTracker.Clear();
    }

    /// <summary>The answer to a password (and code) check that failed; null when it passed.</summary>
    internal static TwoFactorResult? Refusal(ReentryResult check) => check.Outcome switch
    {
        ReentryOutcome.Confirmed => null,
        ReentryOutcome.BackingOff => new(TwoFactorOutcome.BackingOff, check.RetryAfterSeconds),
        ReentryOutcome.WrongCode or ReentryOutcome.CodeRequired => new(TwoFactorOutcome.WrongCode),
        _ => new(TwoFactorOutcome.WrongPassword),
    };

    private Task ReportRefusalAsync(Guid userId, Guid sessionId, ReentryResult check, string step, ClientInfo client) => check.Outcome switch
    {
        ReentryOutcome.WrongCode => events.CodeFailedAsync(userId, sessionId, check.Code ?? CodeCheck.Wrong, step, client.IpAddress),
        ReentryOutcome.Wrong => events.ChangeRefusedAsync(AuthEventTypes.TwoFactorDisabled, userId, sessionId, "wrong_password"),
        _ => Task.CompletedTask,
    };
}
