using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using Cream.Api.Auth;
using Cream.Api.Common;
using Cream.Api.Tests.Infrastructure;
using Cream.Api.Tests.Sessions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Xunit.Abstractions;

namespace Cream.Api.Tests.Admin;

/// <summary>
/// The last active admin keeps its role, stays active and is not deleted (409), also when two
/// admins remove each other at the same moment (docs/decisions/0013-last-admin.md). Each
/// provider's class has a database of its own, and each test starts with no admin in it but its own.
/// </summary>
public abstract class LastAdminTests(CreamApiFactory factory, ITestOutputHelper output)
{
    private const int RaceTrials = 30;
    private const string LastAdministrator = "The last administrator cannot be removed";

    [Theory]
    [InlineData(null)]
    [InlineData("editor")]
    public async Task The_only_admin_cannot_remove_its_own_admin_role(string? otherRole)
    {
        var admin = await factory.OnlyAdminAsync();
        string[] roles = otherRole is null ? [] : [otherRole];
        using var client = factory.CreateClient(admin.AccessToken);

        using var response = await client.PatchAsJsonAsync($"/api/admin/users/{admin.Id}", new { roles });

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal(LastAdministrator, await response.DetailAsync());
        Assert.Equal([Roles.Admin], await RolesOfAsync(admin.Id)); // nothing added either
        using var stillAdmin = await client.GetAsync("/api/admin/users?page_size=1");
        Assert.Equal(HttpStatusCode.OK, stillAdmin.StatusCode);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_only_admin_cannot_disable_itself(bool alsoDropTheRole)
    {
        var admin = await factory.OnlyAdminAsync();
        using var client = factory.CreateClient(admin.AccessToken);
        object change = alsoDropTheRole ? new { roles = Array.Empty<string>(), is_active = false } : new { is_active = false };

        using var response = await client.PatchAsJsonAsync($"/api/admin/users/{admin.Id}", change);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal(LastAdministrator, await response.DetailAsync());
        Assert.Equal([admin.Id], await factory.ActiveAdminsAsync());
        Assert.True(await factory.WithDbAsync(db => db.Sessions.AnyAsync(s => s.UserId == admin.Id && s.IsValid)));
        using var stillAdmin = await client.GetAsync("/api/admin/users?page_size=1");
        Assert.Equal(HttpStatusCode.OK, stillAdmin.StatusCode);
        await factory.CreateClient().RefreshAsync(admin.RefreshToken);
    }

    [Fact]
    public async Task Of_two_admins_one_may_demote_the_other_and_then_not_itself()
    {
        var admin = await factory.OnlyAdminAsync();
        var other = await factory.CreateAdminAsync();
        using var client = factory.CreateClient(admin.AccessToken);

        using var demoteOther = await client.PatchAsJsonAsync($"/api/admin/users/{other.Id}", new { roles = Array.Empty<string>() });
        using var demoteSelf = await client.PatchAsJsonAsync($"/api/admin/users/{admin.Id}", new { roles = Array.Empty<string>() });

        Assert.Equal(HttpStatusCode.OK, demoteOther.StatusCode);
        Assert.Equal(0, (await demoteOther.JsonAsync()).GetProperty("roles").GetArrayLength());
        await factory.AssertRefusedAsync(other.AccessToken);
        Assert.Equal(HttpStatusCode.Conflict, demoteSelf.StatusCode);
        Assert.Equal(LastAdministrator, await demoteSelf.DetailAsync());
        Assert.Equal([admin.Id], await factory.ActiveAdminsAsync());
    }

    [Fact]
    public async Task With_one_admin_other_users_are_changed_and_disabled_freely()
    {
        var admin = await factory.OnlyAdminAsync();
        var user = await factory.CreateClient().SignupAsync();
        using var client = factory.CreateClient(admin.AccessToken);

        using var grant = await client.PatchAsJsonAsync($"/api/admin/users/{user.Id}", new { roles = new[] { "editor" } });
        using var drop = await client.PatchAsJsonAsync($"/api/admin/users/{user.Id}", new { roles = Array.Empty<string>() });
        using var disable = await client.PatchAsJsonAsync($"/api/admin/users/{user.Id}", new { is_active = false });

        Assert.All(new[] { grant, drop, disable }, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.False(await factory.WithDbAsync(db => db.Users.Where(u => u.Id == user.Id).Select(u => u.IsActive).SingleAsync()));
        Assert.Equal([admin.Id], await factory.ActiveAdminsAsync());
    }

    [Fact]
    public async Task An_inactive_admin_may_lose_the_role_and_does_not_count_as_another_admin()
    {
        var admin = await factory.OnlyAdminAsync();
        var inactive = await factory.CreateAdminAsync();
        using var client = factory.CreateClient(admin.AccessToken);
        using var disable = await client.PatchAsJsonAsync($"/api/admin/users/{inactive.Id}", new { is_active = false });
        Assert.Equal(HttpStatusCode.OK, disable.StatusCode);

        using var demoteSelf = await client.PatchAsJsonAsync($"/api/admin/users/{admin.Id}", new { roles = Array.Empty<string>() });
        using var demoteInactive = await client.PatchAsJsonAsync($"/api/admin/users/{inactive.Id}", new { roles = Array.Empty<string>() });

        Assert.Equal(HttpStatusCode.Conflict, demoteSelf.StatusCode);
        Assert.Equal(HttpStatusCode.OK, demoteInactive.StatusCode);
        Assert.Empty(await RolesOfAsync(inactive.Id));
        Assert.Equal([admin.Id], await factory.ActiveAdminsAsync());
    }

    [Fact]
    public async Task A_refusal_is_audited_logged_and_counted_with_the_admin_as_actor()
    {
        var admin = await factory.OnlyAdminAsync();
        using var client = factory.CreateClient(admin.AccessToken);
        using var refusals = new MetricCollector<long>(factory.Services.GetRequiredService<IMeterFactory>(), AuthMetrics.MeterName, "cream.auth.last_admin_refusals");

        using var demote = await client.PatchAsJsonAsync($"/api/admin/users/{admin.Id}", new { roles = Array.Empty<string>() });
        using var disable = await client.PatchAsJsonAsync($"/api/admin/users/{admin.Id}", new { is_active = false });

        Assert.Equal(HttpStatusCode.Conflict, demote.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, disable.StatusCode);
        using var audit = await client.GetAsync($"/api/admin/audit?user_id={admin.Id}");
        Assert.Equal(HttpStatusCode.OK, audit.StatusCode);
        var events = (await audit.JsonAsync()).GetProperty("events").EnumerateArray()
            .Where(e => e.GetProperty("actor_id").ValueKind != System.Text.Json.JsonValueKind.Null).ToList();
        Assert.Equal(["last_admin_refused", "last_admin_refused"], events.Select(e => e.GetProperty("type").GetString()));
        Assert.Equal(["disable", "role_removal"], events.Select(e => e.GetProperty("reason").GetString()));
        Assert.Equal([RequestIdOf(disable), RequestIdOf(demote)], events.Select(e => e.GetProperty("request_id").GetString()));
        Assert.All(events, e =>
        {
            Assert.Equal("failure", e.GetProperty("outcome").GetString());
            Assert.Equal(admin.Id, e.GetProperty("user_id").GetGuid());
            Assert.Equal(admin.Id, e.GetProperty("actor_id").GetGuid());
        });
        Assert.Equal(["disable", "role_removal"], refusals.GetMeasurementSnapshot().Select(m => (string?)m.Tags["change"]).Order(StringComparer.Ordinal));
        Assert.Equal(2, factory.Logs.GetSnapshot().Count(r => r.Id.Name == "LastAdminRefused" && r.Message.Contains(admin.Id.ToString(), StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("roles", "roles")]
    [InlineData("is_active", "is_active")]
    [InlineData("roles", "is_active")]
    [InlineData("delete", "delete")]
    [InlineData("delete", "roles")]
    [InlineData("is_active", "delete")]
    public async Task Two_admins_removing_each_other_at_the_same_moment_leave_exactly_one(string byFirst, string bySecond)
    {
        var broken = new List<string>();
        int noAdminLeft = 0, firstWon = 0, loserCutOff = 0;
        for (var trial = 0; trial < RaceTrials; trial++)
        {
            await factory.DemoteEveryAdminAsync();
            var first = await factory.CreateAdminAsync();
            var second = await factory.CreateAdminAsync();
            Assert.Equal(new[] { first.Id, second.Id }.Order(), (await factory.ActiveAdminsAsync()).Order());
            using var asFirst = factory.CreateClient(first.AccessToken);
            using var asSecond = factory.CreateClient(second.AccessToken);

            var responses = await Concurrently.AtOnceAsync(
                () => RemoveAsync(asFirst, second.Id, byFirst),
                () => RemoveAsync(asSecond, first.Id, bySecond));

            var statuses = responses.Select(r => r.StatusCode).ToArray();
            var details = new List<string?>();
            foreach (var response in responses)
            {
                details.Add(response.IsSuccessStatusCode ? null : await response.DetailAsync());
                response.Dispose();
            }

            var admins = await factory.ActiveAdminsAsync();
            var won = statuses.Select(s => (int)s is >= 200 and < 300).ToArray();
            var winner = won[0] ? first.Id : second.Id;
            // The loser is refused: 409, or 401 when its request was authenticated only after the
            // winner's change had already cut its token (the role it needed was gone).
            var loser = won[0] ? 1 : 0;
            var loserRefused = (statuses[loser], details[loser]) is (HttpStatusCode.Conflict, LastAdministrator)
                or (HttpStatusCode.Unauthorized, SessionApi.InvalidCredentials);
            if (won.Count(w => w) != 1 || !loserRefused || admins.Count != 1 || admins[0] != winner)
            {
                broken.Add($"trial {trial}: {statuses[0]:D}/{statuses[1]:D}, {admins.Count} active admins left");
            }

            noAdminLeft += admins.Count == 0 ? 1 : 0;
            firstWon += won[0] ? 1 : 0;
            loserCutOff += statuses[loser] == HttpStatusCode.Unauthorized ? 1 : 0;
        }

        output.WriteLine($"{RaceTrials} trials of {byFirst} against {bySecond}: {broken.Count} broken ({noAdminLeft} left no active admin), "
            + $"the first won {firstWon}, "
            + $"the loser already cut off (401) {loserCutOff}");
        Assert.Empty(broken);
    }

    /// <summary>Removes an admin as <paramref name="kind"/> says: its role (PATCH <c>roles</c>), disabling it, or deleting it.</summary>
    private static Task<HttpResponseMessage> RemoveAsync(HttpClient admin, Guid target, string kind) => kind switch
    {
        "delete" => admin.DeleteAsync($"/api/admin/users/{target}"),
        "roles" => admin.PatchAsJsonAsync($"/api/admin/users/{target}", new { roles = Array.Empty<string>() }),
        _ => admin.PatchAsJsonAsync($"/api/admin/users/{target}", new { is_active = false }),
    };

    private Task<List<string>> RolesOfAsync(Guid userId) =>
        factory.WithDbAsync(db => db.Users.Where(u => u.Id == userId).Select(u => u.Roles).SingleAsync());

    private static string RequestIdOf(HttpResponseMessage response) =>
        Assert.Single(response.Headers.GetValues(HttpHardening.RequestIdHeader));
}

public sealed class SqliteLastAdminTests(SqliteApiFactory factory, ITestOutputHelper output)
    : LastAdminTests(factory, output), IClassFixture<SqliteApiFactory>;

public sealed class PostgresLastAdminTests(PostgresApiFactory factory, ITestOutputHelper output)
    : LastAdminTests(factory, output), IClassFixture<PostgresApiFactory>;
