using Microsoft.IdentityModel.Tokens;

namespace Cream.Api.Auth.Keys;

/// <summary>
/// The keys in force: the one that signs and every one that still verifies. Swapped as a
/// whole (rotation, retirement), read lock-free by every request.
/// </summary>
public sealed class KeyRing
{
    private sealed record Snapshot(SigningCredentials Signing, IReadOnlyDictionary<string, SecurityKey> ByKid, IReadOnlyList<PublicJwk> PublicKeys);

    private volatile Snapshot? _snapshot;
    private int _version;

    /// <summary>A ring whose keys come later (from the database, at start).</summary>
    public KeyRing(string algorithm) => Algorithm = algorithm;

    public KeyRing(string algorithm, SecurityKey signingKey, IEnumerable<SecurityKey>? verificationKeys = null)
        : this(algorithm) => _snapshot = Build(signingKey, verificationKeys ?? []);

    public string Algorithm { get; }

    public SigningCredentials Signing => Current.Signing;

    public string SigningKeyId => Current.Signing.Key.KeyId;

    /// <summary>The public keys for <c>/.well-known/jwks.json</c>; empty for HS256, whose key is secret.</summary>
    public IReadOnlyList<PublicJwk> PublicKeys => _snapshot?.PublicKeys ?? [];

    /// <summary>False until the first keys are installed (database-kept keys load at start).</summary>
    public bool IsLoaded => _snapshot is not null;

    /// <summary>The verification key named by a token's <c>kid</c>; unknown ids find nothing.</summary>
    public SecurityKey? Find(string? kid) =>
        kid is not null && _snapshot is { } snapshot && snapshot.ByKid.TryGetValue(kid, out var key) ? key : null;

    private Snapshot Current => _snapshot ?? throw new InvalidOperationException("The signing keys are not loaded yet.");

    /// <summary>Changes whenever the keys change, so results that depended on them can be dropped.</summary>
    public int Version => _version;

    public void Install(SecurityKey signingKey, IEnumerable<SecurityKey> verificationKeys)
    {
        _snapshot = Build(signingKey, verificationKeys);
        Interlocked.Increment(ref _version);
    }

    private Snapshot Build(SecurityKey signingKey, IEnumerable<SecurityKey> verificationKeys)
    {
        var byKid = new Dictionary<string, SecurityKey>(StringComparer.Ordinal) { [signingKey.KeyId] = signingKey };
        foreach (var key in verificationKeys)
        {
            byKid.TryAdd(key.KeyId, key);
        }

        var publicKeys = byKid.Values.OfType<AsymmetricSecurityKey>()
            .Select(key => KeyMaterial.ToPublicJwk(key, Algorithm))
            .ToList();
        return new Snapshot(new SigningCredentials(signingKey, Algorithm), byKid, publicKeys);
    }
}
