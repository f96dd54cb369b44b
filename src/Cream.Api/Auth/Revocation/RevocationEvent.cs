namespace Cream.Api.Auth.Revocation;

public enum RevocationKind
{
    /// <summary>A user's status: tokens issued at or before <c>Seconds</c> are refused; <c>Active</c> false refuses all.</summary>
    User,

    /// <summary>A session ended: its access tokens are refused; kept until <c>Seconds</c> (its last token's expiry).</summary>
    Session,

    /// <summary>One access token revoked by <c>jti</c>; kept until <c>Seconds</c> (its <c>exp</c> plus skew).</summary>
    Token,

    /// <summary>A user's profile changed (roles, names, last login): cached copies are dropped. Revokes nothing.</summary>
    Profile,

    /// <summary>The signing keys in the database changed (<c>rotate-key</c>): every instance reloads them now. Revokes nothing.</summary>
    SigningKeys,
}

/// <summary>
/// One change to the revocation state, applied locally at once and published to the other
/// instances. Times are Unix seconds, the unit of the <c>iat</c> and <c>exp</c> claims.
/// </summary>
/// <param name="Version">When the change was made (Unix milliseconds): a user entry only moves forward.</param>
public sealed record RevocationEvent(RevocationKind Kind, string Id, long Seconds, bool Active, long Version);
