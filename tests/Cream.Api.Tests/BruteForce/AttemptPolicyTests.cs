using System.ComponentModel.DataAnnotations;
using System.Net;
using Cream.Api.Auth.BruteForce;
using Microsoft.Extensions.Time.Testing;

namespace Cream.Api.Tests.BruteForce;

/// <summary>The arithmetic and bookkeeping under the HTTP tests: options, backoff schedule, client partitions, in-process counters.</summary>
public sealed class AttemptPolicyTests
{
    private static readonly AttemptPolicy Defaults = AttemptPolicy.From(new RateLimitOptions());

    [Fact]
    public void The_defaults_are_100_attempts_per_address_and_5_free_failures()
    {
        var options = new RateLimitOptions();

        Assert.Equal("RateLimits", RateLimitOptions.SectionName);
        Assert.Equal(100, options.PerIpPerMinute);
        Assert.Equal(5, options.FailuresBeforeBackoff);
        Assert.Empty(Validate(options));
    }

    [Theory]
    [InlineData(0, 5, "RateLimits__PerIpPerMinute")]
    [InlineData(-1, 5, "RateLimits__PerIpPerMinute")]
    [InlineData(100, 0, "RateLimits__FailuresBeforeBackoff")]
    public void Out_of_range_settings_are_refused_naming_the_variable(int perIp, int failures, string variable)
    {
        var problems = Validate(new RateLimitOptions { PerIpPerMinute = perIp, FailuresBeforeBackoff = failures });

        Assert.Contains(problems, problem => problem.ErrorMessage!.StartsWith(variable, StringComparison.Ordinal));
    }

    [Fact]
    public void Backoff_is_free_for_five_failures_then_doubles_from_one_second_up_to_fifteen_minutes()
    {
        long[] expected = [0, 0, 0, 0, 1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 64_000, 128_000, 256_000, 512_000, 900_000, 900_000];

        Assert.Equal(expected, Enumerable.Range(1, expected.Length).Select(failures => Defaults.BackoffMs(failures)));
        Assert.Equal(900_000, Defaults.BackoffMs(1_000_000)); // no overflow
    }

    [Theory]
    [InlineData(null, "unknown")]
    [InlineData("192.0.2.7", "192.0.2.7")]
    [InlineData("::ffff:192.0.2.7", "192.0.2.7")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:2::/64")]
    public void Clients_count_per_ipv4_address_and_per_ipv6_64(string? address, string partition) =>
        Assert.Equal(partition, BruteForceGuard.ClientPartition(address is null ? null : IPAddress.Parse(address)));

    [Fact]
    public void Accounts_are_keyed_by_the_sha256_of_the_normalized_email()
    {
        var key = BruteForceGuard.AccountKey("Someone@Example.com");

        Assert.Equal(key, BruteForceGuard.AccountKey("  someone@EXAMPLE.COM "));
        Assert.Matches("^[0-9a-f]{64}$", key);
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("SOMEONE@EXAMPLE.COM"u8)), key);
    }

    [Fact]
    public async Task A_hundred_parallel_claims_on_a_fresh_account_let_exactly_five_through()
    {
        var counters = new InProcessAttemptCounters(Defaults, new FakeTimeProvider());

        var claims = await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => Task.Run(() => counters.ClaimAccountAttemptAsync("account", 1_000_000).AsTask())));

        Assert.Equal(5, claims.Count(claim => claim.Allowed));
        Assert.All(claims.Where(claim => !claim.Allowed), claim => Assert.Equal(1_000, claim.RetryAfterMs));
    }

    [Fact]
    public async Task Old_windows_and_forgotten_streaks_are_pruned_as_the_clock_moves()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddDays(1));
        var counters = new InProcessAttemptCounters(Defaults, time);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        await counters.CountClientAttemptAsync("192.0.2.1", AttemptPolicy.WindowIndex(now));
        await counters.ClaimAccountAttemptAsync("account", now);

        time.Advance(TimeSpan.FromMinutes(2));
        await counters.CountClientAttemptAsync("192.0.2.2", AttemptPolicy.WindowIndex(time.GetUtcNow().ToUnixTimeMilliseconds()));

        Assert.Equal(1, counters.TrackedClients);
        Assert.Equal(1, counters.TrackedAccounts); // a streak is remembered for a day
        time.Advance(TimeSpan.FromDays(1));
        var later = time.GetUtcNow().ToUnixTimeMilliseconds();
        var claim = await counters.ClaimAccountAttemptAsync("other", later);
        Assert.Equal(1, claim.Failures);
        Assert.Equal(1, counters.TrackedAccounts);
        Assert.Equal(1, (await counters.ClaimAccountAttemptAsync("account", later)).Failures); // forgotten, starts over
    }

    private static List<ValidationResult> Validate(RateLimitOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results;
    }
}
