namespace Cream.Api.Auth.State;

public enum StateChangeKind
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
/// One change to what every instance keeps in memory (revocations, cached profiles, signing
/// keys), applied locally at once and carried to the other instances by the
/// <see cref="StateBus"/>. Times are Unix seconds, the unit of the <c>iat</c> and <c>exp</c> claims.
/// </summary>
/// <param name="Version">When the change was made (Unix milliseconds): a user entry only moves forward.</param>
public sealed record StateChange(StateChangeKind Kind, string Id, long Seconds, bool Active, long Version)
{
    /// <summary>Cached copies of the user's profile are stale, here and on every instance.</summary>
    public static StateChange ProfileChanged(Guid userId, DateTimeOffset at) =>
        new(StateChangeKind.Profile, userId.ToString(), 0, true, at.ToUnixTimeMilliseconds());
}

/// <summary>A part of the in-memory state that changes with <see cref="StateChange"/>s, whichever instance made them.</summary>
public interface IStateChangeConsumer
{
    void Apply(StateChange change);
}
