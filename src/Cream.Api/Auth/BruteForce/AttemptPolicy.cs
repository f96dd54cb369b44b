namespace Cream.Api.Auth.BruteForce;

/// <summary>
/// The arithmetic of the limits, shared by both stores (the Redis scripts mirror it). Times
/// are Unix milliseconds of the injected <see cref="TimeProvider"/>, never the store's clock.
/// </summary>
internal sealed record AttemptPolicy(int PerClientLimit, int FreeFailures, int SignupsPerClientLimit, int EmailsPerAddressLimit)
{
    /// <summary>The per-client window: fixed, aligned to the clock's minutes, the same on every instance.</summary>
    public const long WindowMs = 60_000;

    /// <summary>The per-client signup window and the per-address email window: fixed, aligned to the clock's hours.</summary>
    public const long SignupWindowMs = 60 * 60_000;

    /// <summary>The backoff after the first failure past the free ones; it doubles with each further failure.</summary>
    public const long FirstBackoffMs = 1_000;

    public const long MaxBackoffMs = 15 * 60_000;

    /// <summary>
    /// A failure streak is forgotten this long after its last attempt. Longer than the largest
    /// backoff, so that pausing never buys an attacker a fresh set of free attempts sooner.
    /// </summary>
    public const long FailureMemoryMs = 24 * 60 * 60_000;

    public static AttemptPolicy From(RateLimitOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new(options.PerIpPerMinute, options.FailuresBeforeBackoff, options.SignupsPerIpPerHour, options.EmailsPerAddressPerHour);
    }

    public static long WindowIndex(long nowMs, long windowMs = WindowMs) => nowMs / windowMs;

    public static long WindowEndMs(long windowIndex, long windowMs = WindowMs) => (windowIndex + 1) * windowMs;

    /// <summary>How long an account waits after its <paramref name="failures"/>-th consecutive failed attempt (0: not at all).</summary>
    public long BackoffMs(long failures) =>
        failures < FreeFailures ? 0 : Math.Min(FirstBackoffMs << (int)Math.Min(failures - FreeFailures, 30), MaxBackoffMs);
}

/// <summary>The answer to an account's attempt: go ahead, or wait <see cref="RetryAfterMs"/>.</summary>
internal readonly record struct AccountClaim(bool Allowed, long RetryAfterMs, long Failures)
{
    public static AccountClaim Allow(long failures) => new(true, 0, failures);

    public static AccountClaim Refuse(long retryAfterMs, long failures) => new(false, retryAfterMs, failures);
}

/// <summary>Where the brute-force counters live: this process, or Redis shared by every instance.</summary>
internal interface IAttemptCounters
{
    /// <summary>
    /// Counts one attempt by <paramref name="client"/> in the window <paramref name="windowIndex"/>
    /// (of <paramref name="windowMs"/>); returns the window's count so far.
    /// </summary>
    ValueTask<long> CountClientAttemptAsync(string client, long windowIndex, long windowMs = AttemptPolicy.WindowMs);

    /// <summary>
    /// Atomically refuses the attempt while <paramref name="account"/> is backing off, or else
    /// counts it as a failure in advance (so parallel attempts cannot slip past the backoff)
    /// and starts the next backoff if the streak has used up its free failures. A success
    /// undoes this with <see cref="ResetAccountAsync"/>.
    /// </summary>
    ValueTask<AccountClaim> ClaimAccountAttemptAsync(string account, long nowMs);

    /// <summary>Forgets the account's failure streak (a successful login).</summary>
    ValueTask ResetAccountAsync(string account);
}
