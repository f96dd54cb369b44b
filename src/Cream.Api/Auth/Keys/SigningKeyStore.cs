using Cream.Api.Auth.Revocation;
using Cream.Api.Auth.Tokens;
using Cream.Api.Data;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Cream.Api.Auth.Keys;

/// <summary>
/// Asymmetric keys kept in the database (when no <c>Jwt__PrivateKeyPath</c> names a file):
/// created on first start, rotated by the <c>rotate-key</c> command, loaded into the
/// <see cref="KeyRing"/> at start and at every resync.
/// </summary>
public sealed class SigningKeyStore(
    CreamDbContext db,
    IDataProtectionProvider dataProtection,
    IOptions<JwtOptions> jwtOptions,
    IOptions<RevocationOptions> revocationOptions,
    TimeProvider time)
{
    private readonly IDataProtector _protector = dataProtection.CreateProtector("Cream.Auth.SigningKeys.v1");
    private readonly JwtOptions _jwt = jwtOptions.Value;

    /// <summary>A new key signs only after every instance has resynced (twice) and so can verify it.</summary>
    public TimeSpan ActivationDelay => TimeSpan.FromSeconds(2 * revocationOptions.Value.ResyncSeconds);

    /// <summary>A key verifies tokens for one lifetime (plus skew) after it stops signing.</summary>
    public TimeSpan VerificationTail => TimeSpan.FromMinutes(_jwt.AccessTokenMinutes) + TimeSpan.FromSeconds(_jwt.ClockSkewSeconds);

    /// <summary>The signing key and the keys that still verify; creates the first key when there is none.</summary>
    public async Task<(SecurityKey Signing, IReadOnlyList<SecurityKey> Verifying)> LoadAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var stored = await LiveKeysAsync(now, cancellationToken);
        if (stored.Count == 0)
        {
            await AddKeyAsync(activatesAt: now, cancellationToken);
            stored = await LiveKeysAsync(now, cancellationToken);
        }

        var keys = stored.Select(k => (Record: k, Key: Unprotect(k))).ToList();
        var signing = keys.Where(k => k.Record.ActivatesAt <= now).OrderByDescending(k => k.Record.ActivatesAt).Select(k => k.Key).FirstOrDefault()
            ?? keys.OrderBy(k => k.Record.ActivatesAt).First().Key;
        return (signing, keys.Select(k => k.Key).ToList());
    }

    /// <summary>
    /// Adds a key that starts signing after <see cref="ActivationDelay"/>; the keys signing until
    /// then retire one token lifetime later, so nobody is logged out. With no live key at all
    /// (the command ran before the service ever started) the new key signs at once.
    /// </summary>
    public async Task<KeyRotation> RotateAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var previous = (await LiveKeysAsync(now, cancellationToken)).Count;
        if (previous == 0)
        {
            return new KeyRotation(await AddKeyAsync(activatesAt: now, cancellationToken), PreviousKeys: 0, PreviousRetireAt: null);
        }

        var activatesAt = now + ActivationDelay;
        var retiresAt = activatesAt + VerificationTail;
        await db.SigningKeys
            .Where(k => k.Algorithm == _jwt.Algorithm && (k.RetiresAt == null || k.RetiresAt > retiresAt))
            .ExecuteUpdateAsync(set => set.SetProperty(k => k.RetiresAt, retiresAt), cancellationToken);
        return new KeyRotation(await AddKeyAsync(activatesAt, cancellationToken), previous, retiresAt);
    }

    private Task<List<StoredSigningKey>> LiveKeysAsync(DateTime now, CancellationToken cancellationToken) =>
        db.SigningKeys.AsNoTracking()
            .Where(k => k.Algorithm == _jwt.Algorithm && (k.RetiresAt == null || k.RetiresAt > now))
            .ToListAsync(cancellationToken);

    private async Task<StoredSigningKey> AddKeyAsync(DateTime activatesAt, CancellationToken cancellationToken)
    {
        var key = KeyMaterial.Generate(_jwt.Algorithm);
        var record = new StoredSigningKey
        {
            KeyId = key.KeyId,
            Algorithm = _jwt.Algorithm,
            ProtectedPrivateKey = Convert.ToBase64String(_protector.Protect(KeyMaterial.ExportPrivate(key))),
            CreatedAt = time.GetUtcNow().UtcDateTime,
            ActivatesAt = activatesAt,
        };
        db.SigningKeys.Add(record);
        await db.SaveChangesAsync(cancellationToken);
        db.ChangeTracker.Clear();
        return record;
    }

    private AsymmetricSecurityKey Unprotect(StoredSigningKey record) =>
        KeyMaterial.ImportPrivate(record.Algorithm, _protector.Unprotect(Convert.FromBase64String(record.ProtectedPrivateKey)));
}

/// <summary>What <c>rotate-key</c> did: the new key, and how many keys it replaces and until when they verify.</summary>
public sealed record KeyRotation(StoredSigningKey Added, int PreviousKeys, DateTime? PreviousRetireAt);
