using System.Collections.Concurrent;
using Cream.Api.Auth.State;

namespace Cream.Api.Auth.Revocation;

/// <summary>
/// What every instance must know to refuse a revoked access token without asking the
/// database: per user the "valid after" second and the active flag, ended sessions, and
/// revoked token ids. Lookups are lock-free dictionary reads; users and sessions are value
/// types keyed by <see cref="Guid"/> (no object per entry beyond the dictionary's node); entries leave
/// once the last access token they could affect has expired (<see cref="Prune"/>).
/// </summary>
public sealed class RevocationList : IStateChangeConsumer
{
    /// <param name="Stamp">The change's version (Unix milliseconds) shifted left once, the active flag in the low bit.</param>
    /// <param name="AppliedAt">This instance's <see cref="TimeProvider.GetTimestamp"/> when the entry arrived.</param>
    private readonly record struct UserStatus(long ValidAfter, long Stamp, long AppliedAt)
    {
        public bool Active => (Stamp & 1) == 1;

        public long Version => Stamp >> 1;

        public static UserStatus Of(StateChange change, long appliedAt) =>
            new(change.Seconds, (change.Version << 1) | (change.Active ? 1L : 0L), appliedAt);
    }

    private readonly TimeProvider _time;
    private volatile ConcurrentDictionary<Guid, UserStatus> _users = new();
    private readonly ConcurrentDictionary<Guid, long> _sessions = new();
    // Keyed by the jti string: parsing it into 16 bytes on every request cost more than hashing it.
    private readonly ConcurrentDictionary<string, long> _tokens = new(StringComparer.Ordinal);

    public RevocationList()
        : this(TimeProvider.System)
    {
    }

    public RevocationList(TimeProvider time) => _time = time;

    /// <summary>How many entries are held (users, sessions and token ids together).</summary>
    public int Count => _users.Count + _sessions.Count + _tokens.Count;

    /// <summary>True when a token with these claims must be refused.</summary>
    public bool IsRevoked(Guid userId, Guid sessionId, string tokenId, long issuedAt)
    {
        if (_users.TryGetValue(userId, out var user) && (!user.Active || issuedAt <= user.ValidAfter))
        {
            return true;
        }

        if (_sessions.ContainsKey(sessionId))
        {
            return true;
        }

        return _tokens.ContainsKey(tokenId);
    }

    public void Apply(StateChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        switch (change.Kind)
        {
            case StateChangeKind.User when Guid.TryParse(change.Id, out var userId):
                var status = UserStatus.Of(change, _time.GetTimestamp());
                _users.AddOrUpdate(userId, status, (_, existing) => existing.Version > change.Version ? existing : status);
                break;
            case StateChangeKind.Session when Guid.TryParse(change.Id, out var sessionId):
                Keep(_sessions, sessionId, change.Seconds);
                break;
            case StateChangeKind.Token when change.Id is { Length: > 0 }:
                Keep(_tokens, change.Id, change.Seconds);
                break;
        }
    }

    private static void Keep<TKey>(ConcurrentDictionary<TKey, long> entries, TKey key, long until)
        where TKey : notnull =>
        entries.AddOrUpdate(key, until, (_, existing) => Math.Max(existing, until));

    /// <summary>
    /// Installs what the database says (at start, and when asked to start over). Sessions and
    /// tokens only ever get added (a revocation is never undone); users are replaced, except
    /// entries that arrived here at or after <paramref name="snapshotStartedAt"/> (this instance's
    /// clock, taken before the database was read): the snapshot may predate them, whatever clock
    /// their sender's version came from.
    /// </summary>
    public void Load(IEnumerable<StateChange> snapshot, long snapshotStartedAt)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var loading = BeginLoad(snapshotStartedAt);
        foreach (var change in snapshot)
        {
            if (change.Kind == StateChangeKind.User && Guid.TryParse(change.Id, out var userId))
            {
                loading.User(userId, change.Seconds, change.Active, change.Version);
            }
            else
            {
                Apply(change);
            }
        }

        loading.Complete();
    }

    /// <summary>Starts a <see cref="Load"/> whose rows are handed over one by one, as they are read.</summary>
    public Snapshot BeginLoad(long snapshotStartedAt) => new(this, snapshotStartedAt);

    /// <summary>A snapshot being read: each row goes straight into the state, with no object kept per row.</summary>
    public sealed class Snapshot
    {
        private readonly RevocationList _list;
        private readonly long _startedAt;
        private readonly ConcurrentDictionary<Guid, UserStatus> _users = new();

        internal Snapshot(RevocationList list, long startedAt) => (_list, _startedAt) = (list, startedAt);

        public void User(Guid userId, long validAfter, bool active, long version) =>
            _users[userId] = new UserStatus(validAfter, (version << 1) | (active ? 1L : 0L), _startedAt);

        public void Session(Guid sessionId, long until) => Keep(_list._sessions, sessionId, until);

        public void Token(string tokenId, long until) => Keep(_list._tokens, tokenId, until);

        /// <summary>Replaces the users with the snapshot's, keeping those that arrived since it began.</summary>
        public void Complete()
        {
            foreach (var (userId, status) in _list._users)
            {
                if (status.AppliedAt >= _startedAt)
                {
                    // Versions from different instances' clocks do not compare; arrival order here does.
                    _users[userId] = status;
                }
            }

            _list._users = _users;
        }
    }

    /// <summary>Drops ended sessions and token ids past the second they were kept until.</summary>
    public int Prune(long nowSeconds) =>
        PruneKept(_sessions, nowSeconds) + PruneKept(_tokens, nowSeconds);

    /// <summary>
    /// Drops every entry that can no longer match a live token, users included (disabled or cut
    /// off): those whose cut-off is more than <paramref name="tokenLifetimeSeconds"/> ago.
    /// Returns how many were dropped.
    /// </summary>
    public int Prune(long nowSeconds, long tokenLifetimeSeconds)
    {
        var users = _users;
        var dropped = 0;
        foreach (var (userId, status) in users)
        {
            // Only the value seen is removed: an entry replaced meanwhile stays.
            if (status.ValidAfter + tokenLifetimeSeconds < nowSeconds && users.TryRemove(new KeyValuePair<Guid, UserStatus>(userId, status)))
            {
                dropped++;
            }
        }

        return dropped + Prune(nowSeconds);
    }

    private static int PruneKept<TKey>(ConcurrentDictionary<TKey, long> entries, long nowSeconds)
        where TKey : notnull
    {
        var dropped = 0;
        foreach (var (key, until) in entries)
        {
            // Only the value seen: an entry lengthened meanwhile stays.
            if (until < nowSeconds && entries.TryRemove(new KeyValuePair<TKey, long>(key, until)))
            {
                dropped++;
            }
        }

        return dropped;
    }
}
