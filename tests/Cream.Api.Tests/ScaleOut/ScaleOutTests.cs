using System.Net;
using System.Net.Http.Json;
using Cream.Api.Tests.Infrastructure;

namespace Cream.Api.Tests.ScaleOut;

/// <summary>
/// Revocation across instances: what one instance revokes, the other refuses within 2 s,
/// through Redis pub/sub.
/// </summary>
[Collection(RedisOutageGroup.Name)]
public sealed class ScaleOutTests(TwoInstances instances) : IClassFixture<TwoInstances>
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task A_logout_on_one_instance_is_honoured_by_the_other_within_two_seconds()
    {
        var user = await instances.A.CreateClient().SignupAsync();
        var login = await instances.A.CreateClient().LoginAsync(user.Email, user.Password);
        using var onA = instances.A.CreateClient(login.AccessToken);
        using var onB = instances.B.CreateClient(login.AccessToken);
        Assert.Equal(HttpStatusCode.OK, (await onB.GetAsync("/api/auth/me")).StatusCode);

        using var logout = await onA.PostAsync("/api/auth/logout", null);

        Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await onA.GetAsync("/api/auth/me")).StatusCode);
        var refusedOnB = await TwoInstances.WaitUntilAsync(
            async () => (await onB.GetAsync("/api/auth/me")).StatusCode == HttpStatusCode.Unauthorized, Deadline);
        Assert.NotNull(refusedOnB);
    }

    [Fact]
    public async Task An_admin_revoke_on_one_instance_is_honoured_by_the_other_within_two_seconds()
    {
        var admin = await instances.A.CreateAdminAsync();
        var user = await instances.B.CreateClient().SignupAsync();
        using var userOnB = instances.B.CreateClient(user.AccessToken);
        Assert.Equal(HttpStatusCode.OK, (await userOnB.GetAsync("/api/auth/me")).StatusCode);

        using var adminOnA = instances.A.CreateClient(admin.AccessToken);
        using var revoke = await adminOnA.PostAsync($"/api/admin/users/{user.Id}/revoke-tokens", null);

        Assert.Equal(HttpStatusCode.NoContent, revoke.StatusCode);
        var refused = await TwoInstances.WaitUntilAsync(
            async () => (await userOnB.GetAsync("/api/auth/me")).StatusCode == HttpStatusCode.Unauthorized, Deadline);
        Assert.NotNull(refused);
        using var refresh = await instances.B.CreateClient().PostAsJsonAsync("/api/auth/refresh", new { refresh_token = user.RefreshToken });
        Assert.Equal(HttpStatusCode.Unauthorized, refresh.StatusCode);
    }

    [Fact]
    public async Task A_profile_change_on_one_instance_reaches_the_cached_profile_on_the_other()
    {
        var admin = await instances.A.CreateAdminAsync();
        var user = await instances.B.CreateClient().SignupAsync();
        using var userOnB = instances.B.CreateClient(user.AccessToken);
        Assert.Equal(0, (await (await userOnB.GetAsync("/api/auth/me")).JsonAsync()).GetProperty("roles").GetArrayLength());

        using var grant = await instances.A.CreateClient(admin.AccessToken)
            .PatchAsJsonAsync($"/api/admin/users/{user.Id}", new { roles = new[] { "analyst" } });

        Assert.Equal(HttpStatusCode.OK, grant.StatusCode);
        var seen = await TwoInstances.WaitUntilAsync(
            async () => (await (await userOnB.GetAsync("/api/auth/me")).JsonAsync()).GetProperty("roles").GetArrayLength() == 1, Deadline);
        Assert.NotNull(seen);
    }

    [Fact]
    public async Task Reusing_a_token_rotated_on_one_instance_on_the_other_kills_the_session()
    {
        var user = await instances.A.CreateClient().SignupAsync();
        using var rotated = await instances.A.CreateClient().PostAsJsonAsync("/api/auth/refresh", new { refresh_token = user.RefreshToken });
        var successor = await rotated.Content.ReadFromJsonAsync<TokenBody>();
        Assert.Equal(HttpStatusCode.OK, rotated.StatusCode);
        instances.Advance(TimeSpan.FromSeconds(3)); // past the grace window

        using var reuse = await instances.B.CreateClient().PostAsJsonAsync("/api/auth/refresh", new { refresh_token = user.RefreshToken });

        Assert.Equal(HttpStatusCode.Unauthorized, reuse.StatusCode);
        Assert.Equal("invalid_grant", (await reuse.JsonAsync()).GetProperty("error").GetString());
        using var successorRefresh = await instances.A.CreateClient().PostAsJsonAsync("/api/auth/refresh", new { refresh_token = successor!.RefreshToken });
        Assert.Equal(HttpStatusCode.Unauthorized, successorRefresh.StatusCode);
        using var successorOnA = instances.A.CreateClient(successor.AccessToken);
        var refused = await TwoInstances.WaitUntilAsync(
            async () => (await successorOnA.GetAsync("/api/auth/me")).StatusCode == HttpStatusCode.Unauthorized, Deadline);
        Assert.NotNull(refused);
    }
}

/// <summary>
/// Losing Redis degrades propagation, never service. A class (and pair of instances) of its
/// own: after the outage each instance's subscription comes back in its own time, and a test
/// that needs sub-second propagation must not run on instances still reconnecting.
/// </summary>
[Collection(RedisOutageGroup.Name)]
public sealed class RedisOutageTests(TwoInstances instances) : IClassFixture<TwoInstances>
{
    [Fact]
    public async Task With_redis_down_validation_login_and_local_revocation_keep_working_and_propagation_resumes()
    {
        var user = await instances.A.CreateClient().SignupAsync();
        await TwoInstances.StopRedisAsync();
        try
        {
            // Validation on both instances, login, and revocation on the instance that did it.
            using var onA = instances.A.CreateClient(user.AccessToken);
            using var onB = instances.B.CreateClient(user.AccessToken);
            Assert.Equal(HttpStatusCode.OK, (await onA.GetAsync("/api/auth/me")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await onB.GetAsync("/api/auth/me")).StatusCode);
            var login = await instances.B.CreateClient().LoginAsync(user.Email, user.Password);
            using var logout = await instances.B.CreateClient(login.AccessToken).PostAsync("/api/auth/logout", null);
            Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await instances.B.CreateClient(login.AccessToken).GetAsync("/api/auth/me")).StatusCode);
        }
        finally
        {
            TwoInstances.StartRedis();
        }

        // Once Redis is back the instances reconnect by themselves and resync what they missed.
        var second = await instances.A.CreateClient().LoginAsync(user.Email, user.Password);
        using var secondOnB = instances.B.CreateClient(second.AccessToken);
        var reconnected = await TwoInstances.WaitUntilAsync(async () =>
        {
            using var logoutOnA = await instances.A.CreateClient(second.AccessToken).PostAsync("/api/auth/logout", null);
            return (await secondOnB.GetAsync("/api/auth/me")).StatusCode == HttpStatusCode.Unauthorized;
        }, TimeSpan.FromSeconds(30));
        Assert.NotNull(reconnected);
    }
}

/// <summary>Tests that stop the shared Redis run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RedisOutageGroup
{
    public const string Name = "Redis outage";
}
