using System.Buffers;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Cream.Api.Auth.State;

namespace Cream.Api.Auth.Revocation;

/// <summary>
/// What every instance must know to refuse a revoked access token without asking the
/// database: per user the "valid after" second and the active flag, ended sessions, and
/// revoked token ids. Each kind is a <see cref="RevocationTable{TValue}"/>: lock-free reads,
/// value-type entries keyed by 128 bits, no object per entry, so a million entries cost tens
/// of megabytes and nothing for the garbage collector to trace. Entries leave once the last
/// access token they could affect has expired (<see cref="Prune(long, long)"/>, <see cref="Tidy"/>).
/// </summary>
public sealed class RevocationList : IStateChangeConsumer
{
    /// <summary>Changes held beside the settled entries before <see cref="Tidy"/> folds them in, at least.</summary>
    internal const int FoldAtRecent = 4096;

    /// <param name="Stamp">The change's version (Unix milliseconds) shifted left once, the active flag in the low bit.</param>
    /// <param name="AppliedAt">This instance's <see cref="TimeProvider.GetTimestamp"/> when the entry arrived.</param>
    private readonly record struct UserStatus(long ValidAfter, long Stamp, long AppliedAt)
    {
        public bool Active => (Stamp & 1) == 1;

        public long Version => Stamp >> 1;

        public static UserStatus Of(StateChange change, long appliedAt) =>
            new(change.Seconds, (change.Version << 1) | (change.Active ? 1L : 0L), appliedAt);

        /// <summary>A newer version wins; an older one arriving late changes nothing.</summary>
        public static UserStatus Newer(UserStatus held, UserStatus incoming) => held.Version > incoming.Version ? held : incoming;
    }

    private readonly TimeProvider _time;
    private readonly RevocationTable<UserStatus> _users = new(UserStatus.Newer);
    // Sessions and token ids hold the second they are kept until; a later one wins.
    private readonly RevocationTable<long> _sessions = new(Math.Max);
    private readonly RevocationTable<long> _tokens = new(Math.Max);
    private long _foldedAt;

    public RevocationList()
        : this(TimeProvider.System)
    {
    }

    public RevocationList(TimeProvider time) => _time = time;

    /// <summary>How many entries are held (users, sessions and token ids together; one changed since the last fold counts twice).</summary>
    public int Count => _users.Count + _sessions.Count + _tokens.Count;

    /// <summary>True when a token with these claims must be refused.</summary>
    public bool IsRevoked(Guid userId, Guid sessionId, string tokenId, long issuedAt) =>
        IsRevoked(userId, sessionId, TokenKey(tokenId), issuedAt);

    /// <summary>True when a token with these claims, its <c>jti</c> as its <see cref="TokenKey"/>, must be refused.</summary>
    public bool IsRevoked(Guid userId, Guid sessionId, Guid tokenKey, long issuedAt)
    {
        if (_users.TryGetValue(userId, out var user) && (!user.Active || issuedAt <= user.ValidAfter))
        {
            return true;
        }

        return _sessions.TryGetValue(sessionId, out _) || _tokens.TryGetValue(tokenKey, out _);
    }

    /// <summary>
    /// The 128-bit key of a <c>jti</c>: its own bits when it is the 32 hex digits Cream issues
    /// (<see cref="Tokens.TokenIds"/>; the case of the digits does not matter), otherwise the first
    /// 128 bits of its SHA-256. Two ids sharing a key would only refuse more, never less.
    /// </summary>
    public static Guid TokenKey(string tokenId)
    {
        ArgumentNullException.ThrowIfNull(tokenId);
        Span<byte> bits = stackalloc byte[32];
        if (tokenId.Length == 32 && Convert.FromHexString(tokenId, bits[..16], out _, out var written) == OperationStatus.Done && written == 16)
        {
            return new Guid(bits[..16]);
        }

        SHA256.HashData(Encoding.UTF8.GetBytes(tokenId), bits);
        return new Guid(bits[..16]);
    }

    public void Apply(StateChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        switch (change.Kind)
        {
            case StateChangeKind.User when Guid.TryParse(change.Id, out var userId):
                _users.Set(userId, UserStatus.Of(change, _time.GetTimestamp()));
                break;
            case StateChangeKind.Session when Guid.TryParse(change.Id, out var sessionId):
                _sessions.Set(sessionId, change.Seconds);
                break;
            case StateChangeKind.Token when change.Id is { Length: > 0 }:
                _tokens.Set(TokenKey(change.Id), change.Seconds);
                break;
        }
    }

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
            switch (change.Kind)
            {
                case StateChangeKind.User when Guid.TryParse(change.Id, out var userId):
                    loading.User(userId, change.Seconds, change.Active, change.Version);
                    break;
                case StateChangeKind.Session when Guid.TryParse(change.Id, out var sessionId):
                    loading.Session(sessionId, change.Seconds);
                    break;
                case StateChangeKind.Token when change.Id is { Length: > 0 }:
                    loading.Token(change.Id, change.Seconds);
                    break;
            }
        }

        loading.Complete();
    }

    /// <summary>Starts a <see cref="Load"/> whose rows are handed over one by one, as they are read.</summary>
    public Snapshot BeginLoad(long snapshotStartedAt) => new(this, snapshotStartedAt);

    /// <summary>
    /// A snapshot being read, published whole by <see cref="Complete()"/>. Rows are appended to
    /// lists as they arrive (sequential writes, cheap to grow) and filed into tables sized for them
    /// once all are in: filing millions of rows into tables that grow by doublings would rehash each
    /// row several times and leave up to half the slots empty.
    /// </summary>
    /// <remarks>Each kind may be handed over by a reader of its own; one kind by one reader at a time.</remarks>
    public sealed class Snapshot
    {
        private readonly RevocationList _list;
        private readonly long _startedAt;
        private readonly List<KeyValuePair<Guid, UserStatus>> _users = [];
        private readonly List<KeyValuePair<Guid, long>> _sessions = [];
        private readonly List<KeyValuePair<Guid, long>> _tokens = [];

        internal Snapshot(RevocationList list, long startedAt) => (_list, _startedAt) = (list, startedAt);

        public void User(Guid userId, long validAfter, bool active, long version) =>
            _users.Add(new(userId, new UserStatus(validAfter, (version << 1) | (active ? 1L : 0L), _startedAt)));

        public void Session(Guid sessionId, long until) => _sessions.Add(new(sessionId, until));

        public void Token(string tokenId, long until) => _tokens.Add(new(TokenKey(tokenId), until));

        /// <summary>Publishes the snapshot, keeping everything already held.</summary>
        public void Complete() => Publish(long.MinValue);

        /// <summary>
        /// Publishes the snapshot, leaving out sessions and token ids kept until before
        /// <paramref name="nowSeconds"/> (the users read are recent already).
        /// </summary>
        public void Complete(long nowSeconds)
        {
            Publish(nowSeconds);
            _list._foldedAt = nowSeconds;
        }

        /// <summary>
        /// Users replace those held, except those that arrived since the snapshot began (versions
        /// from different instances' clocks do not compare; arrival order here does); sessions and
        /// token ids join those held.
        /// </summary>
        private void Publish(long nowSeconds)
        {
            Func<long, bool> live = until => until >= nowSeconds;
            Dictionary<Guid, UserStatus> users = [];
            Dictionary<Guid, long> sessions = [], tokens = [];
            // Filing is a random write per row into tables of tens of MB: each kind on a core of its own.
            Parallel.Invoke(
                () => users = File(_users, static (_, read) => read, static _ => true),
                () => sessions = File(_sessions, Math.Max, live),
                () => tokens = File(_tokens, Math.Max, live));
            _list._users.Replace(users, status => status.AppliedAt >= _startedAt);
            _list._sessions.Fold(live, sessions);
            _list._tokens.Fold(live, tokens);
        }

        /// <summary>
        /// A table of the rows <paramref name="keep"/> accepts; a key read twice keeps what
        /// <paramref name="combine"/> makes of the two. The list is emptied.
        /// </summary>
        private static Dictionary<Guid, T> File<T>(List<KeyValuePair<Guid, T>> rows, Func<T, T, T> combine, Func<T, bool> keep)
            where T : struct
        {
            var table = new Dictionary<Guid, T>(rows.Count);
            foreach (var (key, value) in CollectionsMarshal.AsSpan(rows))
            {
                if (!keep(value))
                {
                    continue;
                }

                ref var held = ref CollectionsMarshal.GetValueRefOrAddDefault(table, key, out var exists);
                held = exists ? combine(held, value) : value;
            }

            rows.Clear();
            rows.TrimExcess();
            return table;
        }
    }

    /// <summary>Drops ended sessions and token ids past the second they were kept until.</summary>
    public int Prune(long nowSeconds) =>
        _sessions.Fold(until => until >= nowSeconds) + _tokens.Fold(until => until >= nowSeconds);

    /// <summary>
    /// Drops every entry that can no longer match a live token, users included (disabled or cut
    /// off): those whose cut-off is more than <paramref name="tokenLifetimeSeconds"/> ago.
    /// Returns how many were dropped.
    /// </summary>
    public int Prune(long nowSeconds, long tokenLifetimeSeconds)
    {
        _foldedAt = nowSeconds;
        return _users.Fold(status => status.ValidAfter + tokenLifetimeSeconds >= nowSeconds) + Prune(nowSeconds);
    }

    /// <summary>
    /// <see cref="Prune(long, long)"/> when it is worth a rebuild: every quarter of a token
    /// lifetime (a minute at least), or as soon as the changes held beside the settled entries
    /// pass <see cref="FoldAtRecent"/> and an eighth of them. Between two, an expired entry only
    /// takes room; it cannot match a live token. Returns how many were dropped.
    /// </summary>
    public int Tidy(long nowSeconds, long tokenLifetimeSeconds)
    {
        var due = nowSeconds - _foldedAt >= Math.Max(60, tokenLifetimeSeconds / 4);
        var recent = _users.RecentCount + _sessions.RecentCount + _tokens.RecentCount;
        var settled = _users.SettledCount + _sessions.SettledCount + _tokens.SettledCount;
        return due || recent > Math.Max(FoldAtRecent, settled / 8) ? Prune(nowSeconds, tokenLifetimeSeconds) : 0;
    }
}
