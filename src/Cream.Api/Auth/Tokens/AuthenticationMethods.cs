namespace Cream.Api.Auth.Tokens;

/// <summary>
/// The <c>amr</c> claim (RFC 8176): how the session of a token was signed in. A session keeps
/// its methods, so every token of it, refreshed ones included, carries the same.
/// </summary>
public static class AuthenticationMethods
{
    public const string Password = "pwd";

    /// <summary>A one-time password: a TOTP code, or a recovery code (a one-time password too).</summary>
    public const string OneTimePassword = "otp";

    /// <summary>The stored form of <see cref="PasswordOnly"/>, and the default of sessions that predate the column.</summary>
    public const string PasswordValue = Password;

    public static readonly IReadOnlyList<string> PasswordOnly = [Password];

    public static readonly IReadOnlyList<string> PasswordAndOtp = [Password, OneTimePassword];

    /// <summary>The session column's form: the methods separated by spaces.</summary>
    public static string Store(IReadOnlyList<string> methods) => string.Join(' ', methods);

    /// <summary>The methods a session column holds; the two common ones without allocating.</summary>
    public static IReadOnlyList<string> Read(string? stored) => stored switch
    {
        null or "" or PasswordValue => PasswordOnly,
        Password + " " + OneTimePassword => PasswordAndOtp,
        _ => stored.Split(' ', StringSplitOptions.RemoveEmptyEntries),
    };
}
