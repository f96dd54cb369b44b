using System.Collections.Concurrent;
using Microsoft.IdentityModel.Tokens;

namespace Cream.Api.Auth.Dpop;

/// <summary>
/// Proof keys imported before, by RFC 7638 thumbprint: a client signs every request with one
/// key, and importing it (the platform validates the point or modulus) costs several times a
/// signature check. The thumbprint is a SHA-256 of the very members the key is built from, so
/// a hit is that key. Bounded: past <see cref="MaxEntries"/> it starts over. The library's
/// own provider cache (bounded, least recently used) keeps the verifiers of these keys.
/// </summary>
public sealed class DpopKeyCache
{
    public const int MaxEntries = 10_000;

    private readonly ConcurrentDictionary<string, AsymmetricSecurityKey> _keys = new(StringComparer.Ordinal);

    /// <summary>The imported key, or null when it cannot be imported.</summary>
    public AsymmetricSecurityKey? GetOrImport(DpopProofKey.Checked key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (_keys.TryGetValue(key.Thumbprint, out var known))
        {
            return known;
        }

        if (key.Import() is not { } imported)
        {
            return null;
        }

        if (_keys.Count >= MaxEntries)
        {
            _keys.Clear();
        }

        return _keys.GetOrAdd(key.Thumbprint, imported);
    }
}
