using System.Collections.Concurrent;

namespace Cream.Api.Auth.Revocation;

/// <summary>
/// Entries keyed by 128 bits, kept in two tiers so that millions of them cost no object each.
/// The settled tier is a plain <see cref="Dictionary{TKey,TValue}"/> of value types that is never
/// written once published: any number of readers may use it at once, and the garbage collector has
/// nothing in it to trace. The recent tier, a <see cref="ConcurrentDictionary{TKey,TValue}"/>, takes
/// every change made since; <see cref="Fold"/> builds the next settled tier from both, dropping what
/// has expired. A reader asks the recent tier first, then the settled one: an entry being folded is
/// published in the new settled tier before it leaves the recent one, so no reader misses it.
/// </summary>
/// <remarks>Writers that rebuild (fold, load) take one lock; <see cref="Set"/> and readers take none.</remarks>
internal sealed class RevocationTable<TValue>(Func<TValue, TValue, TValue> newer)
    where TValue : struct
{
    private readonly ConcurrentDictionary<Guid, TValue> _recent = new();
    private readonly Lock _rebuilding = new();
    private volatile Dictionary<Guid, TValue> _settled = [];

    /// <summary>Entries held; one changed since the last fold counts twice until the next.</summary>
    public int Count => _settled.Count + _recent.Count;

    /// <summary>Entries changed since the last fold.</summary>
    public int RecentCount => _recent.Count;

    public int SettledCount => _settled.Count;

    public bool TryGetValue(Guid key, out TValue value) =>
        _recent.TryGetValue(key, out value) || _settled.TryGetValue(key, out value);

    /// <summary>Records <paramref name="incoming"/>, or keeps what is held when <c>newer</c> prefers it.</summary>
    public void Set(Guid key, TValue incoming) =>
        _recent.AddOrUpdate(
            key,
            static (key, state) => state.Table._settled.TryGetValue(key, out var held) ? state.Table.Newer(held, state.Incoming) : state.Incoming,
            static (_, held, state) => state.Table.Newer(held, state.Incoming),
            (Table: this, Incoming: incoming));

    private TValue Newer(TValue held, TValue incoming) => newer(held, incoming);

    /// <summary>
    /// Publishes a settled tier made of <paramref name="loaded"/> (entries read elsewhere, combined
    /// with <c>newer</c>), what is held now, and what changed since; drops the entries
    /// <paramref name="keep"/> refuses. Returns how many were dropped.
    /// </summary>
    public int Fold(Func<TValue, bool> keep, Dictionary<Guid, TValue>? loaded = null)
    {
        ArgumentNullException.ThrowIfNull(keep);
        lock (_rebuilding)
        {
            var settled = _settled;
            var next = loaded ?? new Dictionary<Guid, TValue>(CountKept(settled, keep) + _recent.Count);
            var dropped = 0;
            foreach (var (key, value) in loaded ?? [])
            {
                if (!keep(value))
                {
                    loaded!.Remove(key); // allowed while enumerating
                    dropped++;
                }
            }

            foreach (var (key, value) in settled)
            {
                if (!keep(value))
                {
                    dropped++;
                    continue;
                }

                next[key] = next.TryGetValue(key, out var other) ? newer(other, value) : value;
            }

            return dropped + Publish(next, (key, value) =>
            {
                var combined = next.TryGetValue(key, out var other) ? newer(other, value) : value;
                if (keep(combined))
                {
                    next[key] = combined;
                    return false;
                }

                next.Remove(key);
                return true;
            });
        }
    }

    /// <summary>
    /// Publishes <paramref name="loaded"/> in place of everything held, except the entries
    /// <paramref name="keepHeld"/> chooses, which win over the loaded ones.
    /// </summary>
    public void Replace(Dictionary<Guid, TValue> loaded, Func<TValue, bool> keepHeld)
    {
        ArgumentNullException.ThrowIfNull(loaded);
        ArgumentNullException.ThrowIfNull(keepHeld);
        lock (_rebuilding)
        {
            foreach (var (key, value) in _settled)
            {
                if (keepHeld(value))
                {
                    loaded[key] = value;
                }
            }

            Publish(loaded, (key, value) =>
            {
                if (keepHeld(value))
                {
                    loaded[key] = value;
                }

                return false;
            });
        }
    }

    /// <summary>
    /// Hands every recent entry to <paramref name="fold"/> (true: it was dropped), publishes
    /// <paramref name="next"/>, then takes out of the recent tier exactly the entries folded: one
    /// changed meanwhile stays there, and wins, until the next fold.
    /// </summary>
    private int Publish(Dictionary<Guid, TValue> next, Func<Guid, TValue, bool> fold)
    {
        var folded = new List<KeyValuePair<Guid, TValue>>();
        var dropped = 0;
        foreach (var entry in _recent)
        {
            folded.Add(entry);
            dropped += fold(entry.Key, entry.Value) ? 1 : 0;
        }

        if (next.Count * 4L < next.EnsureCapacity(0) * 3L)
        {
            next.TrimExcess(); // a loaded tier grew by doublings: up to half of it would be empty slots
        }

        _settled = next;
        foreach (var entry in folded)
        {
            _recent.TryRemove(entry);
        }

        return dropped;
    }

    private static int CountKept(Dictionary<Guid, TValue> entries, Func<TValue, bool> keep)
    {
        var kept = 0;
        foreach (var value in entries.Values)
        {
            kept += keep(value) ? 1 : 0;
        }

        return kept;
    }
}
