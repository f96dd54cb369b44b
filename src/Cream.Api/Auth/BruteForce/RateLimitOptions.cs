using System.ComponentModel.DataAnnotations;

namespace Cream.Api.Auth.BruteForce;

/// <summary>The <c>RateLimits</c> configuration section (environment variables <c>RateLimits__*</c>).</summary>
public sealed class RateLimitOptions
{
    public const string SectionName = "RateLimits";

    /// <summary>Login and refresh attempts one client address may make per minute, successes included.</summary>
    [Range(1, 1_000_000_000, ErrorMessage = "RateLimits__PerIpPerMinute must be between {1} and {2}.")]
    public int PerIpPerMinute { get; set; } = 100;

    /// <summary>
    /// Consecutive failed logins for one submitted email (known or not) that are answered
    /// normally; after them, attempts back off exponentially (1 s, 2 s, 4 s ... 15 min).
    /// </summary>
    [Range(1, 1000, ErrorMessage = "RateLimits__FailuresBeforeBackoff must be between {1} and {2}.")]
    public int FailuresBeforeBackoff { get; set; } = 5;

    /// <summary>Signups one client address may make per hour (each costs a password hash, and each probes an email).</summary>
    [Range(1, 1_000_000_000)]
    public int SignupsPerIpPerHour { get; set; } = 20;

    /// <summary>Verification and reset emails one address may be sent per hour (each is mail in someone's inbox).</summary>
    [Range(1, 1_000_000_000)]
    public int EmailsPerAddressPerHour { get; set; } = 5;
}
