using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Cream.Api.Common;
using Cream.Api.Users;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Cream.Api.Auth.BruteForce;

/// <summary>
/// The checks the token endpoints make before any credential is looked at: per client
/// address (every login and refresh attempt) and per submitted email (password logins).
/// A refusal is a 429 problem detail with <c>Retry-After</c>, decided from the counters
/// alone, so a known and an unknown email get the very same answer.
/// </summary>
internal sealed class BruteForceGuard(
    IAttemptCounters counters,
    AttemptPolicy policy,
    AuthEvents events,
    TimeProvider time)
{
    public const string TooManyAttemptsDetail = "Too many attempts: wait the number of seconds given in Retry-After, then try again.";

    /// <summary>Counts a login or refresh attempt from the caller's address; a result means refuse it.</summary>
    public async ValueTask<ProblemHttpResult?> CheckClientAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Features.Get<CountedClientAttempt>() is { } counted)
        {
            return counted.Refusal; // one request is one attempt, whoever asks first
        }

        var refusal = await CountClientAttemptAsync(context);
        context.Features.Set(new CountedClientAttempt(refusal));
        return refusal;
    }

    /// <summary>That a request was counted toward its address's limit, and what the count decided.</summary>
    private sealed record CountedClientAttempt(ProblemHttpResult? Refusal);

    private async ValueTask<ProblemHttpResult?> CountClientAttemptAsync(HttpContext context)
    {
        var client = ClientPartition(context.Connection.RemoteIpAddress);
        var nowMs = time.GetUtcNow().ToUnixTimeMilliseconds();
        var window = AttemptPolicy.WindowIndex(nowMs);
        var count = await counters.CountClientAttemptAsync(client, window);
        if (count <= policy.PerClientLimit)
        {
            return null;
        }

        var retryAfter = RetryAfterSeconds(AttemptPolicy.WindowEndMs(window) - nowMs);
        await events.ClientLimitedAsync(client, policy.PerClientLimit, retryAfter, firstInWindow: count == policy.PerClientLimit + 1L);

        return TooManyAttempts(context, retryAfter);
    }

    /// <summary>
    /// Counts a signup from the caller's address (<c>RateLimits__SignupsPerIpPerHour</c>); a
    /// result means refuse it, before anything is looked up or hashed.
    /// </summary>
    public async ValueTask<ProblemHttpResult?> CheckSignupAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var client = ClientPartition(context.Connection.RemoteIpAddress);
        var nowMs = time.GetUtcNow().ToUnixTimeMilliseconds();
        var window = AttemptPolicy.WindowIndex(nowMs, AttemptPolicy.SignupWindowMs);
        var count = await counters.CountClientAttemptAsync("signup:" + client, window, AttemptPolicy.SignupWindowMs);
        if (count <= policy.SignupsPerClientLimit)
        {
            return null;
        }

        var retryAfter = RetryAfterSeconds(AttemptPolicy.WindowEndMs(window, AttemptPolicy.SignupWindowMs) - nowMs);
        await events.SignupsLimitedAsync(client, policy.SignupsPerClientLimit, retryAfter, firstInWindow: count == policy.SignupsPerClientLimit + 1L);
        return TooManyAttempts(context, retryAfter);
    }

    /// <summary>
    /// Counts one account email (verification or reset) to <paramref name="email"/>
    /// (<c>RateLimits__EmailsPerAddressPerHour</c>); null means send it, a number is the seconds
    /// until the address may be sent another. Keyed by the email's hash, like the login backoff.
    /// </summary>
    public async ValueTask<long?> ClaimEmailToAsync(string email)
    {
        var nowMs = time.GetUtcNow().ToUnixTimeMilliseconds();
        var window = AttemptPolicy.WindowIndex(nowMs, AttemptPolicy.SignupWindowMs);
        var count = await counters.CountClientAttemptAsync("mail:" + AccountKey(email), window, AttemptPolicy.SignupWindowMs);
        return count <= policy.EmailsPerAddressLimit
            ? null
            : RetryAfterSeconds(AttemptPolicy.WindowEndMs(window, AttemptPolicy.SignupWindowMs) - nowMs);
    }

    /// <summary>
    /// Claims a password attempt for <paramref name="email"/>; a result means refuse it without
    /// checking the password. The attempt counts as a failure until <see cref="LoginSucceededAsync"/>.
    /// </summary>
    public async ValueTask<ProblemHttpResult?> BeginLoginAsync(HttpContext context, string email)
    {
        ArgumentNullException.ThrowIfNull(context);
        return await ClaimPasswordCheckAsync(email, context.Connection.RemoteIpAddress) is { } retryAfter
            ? TooManyAttempts(context, retryAfter)
            : null;
    }

    /// <summary>
    /// Claims one password check for <paramref name="email"/> (a login, or a current password
    /// re-entered to change credentials): the seconds to wait when it is refused, else null.
    /// Every check of one account's password shares this one backoff.
    /// </summary>
    public async ValueTask<long?> ClaimPasswordCheckAsync(string email, IPAddress? client)
    {
        var account = AccountKey(email);
        var claim = await counters.ClaimAccountAttemptAsync(account, time.GetUtcNow().ToUnixTimeMilliseconds());
        if (claim.Allowed)
        {
            return null;
        }

        var retryAfter = RetryAfterSeconds(claim.RetryAfterMs);
        await events.EmailBackingOffAsync(account[..12], claim.Failures, retryAfter, ClientPartition(client));
        return retryAfter;
    }

    /// <summary>The same, for a check made on behalf of <paramref name="client"/> (a password typed again, a two-factor code).</summary>
    public ValueTask<long?> ClaimPasswordCheckAsync(string email, ClientInfo client)
    {
        ArgumentNullException.ThrowIfNull(client);
        return ClaimPasswordCheckAsync(email, IPAddress.TryParse(client.IpAddress, out var address) ? address : null);
    }

    /// <summary>Ends the email's failure streak.</summary>
    public ValueTask LoginSucceededAsync(string email) => counters.ResetAccountAsync(AccountKey(email));

    /// <summary>The SHA-256 (hex) of the normalized email: what the counters are keyed by, never the email itself.</summary>
    internal static string AccountKey(string email) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(EmailAddress.Key(email))));

    /// <summary>
    /// The address a client is counted under: IPv4 as is, IPv6 by its /64 (what one host or
    /// home is typically given, so rotating the low bits buys nothing), and "unknown" when the
    /// server has none.
    /// </summary>
    internal static string ClientPartition(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes) + "/64";
    }

    private static long RetryAfterSeconds(long milliseconds) => Math.Max(1, (milliseconds + 999) / 1000);

    /// <summary>429 with <c>Retry-After</c>: the same answer for every refused attempt, known account or not.</summary>
    public static ProblemHttpResult TooManyAttempts(HttpContext context, long retryAfterSeconds)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Response.Headers.RetryAfter = retryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        return Problems.Create(StatusCodes.Status429TooManyRequests, TooManyAttemptsDetail, "Too Many Requests");
    }
}
