using System.Buffers;
using System.Globalization;
using System.Net.Mail;
using System.Text;

namespace Cream.Api.Users;

/// <summary>
/// The rules for an account's email: what is stored (trimmed, NFC) and the key that makes two
/// spellings the same account (NFKC, then upper-cased, so full-width letters, composed and
/// decomposed accents and case variants meet). Invisible characters are refused outright:
/// they make look-alikes that no key can fold away (docs/decisions/0014-look-alike-emails-and-weak-passwords.md).
/// </summary>
public static class EmailAddress
{
    public const string Invalid = "A valid email address is required.";
    public const string InvisibleCharacters = "The email address contains control or invisible formatting characters.";

    /// <summary>The stored form of a valid email, or null with the reason a person can act on.</summary>
    public static string? Check(string? input, out string? problem)
    {
        var email = input?.Trim();
        if (string.IsNullOrEmpty(email) || email.Length > AppUserConfiguration.EmailMaxLength)
        {
            problem = Invalid;
            return null;
        }

        if (!IsWellFormedUtf16(email) || email.EnumerateRunes().Any(IsInvisible))
        {
            problem = InvisibleCharacters;
            return null;
        }

        email = email.Normalize(NormalizationForm.FormC);
        var at = email.LastIndexOf('@');
        var wellFormed = !email.Any(char.IsWhiteSpace)
            // Quoted or escaped local parts, comments and address literals are spellings mail
            // servers fold together ("v\ictim" is victim): no key could tell them apart.
            && email.AsSpan().IndexOfAny(QuotingCharacters) < 0
            && email.IndexOf('@', StringComparison.Ordinal) == at
            && AsciiDomain(email[(at + 1)..]) is not null
            && email.Length <= AppUserConfiguration.EmailMaxLength
            && Key(email).Length <= AppUserConfiguration.EmailMaxLength
            && MailAddress.TryCreate(email, out var address)
            && string.Equals(address.Address, email, StringComparison.Ordinal)
            && at > 0
            && email.IndexOf('.', at) > at + 1
            && !email.EndsWith('.');
        problem = wellFormed ? null : Invalid;
        return wellFormed ? email : null;
    }

    /// <summary>
    /// The unique lookup key of whatever was typed. Total: input that could never be stored
    /// (a lone surrogate, say) gets a key no stored account has, never an exception.
    /// </summary>
    public static string Key(string email)
    {
        ArgumentNullException.ThrowIfNull(email);
        var trimmed = email.Trim();
        if (!IsWellFormedUtf16(trimmed))
        {
            return trimmed.ToUpperInvariant();
        }

        // Upper-casing can leave text that is no longer normalised (a few letters gain a
        // combining mark), so the key is normalised once more after it. The domain is keyed in
        // its ASCII (IDNA) form, so exämple.com and xn--exmple-cua.com are one domain.
        var at = trimmed.LastIndexOf('@');
        var local = Fold(at < 0 ? trimmed : trimmed[..at]);
        return at < 0 ? local : local + "@" + (AsciiDomain(trimmed[(at + 1)..])?.ToUpperInvariant() ?? Fold(trimmed[(at + 1)..]));
    }

    private static readonly SearchValues<char> QuotingCharacters = SearchValues.Create("\"\\()[]<>,;:");

    private static string Fold(string text) =>
        text.Normalize(NormalizationForm.FormKC).ToUpperInvariant().Normalize(NormalizationForm.FormKC);

    /// <summary>The domain as IDNA ASCII (punycode where needed), or null when it is not a valid host name.</summary>
    private static string? AsciiDomain(string domain)
    {
        try
        {
            // A new mapping each time: its instances are not documented as thread-safe.
            return domain.Length == 0 ? null : new IdnMapping { UseStd3AsciiRules = true }.GetAscii(domain.Normalize(NormalizationForm.FormKC));
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    /// <summary>The part before the last <c>@</c>.</summary>
    public static string LocalPart(string email)
    {
        ArgumentNullException.ThrowIfNull(email);
        var at = email.LastIndexOf('@');
        return at > 0 ? email[..at] : email;
    }

    /// <summary>Control characters and Unicode format characters (zero-width, joiners, soft hyphen, bidi overrides).</summary>
    private static bool IsInvisible(Rune rune) =>
        Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format;

    private static bool IsWellFormedUtf16(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                return false;
            }
        }

        return true;
    }
}
