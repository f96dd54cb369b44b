namespace Cream.Api.Auth.Sessions;

/// <summary>
/// One refresh token of a session, stored only as its SHA-256 hash. Rotation consumes it
/// and names its successor; presenting a consumed token again is reuse.
/// </summary>
public sealed class RefreshToken
{
    public Guid Id { get; set; }
    public Guid SessionId { get; set; }
    public required byte[] TokenHash { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime ExpiresAt { get; set; }
    public DateTime? ConsumedAt { get; set; }
    public Guid? SuccessorId { get; set; }

    /// <summary>
    /// The successor token encrypted under a key derived from this token, so that only a
    /// holder of this token can recover it, and only for the grace window.
    /// </summary>
    public byte[]? SuccessorCiphertext { get; set; }
}

/// <summary>An access token revoked by its <c>jti</c> (RFC 7009), kept until validation would refuse it anyway (exp + clock skew).</summary>
public sealed class RevokedAccessToken
{
    public required string TokenId { get; set; }
    public Guid UserId { get; set; }
    public DateTime ExpiresAt { get; set; }
    public DateTime RevokedAt { get; set; }
}
