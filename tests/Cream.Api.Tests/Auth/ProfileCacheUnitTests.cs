using Cream.Api.Auth.Profiles;
using Cream.Api.Auth.State;

namespace Cream.Api.Tests.Auth;

/// <summary>The profile cache drops a user's entry on that user's changes only, and never keeps a profile read before one.</summary>
public sealed class ProfileCacheUnitTests
{
    private readonly ProfileCache _cache = new();
    private readonly Guid _user = Guid.NewGuid();
    private readonly Guid _other = Guid.NewGuid();

    [Theory]
    [InlineData(StateChangeKind.User)]
    [InlineData(StateChangeKind.Profile)]
    public void A_change_to_a_user_drops_that_users_profile_and_no_other(StateChangeKind kind)
    {
        _cache.Set(_user, "ada", _cache.Epoch);
        _cache.Set(_other, "grace", _cache.Epoch);

        _cache.Apply(new StateChange(kind, _user.ToString(), 0, true, 1));

        Assert.False(_cache.TryGet<string>(_user, out _));
        Assert.True(_cache.TryGet<string>(_other, out var kept));
        Assert.Equal("grace", kept);
    }

    [Theory]
    [InlineData(StateChangeKind.Session)]
    [InlineData(StateChangeKind.Token)]
    [InlineData(StateChangeKind.SigningKeys)]
    public void Changes_that_are_not_about_a_profile_keep_it(StateChangeKind kind)
    {
        _cache.Set(_user, "ada", _cache.Epoch);

        _cache.Apply(new StateChange(kind, _user.ToString(), 0, false, 1));

        Assert.True(_cache.TryGet<string>(_user, out _));
    }

    [Fact]
    public void A_profile_read_before_a_change_is_not_cached_after_it()
    {
        var epochAtRead = _cache.Epoch;
        _cache.Apply(StateChange.ProfileChanged(_user, DateTimeOffset.UtcNow));

        _cache.Set(_user, "stale", epochAtRead);

        Assert.False(_cache.TryGet<string>(_user, out _));
    }

    [Fact]
    public void Starting_over_drops_every_profile()
    {
        _cache.Set(_user, "ada", _cache.Epoch);

        _cache.StartOver();

        Assert.False(_cache.TryGet<string>(_user, out _));
    }
}
