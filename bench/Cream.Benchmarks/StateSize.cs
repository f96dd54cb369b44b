using System.Diagnostics;
using Cream.Api.Auth.Revocation;
using Cream.Api.Auth.State;

namespace Cream.Benchmarks;

/// <summary>
/// Bytes the revocation state holds per entry: the managed heap before and after adding
/// a million entries of each kind (users cut off, ended sessions, revoked jtis), as the
/// resync and the pub/sub consumer add them.
/// <c>dotnet run -c Release --project bench/Cream.Benchmarks -- --state-size [entries per kind]</c>
/// </summary>
public static class StateSize
{
    public static void Run(int perKind)
    {
        var now = DateTimeOffset.UtcNow;
        var state = Measure("loaded at start (a snapshot)", perKind, () =>
        {
            var state = new RevocationList();
            var loading = state.BeginLoad(0);
            for (var i = 0; i < perKind; i++)
            {
                loading.User(Guid.NewGuid(), now.ToUnixTimeSeconds(), i % 10 != 0, now.ToUnixTimeMilliseconds());
                loading.Session(Guid.NewGuid(), now.AddMinutes(32).ToUnixTimeSeconds());
                loading.Token(Guid.NewGuid().ToString("N"), now.AddMinutes(30).ToUnixTimeSeconds());
            }

            loading.Complete(now.ToUnixTimeSeconds());
            return state;
        });
        state = Measure("applied one by one, then folded", perKind, () =>
        {
            var state = new RevocationList();
            // Each change is made as a message or a feed row would make it, and dropped once applied:
            // what stays on the heap is what the state keeps (its keys included).
            for (var i = 0; i < perKind; i++)
            {
                state.Apply(new StateChange(StateChangeKind.User, Guid.NewGuid().ToString(), now.ToUnixTimeSeconds(), i % 10 != 0, now.ToUnixTimeMilliseconds()));
                state.Apply(new StateChange(StateChangeKind.Session, Guid.NewGuid().ToString(), now.AddMinutes(32).ToUnixTimeSeconds(), false, 1));
                state.Apply(new StateChange(StateChangeKind.Token, Guid.NewGuid().ToString("N"), now.AddMinutes(30).ToUnixTimeSeconds(), false, 1));
            }

            state.Tidy(now.ToUnixTimeSeconds(), 1800);
            return state;
        });

        var clock = Stopwatch.StartNew();
        // The per-request check of a live token (nothing of it revoked), best of five rounds:
        // on a busy shared machine the best round is the least disturbed one.
        var (user, session, jti) = (Guid.NewGuid(), Guid.NewGuid(), RevocationList.TokenKey(Guid.NewGuid().ToString("N")));
        var issuedAt = now.ToUnixTimeSeconds() + 1;
        var best = double.MaxValue;
        var refused = 0;
        for (var round = 0; round < 5; round++)
        {
            clock.Restart();
            for (var i = 0; i < 10_000_000; i++)
            {
                refused += state.IsRevoked(user, session, jti, issuedAt) ? 1 : 0;
            }

            best = Math.Min(best, clock.Elapsed.TotalNanoseconds / 10_000_000);
        }

        Console.WriteLine($"revocation lookup of a live token over that state (its jti key made once, at validation): {best:F1} ns (best of 5 x 10M; {refused} refused)");
        GC.KeepAlive(state);
    }

    private static RevocationList Measure(string how, int perKind, Func<RevocationList> build)
    {
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var clock = Stopwatch.StartNew();
        var state = build();
        var elapsed = clock.Elapsed;
        var after = GC.GetTotalMemory(forceFullCollection: true);
        var entries = 3L * perKind;
        Console.WriteLine($"{entries:N0} entries {how}: {(after - before) / (double)entries:F0} bytes per entry, " +
            $"{(after - before) / 1024.0 / 1024.0:F0} MB in all, in {elapsed.TotalMilliseconds:F0} ms");
        return state;
    }
}
