using Cream.Api.Audit;
using Cream.Api.Auth.Accounts;
using Cream.Api.Auth.BruteForce;
using Cream.Api.Auth.Revocation;
using Cream.Api.Auth.State;
using Cream.Api.Common;
using Cream.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace Cream.Api.Auth.TwoFactor;

/// <summary>
/// Turning two-factor on: setup (a pending secret, for the password) and confirmation (a code of
/// it turns two-factor on and returns the first recovery codes). Both are checked under the login
/// backoff. Turning it on moves the security stamp, so a password-only login running meanwhile
/// opens nothing (ADR 19).
/// </summary>
internal sealed class TwoFactorEnrolment(
    CreamDbContext db,
    PasswordReentry reentry,
    TotpCodes totp,
    BruteForceGuard guard,
    Revoker revoker,
    StateBus bus,
    TwoFactorEvents events,
    TimeProvider time)
{
    /// <summary>Starts setup: a new pending secret replaces any earlier pending one.</summary>
    public async Task<TwoFactorResult> BeginAsync(Guid userId, Guid sessionId, string? password, ClientInfo client, CancellationToken cancellationToken)
    {
        var check = await reentry.CheckAsync(userId, password, client, cancellationToken);
        if (TwoFactorSettings.Refusal(check) is { } refused)
        {
            if (check.Outcome == ReentryOutcome.Wrong)
            {
                await events.ChangeRefusedAsync(AuthEventTypes.TwoFactorSetup, userId, sessionId, "wrong_password");
            }

            return refused;
        }

        var email = await db.Users.Where(u => u.Id == userId).Select(u => u.Email).FirstAsync(cancellationToken);
        var secret = totp.NewSecret(email);
        var stored = await db.Users.Where(u => u.Id == userId && !u.TwoFactorEnabled && u.SecurityStamp == check.SecurityStamp)
            .ExecuteUpdateAsync(set => set.SetProperty(u => u.TwoFactorSecret, secret.Protected).SetProperty(u => u.TwoFactorLastStep, (long?)null), cancellationToken);
        if (stored != 1)
        {
            return new(TwoFactorOutcome.AlreadyOn);
        }

        await events.SetupStartedAsync(userId, sessionId);
        return new(TwoFactorOutcome.Done, Secret: secret);
    }

    /// <summary>A code of the pending secret turns two-factor on and returns the first recovery codes.</summary>
    public async Task<TwoFactorResult> ConfirmAsync(Guid userId, Guid sessionId, string? code, ClientInfo client, CancellationToken cancellationToken)
    {
        var user = await db.Users.AsNoTracking().Where(u => u.Id == userId)
            .Select(u => new { u.Email, u.TwoFactorEnabled, u.TwoFactorSecret }).FirstOrDefaultAsync(cancellationToken);
        if (user is null || user.TwoFactorEnabled || user.TwoFactorSecret is null)
        {
            return new(user is null ? TwoFactorOutcome.NotFound : user.TwoFactorEnabled ? TwoFactorOutcome.AlreadyOn : TwoFactorOutcome.NoPendingSetup);
        }

        if (await guard.ClaimPasswordCheckAsync(user.Email, client) is { } retryAfter)
        {
            return new(TwoFactorOutcome.BackingOff, retryAfter);
        }

        if (code is not { Length: <= SecondFactor.MaxCodeLength } || totp.MatchStep(user.TwoFactorSecret, TotpCodes.Normalize(code)) is not { } step)
        {
            await events.CodeFailedAsync(userId, sessionId, CodeCheck.Wrong, "confirm", client.IpAddress);
            return new(TwoFactorOutcome.WrongCode);
        }

        var codes = TotpCodes.NewRecoveryCodes();
        var outcome = TwoFactorOutcome.Done;
        await revoker.InTransactionAsync(async token =>
        {
            var now = time.GetUtcNow().UtcDateTime;
            // On with the secret the code was checked against; the stamp moves: a password-only
            // login that read the user before this creates no session.
            var enabled = await db.Users.Where(u => u.Id == userId && !u.TwoFactorEnabled && u.TwoFactorSecret == user.TwoFactorSecret)
                .ExecuteUpdateAsync(set => set
                    .SetProperty(u => u.TwoFactorEnabled, true)
                    .SetProperty(u => u.TwoFactorLastStep, step)
                    .SetProperty(u => u.SecurityStamp, u => u.SecurityStamp + 1)
                    .SetProperty(u => u.UpdatedAt, now), token);
            if (enabled != 1)
            {
                outcome = TwoFactorOutcome.NoPendingSetup; // turned on, reset or replaced meanwhile
                return;
            }

            await TwoFactorSettings.ReplaceRecoveryCodesAsync(db, userId, codes, now, token);
        }, cancellationToken);
        if (outcome != TwoFactorOutcome.Done)
        {
            return new(outcome);
        }

        await guard.LoginSucceededAsync(user.Email);
        await bus.PublishAsync(StateChange.ProfileChanged(userId, time.GetUtcNow()));
        await events.EnabledAsync(userId, sessionId);
        return new(TwoFactorOutcome.Done, RecoveryCodes: codes);
    }
}
