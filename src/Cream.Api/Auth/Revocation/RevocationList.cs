using System.Collections.Concurrent;
using Cream.Api.Auth.State;

namespace Cream.Api.Auth.Revocation;

/// <summary>
/// What every instance must know to refuse a revoked access token without asking the
/// database: per user the "valid after" second and the active flag, ended sessions, and
/// revoked token ids. Lookups are lock-free dictionary reads; entries expire with the last
/// access token they could affect.
/// </summary>
public sealed class RevocationList : IStateChangeConsumer
{
    /// <param name="AppliedAt">This instance's <see cref="TimeProvider.GetTimestamp"/> when the entry arrived.</param>
    private readonly record struct UserStatus(long ValidAfter, bool Active, long Version, long AppliedAt);

    private readonly TimeProvider _time;

    public RevocationList()
        : this(TimeProvider.System)
    {
    }

    public RevocationList(TimeProvider time) => _time = time;

    private volatile ConcurrentDictionary<Guid, UserStatus> _users = new();
    private readonly ConcurrentDictionary<Guid, long> _sessions = new();
    private readonly ConcurrentDictionary<string, long> _tokens = new(StringComparer.Ordinal);
    /// <summary>True when a token with these claims must be refused.</summary>
    public bool IsRevoked(Guid userId, Guid sessionId, string tokenId, long issuedAt)
    {
        if (_users.TryGetValue(userId, out var user) && (!user.Active || issuedAt <= user.ValidAfter))
        {
            return true;
        }

        return _sessions.ContainsKey(sessionId) || _tokens.ContainsKey(tokenId);
    }

    public void Apply(StateChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        switch (change.Kind)
        {
            case StateChangeKind.User when Guid.TryParse(change.Id, out var userId):
                var status = new UserStatus(change.Seconds, change.Active, change.Version, _time.GetTimestamp());
                _users.AddOrUpdate(userId, status, (_, existing) => existing.Version > status.Version ? existing : status);
                break;
            case StateChangeKind.Session when Guid.TryParse(change.Id, out var sessionId):
                _sessions.AddOrUpdate(sessionId, change.Seconds, (_, existing) => Math.Max(existing, change.Seconds));
                break;
            case StateChangeKind.Token when change.Id is { Length: > 0 }:
                _tokens.AddOrUpdate(change.Id, change.Seconds, (_, existing) => Math.Max(existing, change.Seconds));
                break;
        }
    }

    /// <summary>
    /// Installs what the database says. Sessions and tokens only ever get added (a revocation
    /// is never undone); users are replaced, except entries that arrived here at or after
    /// <paramref name="snapshotStartedAt"/> (this instance's clock, taken before the database was
    /// read): the snapshot may predate them, whatever clock their sender's version came from.
    /// </summary>
    public void Load(IEnumerable<StateChange> snapshot, long snapshotStartedAt)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var users = new ConcurrentDictionary<Guid, UserStatus>();
        foreach (var change in snapshot)
        {
            if (change.Kind == StateChangeKind.User && Guid.TryParse(change.Id, out var userId))
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
