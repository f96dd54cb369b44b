using System.Collections.Concurrent;

namespace Cream.Api.Auth.Tokens;

/// <summary>
/// Access tokens that passed full validation, remembered until they expire, so a client that
/// sends one token many times pays for parsing and the signature once
/// (docs/decisions/0008-validated-token-cache.md). An entry belongs to the key ring version it
/// was validated under: a rotation or retirement sends every token back through validation.
/// </summary>
public sealed class ValidatedTokenCache
{
    /// <summary>Validated tokens remembered at most; past it the cache starts over.</summary>
    public const int MaxEntries = 10_000;

    /// <summary>A remembered token; a class, so a hit hands out a reference instead of copying the facts.</summary>
    public sealed class Entry(ValidatedAccessToken token, int keyRingVersion)
    {
        private readonly ValidatedAccessToken _token = token;

        public ref readonly ValidatedAccessToken Token => ref _token;

        public int KeyRingVersion { get; } = keyRingVersion;
    }

    private readonly ConcurrentDictionary<string, Entry> _entries;
    private readonly ConcurrentDictionary<string, Entry>.AlternateLookup<ReadOnlySpan<char>> _bySpan;

    /// <summary>
    /// Hashes of tokens validated once: a token is remembered on its second validation, so tokens
    /// seen only once (the common case under many distinct clients) cost no cache churn.
    /// </summary>
    private readonly int[] _seenOnce = new int[1 << 16];

    public ValidatedTokenCache()
    {
        _entries = new(StringComparer.Ordinal);
        _bySpan = _entries.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>The remembered token, unless it has expired (beyond <paramref name="clockSkew"/>) or its key ring changed.</summary>
    public Entry? Find(string token, int keyRingVersion, DateTime now, TimeSpan clockSkew) =>
        Find(token.AsSpan(), keyRingVersion, now, clockSkew);

    /// <inheritdoc cref="Find(string, int, DateTime, TimeSpan)"/>
    /// <remarks>Read straight from a header, the token needs no string of its own.</remarks>
    public Entry? Find(ReadOnlySpan<char> token, int keyRingVersion, DateTime now, TimeSpan clockSkew)
    {
        if (!_bySpan.TryGetValue(token, out var entry))
        {
            return null;
        }

        if (entry.KeyRingVersion == keyRingVersion && now <= entry.Token.Expires + clockSkew)
        {
            return entry;
        }

        _bySpan.TryRemove(token, out _); // expired, or its key may be gone: validate in full
        return null;
    }

    /// <summary>Remembers a validated token from its second offer on.</summary>
    public void Offer(string token, ValidatedAccessToken validated, int keyRingVersion)
    {
        if (!SeenBefore(token))
        {
            return;
        }

        if (_entries.Count >= MaxEntries)
        {
            _entries.Clear();
        }

        // The result builds its identity once, on first use (thread-safely); later requests share it.
        _entries[token] = new Entry(validated, keyRingVersion);
    }

    /// <summary>True from a token's second offer on (a rare hash collision admits one early, harmlessly).</summary>
    private bool SeenBefore(string token)
    {
        var hash = token.GetHashCode(StringComparison.Ordinal);
        ref var slot = ref _seenOnce[hash & (_seenOnce.Length - 1)];
        if (slot == hash)
        {
            return true;
        }

        slot = hash;
        return false;
    }
}
