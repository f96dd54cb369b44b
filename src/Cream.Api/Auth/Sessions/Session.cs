using Cream.Api.Users;

namespace Cream.Api.Auth.Sessions;

/// <summary>
/// One sign-in of one user on one device: the first version's <c>sessions</c> row.
/// Its id is the <c>sid</c> claim of every access token issued for it.
/// </summary>
public sealed class Session
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public AppUser? User { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime ExpiresAt { get; set; }
    public DateTime LastActivity { get; set; }
    public string? IpAddress { get; set; }
    public string? UserAgent { get; set; }
    public string? DeviceId { get; set; }
    public bool IsValid { get; set; }
    public DateTime? RevokedAt { get; set; }
    public string? Platform { get; set; }
    public string? Browser { get; set; }

    /// <summary>How the session was signed in (RFC 8176 <c>amr</c>, space-separated): <c>pwd</c> or <c>pwd otp</c>; every token of it carries them.</summary>
    public string Amr { get; set; } = Tokens.AuthenticationMethods.PasswordValue;

    /// <summary>
    /// The RFC 7638 thumbprint of the DPoP key the session is bound to (RFC 9449 §5), or null:
    /// every refresh of a bound session needs a proof from that key, and its access tokens name it.
    /// </summary>
    public string? DpopKey { get; set; }
}
