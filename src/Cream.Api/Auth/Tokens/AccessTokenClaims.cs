namespace Cream.Api.Auth.Tokens;

/// <summary>Claim names of Cream access tokens (RFC 7519, RFC 9068).</summary>
public static class AccessTokenClaims
{
    public const string Subject = "sub";
    public const string Email = "email";

    /// <summary>Whether the email was proven by a verification link (OpenID Connect Core 5.1).</summary>
    public const string EmailVerified = "email_verified";

    public const string Roles = "roles";

    /// <summary>Authentication methods (RFC 8176): <c>["pwd"]</c>, or <c>["pwd","otp"]</c> after a second factor.</summary>
    public const string AuthenticationMethods = "amr";

    public const string SessionId = "sid";
    public const string TokenId = "jti";
    public const string IssuedAt = "iat";
}
