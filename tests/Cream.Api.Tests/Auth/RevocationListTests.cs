using Cream.Api.Auth.Revocation;
using Cream.Api.Auth.State;
using Microsoft.Extensions.Time.Testing;

namespace Cream.Api.Tests.Auth;

/// <summary>The resync never undoes a revocation that arrived while the database was being read.</summary>
public sealed class RevocationListTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private readonly Guid _user = Guid.NewGuid();

    [Fact]
    public void A_user_revocation_arriving_during_a_resync_survives_the_older_snapshot_even_with_an_older_version()
    {
        var state = new RevocationList(_time);
        var snapshotStartedAt = _time.GetTimestamp();
        // Disabled on another instance whose clock runs behind: a smaller version than anything local.
        state.Apply(new StateChange(StateChangeKind.User, _user.ToString(), 0, Active: false, Version: 1));

        state.Load([new StateChange(StateChangeKind.User, _user.ToString(), 0, Active: true, Version: 2)], snapshotStartedAt);

        Assert.True(state.IsRevoked(_user, Guid.NewGuid(), "jti", issuedAt: 100));
    }

    [Fact]
    public void A_snapshot_read_after_a_change_replaces_it()
    {
        var state = new RevocationList(_time);
        state.Apply(new StateChange(StateChangeKind.User, _user.ToString(), 0, Active: false, Version: 1));
        _time.Advance(TimeSpan.FromSeconds(1));

        // Re-activated meanwhile, and the message was lost: the database is the truth.
        state.Load([], _time.GetTimestamp());

        Assert.False(state.IsRevoked(_user, Guid.NewGuid(), "jti", issuedAt: 100));
    }

    [Fact]
    public void Ended_sessions_and_revoked_ids_survive_a_resync_that_does_not_list_them_until_they_expire()
    {
        var state = new RevocationList(_time);
        var session = Guid.NewGuid();
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        state.Apply(new StateChange(StateChangeKind.Session, session.ToString(), now + 60, false, 1));
        state.Apply(new StateChange(StateChangeKind.Token, "revoked-jti", now + 60, false, 1));

        state.Load([], _time.GetTimestamp());
        state.Prune(now);
        var afterLoad = (state.IsRevoked(_user, session, "other", 1), state.IsRevoked(_user, Guid.NewGuid(), "revoked-jti", 1));
        state.Prune(now + 61);

        Assert.Equal((true, true), afterLoad);
        Assert.False(state.IsRevoked(_user, session, "revoked-jti", 1));
    }
}
