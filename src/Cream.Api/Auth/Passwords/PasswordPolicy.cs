using System.Collections.Frozen;
using System.Text;
using Cream.Api.Users;

namespace Cream.Api.Auth.Passwords;

/// <summary>
/// What a new password must be (OWASP Authentication Cheat Sheet, NIST SP 800-63B 5.1.1.2):
/// 8 to 128 code points, so four emoji are four characters and not eight; not one of the
/// common passwords that guessing lists start with; not the email or its local part; not one
/// character over and over. Nothing else is demanded: no composition rules.
/// </summary>
public static class PasswordPolicy
{
    public static readonly string WrongLength =
        $"Password must be {PasswordOptions.MinimumLength} to {PasswordOptions.MaximumLength} characters.";

    public const string Common = "This password is one of the most common passwords; choose another.";
    public const string SameAsEmail = "The password must not be the email address or its part before the @.";
    public const string Repeated = "The password must not be one character repeated.";

    /// <summary>
    /// The 30,000 most common passwords, lower-case, that zxcvbn (MIT licence) ships inside its
    /// assembly; loaded once, on first use.
    /// </summary>
    private static readonly Lazy<FrozenSet<string>> CommonPasswords = new(LoadCommonPasswords);

    public static int CommonPasswordCount => CommonPasswords.Value.Count;

    /// <summary>Why <paramref name="password"/> cannot be the password of <paramref name="email"/>, or null when it can.</summary>
    public static string? Problem(string? password, string? email)
    {
        if (password is null || CodePoints(password) is < PasswordOptions.MinimumLength or > PasswordOptions.MaximumLength)
        {
            return WrongLength;
        }

        if (password.EnumerateRunes().Distinct().Count() == 1)
        {
            return Repeated;
        }

        if (email is not null)
        {
            var key = EmailAddress.Key(password);
            if (key == EmailAddress.Key(email) || key == EmailAddress.Key(EmailAddress.LocalPart(email.Trim())))
            {
                return SameAsEmail;
            }
        }

        return CommonPasswords.Value.Contains(password.ToLowerInvariant()) ? Common : null;
    }

    /// <summary>Unicode code points (a lone surrogate counts as one).</summary>
    private static int CodePoints(string text)
    {
        var count = 0;
        foreach (var _ in text.EnumerateRunes())
        {
            count++;
        }

        return count;
    }

    private static FrozenSet<string> LoadCommonPasswords()
    {
        const string resource = "zxcvbn-core.Dictionaries.passwords.lst";
        using var stream = typeof(Zxcvbn.Zxcvbn).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"The common-password list {resource} is missing from zxcvbn-core.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var words = new HashSet<string>(StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
        {
            if (line.Trim() is { Length: > 0 } word)
            {
                words.Add(word.ToLowerInvariant());
            }
        }

        return words.ToFrozenSet(StringComparer.Ordinal);
    }
}
