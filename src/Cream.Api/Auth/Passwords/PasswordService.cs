using System.Security.Cryptography;
using System.Text;
using Cream.Api.Common;
using Cream.Api.Users;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Cream.Api.Auth.Passwords;

public enum PasswordCheck
{
    Failed,
    Success,

    /// <summary>Correct, but stored with old parameters or the first version's scheme: store a new hash.</summary>
    SuccessRehashNeeded,
}

/// <summary>
/// Hashes with ASP.NET Core Identity's PBKDF2-HMAC-SHA512 format at OWASP's iteration count,
/// and still accepts the first version's <c>salt$hex(sha256(password + salt))</c> hashes so that
/// existing accounts keep working until their next login upgrades them.
/// </summary>
public sealed class PasswordService : IDisposable
{
    private readonly PasswordHasher<AppUser> _hasher;
    private readonly Lazy<string> _decoyHash;
    private readonly SemaphoreSlim _slots;
    private readonly TimeSpan _queueTimeout;

    public PasswordService(IOptions<PasswordOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var slots = options.Value.MaxConcurrentHashes > 0 ? options.Value.MaxConcurrentHashes : Math.Max(1, Environment.ProcessorCount - 1);
        _slots = new SemaphoreSlim(slots, slots);
        _queueTimeout = TimeSpan.FromSeconds(options.Value.HashQueueSeconds);
        _hasher = new PasswordHasher<AppUser>(Options.Create(new PasswordHasherOptions
        {
            CompatibilityMode = PasswordHasherCompatibilityMode.IdentityV3,
            IterationCount = options.Value.Iterations,
        }));
        // A real hash of a random password, checked when there is no account, so that an
        // unknown email costs the same PBKDF2 work as a wrong password.
        _decoyHash = new Lazy<string>(() => _hasher.HashPassword(null!, Convert.ToHexString(RandomNumberGenerator.GetBytes(16))));
    }

    public string Hash(string password) => _hasher.HashPassword(null!, password);

    /// <summary><see cref="Hash"/> within the bounded number of hashing slots (request paths use this).</summary>
    public Task<string> HashAsync(string password, CancellationToken cancellationToken) =>
        WithSlotAsync(() => Hash(password), cancellationToken);

    /// <summary><see cref="Verify"/> within the bounded number of hashing slots (request paths use this).</summary>
    public Task<PasswordCheck> VerifyAsync(string? storedHash, string password, CancellationToken cancellationToken) =>
        WithSlotAsync(() => Verify(storedHash, password), cancellationToken);

    private async Task<T> WithSlotAsync<T>(Func<T> work, CancellationToken cancellationToken)
    {
        if (!await _slots.WaitAsync(_queueTimeout, cancellationToken))
        {
            throw new PasswordHashingBusyException();
        }

        try
        {
            return work();
        }
        finally
        {
            _slots.Release();
        }
    }

    public void Dispose() => _slots.Dispose();

    /// <summary>Checks a password against a stored hash; a null hash means "no such account".</summary>
    public PasswordCheck Verify(string? storedHash, string password)
    {
        ArgumentNullException.ThrowIfNull(password);
        if (storedHash is null)
        {
            _hasher.VerifyHashedPassword(null!, _decoyHash.Value, password);
            return PasswordCheck.Failed;
        }

        if (LegacySha256Hash.IsLegacy(storedHash))
        {
            // The legacy check is microseconds; pay the PBKDF2 price too so that timing
            // does not tell first-version accounts apart from unknown emails.
            _hasher.VerifyHashedPassword(null!, _decoyHash.Value, password);
            return LegacySha256Hash.Verify(storedHash, password) ? PasswordCheck.SuccessRehashNeeded : PasswordCheck.Failed;
        }

        try
        {
            return _hasher.VerifyHashedPassword(null!, storedHash, password) switch
            {
                PasswordVerificationResult.Success => PasswordCheck.Success,
                PasswordVerificationResult.SuccessRehashNeeded => PasswordCheck.SuccessRehashNeeded,
                _ => PasswordCheck.Failed,
            };
        }
        catch (FormatException)
        {
            return PasswordCheck.Failed; // a damaged row must not become a 500
        }
    }

    /// <summary>Warms the decoy hash at start so the first unknown-email login is not cheaper.</summary>
    public void Warm() => _ = _decoyHash.Value;
}

/// <summary>The first version's scheme: 32 hex characters of salt, <c>$</c>, hex SHA-256 of password + salt.</summary>
internal static class LegacySha256Hash
{
    private const int SaltHexLength = 32;
    private const int DigestHexLength = 64;

    public static bool IsLegacy(string storedHash) =>
        storedHash.Length == SaltHexLength + 1 + DigestHexLength
        && storedHash[SaltHexLength] == '$'
        && storedHash.AsSpan(0, SaltHexLength).ContainsAnyExcept(HexDigits) is false
        && storedHash.AsSpan(SaltHexLength + 1).ContainsAnyExcept(HexDigits) is false;

    public static bool Verify(string storedHash, string password)
    {
        var salt = storedHash[..SaltHexLength];
        var expected = Convert.FromHexString(storedHash.AsSpan(SaltHexLength + 1));
        var actual = SHA256.HashData(Encoding.UTF8.GetBytes(password + salt));
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    /// <summary>Builds a hash in the first version's format (used to prove compatibility in tests).</summary>
    public static string Create(string password, string saltHex) =>
        saltHex + "$" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(password + saltHex)));

    private static readonly System.Buffers.SearchValues<char> HexDigits =
        System.Buffers.SearchValues.Create("0123456789abcdefABCDEF");
}

/// <summary>Every hashing slot stayed busy for the whole queue time: the sign-in is answered 503.</summary>
/// <summary>A sign-in storm: shed it rather than let hashing starve token validation.</summary>
public sealed class PasswordHashingBusyException()
    : ServiceUnavailableException("Too many sign-ins at once: try again shortly.", retryAfterSeconds: 1, "Every password hashing slot is busy.");
