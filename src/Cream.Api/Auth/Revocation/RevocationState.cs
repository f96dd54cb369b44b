using System.Collections.Concurrent;

namespace Cream.Api.Auth.Revocation;

/// <summary>
/// What every instance must know to refuse a revoked access token without asking the
/// database: per user the "valid after" second and the active flag, ended sessions, and
/// revoked token ids. Lookups are lock-free dictionary reads; entries expire with the last
/// access token they could affect. It also caches user profiles (<c>/api/auth/me</c>), dropped
/// by the same events that carry revocations, and all of them at every resync.
/// </summary>
public sealed class RevocationState
{
    /// <param name="AppliedAt">This instance's <see cref="TimeProvider.GetTimestamp"/> when the entry arrived.</param>
    private readonly record struct UserStatus(long ValidAfter, bool Active, long Version, long AppliedAt);

    private readonly TimeProvider _time;

    public RevocationState()
        : this(TimeProvider.System)
    {
    }

    public RevocationState(TimeProvider time) => _time = time;

    private volatile ConcurrentDictionary<Guid, UserStatus> _users = new();
    private readonly ConcurrentDictionary<Guid, long> _sessions = new();
    private readonly ConcurrentDictionary<string, long> _tokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Guid, object> _profiles = new();
    private long _profileEpoch;

    /// <summary>Raised when another instance or a command says the signing keys changed.</summary>
    public event Action? SigningKeysChanged;

    /// <summary>Profiles cached at most; past it the cache starts over (it refills on demand).</summary>
    public const int MaxProfiles = 100_000;

    /// <summary>True when a token with these claims must be refused.</summary>
    public bool IsRevoked(Guid userId, Guid sessionId, string tokenId, long issuedAt)
    {
        if (_users.TryGetValue(userId, out var user) && (!user.Active || issuedAt <= user.ValidAfter))
        {
            return true;
        }

        return _sessions.ContainsKey(sessionId) || _tokens.ContainsKey(tokenId);
    }

    /// <summary>Changes whenever a cached profile is dropped; a profile read before a change is not cached after it.</summary>
    public long ProfileEpoch => Interlocked.Read(ref _profileEpoch);

    public bool TryGetProfile<T>(Guid userId, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out T? profile)
        where T : class
    {
        profile = _profiles.TryGetValue(userId, out var value) ? value as T : null;
        return profile is not null;
    }

    /// <summary>Caches a profile read from the database, unless something changed since <paramref name="epochAtRead"/>.</summary>
    public void SetProfile(Guid userId, object profile, long epochAtRead)
    {
        if (_profiles.Count >= MaxProfiles)
        {
            _profiles.Clear();
        }

        if (ProfileEpoch == epochAtRead)
        {
            _profiles[userId] = profile;
        }
    }

    private void DropProfile(Guid userId)
    {
        Interlocked.Increment(ref _profileEpoch);
        _profiles.TryRemove(userId, out _);
    }

    public void Apply(RevocationEvent change)
    {
        ArgumentNullException.ThrowIfNull(change);
        switch (change.Kind)
        {
            case RevocationKind.User when Guid.TryParse(change.Id, out var userId):
                var status = new UserStatus(change.Seconds, change.Active, change.Version, _time.GetTimestamp());
                _users.AddOrUpdate(userId, status, (_, existing) => existing.Version > status.Version ? existing : status);
                DropProfile(userId);
                break;
            case RevocationKind.Profile when Guid.TryParse(change.Id, out var profileUserId):
                DropProfile(profileUserId);
                break;
            case RevocationKind.Session when Guid.TryParse(change.Id, out var sessionId):
                _sessions.AddOrUpdate(sessionId, change.Seconds, (_, existing) => Math.Max(existing, change.Seconds));
                break;
            case RevocationKind.Token when change.Id.Length > 0:
                _tokens.AddOrUpdate(change.Id, change.Seconds, (_, existing) => Math.Max(existing, change.Seconds));
                break;
            case RevocationKind.SigningKeys:
                SigningKeysChanged?.Invoke();
                break;
        }
    }

    /// <summary>
    /// Installs what the database says. Sessions and tokens only ever get added (a revocation
    /// is never undone); users are replaced, except entries that arrived here at or after
    /// <paramref name="snapshotStartedAt"/> (this instance's clock, taken before the database was
    /// read): the snapshot may predate them, whatever clock their sender's version came from.
    /// </summary>
    public void Load(IEnumerable<RevocationEvent> snapshot, long snapshotStartedAt)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var users = new ConcurrentDictionary<Guid, UserStatus>();
        foreach (var change in snapshot)
        {
            if (change.Kind == RevocationKind.User && Guid.TryParse(change.Id, out var userId))
            {
                users[userId] = new UserStatus(change.Seconds, change.Active, change.Version, snapshotStartedAt);
            }
            else
            {
                Apply(change);
            }
        }

        foreach (var (userId, status) in _users)
        {
            if (status.AppliedAt >= snapshotStartedAt)
            {
                // Versions from different instances' clocks do not compare; arrival order here does.
                users[userId] = status;
            }
        }

        _users = users;

        // A lost message may have hidden a profile change: start the cache over.
        Interlocked.Increment(ref _profileEpoch);
        _profiles.Clear();
    }

    /// <summary>Drops entries that can no longer match a live token.</summary>
    public void Prune(long nowSeconds)
    {
        foreach (var (sessionId, until) in _sessions)
        {
            if (until < nowSeconds)
            {
                _sessions.TryRemove(sessionId, out _);
            }
        }

        foreach (var (tokenId, until) in _tokens)
        {
            if (until < nowSeconds)
            {
                _tokens.TryRemove(tokenId, out _);
            }
        }
    }
}
