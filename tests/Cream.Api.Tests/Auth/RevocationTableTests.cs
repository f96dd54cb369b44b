using Cream.Api.Auth.Revocation;
using Cream.Api.Auth.State;
using Microsoft.Extensions.Time.Testing;

namespace Cream.Api.Tests.Auth;

/// <summary>
/// The two-tier revocation state: what is folded into the settled tier stays refused, what
/// arrives meanwhile is never lost, and what expired leaves.
/// </summary>
public sealed class RevocationTableTests
{
    private const long Lifetime = 1800;
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);

    private long Now => _time.GetUtcNow().ToUnixTimeSeconds();

    [Fact]
    public async Task A_revocation_applied_while_folds_run_is_refused_at_every_moment_after_it()
    {
        var state = new RevocationList(_time);
        var until = Now + Lifetime;
        const int Sessions = 20_000;
        var revoked = new Guid[Sessions];
        var applied = 0;
        var missed = 0;
        var folds = 0;
        var checks = 0;
        using var stop = new CancellationTokenSource();

        // One writer revokes sessions in order, a folder rebuilds the settled tier as fast as it
        // can, and a reader checks that every session revoked so far stays refused.
        var folder = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                state.Prune(Now, Lifetime);
                Interlocked.Increment(ref folds);
            }
        });
        var reader = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                var upTo = Volatile.Read(ref applied);
                for (var i = Math.Max(0, upTo - 200); i < upTo; i++)
                {
                    if (!state.IsRevoked(Guid.NewGuid(), revoked[i], "live", Now))
                    {
                        Interlocked.Increment(ref missed);
                    }
                }

                Interlocked.Increment(ref checks);
            }
        });
        for (var i = 0; i < Sessions; i++)
        {
            revoked[i] = Guid.NewGuid();
            state.Apply(new StateChange(StateChangeKind.Session, revoked[i].ToString(), until, false, 1));
            Volatile.Write(ref applied, i + 1);
            if (i % 1000 == 999)
            {
                // Every thousand, let a fold and a check happen (on a busy machine the other tasks may start late).
                var (foldsSeen, checksSeen) = (Volatile.Read(ref folds), Volatile.Read(ref checks));
                Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref folds) > foldsSeen + 1 && Volatile.Read(ref checks) > checksSeen + 1,
                    TimeSpan.FromSeconds(30)), "the folder or the reader stalled");
            }
        }

        await stop.CancelAsync();
        await folder;
        await reader;

        Assert.Equal(0, missed);
        Assert.All(revoked, session => Assert.True(state.IsRevoked(Guid.NewGuid(), session, "live", Now)));
        state.Prune(Now, Lifetime);
        Assert.Equal(Sessions, state.Count);
    }

    [Fact]
    public void A_newer_user_change_wins_over_the_settled_one_and_an_older_one_arriving_late_changes_nothing()
    {
        var state = new RevocationList(_time);
        var user = Guid.NewGuid();
        state.Apply(new StateChange(StateChangeKind.User, user.ToString(), Now, Active: false, Version: 2));
        state.Prune(Now, Lifetime); // settled

        state.Apply(new StateChange(StateChangeKind.User, user.ToString(), Now, Active: true, Version: 1));
        var afterOlder = state.IsRevoked(user, Guid.NewGuid(), "live", Now + 1);
        state.Apply(new StateChange(StateChangeKind.User, user.ToString(), Now, Active: true, Version: 3));
        var afterNewer = state.IsRevoked(user, Guid.NewGuid(), "live", Now + 1);
        state.Prune(Now, Lifetime);

        Assert.True(afterOlder);
        Assert.False(afterNewer);
        Assert.False(state.IsRevoked(user, Guid.NewGuid(), "live", Now + 1));
        Assert.True(state.IsRevoked(user, Guid.NewGuid(), "live", Now)); // issued at the cut-off second
    }

    [Fact]
    public void Entries_leave_once_expired_whether_settled_or_recent()
    {
        var state = new RevocationList(_time);
        var (settled, recent) = (Guid.NewGuid(), Guid.NewGuid());
        state.Apply(new StateChange(StateChangeKind.Session, settled.ToString(), Now + 60, false, 1));
        state.Apply(new StateChange(StateChangeKind.User, Guid.NewGuid().ToString(), Now, false, 1));
        state.Prune(Now, Lifetime);
        state.Apply(new StateChange(StateChangeKind.Session, recent.ToString(), Now + 60, false, 1));
        state.Apply(new StateChange(StateChangeKind.Token, Guid.NewGuid().ToString("N"), Now + 60, false, 1));

        var dropped = state.Prune(Now + Lifetime + 61, Lifetime);

        Assert.Equal(4, dropped);
        Assert.Equal(0, state.Count);
        Assert.False(state.IsRevoked(Guid.NewGuid(), settled, "live", Now));
    }

    [Fact]
    public void Tidy_folds_a_quarter_lifetime_after_the_last_fold_or_when_many_changes_wait()
    {
        var state = new RevocationList(_time);
        var loading = state.BeginLoad(_time.GetTimestamp());
        loading.Session(Guid.NewGuid(), Now + 10);
        loading.Complete(Now);
        _time.Advance(TimeSpan.FromSeconds(20));

        var early = state.Tidy(Now, Lifetime);
        _time.Advance(TimeSpan.FromSeconds(Lifetime / 4));
        var due = state.Tidy(Now, Lifetime);
        for (var i = 0; i <= RevocationList.FoldAtRecent; i++)
        {
            state.Apply(new StateChange(StateChangeKind.Token, Guid.NewGuid().ToString("N"), Now - 1, false, 1));
        }

        var crowded = state.Tidy(Now, Lifetime);

        Assert.Equal((0, 1, RevocationList.FoldAtRecent + 1), (early, due, crowded));
        Assert.Equal(0, state.Count);
    }

    [Fact]
    public void A_snapshot_completed_now_leaves_out_what_has_expired_and_joins_what_is_held()
    {
        var state = new RevocationList(_time);
        var held = Guid.NewGuid();
        state.Apply(new StateChange(StateChangeKind.Session, held.ToString(), Now + 60, false, 1));
        var (expired, live) = (Guid.NewGuid(), Guid.NewGuid());

        var loading = state.BeginLoad(_time.GetTimestamp());
        loading.Session(expired, Now - 1);
        loading.Session(live, Now + 60);
        loading.Token("f00dfeedf00dfeedf00dfeedf00dfeed", Now + 60);
        loading.Complete(Now);

        Assert.Equal(3, state.Count);
        Assert.True(state.IsRevoked(Guid.NewGuid(), held, "live", Now));
        Assert.True(state.IsRevoked(Guid.NewGuid(), live, "live", Now));
        Assert.False(state.IsRevoked(Guid.NewGuid(), expired, "live", Now));
        // A jti is the same key in either case of its hex digits.
        Assert.True(state.IsRevoked(Guid.NewGuid(), Guid.NewGuid(), "F00DFEEDF00DFEEDF00DFEEDF00DFEED", Now));
    }

    [Theory]
    [InlineData("0123456789abcdef0123456789abcdef", "0123456789abcdef0123456789abcdee")]
    [InlineData("not-hex-at-all", "not-hex-at-alm")]
    [InlineData("0123456789abcdef0123456789abcdeg", "0123456789abcdef0123456789abcdeh")] // 32 characters, not all hex
    [InlineData("6f1c2a9e-5d3b-4c7a-9e2f-1b8d4a6c3e5f", "6f1c2a9e5d3b4c7a9e2f1b8d4a6c3e5f")] // a dashed id is hashed, not read as its digits
    public void Distinct_token_ids_get_distinct_keys_and_the_same_id_the_same_key(string tokenId, string other)
    {
        Assert.Equal(RevocationList.TokenKey(tokenId), RevocationList.TokenKey(new string(tokenId)));
        Assert.NotEqual(RevocationList.TokenKey(tokenId), RevocationList.TokenKey(other));
    }
}
