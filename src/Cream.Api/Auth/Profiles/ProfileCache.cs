using System.Collections.Concurrent;
using Cream.Api.Auth.State;

namespace Cream.Api.Auth.Profiles;

/// <summary>
/// User profiles as <c>/api/auth/me</c> serves them, kept in memory so the steady state needs no
/// database. An entry is dropped when its user's profile or status changes, on any instance.
/// </summary>
public sealed class ProfileCache : IStateChangeConsumer
{
    /// <summary>Profiles cached at most; past it the cache starts over (it refills on demand).</summary>
    public const int MaxProfiles = 100_000;

    private readonly ConcurrentDictionary<Guid, object> _profiles = new();
    private long _epoch;

    /// <summary>Changes whenever a cached profile is dropped; a profile read before a change is not cached after it.</summary>
    public long Epoch => Interlocked.Read(ref _epoch);

    public bool TryGet<T>(Guid userId, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out T? profile)
        where T : class
    {
        profile = _profiles.TryGetValue(userId, out var value) ? value as T : null;
        return profile is not null;
    }

    /// <summary>Caches a profile read from the database, unless something changed since <paramref name="epochAtRead"/>.</summary>
    public void Set(Guid userId, object profile, long epochAtRead)
    {
        if (_profiles.Count >= MaxProfiles)
        {
            _profiles.Clear();
        }

        if (Epoch == epochAtRead)
        {
            _profiles[userId] = profile;
        }
    }

    public void Apply(StateChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        if (change.Kind is StateChangeKind.User or StateChangeKind.Profile && Guid.TryParse(change.Id, out var userId))
        {
            Interlocked.Increment(ref _epoch);
            _profiles.TryRemove(userId, out _);
        }
    }

    /// <summary>Drops every profile: a lost message may have hidden a change.</summary>
    public void StartOver()
    {
        Interlocked.Increment(ref _epoch);
        _profiles.Clear();
    }
}
