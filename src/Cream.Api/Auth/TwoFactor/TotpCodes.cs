using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using OtpNet;

namespace Cream.Api.Auth.TwoFactor;

/// <summary>A new TOTP secret: the base32 text a person types or scans, and what the database keeps of it.</summary>
public sealed record NewTotpSecret(string Base32, string OtpAuthUri, string Protected);

/// <summary>
/// TOTP (RFC 6238: HMAC-SHA1, 6 digits, 30-second steps) through Otp.NET, on the injected clock.
/// Secrets are 160 random bits, kept only encrypted with ASP.NET Core Data Protection, whose keys
/// every instance reads from the database. Recovery codes are 80 random bits each, kept only as
/// a SHA-256 keyed by the user id.
/// </summary>
public sealed class TotpCodes(IDataProtectionProvider dataProtection, TimeProvider time)
{
    public const string Issuer = "Cream API";
    public const int SecretBytes = 20;
    public const int CodeDigits = 6;
    public const int StepSeconds = 30;
    public const int RecoveryCodeCount = 10;
    private const int RecoveryCodeBytes = 10; // 16 base32 characters

    /// <summary>One step either side of the current one (RFC 6238 §5.2: a network delay and a clock a little off).</summary>
    private static readonly VerificationWindow Window = new(previous: 1, future: 1);

    private readonly IDataProtector _protector = dataProtection.CreateProtector("Cream.Api.TwoFactor.TotpSecret.v1");

    public NewTotpSecret NewSecret(string accountName)
    {
        var secret = Base32Encoding.ToString(RandomNumberGenerator.GetBytes(SecretBytes)).TrimEnd('=');
        var uri = new OtpUri(OtpType.Totp, secret, accountName, Issuer, OtpHashMode.Sha1, CodeDigits, StepSeconds).ToString();
        return new NewTotpSecret(secret, uri, _protector.Protect(secret));
    }

    /// <summary>The time step that <paramref name="code"/> is the code of, within one step of now; null when it is none.</summary>
    public long? MatchStep(string protectedSecret, string code)
    {
        if (!IsTotpShaped(code))
        {
            return null;
        }

        string secret;
        try
        {
            secret = _protector.Unprotect(protectedSecret);
        }
        catch (CryptographicException)
        {
            return null; // a value this deployment's keys never wrote: no code matches it
        }

        var totp = new Totp(Base32Encoding.ToBytes(secret), StepSeconds, OtpHashMode.Sha1, CodeDigits);
        return totp.VerifyTotp(time.GetUtcNow().UtcDateTime, code, out var step, Window) ? step : null;
    }

    /// <summary>Six ASCII digits: what a TOTP code looks like (a recovery code never does).</summary>
    public static bool IsTotpShaped(string code) => code.Length == CodeDigits && code.All(char.IsAsciiDigit);

    /// <summary>What was typed, without the spaces and dashes people add, upper-cased.</summary>
    public static string Normalize(string code)
    {
        ArgumentNullException.ThrowIfNull(code);
        var kept = new StringBuilder(code.Length);
        foreach (var c in code)
        {
            if (c is not (' ' or '-'))
            {
                kept.Append(char.ToUpperInvariant(c));
            }
        }

        return kept.ToString();
    }

    /// <summary>Ten fresh recovery codes as shown to the user (<c>abcd-efgh-ijkl-mnop</c>).</summary>
    public static List<string> NewRecoveryCodes() =>
        Enumerable.Range(0, RecoveryCodeCount).Select(_ =>
        {
            var text = Base32Encoding.ToString(RandomNumberGenerator.GetBytes(RecoveryCodeBytes)).ToLowerInvariant();
            return string.Join('-', text.Chunk(4).Select(chunk => new string(chunk)));
        }).ToList();

    /// <summary>What is stored of a recovery code: SHA-256 of the user id and the normalized code, so equal codes of two users differ.</summary>
    public static byte[] HashRecoveryCode(Guid userId, string code) =>
        SHA256.HashData(Encoding.UTF8.GetBytes($"{userId:N}:{Normalize(code)}"));

    /// <summary>The rows for <paramref name="codes"/>.</summary>
    public static IEnumerable<RecoveryCode> RecoveryRows(Guid userId, IEnumerable<string> codes, DateTime now) =>
        codes.Select(code => new RecoveryCode { Id = Guid.CreateVersion7(), UserId = userId, CodeHash = HashRecoveryCode(userId, code), CreatedAt = now });
}
