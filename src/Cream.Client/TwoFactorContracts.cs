namespace Cream.Client;

/// <summary>A pending TOTP secret (<c>POST /api/auth/mfa/totp</c>): put it into an authenticator app, then confirm with a code.</summary>
/// <param name="Secret">The base32 secret, to type in.</param>
/// <param name="OtpauthUri">The same as an <c>otpauth://</c> URI, to show as a QR code.</param>
public sealed record TotpSetup(string Secret, Uri OtpauthUri)
{
    /// <summary>Leaves the secret out.</summary>
    public override string ToString() => "TotpSetup { }";
}
