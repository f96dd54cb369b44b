using Cream.Api.Data;
using Microsoft.EntityFrameworkCore;

namespace Cream.Api.Auth.TwoFactor;

/// <summary>What a two-factor code turned out to be.</summary>
public enum CodeCheck
{
    /// <summary>No code of this account: wrong, malformed, or a used recovery code.</summary>
    Wrong,

    /// <summary>A right TOTP code of a time step already used (or older than the last one used): a replay.</summary>
    Replayed,

    /// <summary>A right TOTP code, now spent with its time step.</summary>
    Totp,

    /// <summary>A right recovery code, now spent.</summary>
    RecoveryCode,
}

/// <summary>
/// Checks the second factor of a user with two-factor on: a TOTP code or a recovery code, each
/// spent by one conditional statement, so that two requests with one code cannot both pass: the
/// time step by <c>UPDATE ... WHERE two_factor_last_step &lt; @step</c>, the recovery code by
/// deleting its row. The caller counts the attempt against the login backoff.
/// </summary>
public sealed class SecondFactor(CreamDbContext db, TotpCodes totp)
{
    public const int MaxCodeLength = 64;

    public static bool IsAccepted(CodeCheck check) => check is CodeCheck.Totp or CodeCheck.RecoveryCode;

    /// <param name="protectedSecret">The user's stored (encrypted) TOTP secret.</param>
    public async Task<CodeCheck> CheckAsync(Guid userId, string protectedSecret, string? code, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(protectedSecret);
        if (code is not { Length: > 0 and <= MaxCodeLength })
        {
            return CodeCheck.Wrong;
        }

        var normalized = TotpCodes.Normalize(code);
        if (TotpCodes.IsTotpShaped(normalized))
        {
            if (totp.MatchStep(protectedSecret, normalized) is not { } step)
            {
                return CodeCheck.Wrong;
            }

            var spent = await db.Users
                .Where(u => u.Id == userId && u.TwoFactorEnabled && u.TwoFactorSecret == protectedSecret
                    && (u.TwoFactorLastStep == null || u.TwoFactorLastStep < step))
                .ExecuteUpdateAsync(set => set.SetProperty(u => u.TwoFactorLastStep, step), cancellationToken);
            return spent == 1 ? CodeCheck.Totp : CodeCheck.Replayed;
        }

        var hash = TotpCodes.HashRecoveryCode(userId, normalized);
        var used = await db.RecoveryCodes.Where(c => c.UserId == userId && c.CodeHash == hash).ExecuteDeleteAsync(cancellationToken);
        return used == 1 ? CodeCheck.RecoveryCode : CodeCheck.Wrong;
    }
}
