using System.Collections.Concurrent;

namespace Cream.Api.Auth.BruteForce;

/// <summary>
/// The counters of one instance: the embedded deployment's store, and the fallback while
/// Redis is unreachable. Lock-free; stale entries are pruned once a minute of the clock.
/// </summary>
internal sealed class InProcessAttemptCounters(AttemptPolicy policy, TimeProvider time) : IAttemptCounters
{
    /// <summary>Beyond this many remembered accounts, streaks that are not backing off are dropped first.</summary>
    internal const int MaxAccounts = 100_000;

    private const long PruneEveryMs = 60_000;

    private readonly ConcurrentDictionary<string, ClientWindow> _clients = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, AccountStreak> _accounts = new(StringComparer.Ordinal);
    private long _nextPruneMs;

    internal int TrackedClients => _clients.Count;

    internal int TrackedAccounts => _accounts.Count;

    public ValueTask<long> CountClientAttemptAsync(string client, long windowIndex, long windowMs = AttemptPolicy.WindowMs)
    {
        PruneIfDue();
        var window = _clients.AddOrUpdate(
            client,
            static (_, arg) => new ClientWindow(arg.Index, 1, arg.WindowMs),
            static (_, current, arg) => current.Index == arg.Index ? current with { Count = current.Count + 1 } : new ClientWindow(arg.Index, 1, arg.WindowMs),
            (Index: windowIndex, WindowMs: windowMs));
        return ValueTask.FromResult(window.Count);
    }

    public ValueTask<AccountClaim> ClaimAccountAttemptAsync(string account, long nowMs)
    {
        PruneIfDue();
        while (true)
        {
            var known = _accounts.TryGetValue(account, out var current);
            var live = known && current!.ForgetAtMs > nowMs;
            if (live && current!.BlockedUntilMs > nowMs)
            {
                return ValueTask.FromResult(AccountClaim.Refuse(current.BlockedUntilMs - nowMs, current.Failures));
            }

            var failures = (live ? current!.Failures : 0) + 1;
            var backoff = policy.BackoffMs(failures);
            var next = new AccountStreak(failures, backoff > 0 ? nowMs + backoff : 0, nowMs + AttemptPolicy.FailureMemoryMs);
            if (known ? _accounts.TryUpdate(account, next, current!) : _accounts.TryAdd(account, next))
            {
                return ValueTask.FromResult(AccountClaim.Allow(failures));
            }
        }
    }

    public ValueTask ResetAccountAsync(string account)
    {
        _accounts.TryRemove(account, out _);
        return ValueTask.CompletedTask;
    }

    private void PruneIfDue()
    {
        var nowMs = time.GetUtcNow().ToUnixTimeMilliseconds();
        var due = Interlocked.Read(ref _nextPruneMs);
        if (nowMs < due || Interlocked.CompareExchange(ref _nextPruneMs, nowMs + PruneEveryMs, due) != due)
        {
            return; // not yet, or another request is pruning
        }

        foreach (var entry in _clients)
        {
            if (entry.Value.Index < AttemptPolicy.WindowIndex(nowMs, entry.Value.WindowMs))
            {
                _clients.TryRemove(entry); // only if unchanged since read
            }
        }

        foreach (var entry in _accounts)
        {
            if (entry.Value.ForgetAtMs <= nowMs)
            {
                _accounts.TryRemove(entry);
            }
        }

        if (_accounts.Count > MaxAccounts)
        {
            // Under a flood of made-up emails, keep what matters: accounts that are backing off.
            foreach (var entry in _accounts)
            {
                if (entry.Value.BlockedUntilMs <= nowMs)
                {
                    _accounts.TryRemove(entry);
                }
            }
        }
    }

    private sealed record ClientWindow(long Index, long Count, long WindowMs);

    private sealed record AccountStreak(long Failures, long BlockedUntilMs, long ForgetAtMs);
}
