namespace Cream.Api.Auth;

/// <summary>The first version's token response; new fields stand beside its two.</summary>
public sealed record TokenResponse(string AccessToken, string TokenType, int ExpiresIn, string RefreshToken)
{
    public const string Bearer = "bearer";

    /// <summary>RFC 9449 §5: the access token is bound to the key of the request's DPoP proof.</summary>
    public const string DPoP = "DPoP";
}

public sealed record SignupRequest(string? Email, string? Password, string? FirstName, string? LastName);

/// <summary>
/// The token request: the OAuth 2.0 password grant form (RFC 6749 §4.3.2, <c>username</c>) or the
/// JSON body the first version's web client posts (<c>email</c>); either name is accepted in both.
/// </summary>
public sealed record LoginRequest(string? Username, string? Email, string? Password, string? GrantType, string? RefreshToken,
    string? MfaToken = null, string? Otp = null);

public sealed record RefreshRequest(string? RefreshToken);

/// <summary>An answer that is only a sentence (an accepted request whose outcome arrives by email).</summary>
public sealed record MessageResponse(string Message);

public sealed record VerifyEmailRequest(string? Token);

public sealed record ForgotPasswordRequest(string? Email);

public sealed record ResetPasswordRequest(string? Token, string? NewPassword);

/// <summary><c>DELETE /api/auth/me</c>: the account's password, typed again, and a two-factor code when two-factor is on.</summary>
public sealed record DeleteAccountRequest(string? Password, string? Code = null);
