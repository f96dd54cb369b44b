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

    /// <summary>RFC 7800 confirmation: <c>{"jkt": thumbprint}</c> (RFC 9449 §6) on a DPoP-bound token.</summary>
    public const string Confirmation = "cnf";

    /// <summary>The <c>cnf</c> member naming the RFC 7638 thumbprint of the bound key.</summary>
    public const string KeyThumbprint = "jkt";
}
